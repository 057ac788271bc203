"""``/profile``: a member chooses how they are credited, in their own language."""

from __future__ import annotations

from bot.errors import UserError
from tests.conftest import Community, set_locale


async def test_a_member_sets_name_organisation_and_attribution(community: Community) -> None:
    result = await community.alice.slash(community.general, "profile set", name="Alice Martin", organisation="FAO")
    assert result.ephemeral
    assert "You are credited as: Alice Martin, FAO" in result.response.content
    row = await community.bot.db.fetchone("SELECT * FROM members WHERE user_id = ?", (community.alice.id,))
    assert (row["display_name"], row["organisation"], row["attribution"]) == ("Alice Martin", "FAO", "name")

    result = await community.alice.slash(community.general, "profile set", attribution="organisation")
    assert "You are credited as: FAO" in result.response.content
    result = await community.alice.slash(community.general, "profile set", attribution="anonymous")
    assert "You are quoted anonymously." in result.response.content
    shown = await community.alice.slash(community.general, "profile show")
    assert "Alice Martin" in shown.response.content and "Anonymous" in shown.response.content


async def test_without_a_name_the_discord_name_is_used(community: Community) -> None:
    shown = await community.bob.slash(community.general, "profile show")
    assert "You are credited as: bob" in shown.response.content
    assert "not set (your Discord name is used)" in shown.response.content


async def test_bad_profile_input_is_refused_and_changes_nothing(community: Community) -> None:
    result = await community.alice.slash(community.general, "profile set", name="x" * 81, organisation="y" * 121)
    assert "at most 80 characters" in result.response.content and "at most 120 characters" in result.response.content
    assert [type(e) for e in community.user_errors()] == [UserError]
    assert await community.bot.db.fetchval("SELECT count(*) FROM members") == 0


async def test_profile_answers_in_the_members_language(community: Community) -> None:
    set_locale(community.alice, "es-ES")
    result = await community.alice.slash(community.general, "profile set", organisation="CEPAL")
    assert "CEPAL" in result.response.content
    assert "Organización" in result.response.content
