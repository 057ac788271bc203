"""``--store`` for the benchmarks: a fresh SQLite file (the default) or a fresh schema on a PostgreSQL
server, so the same run measures either store.

    python -m benchmarks.ingest --store postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlencode


def add_store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store", default="sqlite",
        help="sqlite (a temporary file, the default) or a postgresql:// URL (a temporary schema there)",
    )


@asynccontextmanager
async def fresh_store(store: str, folder: Path, name: str) -> AsyncIterator[str | Path]:
    """An empty store's target: ``folder/name.sqlite3``, or a new schema on the server (dropped after)."""
    if store == "sqlite":
        yield folder / f"{name}.sqlite3"
        return
    import asyncpg

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(store)
    try:
        await conn.execute(f'CREATE SCHEMA "{schema}"')
        sep = "&" if "?" in store else "?"
        yield f"{store}{sep}{urlencode({'search_path': schema})}"
    finally:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await conn.close()
