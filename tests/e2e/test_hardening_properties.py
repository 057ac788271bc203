"""Property-based: every option of every slash command, walked from the bot's own command tree, typed by
a member and by a moderator (issue 13). Whatever they type:

- never an unhandled error (only errors the user can fix, answered in their language);
- never a ping, never a message or reply over Discord's limits;
- autocomplete never offers more than Discord takes, nor anything to someone who may not run the command;
- no member's words become live markup in any export (Markdown checked with a CommonMark parser).

The examples share one SimCord world per test (a server with a scheduled dialogue, themes and a panel
with questions), so later commands meet what earlier ones created. ``max_examples`` keeps the run short;
the ``ci`` profile (``HYPOTHESIS_PROFILE=ci``) is derandomized.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from typing import Any

import discord
import pytest
import simcord
from discord import app_commands
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from bot.errors import UserError
from bot.report.html import render_html
from bot.report.markdown import render_markdown
from tests.conftest import Community
from tests.e2e.test_contributions import bot_pings
from tests.e2e.test_dialogues_week import create_week
from tests.e2e.test_panel import TITLE, ask, open_panel

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True, database=None)
settings.register_profile("dev", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

#: Per test and role; about 0.1 s each. Raise it locally for a deeper search (``COLLOQUY_PROPERTY_EXAMPLES=2000``).
EXAMPLES = int(os.environ.get("COLLOQUY_PROPERTY_EXAMPLES", "100"))

#: Snippets a hostile or careless person types; the strategies mix them with arbitrary text.
HOSTILE = [
    "@everyone", "@here", "<@123456789012345678>", "<@&123456789012345678>", "<#123456789012345678>",
    "[x](javascript:alert(1))", "[x](https://evil.example)", "# heading", "```", "`", "**", "__", "||", "~~",
    "> quote", "-# sub", "<script>alert(1)</script>", "&amp;", "\n", "\r\n", "\t", "\u202e", "\x00", "\\",
    "Europe", "Factory", "localtime", "America/New_York", "9999-12-31 23:59", "2026-01-05", "0000-00-00",
    "2026-13-45 25:61", "-1", "0", "99999999999999999999", "👍", "🏳️‍🌈", "<:x:123456789012345678>", "#1", "%", "_",
    "Resistances in Training", TITLE, "' OR 1=1 --", "Robert'); DROP TABLE dialogues;--",
]
#: Errors the bot answers as "you can fix this" (anything else is a bug: a crash, logged at ERROR).
EXPECTED = (UserError, app_commands.CheckFailure, app_commands.TransformerError)


def text_strategy(max_length: int) -> st.SearchStrategy[str]:
    small = st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12)), min_size=1, max_size=8).map("".join)
    long = st.tuples(st.sampled_from([*HOSTILE, "x", "é", "👍"]), st.integers(1, max_length)).map(
        lambda pair: (pair[0] * (max_length // max(len(pair[0]), 1) + 1))[: pair[1]]
    )
    return st.one_of(small, long).map(lambda s: s[:max_length]).filter(lambda s: s.strip() != "")


@dataclass
class Option:
    name: str
    type: discord.AppCommandOptionType
    required: bool
    parameter: app_commands.Parameter


def slash_commands(tree: app_commands.CommandTree[Any]) -> list[app_commands.Command[Any, ..., Any]]:
    """Every slash command in the tree (subcommands of groups included), in a stable order."""
    found = [c for c in tree.walk_commands() if isinstance(c, app_commands.Command)]
    return sorted(found, key=lambda c: c.qualified_name)


#: Values that get a command past its parsing, by option name, mixed half and half with hostile text so
#: that the commands do their work on hostile words (not only refuse them).
PLAUSIBLE: dict[str, list[Any]] = {
    "dialogue": ["Resistances in Training", TITLE, "1", "2", "#1"],
    "starts": ["2026-01-05 14:00", "2026-03-02 09:00", "2026-03-02"],
    "ends": ["2026-01-05 15:30", "2026-03-09 09:00", "2026-03-09"],
    "post_at": ["2026-01-07 10:00", "2026-01-11"],
    "timezone": ["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata"],
    "languages": ["en", "es", "fr en", "en es fr"],
    "emoji": ["👍", "💡", "🏳️‍🌈"],
    "panellist": ["Bob Panellist", "Lut Mergaert"],
    "language": ["en", "es", "fr"],
    "concept_note": ["https://example.org/note", "javascript:alert(1)"],
}


def value_strategy(community: Community, p: app_commands.Parameter) -> st.SearchStrategy[Any]:
    kind = p.type
    plausible = PLAUSIBLE.get(p.display_name)
    if plausible and kind is discord.AppCommandOptionType.string and not p.choices:
        return st.one_of(st.sampled_from(plausible), _raw_value_strategy(community, p))
    return _raw_value_strategy(community, p)


def _raw_value_strategy(community: Community, p: app_commands.Parameter) -> st.SearchStrategy[Any]:
    kind = p.type
    if p.choices:
        return st.sampled_from([c.value for c in p.choices])
    if kind is discord.AppCommandOptionType.string:
        return text_strategy(min(int(p.max_value or 6000), 6000))  # a string's range is its length
    if kind is discord.AppCommandOptionType.integer:
        low = int(p.min_value) if p.min_value is not None else -(2**53) + 1
        high = int(p.max_value) if p.max_value is not None else 2**53 - 1
        return st.one_of(st.integers(max(low, -3), min(high, 30)), st.integers(low, high))
    if kind is discord.AppCommandOptionType.number:
        return st.floats(allow_nan=False, allow_infinity=False, min_value=p.min_value, max_value=p.max_value)
    if kind is discord.AppCommandOptionType.boolean:
        return st.booleans()
    if kind is discord.AppCommandOptionType.channel:
        allowed = {t.value for t in p.channel_types}
        seen = {c.id: community.bot.get_channel(c.id) for c in community.guild.channels.values()}
        channels = [c for c in community.guild.channels.values()
                    if not allowed or getattr(seen[c.id], "type", None) in {discord.ChannelType(t) for t in allowed}]
        return st.sampled_from(channels)
    if kind is discord.AppCommandOptionType.user:
        return st.sampled_from([community.alice, community.bob, community.moderator])
    if kind is discord.AppCommandOptionType.role:
        return st.sampled_from(list(community.guild.roles.values()))
    raise AssertionError(f"no strategy for option type {kind} of {p.name}: add one")


@st.composite
def invocations(draw: st.DrawFn, community: Community, commands: list[Any]) -> tuple[Any, dict[str, Any]]:
    command = draw(st.sampled_from(commands))
    options: dict[str, Any] = {}
    for p in command.parameters:
        if p.required or draw(st.booleans()):
            options[p.display_name] = draw(value_strategy(community, p))
    return command, options


@pytest.fixture
async def world(community: Community) -> Community:
    """A server with something to act on: a scheduled dialogue (questions, themes), a panel with a
    pending and an approved question, and a member's contribution."""
    await create_week(community)
    panel = await open_panel(community)
    await ask(community.alice, panel, "A pending question")
    await ask(community.bob, panel, "An approved question")
    _, approved = await panel.question_ids()
    await community.moderator.click(panel.review_post(approved), label="Approve")
    for command in ("dialogue", "panel", "report", "keypoint", "contributions"):
        community.open_to_everyone(command)  # an admin exposes moderator commands: the bot must still refuse
    community.user_errors()
    return community


MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])
_FORBIDDEN_TOKENS = {"html_inline", "html_block", "code_inline", "fence", "code_block", "image"}


def _tokens(tokens: list[Any]) -> list[Any]:
    out = []
    for token in tokens:
        out.append(token)
        out += _tokens(token.children or [])
    return out


async def check_world(community: Community, caplog: pytest.LogCaptureFixture, cursor: int) -> None:
    """What must hold after anything anyone typed (``cursor``: SimCord's error count before the step)."""
    errors = [getattr(e, "original", e) for e in community.env.errors_since(cursor)]
    community.user_errors()  # acknowledged: each step checks its own
    unexpected = [e for e in errors if not isinstance(e, EXPECTED)]
    assert not unexpected, unexpected
    crashes = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert not crashes, crashes
    assert bot_pings(community.env) == []
    bot_id = community.bot.user.id
    for messages in community.env.backend.messages.values():
        for m in messages.values():
            if m.author_id == bot_id:
                assert len(m.content or "") <= 2000, m.content[:200]


async def check_exports(community: Community) -> None:
    """Every dialogue's Markdown report: no HTML, code or image from anyone's words; links are web links.
    Its HTML report: no script, no event handler, no link but web links and the page's own anchors."""
    rows = await community.bot.db.fetchall("SELECT id FROM dialogues")
    for row in rows:
        report = await community.bot.services.report.compile(int(row["id"]))
        page = render_html(report)
        assert "<script" not in page.lower()
        assert not re.search(r"<[^>]+\son\w+\s*=", page), "an event handler attribute"
        for href in re.findall(r'href="([^"]*)"', page):
            assert re.match(r"https?://|#", href), href
        for token in _tokens(MARKDOWN.parse(render_markdown(report))):
            assert token.type not in _FORBIDDEN_TOKENS, (token.type, token.content[:80])
            if token.type == "link_open":
                assert re.match(r"https?://", token.attrs["href"]), token.attrs["href"]


def _settings() -> Any:
    return settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow], deadline=None)


@pytest.mark.parametrize("role", ["member", "moderator"])
@_settings()
@given(data=st.data())
async def test_every_option_of_every_command_is_safe(world: Community, role: str, caplog: pytest.LogCaptureFixture,
                                                     data: st.DataObject) -> None:
    community = world
    commands = slash_commands(community.bot.tree)
    assert len(commands) > 30  # the whole tree, walked: not a hand-written list
    actor = community.alice if role == "member" else community.moderator
    caplog.clear()
    command, options = data.draw(invocations(community, commands))
    channel = data.draw(st.sampled_from([community.general, community.dialogue]))
    cursor = community.env.error_cursor
    try:
        await actor.slash(channel, command.qualified_name, **options)
    except simcord.SetupError as error:  # a command Discord would not show this member
        assert role == "member", error
        event("hidden from the member")
    kinds = {type(getattr(e, "original", e)).__name__ for e in community.env.errors_since(cursor)}
    event(f"refused: {', '.join(sorted(kinds))}" if kinds else "done")
    await check_world(community, caplog, cursor)
    await check_exports(community)


@pytest.mark.parametrize("role", ["member", "moderator"])
@_settings()
@given(data=st.data())
async def test_every_autocomplete_fits_and_follows_its_commands_rules(
    world: Community, role: str, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    community = world
    actor = community.alice if role == "member" else community.moderator
    completions = [(c, p) for c in slash_commands(community.bot.tree) for p in c.parameters if p.autocomplete]
    assert len(completions) > 10
    caplog.clear()
    cursor = community.env.error_cursor
    command, parameter = data.draw(st.sampled_from(completions))
    current = data.draw(st.one_of(st.just(""), text_strategy(100)))
    filled = {}
    if parameter.display_name != "dialogue" and any(p.display_name == "dialogue" for p in command.parameters):
        filled["dialogue"] = data.draw(st.sampled_from([TITLE, "Resistances in Training", "1", "#1", "nope"]))
    try:
        choices = await actor.autocomplete(community.general, command.qualified_name, parameter.display_name,
                                           current, **filled)
    except simcord.SetupError as error:
        assert role == "member", error
        event("hidden from the member")
        return
    event("choices offered" if choices else "no choices")
    assert len(choices) <= 25
    assert all(1 <= len(c["name"]) <= 100 for c in choices)
    assert all(len(str(c["value"])) <= 100 for c in choices)
    if role == "member" and command.checks:
        assert choices == [], (command.qualified_name, choices)
    await check_world(community, caplog, cursor)
