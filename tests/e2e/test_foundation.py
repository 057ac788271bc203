"""The bot skeleton as members and moderators meet it: help, setup, errors, languages, access."""

from __future__ import annotations

import logging

import pytest

from bot.errors import UserError
from cogs.kit.access import NotModeratorCheck
from tests.conftest import Community, set_locale


async def test_help_lists_member_commands_for_members_and_more_for_moderators(community: Community) -> None:
    member_view = await community.alice.slash(community.general, "colloquy")
    assert member_view.ephemeral
    text = member_view.response.embeds[0].description
    assert "/colloquy" in text
    assert "/setup" not in text

    mod_view = await community.moderator.slash(community.general, "colloquy")
    assert "/setup" in mod_view.response.embeds[0].description


async def test_help_answers_in_the_members_language(community: Community) -> None:
    set_locale(community.alice, "es-ES")
    result = await community.alice.slash(community.general, "colloquy")
    assert "Comandos para todos" in result.response.embeds[0].description
    set_locale(community.bob, "fr")
    result = await community.bob.slash(community.general, "colloquy")
    assert "Commandes pour tous" in result.response.embeds[0].description


async def test_setup_stores_guild_settings_and_survives_restart(community: Community) -> None:
    result = await community.moderator.slash(
        community.general, "setup", mod_channel=community.mods, summary_channel=community.summary,
        language="es", timezone="Europe/Madrid",
    )
    assert result.ephemeral
    assert "Europe/Madrid" in result.response.content
    row = await community.bot.db.fetchone(
        "SELECT * FROM guild_settings WHERE guild_id = ?", (community.guild.id,)
    )
    assert row["mod_channel_id"] == community.mods.id
    assert row["language"] == "es" and row["timezone"] == "Europe/Madrid"

    # With no client language Colloquy supports, the guild's language (now Spanish) is used.
    set_locale(community.alice, "de")
    help_text = (await community.alice.slash(community.general, "colloquy")).response.embeds[0].description
    assert "Comandos para todos" in help_text


async def test_setup_rejects_bad_timezone_and_changes_nothing(community: Community) -> None:
    result = await community.moderator.slash(community.general, "setup", timezone="Mars/Olympus")
    assert result.ephemeral
    assert "Mars/Olympus" in result.response.content
    assert [type(e) for e in community.user_errors()] == [UserError]
    count = await community.bot.db.fetchval("SELECT count(*) FROM guild_settings")
    assert count == 0


async def test_setup_is_refused_to_members_on_the_server_side(community: Community) -> None:
    # Discord hides /setup from members by default; a server could override that, so the bot checks too.
    community.open_to_everyone("setup")
    result = await community.alice.slash(community.general, "setup", language="fr")
    assert result.ephemeral
    assert "Only moderators" in result.response.content
    assert [type(e) for e in community.user_errors()] == [NotModeratorCheck]
    assert await community.bot.db.fetchval("SELECT count(*) FROM guild_settings") == 0


async def test_setup_is_hidden_from_members_by_default(community: Community) -> None:
    assert "setup" not in community.alice.available_commands(community.general)
    assert "setup" in community.moderator.available_commands(community.general)


async def test_moderator_role_set_by_setup_grants_moderation(community: Community) -> None:
    role = community.guild.create_role("Co-hosts")
    carol = community.guild.add_member(community.env.create_user("dora"), roles=[role])
    await community.moderator.slash(community.general, "setup", moderator_role=role)
    help_text = (await carol.slash(community.general, "colloquy")).response.embeds[0].description
    assert "/setup" in help_text


async def test_replies_never_ping(community: Community) -> None:
    assert community.bot.allowed_mentions is not None
    assert community.bot.allowed_mentions.everyone is False
    assert community.bot.allowed_mentions.roles is False
    assert community.bot.allowed_mentions.users is False


async def test_restart_on_the_same_database_keeps_settings(community: Community, config) -> None:
    from tests.conftest import restart

    await community.moderator.slash(community.general, "setup", timezone="America/Bogota")
    bot = await restart(community.env, config)
    assert bot is community.env.bot
    result = await community.moderator.slash(community.general, "setup")
    assert "America/Bogota" in result.response.content


async def test_help_reflects_the_settings_chosen_with_setup(community: Community) -> None:
    role = community.guild.create_role("Co-hosts")
    await community.moderator.slash(
        community.general, "setup", summary_channel=community.summary, moderator_role=role,
        timezone="America/Bogota", language="fr",
    )
    set_locale(community.alice, "en-GB")
    text = (await community.alice.slash(community.general, "colloquy")).response.embeds[0].description
    assert "America/Bogota" in text and "Français" in text
    assert f"<#{community.summary.id}>" in text and f"<@&{role.id}>" in text


async def test_an_unexpected_error_gets_an_apology_and_the_bot_keeps_serving(
    community: Community, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(community.bot.services.guilds, "update", broken)
    set_locale(community.moderator, "fr")
    with caplog.at_level(logging.ERROR, logger="bot.client"):
        failed = await community.moderator.slash(community.general, "setup", timezone="Europe/Paris")
    assert failed.ephemeral
    assert failed.response.content.startswith("Désolé, un problème est survenu")
    assert "disk is on fire" not in failed.response.content  # details go to the log, not to the member
    assert [type(e) for e in community.user_errors()] == [RuntimeError]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    # The log names the command and its options with their sizes, never their values (issue 13).
    assert "command='setup'" in logged and "timezone=<12 chars>" in logged and "Europe/Paris" not in logged

    # The bot goes on serving.
    help_view = await community.alice.slash(community.general, "colloquy")
    assert "/colloquy" in help_view.response.embeds[0].description
