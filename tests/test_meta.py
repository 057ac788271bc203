"""Meta tests: the command surface and the catalogs stay whole as features are added."""

from __future__ import annotations

from pathlib import Path

import pytest
from discord import app_commands

from bot import i18n
from bot.client import ColloquyBot, cog_extensions
from bot.config import for_database
from bot.i18n import tools as i18n_tools
from bot.i18n.translator import valid_name


@pytest.fixture(scope="module")
def template():  # type: ignore[no-untyped-def]
    return i18n_tools.build_template()


def test_every_message_is_translated_in_spanish_and_french(template) -> None:  # type: ignore[no-untyped-def]
    assert i18n_tools.problems(template) == []


def test_the_template_is_up_to_date(template) -> None:  # type: ignore[no-untyped-def]
    shipped = i18n_tools.read_catalog(i18n_tools.POT)
    missing = sorted(str(m.id) for m in template if m.id and m.id not in shipped)
    assert missing == [], "run: python -m bot.i18n.tools extract && python -m bot.i18n.tools update"


async def test_command_names_are_unique_and_valid_in_every_language(tmp_path: Path) -> None:
    bot = ColloquyBot(for_database(tmp_path / "x.sqlite3"))
    try:
        await bot.setup_hook()
        top = [c.name for c in bot.tree.get_commands()]
        assert len(top) == len(set(top))
        for command in bot.tree.walk_commands():
            names = [command.name]
            if isinstance(command, app_commands.Command):
                names += [p.name for p in command.parameters]
            for name in names:
                assert valid_name(name), name
                for lang in ("es", "fr"):
                    translated = i18n.t(lang, name)
                    assert valid_name(translated), (lang, name, translated)
            assert 1 <= len(command.description) <= 100, command.qualified_name
    finally:
        await bot.close()


def test_every_cog_feature_package_is_an_extension() -> None:
    cogs_dir = Path(__file__).resolve().parent.parent / "cogs"
    packages = {f"cogs.{p.name}" for p in cogs_dir.iterdir() if (p / "__init__.py").exists() and p.name != "kit"}
    assert set(cog_extensions()) == packages


def test_moderator_groups_are_hidden_by_default_and_member_commands_are_not(tmp_path: Path) -> None:
    import asyncio

    async def surface() -> dict[str, int | None]:
        bot = ColloquyBot(for_database(tmp_path / "y.sqlite3"))
        try:
            await bot.setup_hook()
            return {
                c.name: (c.default_permissions.value if c.default_permissions else None)
                for c in bot.tree.get_commands()
                if isinstance(c, app_commands.Command | app_commands.Group)
            }
        finally:
            await bot.close()

    perms = asyncio.run(surface())
    member_commands = {"colloquy", "ask", "profile", "privacy"}
    for name, value in perms.items():
        if name in member_commands:
            assert value is None, name
        else:
            assert value is not None and value != 0, f"/{name} must carry default_permissions"


def test_messages_inside_f_strings_are_extracted_too(template) -> None:  # type: ignore[no-untyped-def]
    # bot/report/markdown.py writes f"**{t(lang, 'Comments from the online discussion')}**": Babel's
    # tokenizer-based extractor cannot see into f-strings; the AST pass of i18n_tools does.
    found = {m for m, _, _ in i18n_tools.ast_messages()}
    assert "Comments from the online discussion" in found
    assert "Comments from the online discussion" in template


def test_every_data_file_the_code_reads_is_shipped_as_package_data() -> None:
    # A regular (non-editable) install only carries what pyproject declares: catalogs, migrations,
    # the report's stylesheet and the demo scenario must all be there.
    import fnmatch
    import tomllib

    root = Path(__file__).resolve().parent.parent
    declared = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    data_files = [p for folder in ("bot", "locales") for p in (root / folder).rglob("*")
                  if p.is_file() and p.suffix in {".sql", ".css", ".toml", ".po", ".pot", ".j2"}]
    assert len(data_files) >= 8
    for path in data_files:
        package = path.relative_to(root).parts[0]
        inside = path.relative_to(root / package).as_posix()
        assert any(fnmatch.fnmatch(inside, pattern) for pattern in declared.get(package, [])), inside
