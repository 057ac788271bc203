"""A sharded bot inside SimCord: an ``AutoShardedBot`` runs its shards' guilds, and only those.

Colloquy's shard processes (``colloquy run --shard-count 2 --shard-ids N``) would be two clients of
one Discord. SimCord 3.2.1 hosts one client per world: ``simcord.Env`` wraps a single bot, owns its
own ``Backend`` (no way to hand it another Env's world) and refuses a second live Env on the same
event loop ("Only one live Env is supported per event loop"); its virtual clock patches that loop.
So the two processes are tested here as SimCord allows, on one store (both stores when the
PostgreSQL test server is set):

* one bot running shards 0 and 1 of 2, a guild on each, a dialogue week in each: every post once,
  in its own guild, every message of each guild captured, across a restart;
* one bot running shard 1 of 2 in a world with a guild on shard 0 as well, whose dialogue (created
  by shard 0's process) is in the shared store: the bot posts and captures for its own guild only,
  never touches the other guild's rows, and a successor for shard 1 after a crash loses nothing and
  posts nothing twice.

Two processes at once, one killed mid-post and replaced, are ``tests/unit/test_shard_processes.py``
(real OS processes, a table standing for Discord).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot import create_bot
from bot.client import ColloquyBot
from bot.clock import iso
from bot.config import BotConfig, Config, for_database
from bot.sharding import shard_of
from tests.conftest import Community, build_community, restart, simcord_world
from tests.e2e.test_contributions import FLUSH
from tests.e2e.test_dialogues_week import CLOSING, QUESTION_TIMES, QUESTIONS, advance_to, bot_posts, create_week

HOUR = 3600.0


def sharded(db_path: Path | str, ids: tuple[int, ...]) -> Config:
    """The config of a process running ``ids`` of 2 shards."""
    config = for_database(db_path)
    return replace(config, bot=BotConfig(shard_count=2, shard_ids=ids))


async def start_week(community: Community, title: str) -> None:
    await community.moderator.slash(community.general, "setup", mod_channel=community.mods,
                                    summary_channel=community.summary)
    await create_week(community, title=title)


async def question_threads(community: Community, dialogue_id: int) -> list[int]:
    rows = await community.bot.db.fetchall(
        "SELECT thread_id FROM questions WHERE dialogue_id = ? AND thread_id IS NOT NULL ORDER BY position",
        (dialogue_id,),
    )
    return [r["thread_id"] for r in rows]


def thread(community: Community, thread_id: int):  # type: ignore[no-untyped-def]
    return next(th for th in community.dialogue.threads if th.id == thread_id)


def week_posts_once(community: Community) -> None:
    """The opening, the four questions, the reminder and the closing: each posted once, here."""
    posts = [m.content for m in bot_posts(community.dialogue, community.bot.user.id)]
    for text in QUESTIONS:
        assert sum(text[:60] in p for p in posts) == 1, (text, posts)
    assert sum("Last call" in p for p in posts) == 1 and sum("is now closed" in p for p in posts) == 1
    assert sum(p.startswith("📣") for p in posts) == 1


async def test_one_bot_running_both_shards_runs_each_guilds_week_once_across_a_restart(
    db_path: Path | str,
) -> None:
    config = sharded(db_path, (0, 1))
    async with simcord_world(create_bot(config)) as env:
        bot = env.bot
        assert isinstance(bot, ColloquyBot) and bot.shard_count == 2 and sorted(bot.shards) == [0, 1]
        commands = {c.name: c for c in await bot.tree.sync()}
        zero = build_community(env, commands, "On shard zero", shard_id=0)
        one = build_community(env, commands, "On shard one", shard_id=1)
        assert [shard_of(c.guild.id, 2) for c in (zero, one)] == [0, 1]
        assert [bot.get_guild(c.guild.id).shard_id for c in (zero, one)] == [0, 1]  # type: ignore[union-attr]
        await start_week(zero, "Week zero")
        await start_week(one, "Week one")
        await advance_to(zero, QUESTION_TIMES[1])
        db = bot.db
        ids = {c.guild.id: await db.fetchval("SELECT id FROM dialogues WHERE guild_id = ?", (c.guild.id,))
               for c in (zero, one)}
        sent: dict[int, list[int]] = {zero.guild.id: [], one.guild.id: []}
        for c in (zero, one):
            q1 = thread(c, (await question_threads(c, ids[c.guild.id]))[0])
            sent[c.guild.id].append((await c.alice.send(q1, f"In {c.guild.name}, before the restart.")).id)
        await env.advance_time(FLUSH)

        # The process stops (gracefully) for an hour; members go on posting meanwhile.
        await bot.close()
        for c in (zero, one):
            sent[c.guild.id].append((await c.bob.send(c.dialogue, f"In {c.guild.name}, while down.")).id)
        await env.advance_time(HOUR)
        new = create_bot(config)
        await env.restart_bot(new)
        await advance_to(zero, QUESTION_TIMES[2] + timedelta(minutes=1))
        for c in (zero, one):
            q2 = thread(c, (await question_threads(c, ids[c.guild.id]))[1])
            sent[c.guild.id].append((await c.carol.send(q2, f"In {c.guild.name}, after the restart.")).id)
        await advance_to(zero, CLOSING + timedelta(minutes=1))

        for c in (zero, one):
            week_posts_once(c)
            stored = await new.db.fetchall(
                "SELECT message_id FROM contributions WHERE dialogue_id = ? ORDER BY message_id", (ids[c.guild.id],)
            )
            assert [r["message_id"] for r in stored] == sorted(sent[c.guild.id])
        assert await new.db.fetchval("SELECT count(*) FROM schedule_items WHERE status <> 'done'") == 0


async def seed_other_shards_dialogue(bot: ColloquyBot, community: Community) -> int:
    """An open dialogue of a guild on shard 0, as shard 0's process (not in this world) created it:
    its rows in the shared store, a reminder and a closing still to come."""
    db = bot.db
    now = iso(datetime(2026, 1, 1, tzinfo=UTC))
    dialogue_id = int(await db.fetchval(
        """INSERT INTO dialogues (guild_id, title, starts_at, ends_at, channel_id, state, created_at)
           VALUES (?, 'Week zero', ?, ?, ?, 'open', ?) RETURNING id""",
        (community.guild.id, iso(QUESTION_TIMES[0]), iso(CLOSING), community.dialogue.id, now),
    ))
    for kind, at in (("reminder", CLOSING - timedelta(days=1)), ("closing", CLOSING)):
        await db.execute("INSERT INTO schedule_items (dialogue_id, kind, run_at) VALUES (?, ?, ?)",
                         (dialogue_id, kind, iso(at)))
    return dialogue_id


async def test_a_shard_one_bot_serves_its_guild_only_and_a_successor_loses_nothing(db_path: Path | str) -> None:
    config = sharded(db_path, (1,))
    async with simcord_world(create_bot(config)) as env:
        bot = env.bot
        assert isinstance(bot, ColloquyBot)
        commands = {c.name: c for c in await bot.tree.sync()}
        zero = build_community(env, commands, "On shard zero", shard_id=0)
        one = build_community(env, commands, "On shard one", shard_id=1)
        assert bot.get_guild(zero.guild.id) is None and bot.get_guild(one.guild.id) is not None
        other = await seed_other_shards_dialogue(bot, zero)
        await start_week(one, "Week one")
        await advance_to(one, QUESTION_TIMES[1])
        mine = await bot.db.fetchval("SELECT id FROM dialogues WHERE guild_id = ?", (one.guild.id,))
        q1 = thread(one, (await question_threads(one, mine))[0])

        sent = [(await one.alice.send(q1, "Shard one's member, answering.")).id]
        await zero.alice.send(zero.dialogue, "Shard zero's member: shard 0's process captures this.")
        await env.advance_time(FLUSH)
        # The process dies with a message still in its write-behind batch; members go on posting in
        # both guilds; shard 1's successor starts and backfills its own guild's channels only.
        sent.append((await one.bob.send(q1, "In the batch when the process died.")).id)
        sent.append((await one.carol.send(one.dialogue, "Posted while no process ran shard 1.")).id)
        await zero.bob.send(zero.dialogue, "Also shard zero's, while shard 1's process was down.")
        successor = await restart(env, config, crash=True)
        await advance_to(one, CLOSING + timedelta(minutes=1))

        week_posts_once(one)
        assert bot_posts(zero.dialogue, successor.user.id) == []  # never posted in shard 0's guild
        statuses = await successor.db.fetchall(
            "SELECT status FROM schedule_items WHERE dialogue_id = ?", (other,)
        )
        assert [r["status"] for r in statuses] == ["pending", "pending"]  # left to shard 0's process
        stored = await successor.db.fetchall("SELECT message_id, dialogue_id FROM contributions ORDER BY message_id")
        assert [(r["message_id"], r["dialogue_id"]) for r in stored] == [(m, mine) for m in sorted(sent)]
        assert await successor.db.fetchval(
            "SELECT count(*) FROM schedule_items WHERE dialogue_id = ? AND status <> 'done'", (mine,)
        ) == 0
