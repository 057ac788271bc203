"""Translators' and developers' catalog workflow.

    python -m bot.i18n.tools extract   # locales/colloquy.pot from the code *and* the slash-command tree
    python -m bot.i18n.tools update    # merge the template into en/es/fr .po files (keeps translations)
    python -m bot.i18n.tools check     # list what is missing or broken in es/fr (exit 1 if anything)
    python -m bot.i18n.tools add FILE.json   # {"msgid": ["español", "français"], ...} into the .po files

``extract`` is ``pybabel extract`` (same keywords, see ``babel.cfg``) plus what pybabel cannot
see: the names of slash-command options, which discord.py localizes under their Python names.
The ``pybabel update`` / ``pybabel compile`` commands work on the same files.
"""

from __future__ import annotations

import ast
import asyncio
import fcntl
import json
import re
import string
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.i18n import DOMAIN, LANGUAGES, LOCALES_DIR

ROOT = LOCALES_DIR.parent
POT = LOCALES_DIR / f"{DOMAIN}.pot"
#: ``say`` is the demo's narration (bot/demo/runner.py), a msgid first like ``N_``.
KEYWORDS = {"N_": None, "_T": None, "t": (2,), "tn": (2, 3), "say": None}
METHOD_MAP = [("bot/**.py", "python"), ("cogs/**.py", "python")]


def code_messages() -> Iterable[tuple[str | tuple[str, ...], str, int]]:
    """(message, file, line) for every marked string in bot/ and cogs/.

    Babel's extractor first; then an AST pass, which also sees calls inside f-strings
    (``f"**{t(lang, 'Heading')}**"``), where the tokenizer-based extractor is blind.
    """
    seen: set[str] = set()
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), METHOD_MAP, keywords=KEYWORDS, strip_comment_tags=True
    ):
        seen.add(message if isinstance(message, str) else message[0])
        yield message, filename, lineno
    for message, filename, lineno in ast_messages():
        key = message if isinstance(message, str) else message[0]
        if key not in seen:
            seen.add(key)
            yield message, filename, lineno


def ast_messages() -> Iterable[tuple[str | tuple[str, ...], str, int]]:
    """Literal msgids of ``t``/``tn``/``N_``/``_T`` calls anywhere in the code, f-strings included."""
    for folder in ("bot", "cogs"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
                if name not in KEYWORDS:
                    continue
                positions = KEYWORDS[name] or (1,)
                args = [node.args[i - 1] if len(node.args) >= i else None for i in positions]
                literals = [a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                if len(literals) != len(positions):
                    continue
                message: str | tuple[str, ...] = literals[0] if len(literals) == 1 else tuple(literals[:2])
                yield message, str(path.relative_to(ROOT)), node.lineno


async def _command_surface() -> list[str]:
    from discord import app_commands

    from bot.client import create_bot
    from bot.config import for_database

    with tempfile.TemporaryDirectory() as tmp:
        bot = create_bot(for_database(Path(tmp) / "surface.sqlite3"))
        try:
            await bot.setup_hook()
            found: list[str] = []
            for command in bot.tree.walk_commands():
                found.append(command.name)
                found.append(command.description)
                if isinstance(command, app_commands.Command):
                    for param in command.parameters:
                        found.append(param.locale_name.message if param.locale_name else param.name)
                        if param.description and param.description != "…":
                            found.append(str(param.description))
                        found.extend(str(choice.name) for choice in param.choices)
            for menu in bot.tree.get_commands(type=None):
                if isinstance(menu, app_commands.ContextMenu):
                    found.append(menu.name)
            return [m for m in found if m]
        finally:
            await bot.close()


def command_surface() -> list[str]:
    """Every name, description, option and choice of the slash commands and context menus."""
    return asyncio.run(_command_surface())


def build_template() -> Catalog:
    catalog = Catalog(project="Colloquy", copyright_holder="Colloquy contributors", domain=DOMAIN)
    for message, filename, lineno in code_messages():
        catalog.add(message, locations=[(filename, lineno)])
    for message in command_surface():
        if message not in catalog:
            catalog.add(message, locations=[("<command tree>", 0)])
    return catalog


def extract() -> Catalog:
    catalog = build_template()
    with POT.open("wb") as fh:
        write_po(fh, catalog, width=0, sort_by_file=True, omit_header=False)
    print(f"{POT.relative_to(ROOT)}: {len(catalog)} messages")
    return catalog


def po_path(language: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=language, domain=DOMAIN)


@contextmanager
def _locked() -> Iterator[None]:
    """Writers of the .po files take this lock, so parallel edits never lose each other's work."""
    with (LOCALES_DIR / ".lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


#: French typography: a narrow no-break space (U+202F) before ``: ; ? !``. A plain or no-break
#: space there becomes one; a sign glued to a word gets one when it ends a clause (followed by a
#: space or the end), so ``HH:MM``, URLs (``?article``) and ``<t:…:F>`` tags are left alone.
NNBSP = "\u202f"
_FR_SPACED = re.compile(r"(?<=\S)[ \u00a0]+(?=[:;?!])")
_FR_GLUED = re.compile(r"(?<=[^\s:;?!\u00a0\u202f/])(?=[:;?!](?:\s|$))")


def french_typography(text: str) -> str:
    return _FR_GLUED.sub(NNBSP, _FR_SPACED.sub(NNBSP, text))


def _typeset(language: str, catalog: Catalog) -> None:
    """French strings get French typography, whoever wrote them (``add`` and ``update`` both run it)."""
    if language != "fr":
        return
    for message in catalog:
        if not message.id or not message.string:
            continue
        if isinstance(message.string, str):
            message.string = french_typography(message.string)
        else:
            message.string = tuple(french_typography(s) for s in message.string)


def add(path: Path) -> int:
    """Set Spanish and French translations from a JSON object ``{msgid: [es, fr]}``.

    A plural message (``tn``) is keyed by its singular msgid and takes a list of forms per language:
    ``{"One post": [["Una publicación", "{n} publicaciones"], ["Une publication", "{n} publications"]]}``.
    """
    entries: dict[str, list[Any]] = json.loads(path.read_text(encoding="utf-8"))
    template = read_catalog(POT)
    with _locked():
        for index, language in enumerate(("es", "fr")):
            po = po_path(language)
            catalog = read_catalog(po, language)
            for msgid, translations in entries.items():
                value = translations[index]
                known = template.get(msgid)
                message_id = known.id if known is not None else msgid
                if isinstance(message_id, tuple) != isinstance(value, list):
                    wanted = "a list of plural forms" if isinstance(message_id, tuple) else "a string"
                    raise SystemExit(f"{msgid!r}: give {wanted}")
                string = tuple(value) if isinstance(value, list) else value
                entry = catalog.get(msgid)
                if entry is not None and isinstance(entry.id, tuple) == isinstance(message_id, tuple):
                    entry.string = string
                    entry.flags.discard("fuzzy")
                else:
                    if entry is not None:
                        catalog.delete(msgid)
                    catalog.add(message_id, string, flags=("python-brace-format",))
            _typeset(language, catalog)
            with po.open("wb") as fh:
                write_po(fh, catalog, width=0, sort_by_file=True)
    print(f"{len(entries)} translations set in es and fr")
    return 0


def update() -> None:
    with _locked():
        _update()


def _update() -> None:
    template = read_catalog(POT)
    for language in LANGUAGES:
        path = po_path(language)
        catalog = read_catalog(path, language)
        catalog.update(template, no_fuzzy_matching=True)
        _typeset(language, catalog)
        with path.open("wb") as fh:
            write_po(fh, catalog, width=0, sort_by_file=True, ignore_obsolete=True)
        print(f"{path.relative_to(ROOT)}: updated")


_FIELD = string.Formatter()


def placeholders(text: str) -> set[str]:
    try:
        return {name for _, name, _, _ in _FIELD.parse(text) if name is not None}
    except ValueError:
        return {"<malformed>"}


_NAME_RE = re.compile(r"^[-_\w]{1,32}$")


def problems(template: Catalog | None = None) -> list[str]:
    """Untranslated, fuzzy, placeholder-mismatched or invalid-name entries in es and fr."""
    template = template or build_template()
    surface_names = set()
    for message in template:
        if message.id and any(loc[0] == "<command tree>" for loc in message.locations):
            surface_names.add(message.id)
    found: list[str] = []
    for language in LANGUAGES:
        if language == "en":
            continue
        catalog = read_catalog(po_path(language), language)
        for message in template:
            if not message.id:
                continue
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            entry = catalog.get(msgid)
            plural = isinstance(message.id, tuple)
            if (
                entry is None
                or not entry.string
                or isinstance(entry.id, tuple) != plural
                or (plural and (not isinstance(entry.string, tuple) or not all(entry.string)))
            ):
                found.append(f"{language}: missing {'plural forms' if plural else 'translation'}: {msgid!r}")
                continue
            if entry.fuzzy:
                found.append(f"{language}: fuzzy translation: {msgid!r}")
            text = entry.string if isinstance(entry.string, str) else entry.string[0]
            forms = [entry.string] if isinstance(entry.string, str) else list(entry.string)
            if language == "fr" and any(french_typography(s) != s for s in forms):
                found.append(f"fr: a narrow no-break space goes before : ; ? ! (run update): {text!r}")
            if placeholders(text) != placeholders(msgid):
                found.append(f"{language}: placeholders differ: {msgid!r} → {text!r}")
            is_name = msgid in surface_names and _NAME_RE.match(msgid) and msgid == msgid.lower()
            if is_name and not (_NAME_RE.match(text) and text == text.lower()):
                found.append(f"{language}: not a valid command name (lowercase, no spaces, ≤32): {text!r}")
    return found


def check() -> int:
    found = problems()
    for line in found:
        print(line)
    print(f"{len(found)} problem(s)")
    return 1 if found else 0


def main(argv: list[str]) -> int:
    action = argv[0] if argv else "check"
    if action == "extract":
        extract()
        return 0
    if action == "update":
        update()
        return 0
    if action == "check":
        return check()
    if action == "add" and len(argv) == 2:
        return add(Path(argv[1]))
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
