"""``colloquy copy-store``: every row of every table from one store to another (SQLite ⇄ PostgreSQL).

Both stores are opened (and so migrated) by this Colloquy, so they share one schema. Rows are copied
in one transaction on the target, parents before children (foreign keys stay checked); a column that
points into its own table (a merged panel question) is filled in a second pass. Then the row count of
every table is compared, and on PostgreSQL every identity sequence is moved past the largest id, so
new rows do not collide with copied ones, and the tables are analyzed for the planner. A target
that already holds rows is refused unless ``force``, which empties it first (in the same transaction).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.store import Database, SchemaTooNew, StoreError, is_postgres, open_database, redact, sqlite_path

#: Rows per INSERT batch.
CHUNK = 1000


class CopyRefused(RuntimeError):
    """The copy would lose or mix data (a non-empty target without ``--force``, a missing source)."""


@dataclass(frozen=True)
class ForeignKey:
    table: str
    column: str
    parent: str


async def tables(db: Database) -> list[str]:
    """The schema's tables (not the store's own bookkeeping), by name."""
    if db.dialect == "sqlite":
        rows = await db.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    else:
        rows = await db.fetchall(
            """SELECT table_name AS name FROM information_schema.tables
               WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
                 AND table_name <> 'schema_migrations' ORDER BY table_name"""
        )
    return [str(r["name"]) for r in rows]


async def columns(db: Database, table: str) -> list[str]:
    if db.dialect == "sqlite":
        rows = await db.fetchall("SELECT name FROM pragma_table_info(?) ORDER BY cid", (table,))
    else:
        rows = await db.fetchall(
            """SELECT column_name AS name FROM information_schema.columns
               WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position""",
            (table,),
        )
    return [str(r["name"]) for r in rows]


async def foreign_keys(db: Database) -> list[ForeignKey]:
    found: list[ForeignKey] = []
    if db.dialect == "sqlite":
        for table in await tables(db):
            for r in await db.fetchall('SELECT "from", "table" FROM pragma_foreign_key_list(?)', (table,)):
                found.append(ForeignKey(table, str(r[0]), str(r[1])))
        return found
    rows = await db.fetchall(
        """SELECT c.conrelid::regclass::text AS child, a.attname AS col, c.confrelid::regclass::text AS parent
           FROM pg_constraint c
           JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
           WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace"""
    )
    return [ForeignKey(str(r["child"]), str(r["col"]), str(r["parent"])) for r in rows]


def parents_first(names: list[str], keys: list[ForeignKey]) -> list[str]:
    """``names`` ordered so that every table comes after the tables it points to (self-references aside)."""
    needs = {n: {k.parent for k in keys if k.table == n and k.parent != n and k.parent in names} for n in names}
    ordered: list[str] = []
    while needs:
        ready = sorted(n for n, deps in needs.items() if not deps - set(ordered))
        if not ready:
            raise CopyRefused(f"the tables {', '.join(sorted(needs))} point to each other; cannot order the copy")
        ordered.extend(ready)
        for n in ready:
            del needs[n]
    return ordered


async def count(db: Database, table: str) -> int:
    return int(await db.fetchval(f'SELECT count(*) FROM "{table}"'))  # noqa: S608 (names from the schema)


async def copy_store(
    source_target: str | Path, target_target: str | Path, *, force: bool = False,
    say: Callable[[str], None] = print,
) -> dict[str, int]:
    """Copy every row from ``source_target`` to ``target_target``; rows per table."""
    if not is_postgres(source_target) and not sqlite_path(source_target).is_file():
        raise CopyRefused(f"no database file at {redact(source_target)}")
    if str(source_target) == str(target_target):
        raise CopyRefused("--from and --to name the same store")
    source = await open_database(source_target)
    try:
        target = await open_database(target_target)
        try:
            return await _copy(source, target, force=force, say=say)
        finally:
            await target.close()
    finally:
        await source.close()


async def _copy(source: Database, target: Database, *, force: bool, say: Callable[[str], None]) -> dict[str, int]:
    names = await tables(source)
    missing = sorted(set(names) - set(await tables(target)))
    if missing:
        raise CopyRefused(f"the target has no table {', '.join(missing)}")
    keys = await foreign_keys(source)
    order = parents_first(names, keys)
    filled = {n: c for n in order if (c := await count(target, n))}
    if filled and not force:
        listing = ", ".join(f"{n} ({c} rows)" for n, c in filled.items())
        raise CopyRefused(f"the target is not empty: {listing}; use --force to replace its rows")
    copied: dict[str, int] = {}
    async with target.transaction() as tx:
        for name in reversed(order):
            if filled.get(name):
                await tx.execute(f'DELETE FROM "{name}"')  # noqa: S608
        for name in order:
            cols = [c for c in await columns(source, name) if c in set(await columns(target, name))]
            own = [k.column for k in keys if k.table == name and k.parent == name and k.column in cols]
            quoted = ", ".join(f'"{c}"' for c in cols)
            rows = await source.fetchall(f'SELECT {quoted} FROM "{name}"')  # noqa: S608
            values = [[None if c in own else r[i] for i, c in enumerate(cols)] for r in rows]
            insert = f'INSERT INTO "{name}" ({quoted}) VALUES ({", ".join("?" for _ in cols)})'  # noqa: S608
            for start in range(0, len(values), CHUNK):
                await tx.executemany(insert, values[start : start + CHUNK])
            if own and "id" in cols:
                for column in own:
                    at = cols.index(column)
                    later = [(r[at], r[cols.index("id")]) for r in rows if r[at] is not None]
                    if later:
                        await tx.executemany(f'UPDATE "{name}" SET "{column}" = ? WHERE id = ?', later)  # noqa: S608
            copied[name] = len(rows)
        if target.dialect == "postgresql":
            for name in order:
                seq = await tx.fetchval("SELECT pg_get_serial_sequence(?, 'id')", (name,)) if "id" in await columns(
                    target, name
                ) else None
                if seq:
                    await tx.fetchval(
                        f'SELECT setval(?::regclass, COALESCE((SELECT max(id) FROM "{name}"), 0) + 1, false)',  # noqa: S608
                        (seq,),
                    )
    if target.dialect == "postgresql":
        await target.execute("ANALYZE")  # fresh statistics: the planner knows the copied tables' sizes
    for name in order:
        have, want = await count(target, name), await count(source, name)
        if have != want:
            raise CopyRefused(f"{name}: {have} rows in the target, {want} in the source")
        say(f"  {name}: {have} rows")
    return copied


def run_copy_cli(source: str, target: str, *, force: bool) -> int:
    """The ``copy-store`` command: 0 copied and checked; 2 refused or unreachable (one line, no traceback)."""
    try:
        copied = asyncio.run(copy_store(source, target, force=force))
    except (StoreError, SchemaTooNew, CopyRefused) as exc:
        print(f"colloquy: copy-store: {exc}", file=sys.stderr)
        return 2
    print(f"copied {sum(copied.values())} rows in {len(copied)} tables from {redact(source)} to {redact(target)}; "
          "every table's count checked")
    return 0
