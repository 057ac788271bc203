"""Every scheduled post exactly once across a kill at each step of posting (issue 13).

How a kill is made: SimCord outlives the bot. The dying bot is stopped at the chosen step by raising
``SystemExit`` there (nothing after that point of the job runs: no record, no follow-up), its scheduler
is stopped as a dead process's would be, and a new bot is started on the same database file against the
same SimCord world with no graceful close (``tests.conftest.restart(crash=True)``: no flush, no shutdown).
Then virtual time runs to the end of the dialogue and every post is counted.

Steps: ``before_post`` (the row is claimed, nothing sent), ``after_accept`` (Discord accepted the post,
nothing recorded), ``after_record`` (the post recorded, the follow-ups not run). For the final report,
``after_accept`` is after its messages are out and before the report is recorded, and ``after_report``
after the report is recorded and before its schedule item is.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import discord
import pytest

from bot.clock import parse_iso
from bot.config import Config
from tests.conftest import Community, restart
from tests.e2e.test_dialogues_week import advance_to, bot_posts

TITLE = "Resistances in Training"
QUESTIONS = ["What kinds of resistances are manifested?", "What tools can be shared?"]
KINDS = ("opening", "question", "week_summary", "reminder", "closing", "report")
STEPS = ("before_post", "after_accept", "after_record")


async def two_week_dialogue(community: Community, channel: Any = None) -> None:
    """Two weeks (so a week summary is due), two questions, the report published automatically."""
    await community.moderator.slash(community.general, "setup", summary_channel=community.summary,
                                    mod_channel=community.mods)
    await community.moderator.slash(
        community.general, "dialogue create", title=TITLE, starts="2026-01-05 09:00", ends="2026-01-19 09:00",
        timezone="UTC", channel=channel or community.dialogue,
    )
    for text in QUESTIONS:
        await community.moderator.slash(community.general, "dialogue question add", dialogue=TITLE, text=text)
    scheduled = await community.moderator.slash(community.general, "dialogue schedule", dialogue=TITLE)
    assert scheduled.ephemeral


class Killed(SystemExit):
    """The process dies here."""


def install_kill(bot: Any, kind: str, step: str) -> list[str]:
    """Make ``bot`` die at ``step`` of posting the first item of ``kind``; returns a log of the death."""
    died: list[str] = []
    runner = bot.services.schedule
    schedule = bot.services.dialogue_schedule
    report = bot.services.report

    def die(where: str) -> None:
        if not died:
            died.append(where)
            raise Killed(where)

    if step == "before_post":
        handler = runner.handler(kind)
        original_post = handler.post

        async def post(item: Any) -> Any:
            if not died:
                die(f"{kind}: before the POST")
            return await original_post(item)

        handler.post = post
        return died

    original_complete = schedule.complete_item
    original_record = report.record

    async def complete_item(item: Any, message_id: Any, thread_id: Any) -> None:
        if item.kind == kind and step == "after_accept" and kind not in ("week_summary", "report"):
            die(f"{kind}: after Discord accepted it")
        if item.kind == kind and step == "after_report":
            die(f"{kind}: after the report was recorded")
        await original_complete(item, message_id, thread_id)
        if item.kind == kind and step == "after_record":
            die(f"{kind}: after recording")

    async def record(dialogue_id: int, report_kind: str, *args: Any, **kwargs: Any) -> None:
        wanted = {"week_summary": "week", "report": "final"}.get(kind)
        if report_kind == wanted and step == "after_accept":
            die(f"{kind}: after Discord accepted it")
        await original_record(dialogue_id, report_kind, *args, **kwargs)

    schedule.complete_item = complete_item
    report.record = record
    return died


async def due_time(community: Community, kind: str) -> Any:
    wanted = "closing" if kind == "report" else kind
    run_at = await community.bot.db.fetchval(
        "SELECT run_at FROM schedule_items WHERE kind = ? ORDER BY run_at, id LIMIT 1", (wanted,)
    )
    return parse_iso(run_at)


async def kill_now(community: Community, config: Config) -> None:
    """The dead process runs nothing more: its scheduler stops; a new bot starts without a graceful close."""
    old = community.bot
    old.services.schedule.stopped = True
    cog = old.get_cog("DialoguesCog")
    if cog is not None:
        cog.scheduler.shutdown()
    community.env.errors  # noqa: B018 - acknowledge the death, raised in the dying job
    await restart(community.env, config, crash=True)


def summary_posts(community: Community) -> list[discord.Message]:
    return bot_posts(community.summary, community.bot.user.id)


def assert_every_post_once(community: Community) -> None:
    posts = [m.content for m in bot_posts(community.dialogue, community.bot.user.id)]
    assert sum(c == f"📣 **{TITLE}**" for c in posts) == 1, posts
    for text in QUESTIONS:
        assert sum(text in c for c in posts) == 1, (text, posts)
    assert sum("Last call" in c for c in posts) == 1, posts
    assert sum("is now closed" in c for c in posts) == 1, posts
    assert len(community.dialogue.threads) == len(QUESTIONS)
    summary = summary_posts(community)
    assert sum(m.content.startswith("## Week 1 of") for m in summary) == 1, [m.content[:60] for m in summary]
    assert sum(m.content.startswith(f"# Virtual Dialogue: {TITLE}") for m in summary) == 1
    assert sum(bool(m.attachments) for m in summary) == 1  # the report's last message carries its files


CASES = [(kind, step) for kind in KINDS for step in STEPS] + [("report", "after_report")]


@pytest.mark.parametrize(("kind", "step"), CASES)
async def test_a_kill_at_each_step_of_posting_leaves_exactly_one_post(
    community: Community, config: Config, kind: str, step: str
) -> None:
    await two_week_dialogue(community)
    at = await due_time(community, kind)
    await advance_to(community, at - timedelta(seconds=1))
    died = install_kill(community.bot, kind, step)
    await advance_to(community, at + timedelta(seconds=30))
    assert died, f"the bot never reached {kind}/{step}"
    await kill_now(community, config)

    await advance_to(community, parse_iso("2026-01-19T09:00:00+00:00") + timedelta(hours=1))
    assert_every_post_once(community)
    rows = await community.bot.db.fetchall("SELECT kind, status FROM schedule_items ORDER BY id")
    assert {r["status"] for r in rows} == {"done"}, [tuple(r) for r in rows]
    assert await community.bot.db.fetchval("SELECT state FROM dialogues") == "published"
    assert not community.user_errors()


async def test_every_scheduled_message_carries_a_nonce_from_its_item(community: Community) -> None:
    """A POST that discord.py retries after a 5xx is one message: each scheduled message has a nonce
    (with enforce_nonce) derived from its schedule item, different for each message."""
    await two_week_dialogue(community)
    await advance_to(community, parse_iso("2026-01-19T09:00:00+00:00") + timedelta(hours=1))
    channels = {community.dialogue.id, community.summary.id}
    sent = [r for r in community.env.http_requests
            if r.method == "POST" and any(r.path == f"/channels/{c}/messages" for c in channels)]
    assert len(sent) >= 7
    nonces = []
    for request in sent:
        body = request.json if isinstance(request.json, dict) else {}
        if "payload_json" in body:  # a message with files is multipart
            import json
            body = json.loads(body["payload_json"])
        assert body.get("enforce_nonce") is True, (request.path, body)
        nonces.append(body["nonce"])
    assert all(n.startswith("s") and len(n) <= 25 for n in nonces)
    assert len(set(nonces)) == len(nonces)


async def test_a_refused_post_is_retried_after_10_s_30_s_2_min_and_moderators_hear_once(
    community: Community,
) -> None:
    await two_week_dialogue(community)
    reminder = await due_time(community, "reminder")  # alone at its time

    def reminders() -> int:
        return sum("Last call" in m.content for m in bot_posts(community.dialogue, community.bot.user.id))

    def late() -> list[str]:
        return [m.content for m in community.mods.history() if "is late" in m.content]

    await advance_to(community, reminder - timedelta(seconds=1))
    community.env.inject_error("POST", f"/channels/{community.dialogue.id}/messages", status=503,
                               message="Service Unavailable (injected)", times=3)
    await advance_to(community, reminder + timedelta(seconds=9))  # first try (at its time) failed
    assert reminders() == 0 and late() == []
    await advance_to(community, reminder + timedelta(seconds=11))  # second try, 10 s later, fails too
    assert reminders() == 0
    assert len(late()) == 1 and "Last-call reminder" in late()[0]
    await advance_to(community, reminder + timedelta(seconds=41))  # third, 30 s after that, fails
    await advance_to(community, reminder + timedelta(seconds=159))
    assert reminders() == 0
    await advance_to(community, reminder + timedelta(seconds=161))  # fourth, 2 min later, goes through
    assert reminders() == 1
    assert len(late()) == 1  # told once
    assert not [m for m in community.mods.history() if "could not make this post" in m.content]


async def test_reconciliation_reads_past_a_busy_channels_first_page(community: Community, config: Config) -> None:
    """The bot dies after Discord accepted the reminder; members then post 150 messages in the channel
    before it comes back. The reminder is found beyond the first 100 messages, not posted again."""
    await two_week_dialogue(community)
    reminder = await due_time(community, "reminder")
    await advance_to(community, reminder - timedelta(seconds=1))
    install_kill(community.bot, "reminder", "after_accept")
    await advance_to(community, reminder + timedelta(seconds=5))
    for i in range(150):
        await (community.alice, community.bob)[i % 2].send(community.dialogue, f"Busy channel, message {i}")
    await kill_now(community, config)
    await advance_to(community, reminder + timedelta(hours=1))
    posts = [m.content for m in bot_posts(community.dialogue, community.bot.user.id)]
    assert sum("Last call" in c for c in posts) == 1


async def test_report_publish_waits_while_the_automatic_report_is_in_flight(community: Community) -> None:
    await two_week_dialogue(community)
    closing = await due_time(community, "closing")
    handler = community.bot.services.schedule.handler("report")

    async def refused(item: Any) -> Any:
        raise discord.DiscordServerError(_Response(503), "Service Unavailable")

    handler.post = refused  # type: ignore[method-assign]
    await advance_to(community, closing + timedelta(seconds=2))
    result = await community.moderator.slash(community.general, "report publish", dialogue=TITLE)
    assert "being published automatically" in result.response.content
    community.user_errors()
    assert not [m for m in summary_posts(community) if m.content.startswith("# Virtual Dialogue")]


class _Response:
    """The least of an aiohttp response that discord.HTTPException reads."""

    def __init__(self, status: int) -> None:
        self.status = status
        self.reason = "Service Unavailable"
        self.headers: dict[str, str] = {}



async def test_messages_of_the_last_seconds_before_the_close_survive_a_kill_after_the_closing(
    community: Community, config: Config
) -> None:
    """Members post in the last seconds; the write-behind batch has not been written when the closing is
    recorded and the process dies. The closing wrote the batch (and read the channels' history) first."""
    await two_week_dialogue(community)
    # The last week's summary, due at the same instant, would write the batch first: out of the way.
    await community.bot.db.execute("UPDATE schedule_items SET status = 'skipped' WHERE kind = 'week_summary'")
    closing = await due_time(community, "closing")
    await advance_to(community, closing - timedelta(seconds=3))
    dying = community.bot
    thread = community.dialogue.threads[0]

    async def never(*args: Any, **kwargs: Any) -> bool:
        return False

    dying.get_cog("ContributionsCog")._flush_logged = never  # the batch timer never gets to write

    for i in range(3):
        await community.alice.send(thread, f"A last thought before the close, number {i}.")
    assert await dying.db.fetchval("SELECT count(*) FROM contributions") == 0  # still in the batch
    died = install_kill(dying, "closing", "after_record")
    await advance_to(community, closing + timedelta(seconds=5))
    assert died
    await kill_now(community, config)
    await advance_to(community, closing + timedelta(hours=1))
    stored = await community.bot.db.fetchall("SELECT content FROM contributions ORDER BY message_id")
    assert [r["content"] for r in stored] == [f"A last thought before the close, number {i}." for i in range(3)]


async def test_a_restart_backfills_a_dialogue_closed_since_its_last_stored_message(
    community: Community, config: Config
) -> None:
    """Messages posted in the last instant before the close, which the dying bot never stored (the gateway
    had not delivered them, and the closing's own read came just before them), are stored by the next
    start-up: it reads each recently closed dialogue's channels up to the close, not after."""
    await two_week_dialogue(community)
    await community.bot.db.execute("UPDATE schedule_items SET status = 'skipped' WHERE kind = 'week_summary'")
    closing = await due_time(community, "closing")
    await advance_to(community, closing - timedelta(seconds=3))
    dying = community.bot
    thread = community.dialogue.threads[0]

    def lost(*args: Any, **kwargs: Any) -> bool:
        return False  # the gateway never delivered them to this process

    async def nothing(*args: Any, **kwargs: Any) -> None:
        return None

    dying.services.contributions.capture = lost
    dying.get_cog("DialoguesCog").poster.store_everything_before_the_close = nothing
    for i in range(3):
        await community.alice.send(thread, f"Just before the close, number {i}.")
    died = install_kill(dying, "closing", "after_record")
    await advance_to(community, closing + timedelta(seconds=5))
    assert died
    await community.bob.send(thread, "After the close: not a contribution.")
    await kill_now(community, config)
    await advance_to(community, closing + timedelta(hours=1))
    stored = await community.bot.db.fetchall("SELECT content FROM contributions ORDER BY message_id")
    assert [r["content"] for r in stored] == [f"Just before the close, number {i}." for i in range(3)]


FORUM_KINDS = ("opening", "question", "reminder", "closing")


@pytest.mark.parametrize(("kind", "step"), [(kind, step) for kind in FORUM_KINDS for step in STEPS])
async def test_in_a_forum_a_kill_at_each_step_leaves_one_forum_post_or_reply(
    community: Community, config: Config, kind: str, step: str
) -> None:
    """Forum posts (threads) carry no nonce: after a kill they are found by name among the bot's active
    forum posts, and any extra one is deleted; replies in the opening post are found by content."""
    forum = community.guild.create_forum_channel("dialogue-forum")
    await two_week_dialogue(community, forum)
    at = await due_time(community, kind)
    await advance_to(community, at - timedelta(seconds=1))
    died = install_kill(community.bot, kind, step)
    await advance_to(community, at + timedelta(seconds=30))
    assert died
    await kill_now(community, config)
    await advance_to(community, parse_iso("2026-01-19T09:00:00+00:00") + timedelta(hours=1))

    names = [th.name for th in forum.threads]
    assert sum(name.startswith(f"Virtual Dialogue: {TITLE}") for name in names) == 1, names
    for i in range(1, len(QUESTIONS) + 1):
        assert sum(name.startswith(f"{i}. ") for name in names) == 1, names
    opening = next(th for th in forum.threads if th.name.startswith("Virtual Dialogue"))
    replies = [m.content for m in opening.history()[1:]]
    assert sum("Last call" in r for r in replies) == 1 and sum("is now closed" in r for r in replies) == 1
    rows = await community.bot.db.fetchall("SELECT kind, status FROM schedule_items ORDER BY id")
    assert {r["status"] for r in rows} == {"done"}, [tuple(r) for r in rows]
    assert not community.user_errors()
