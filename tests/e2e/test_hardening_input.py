"""Hostile or careless input from members and moderators (issue 13): refused clearly, or shown as plain
words, never a crash, a leak through autocomplete, live markup or a reply over Discord's limits."""

from __future__ import annotations

import logging

import pytest

from bot.errors import UserError
from tests.conftest import Community
from tests.e2e.test_dialogues_week import answer, create_week
from tests.e2e.test_panel import TITLE, ask, open_panel

GOOD = {"title": "New", "starts": "2026-03-02 09:00", "ends": "2026-03-09 09:00", "timezone": "UTC"}


async def refused(community: Community, command: str, **options: object) -> str:
    """The moderator runs ``command``; it must be refused with a UserError (no crash) that fits Discord."""
    result = await community.moderator.slash(community.general, command, **options)
    errors = community.user_errors()
    assert errors and all(isinstance(e, UserError) for e in errors), errors
    text = answer(result)
    assert result.ephemeral and 0 < len(text) <= 2000
    return text


async def dialogues(community: Community) -> int:
    return int(await community.bot.db.fetchval("SELECT count(*) FROM dialogues"))


# ----------------------------------------------------------------------------------------- crashes


@pytest.mark.parametrize("zone", ["Europe", "America", "x" * 300, "Factory", "localtime", "posixrules",
                                  "../../etc/passwd", "Europe/Paris\x00", "UTC/../Europe"])
async def test_a_time_zone_that_is_not_a_place_is_refused(community: Community, zone: str) -> None:
    text = await refused(community, "dialogue create", **{**GOOD, "timezone": zone})
    assert "Unknown time zone" in text
    assert await dialogues(community) == 0
    setup = await community.moderator.slash(community.general, "setup", timezone=zone)
    assert "Unknown time zone" in answer(setup) and len(answer(setup)) <= 2000
    assert all(isinstance(e, UserError) for e in community.user_errors())


@pytest.mark.parametrize("starts", ["9999-12-31 23:59", "0001-01-01 00:00", "1999-12-31", "2101-01-01"])
async def test_a_date_outside_sane_years_is_refused(community: Community, starts: str) -> None:
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):  # +14 and -11: the overflowing edges
        text = await refused(community, "dialogue create", **{**GOOD, "starts": starts, "timezone": zone})
        assert "out of range" in text
    assert await dialogues(community) == 0


async def test_a_theme_emoji_must_be_one_emoji(community: Community) -> None:
    await create_week(community, schedule=False)
    theme = {"dialogue": "Resistances in Training"}
    before = await community.bot.db.fetchval("SELECT count(*) FROM themes")
    for bad in ["x" * 6000, "👍👍", "hello", "<:nope>", "<@123456789012345678>", "@everyone"]:
        text = await refused(community, "dialogue theme add", **theme, name="Tools", emoji=bad)
        assert "is not one emoji" in text
    assert await community.bot.db.fetchval("SELECT count(*) FROM themes") == before
    goods = [("Tools", "🧰"), ("Pride", "🏳️‍🌈"), ("Team", "👩🏽‍🤝‍👩🏻"), ("Server", "<:colloquy:123456789012345678>")]
    for name, good in goods:
        added = await community.moderator.slash(community.general, "dialogue theme add", **theme, name=name,
                                                emoji=good)
        assert good in answer(added)
    listing = await community.moderator.slash(community.general, "dialogue theme list", **theme)
    assert len(answer(listing)) <= 2000 and "Pride" in answer(listing)


async def test_many_long_themes_still_list_within_discords_limit(community: Community) -> None:
    await create_week(community, schedule=False)
    for i in range(40):
        await community.moderator.slash(community.general, "dialogue theme add", dialogue="Resistances in Training",
                                        name=f"{i:02d} " + "w" * 57)
    listing = await community.moderator.slash(community.general, "dialogue theme list",
                                              dialogue="Resistances in Training")
    assert not community.user_errors()
    assert 1000 < len(answer(listing)) <= 2000


# ------------------------------------------------------------------------- privilege via autocomplete


async def test_a_member_sees_no_pending_question_through_an_opened_relay_command(community: Community) -> None:
    panel = await open_panel(community)
    await ask(community.alice, panel, "A pending question nobody reviewed yet")
    community.open_to_everyone("panel")  # a server admin exposes /panel to everyone
    offered = await community.bob.autocomplete(panel.channel, "panel relay", "question", "", dialogue=TITLE)
    assert offered == []
    assert await community.bob.autocomplete(panel.channel, "panel relay", "dialogue", "") == []
    # A moderator typing the same sees it (the rule, not the feature, is what changed).
    mine = await community.moderator.autocomplete(panel.channel, "panel relay", "question", "", dialogue=TITLE)
    assert any("pending question" in c["name"] for c in mine)


async def test_a_member_sees_no_draft_question_or_title_through_autocomplete(community: Community) -> None:
    await create_week(community, title="Secret draft", schedule=False)
    community.open_to_everyone("dialogue")
    typed = await community.alice.autocomplete(community.general, "dialogue question remove", "number", "",
                                               dialogue="Secret draft")
    assert typed == []
    assert await community.alice.autocomplete(community.general, "dialogue status", "dialogue", "Sec") == []
    assert await community.alice.autocomplete(community.general, "ask", "dialogue", "") == []
    assert any(c["name"] == "Secret draft" for c in
               await community.moderator.autocomplete(community.general, "dialogue status", "dialogue", "Sec"))


async def test_ask_offers_only_dialogues_with_an_open_panel(community: Community) -> None:
    await create_week(community, title="No panel here", schedule=False)
    await open_panel(community)
    offered = await community.alice.autocomplete(community.general, "ask", "dialogue", "")
    assert [c["name"] for c in offered] == [TITLE]
    await community.moderator.slash(community.general, "panel close", dialogue=TITLE)
    community.user_errors()
    assert await community.alice.autocomplete(community.general, "ask", "dialogue", "") == []
    # Naming a dialogue without an open panel is refused without telling whether it exists.
    result = await community.alice.slash(community.general, "ask", dialogue="No panel here", question="Hi?")
    assert "no open panel" in answer(result)
    community.user_errors()


# ----------------------------------------------------------------------------------- error log


async def test_the_error_log_keeps_option_names_and_sizes_never_members_words(
    community: Community, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("storage unavailable")

    monkeypatch.setattr(community.bot.services.profiles, "update", broken)
    with caplog.at_level(logging.ERROR, logger="bot.client"):
        await community.alice.slash(community.general, "profile set", name="Alice Secret-Name",
                                    organisation="Hidden Org")
    community.user_errors()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "profile set" in logged and "name=<17 chars>" in logged and "organisation=<10 chars>" in logged
    assert "Secret" not in logged and "Hidden" not in logged


@pytest.mark.parametrize("ref", ["9999999999999999999", "²", "٣", "Q9999999999999999999", "q²"])
async def test_an_item_or_dialogue_number_no_store_holds_is_no_such_item(community: Community, ref: str) -> None:
    """Digits past a 64-bit integer (a DataError on PostgreSQL) or other scripts' digits (``int``
    refuses them) name nothing: a clear answer, not "something went wrong"."""
    await create_week(community, title="Numbers", schedule=False)
    text = await refused(community, "report hide", dialogue="Numbers", item=ref)
    assert "no such item" in text
    community.env.errors.clear()
    text = await refused(community, "dialogue status", dialogue=f"#{ref.lstrip('Qq')}")
    assert "There is no dialogue" in text
