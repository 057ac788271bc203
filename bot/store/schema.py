"""The numbered migrations shipped with the package, one sequence for every store.

``migrations/NNN_description.sql`` is the portable SQL; where a dialect differs, a file of the same
number in ``migrations/<dialect>/`` takes its place for that dialect.
"""

from __future__ import annotations

import re
from importlib import resources
from importlib.resources.abc import Traversable

_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


class SchemaTooNew(RuntimeError):
    """The database was migrated by a newer Colloquy than this one."""

    def __init__(self, found: int, known: int) -> None:
        super().__init__(
            f"the database schema is version {found}, newer than this Colloquy knows ({known}): upgrade Colloquy"
        )
        self.found = found
        self.known = known


def _scan(folder: Traversable) -> dict[int, tuple[str, str]]:
    found: dict[int, tuple[str, str]] = {}
    if not folder.is_dir():
        return found
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            version = int(match.group(1))
            if version in found:
                raise RuntimeError(f"two migrations share the number {version:03d}")
            found[version] = (entry.name, entry.read_text(encoding="utf-8"))
    return found


def migrations(dialect: str = "sqlite") -> list[tuple[int, str, str]]:
    """(version, file name, SQL) for every migration of ``dialect``, in order."""
    return [(version, name, sql) for version, name, sql, _ in migration_files(dialect)]


def migration_files(dialect: str) -> list[tuple[int, str, str, bool]]:
    """(version, file name, SQL, whether it is the dialect's own file) for every migration, in order."""
    root = resources.files("bot.store").joinpath("migrations")
    chosen = {version: (name, sql, False) for version, (name, sql) in _scan(root).items()}
    chosen.update({version: (name, sql, True) for version, (name, sql) in _scan(root.joinpath(dialect)).items()})
    return [(version, *chosen[version]) for version in sorted(chosen)]


def split_sql(script: str) -> list[str]:
    """Split a migration into statements at semicolons outside ``$$``-quoted bodies (a PostgreSQL
    function's) and outside a SQLite trigger's ``BEGIN … END``; our migrations have no semicolons in
    strings."""
    lines = [line for line in script.splitlines() if not line.strip().startswith("--")]
    body = "\n".join(line.split(" --", 1)[0] for line in lines)
    statements: list[str] = []
    for i, part in enumerate(body.split("$$")):
        if i % 2:  # inside $$ … $$: one piece of the current statement
            statements[-1] += f"$${part}$$"
            continue
        pieces = part.split(";")
        if statements and i:
            statements[-1] += pieces.pop(0)
        statements += pieces
    merged: list[str] = []
    for statement in (s.strip() for s in statements if s.strip()):
        if merged and _open_trigger(merged[-1]):
            merged[-1] += f";\n{statement}"
        else:
            merged.append(statement)
    return merged


def _open_trigger(statement: str) -> bool:
    """A SQLite ``CREATE TRIGGER … BEGIN`` whose body's ``END`` is still to come."""
    return (statement.upper().startswith("CREATE TRIGGER") and _BEGIN.search(statement) is not None
            and _END.search(statement) is None)


_BEGIN = re.compile(r"\bBEGIN\b", re.IGNORECASE)
_END = re.compile(r"\bEND\s*$", re.IGNORECASE)
