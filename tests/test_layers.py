"""The import rules of DESIGN.md "Layers", read from the source tree (AST, nothing is imported):

* only the named Discord-facing modules import ``discord``;
* no SQL outside ``bot/store/`` (the repositories);
* nothing in ``bot/`` imports ``cogs`` but the client, which loads them;
* no import cycle between the modules of ``bot/`` and ``cogs/``.

Each rule is a function of the parsed tree, so the tests below also check, on a planted violation
added to the tree, that every rule can fail.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Modules allowed to import discord (paths relative to the repository; ``*`` matches across folders).
DISCORD_FACING: dict[str, str] = {
    "cogs/*": "the Discord face of every feature",
    "bot/client.py": "ColloquyBot: the discord.py client itself",
    "bot/i18n/translator.py": "discord.py's app-command Translator over the catalogs",
    "bot/__main__.py": "the CLI's run and sync commands start and sync the bot",
    "bot/demo/runner.py": "the demo drives the real bot inside SimCord (discord.py objects)",
    "bot/i18n/tools.py": "catalog extraction walks the app-command tree for option names",
    "bot/text.py": "escapes members' words for Discord with discord.utils' own escape functions",
}

#: SQL in the store's repositories only. An allow-list of modules whose SQL has not moved yet would go
#: here, with the issue that moves it; it is empty.
SQL_NOT_YET_MOVED: dict[str, str] = {}

#: What may import ``cogs`` from ``bot/``: the client loads the cogs as extensions and shares the kit.
COGS_IMPORTERS = {"bot/client.py"}

#: A string that is a SQL statement (keywords in capitals, as the project writes SQL).
SQL = re.compile(
    r"\bSELECT\b[\s\S]*?\bFROM\b|\bINSERT\s+INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b"
    r"|\bCREATE\s+(?:UNIQUE\s+)?(?:TABLE|INDEX|VIEW|TRIGGER)\b"
)


@dataclass(frozen=True)
class Import:
    target: str  # the module imported (``bot.store`` for ``from bot.store import Database``)
    line: int
    type_only: bool  # inside ``if TYPE_CHECKING:``


@dataclass(frozen=True)
class Module:
    name: str  # dotted: ``bot.store.sqlite``; a package is its ``__init__``: ``bot.store``
    path: str  # relative, with forward slashes
    tree: ast.Module


def load(root: Path) -> dict[str, Module]:
    """Every module of ``bot/`` and ``cogs/`` under ``root``, parsed."""
    modules = {}
    for top in ("bot", "cogs"):
        for file in sorted((root / top).rglob("*.py")):
            parts = list(file.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            name = ".".join(parts)
            modules[name] = Module(name, file.relative_to(root).as_posix(), ast.parse(file.read_text("utf-8")))
    return modules


def imports(module: Module, known: set[str]) -> Iterator[Import]:
    """Every import statement of ``module``, at any depth (functions included), resolved to a module."""
    package = module.name if module.path.endswith("__init__.py") else module.name.rpartition(".")[0]

    def walk(node: ast.AST, type_only: bool) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for statement in child.body:
                    yield from walk_one(statement, True)
                for statement in child.orelse:
                    yield from walk_one(statement, type_only)
            else:
                yield from walk_one(child, type_only)

    def walk_one(node: ast.AST, type_only: bool) -> Iterator[Import]:
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(alias.name, node.lineno, type_only)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                yield Import(submodule if submodule in known else base, node.lineno, type_only)
        yield from walk(node, type_only)

    yield from walk(module.tree, False)


def docstrings(tree: ast.Module) -> set[int]:
    """ids of the docstring nodes of a module, its classes and functions (prose, not SQL)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def allowed(path: str, patterns: dict[str, str] | set[str]) -> bool:
    return any(fnmatch(path, pattern) for pattern in patterns)


# -- the rules: each returns its violations, as "path:line what" ------------------------------------------

def discord_imports(modules: dict[str, Module]) -> list[str]:
    known = set(modules)
    return [
        f"{m.path}:{i.line} imports {i.target}"
        for m in modules.values()
        if not allowed(m.path, DISCORD_FACING)
        for i in imports(m, known)
        if i.target == "discord" or i.target.startswith("discord.")
    ]


def sql_outside_the_store(modules: dict[str, Module]) -> list[str]:
    found = []
    for m in modules.values():
        if m.path.startswith("bot/store/") or m.path in SQL_NOT_YET_MOVED:
            continue
        prose = docstrings(m.tree)
        for node in ast.walk(m.tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose:
                match = SQL.search(node.value)
                if match:
                    found.append(f"{m.path}:{node.lineno} {match.group(0)[:40]!r}")
    return found


def cogs_imported_from_bot(modules: dict[str, Module]) -> list[str]:
    known = set(modules)
    return [
        f"{m.path}:{i.line} imports {i.target}"
        for m in modules.values()
        if m.path.startswith("bot/") and m.path not in COGS_IMPORTERS
        for i in imports(m, known)
        if i.target == "cogs" or i.target.startswith("cogs.")
    ]


def import_cycles(modules: dict[str, Module]) -> list[str]:
    """Cycles of run-time imports (``if TYPE_CHECKING:`` imports execute nothing and are left out;
    imports inside functions count: they run). Tarjan's strongly connected components."""
    known = set(modules)
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for m in modules.values():
        for i in imports(m, known):
            target = i.target
            while target and target not in known:  # ``from bot.x import name``: the module bot.x
                target = target.rpartition(".")[0]
            if target and target != m.name and not i.type_only:
                graph[m.name].add(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(" <-> ".join(sorted(component)))

    for name in sorted(graph):
        if name not in index:
            connect(name)
    return cycles


RULES = [discord_imports, sql_outside_the_store, cogs_imported_from_bot, import_cycles]


# -- the tests ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tree() -> dict[str, Module]:
    modules = load(ROOT)
    assert len(modules) > 60 and "bot.store.sqlite" in modules and "cogs.kit" in modules
    return modules


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.__name__)
def test_the_tree_keeps_the_rule(tree: dict[str, Module], rule) -> None:  # type: ignore[no-untyped-def]
    assert rule(tree) == []


def test_the_allow_lists_name_modules_that_exist(tree: dict[str, Module]) -> None:
    paths = {m.path for m in tree.values()}
    for pattern in [*DISCORD_FACING, *SQL_NOT_YET_MOVED, *COGS_IMPORTERS]:
        assert any(fnmatch(path, pattern) for path in paths), pattern


PLANTS = {
    discord_imports: {"bot/dialogues/planted.py": "import discord.utils\n"},
    sql_outside_the_store: {"cogs/report/planted.py": 'ROWS = f"SELECT id FROM {TABLE} WHERE guild_id = ?"\n'},
    cogs_imported_from_bot: {"bot/panel/planted.py": "def f():\n    from cogs.kit import reply\n"},
    import_cycles: {
        "bot/scheduling/planted.py": "from bot.scheduling.planted_too import x\n",
        "bot/scheduling/planted_too.py": "import bot.scheduling.planted\nx = 1\n",
    },
}


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.__name__)
def test_every_rule_catches_a_planted_violation(tree: dict[str, Module], rule) -> None:  # type: ignore[no-untyped-def]
    planted = {
        path.removesuffix(".py").replace("/", "."): Module(path.removesuffix(".py").replace("/", "."), path,
                                                           ast.parse(source))
        for path, source in PLANTS[rule].items()
    }
    violations = rule({**tree, **planted})
    assert len(violations) == 1 and "planted" in violations[0], violations


def test_docstrings_about_sql_are_prose_not_sql() -> None:
    tree = ast.parse('"""Rows go ``UPDATE schedule_items SET status``."""\nX = "DELETE FROM t"\n')
    module = {"bot.x": Module("bot.x", "bot/x.py", tree)}
    assert sql_outside_the_store(module) == ["bot/x.py:2 'DELETE FROM'"]
