"""Restarts, crashes and downtime in the middle of a dialogue week: every post once, none lost silently."""

from __future__ import annotations

from datetime import timedelta

from bot.config import Config
from tests.conftest import Community, restart
from tests.e2e.test_dialogues_week import (
    CLOSING,
    DAY,
    HOUR,
    QUESTION_TIMES,
    QUESTIONS,
    advance_to,
    bot_posts,
    create_week,
)


def week_posts(community: Community) -> list[str]:
    """The bot's posts in the dialogue channel up to and including the closing post."""
    contents = [m.content for m in bot_posts(community.dialogue, community.bot.user.id)]
    end = next((i for i, c in enumerate(contents) if "is now closed" in c), len(contents) - 1)
    return contents[: end + 1]


def assert_full_week_once(community: Community) -> None:
    contents = week_posts(community)
    assert len(contents) == 7, contents
    assert contents[0] == "📣 **Resistances in Training**"
    for text, content in zip(QUESTIONS, contents[1:5], strict=True):
        assert text in content
    assert "Last call" in contents[5] and "is now closed" in contents[6]
    assert len(community.dialogue.threads) == 4


async def test_a_restart_mid_week_runs_the_rest_without_duplicates(community: Community, config: Config) -> None:
    await community.moderator.slash(community.general, "setup", summary_channel=community.summary)
    await create_week(community)
    await advance_to(community, QUESTION_TIMES[1] + timedelta(hours=1))
    assert len(week_posts(community)) == 3

    await restart(community.env, config)
    assert len(week_posts(community)) == 3  # nothing reposted at start-up
    await advance_to(community, CLOSING + timedelta(hours=1))
    assert_full_week_once(community)


async def test_a_crash_between_posting_and_recording_does_not_post_twice(
    community: Community, config: Config
) -> None:
    """The process dies after Discord accepted question 2 and before the database recorded it: the
    row stays claimed without a message id. The bot that starts next finds the post in the channel
    and records it instead of posting again."""
    await community.moderator.slash(community.general, "setup", summary_channel=community.summary)
    await create_week(community)
    await advance_to(community, QUESTION_TIMES[0] + timedelta(hours=1))
    dying = community.bot
    original = dying.services.dialogue_schedule.complete_item

    async def die_before_recording(item, message_id, thread_id):  # type: ignore[no-untyped-def]
        if item.kind == "question":
            raise SystemExit("killed")  # nothing after the post reaches the database
        await original(item, message_id, thread_id)

    dying.services.dialogue_schedule.complete_item = die_before_recording  # type: ignore[method-assign]
    await advance_to(community, QUESTION_TIMES[1])
    assert len(week_posts(community)) == 3  # question 2 was posted…
    row = await dying.db.fetchone("SELECT status, message_id FROM schedule_items WHERE kind = 'question' "
                                  "AND question_id = (SELECT id FROM questions WHERE position = 2)")
    assert (row["status"], row["message_id"]) == ("claimed", None)  # …but not recorded
    community.env.errors  # noqa: B018 - acknowledge the simulated death of the job

    bot = await restart(community.env, config, crash=True)
    assert len(week_posts(community)) == 3
    thread_id = await bot.db.fetchval("SELECT thread_id FROM questions WHERE position = 2")
    assert thread_id == bot_posts(community.dialogue, bot.user.id)[2].id
    await advance_to(community, CLOSING + timedelta(hours=1))
    assert_full_week_once(community)


async def test_a_post_missed_during_a_short_downtime_goes_out_late(community: Community, config: Config) -> None:
    await community.moderator.slash(community.general, "setup", mod_channel=community.mods,
                                    summary_channel=community.summary)
    await create_week(community)
    await advance_to(community, QUESTION_TIMES[1] - timedelta(hours=1))
    assert len(week_posts(community)) == 2

    # Down from 02:00 to 07:00: question 2 (due 03:00) is 4 hours late, within the 6-hour grace period.
    await restart(community.env, config, down_for=5 * HOUR)
    contents = week_posts(community)
    assert len(contents) == 3 and QUESTIONS[1] in contents[2]
    assert community.mods.history() == []
    await advance_to(community, CLOSING + timedelta(hours=1))
    assert_full_week_once(community)


async def test_a_post_missed_beyond_the_grace_period_is_reported_to_moderators(
    community: Community, config: Config
) -> None:
    await community.moderator.slash(community.general, "setup", mod_channel=community.mods,
                                    summary_channel=community.summary)
    await create_week(community)
    await advance_to(community, QUESTION_TIMES[1] - timedelta(hours=1))

    # Down for a day: question 2 is 23 hours late, beyond the grace period.
    await restart(community.env, config, down_for=DAY)
    contents = week_posts(community)
    assert len(contents) == 2 and all(QUESTIONS[1] not in c for c in contents)
    notices = [m.content for m in community.mods.history()]
    assert len(notices) == 1
    assert "Guiding question 2" in notices[0] and "skipped" in notices[0]
    assert f"<t:{int(QUESTION_TIMES[1].timestamp())}:F>" in notices[0]
    status = await community.bot.db.fetchval(
        "SELECT status FROM schedule_items WHERE question_id = (SELECT id FROM questions WHERE position = 2)"
    )
    assert status == "skipped"

    # The rest of the week still runs.
    await advance_to(community, CLOSING + timedelta(hours=1))
    contents = week_posts(community)
    assert len(contents) == 6
    assert QUESTIONS[2] in contents[2] and QUESTIONS[3] in contents[3]


async def test_without_a_mod_channel_the_skipped_posts_are_reported_in_the_dialogue_channel(
    community: Community, config: Config
) -> None:
    await community.moderator.slash(community.general, "setup", summary_channel=community.summary)
    await create_week(community)
    await advance_to(community, QUESTION_TIMES[1] - timedelta(hours=1))
    await restart(community.env, config, down_for=DAY)
    assert any("Guiding question 2" in c and "skipped" in c for c in week_posts(community))


async def test_a_closed_bot_leaves_nothing_of_its_scheduler_behind(community: Community, config: Config) -> None:
    """After ``bot.close()`` the bot's APScheduler has stopped with no job and no timer, APScheduler's
    modules were never patched, and the next bot in the same process runs the week on its own."""
    from datetime import datetime

    import apscheduler.schedulers.base

    await create_week(community)
    scheduler = community.bot.get_cog("DialoguesCog").scheduler  # type: ignore[union-attr]
    assert scheduler.running and scheduler.jobs()
    await restart(community.env, config)
    assert not scheduler.running and not scheduler._aps.running and scheduler.jobs() == []
    assert getattr(scheduler._aps, "_timeout", None) is None
    assert apscheduler.schedulers.base.datetime is datetime
    await advance_to(community, CLOSING + timedelta(hours=1))
    assert_full_week_once(community)
