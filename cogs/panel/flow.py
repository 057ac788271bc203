"""What the panel does on Discord, shared by its commands, buttons and modals.

Each function calls the panel service (which decides and records), then brings Discord in step:
review posts in the mod channel, public questions with their vote counts, the relay line, the
announcement and the scheduled event. Editing an older message is best effort: if it was deleted,
the database still holds the truth and the action stands.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.errors import UserError
from bot.i18n import N_, number, t
from bot.panel.model import Panel, PanelQuestion, QuestionRecord
from cogs.kit.access import require_moderator
from cogs.kit.reply import NO_MENTIONS, language_for, send_ephemeral
from cogs.panel import duplicates, render, views

if TYPE_CHECKING:
    from bot.client import ColloquyBot

log = logging.getLogger(__name__)


async def _record(bot: ColloquyBot, question: PanelQuestion) -> QuestionRecord:
    return QuestionRecord(question, await bot.services.panel_questions.askers(question))


async def _edit(
    bot: ColloquyBot, channel_id: int, message_id: int | None, content: str, view: discord.ui.View | None
) -> None:
    if message_id is None:
        return
    message = bot.get_partial_messageable(channel_id).get_partial_message(message_id)
    try:
        await message.edit(content=content, view=view, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException as error:
        log.warning("could not update panel message %s in %s: %s", message_id, channel_id, error)


async def _send(bot: ColloquyBot, channel_id: int, content: str, view: discord.ui.View | None = None) -> int:
    channel = bot.get_partial_messageable(channel_id)
    if view is None:
        message = await channel.send(content, allowed_mentions=NO_MENTIONS)
    else:
        message = await channel.send(content, allowed_mentions=NO_MENTIONS, view=view)
    return message.id


# -- review queue ----------------------------------------------------------------------------------

async def review_channel(bot: ColloquyBot, panel: Panel) -> int:
    """The mod channel from ``/setup``, else the panel channel."""
    settings = await bot.services.guilds.get(panel.guild_id)
    return settings.mod_channel_id or panel.channel_id


async def _review_message(
    bot: ColloquyBot, panel: Panel, question: PanelQuestion, channel_id: int
) -> tuple[str, discord.ui.View | None]:
    lang = (await bot.services.guilds.get(panel.guild_id)).language
    record = await _record(bot, question)
    private = channel_id != panel.channel_id
    content = render.review_post(lang, panel, record, private_channel=private)
    if question.status == "pending":
        others = await bot.services.panel_questions.questions(panel.id, ("pending", "approved", "relayed"))
        line = duplicates.closest_line(lang, question, others)
        if line:
            content += "\n" + line
    return content, views.review_view(lang, question)


async def post_for_review(bot: ColloquyBot, panel: Panel, question: PanelQuestion) -> None:
    channel_id = await review_channel(bot, panel)
    content, view = await _review_message(bot, panel, question, channel_id)
    message_id = await _send(bot, channel_id, content, view)
    await bot.services.panel_questions.set_message(question.id, "review", message_id)


async def refresh_review(bot: ColloquyBot, panel: Panel, question_id: int) -> None:
    question = await bot.services.panel_questions.question(question_id)
    channel_id = await review_channel(bot, panel)
    content, view = await _review_message(bot, panel, question, channel_id)
    await _edit(bot, channel_id, question.review_message_id, content, view)


async def review_action(bot: ColloquyBot, interaction: discord.Interaction, action: str, question_id: int) -> None:
    """A review button: Approve, Reject, Merge or Relay now (moderators only, checked here)."""
    await require_moderator(bot, interaction)
    panel_service = bot.services.panel
    questions = bot.services.panel_questions
    moderator = interaction.user.id
    if action == "merge":
        targets = await questions.merge_targets(question_id)
        if not targets:
            raise UserError(N_("There is no other open question to merge it into."))
        lang = await language_for(bot, interaction)
        source = await questions.question(question_id)
        targets, proposal = duplicates.propose_first(source, targets)
        prompt = t(lang, "Merge question #{number} into which question? It keeps the other question's text and "
                         "credits both askers.", number=question_id)
        if proposal is not None:
            prompt += "\n" + t(lang, "Proposed: #{number}, the closest match ({score} similar).",
                                number=proposal.question.id, score=duplicates.score(lang, proposal.score))
        await interaction.response.send_message(
            prompt, view=views.merge_view(lang, source, targets), ephemeral=True,
        )
        return
    if action == "approve":
        question = await questions.approve(question_id, moderator)
    elif action == "reject":
        question = await questions.reject(question_id, moderator)
    else:
        panel = await panel_service.get((await questions.question(question_id)).panel_id)
        question = await pose(bot, panel, question_id, moderator)
    panel = await panel_service.get(question.panel_id)
    content, view = await _review_message(bot, panel, question, interaction.channel_id or panel.channel_id)
    await interaction.response.edit_message(content=content, view=view, allowed_mentions=NO_MENTIONS)
    if action == "approve":
        await publish(bot, panel, question)


async def merge(bot: ColloquyBot, interaction: discord.Interaction, source_id: int, target_id: int) -> None:
    await require_moderator(bot, interaction)
    result = await bot.services.panel_questions.merge(source_id, target_id, interaction.user.id)
    lang = await language_for(bot, interaction)
    await interaction.response.edit_message(
        content=t(lang, "Question #{source} was merged into question #{target}.", source=source_id,
                  target=target_id),
        view=None,
    )
    panel = await bot.services.panel.get(result.target.panel_id)
    for question in (result.source, result.target):
        await refresh_review(bot, panel, question.id)
        await refresh_public(bot, panel, question.id)


# -- public questions and votes --------------------------------------------------------------------

async def _public_message(
    bot: ColloquyBot, panel: Panel, question: PanelQuestion
) -> tuple[str, discord.ui.View | None]:
    lang = panel.dialogue.language
    return render.public_question(lang, await _record(bot, question)), views.upvote_view(lang, question)


async def publish(bot: ColloquyBot, panel: Panel, question: PanelQuestion) -> None:
    """An approved question appears in the panel channel with its Upvote button."""
    content, view = await _public_message(bot, panel, question)
    message_id = await _send(bot, panel.channel_id, content, view)
    await bot.services.panel_questions.set_message(question.id, "public", message_id)


async def refresh_public(bot: ColloquyBot, panel: Panel, question_id: int) -> None:
    question = await bot.services.panel_questions.question(question_id)
    content, view = await _public_message(bot, panel, question)
    await _edit(bot, panel.channel_id, question.public_message_id, content, view)


async def upvote(bot: ColloquyBot, interaction: discord.Interaction, question_id: int) -> None:
    voted, question = await bot.services.panel_questions.vote(question_id, interaction.user.id)
    panel = await bot.services.panel.get(question.panel_id)
    content, view = await _public_message(bot, panel, question)
    await interaction.response.edit_message(content=content, view=view, allowed_mentions=NO_MENTIONS)
    lang = await language_for(bot, interaction)
    confirmation = t(lang, "Your vote counts.") if voted else t(lang, "Your vote was taken back.")
    await interaction.followup.send(confirmation, ephemeral=True, allowed_mentions=NO_MENTIONS)


# -- duplicates: upvote a similar question instead -------------------------------------------------

async def upvote_instead(bot: ColloquyBot, interaction: discord.Interaction, mine_id: int, target_id: int) -> None:
    result = await bot.services.panel_questions.upvote_instead(mine_id, target_id, interaction.user.id)
    panel = await bot.services.panel.get(result.target.panel_id)
    for question in (result.source, result.target):
        await refresh_review(bot, panel, question.id)
        await refresh_public(bot, panel, question.id)
    lang = await language_for(bot, interaction)
    await send_ephemeral(interaction, t(lang, "Your vote counts for question #{target}; yours (#{mine}) was folded "
                                              "into it, with your name among its askers.",
                                        target=target_id, mine=mine_id))


# -- asking ----------------------------------------------------------------------------------------

async def open_ask_modal(
    bot: ColloquyBot, interaction: discord.Interaction, panel_id: int, attribution: str | None = None
) -> None:
    """The ask modal, with ``attribution`` (else the member's profile choice) preselected."""
    panel = await bot.services.panel.get(panel_id)
    if panel.closed:
        raise UserError(N_("The panel of “{title}” is closed."), title=panel.dialogue.title)
    if attribution is None:
        attribution = (await bot.services.profiles.get(panel.guild_id, interaction.user.id)).attribution
    lang = await language_for(bot, interaction)
    await interaction.response.send_modal(views.AskModal(lang, panel.id, attribution))


async def submit_question(
    bot: ColloquyBot, interaction: discord.Interaction, panel_id: int, text: str, attribution: str | None
) -> None:
    panel = await bot.services.panel.get(panel_id)
    question = await bot.services.panel_questions.ask(
        panel, interaction.user.id, text, attribution=attribution, fallback_name=interaction.user.display_name
    )
    lang = await language_for(bot, interaction)
    credit = question.asker.credit
    lines = [t(lang, "Thank you! Your question #{number} is waiting for the moderators' review.", number=question.id)]
    lines.append(
        t(lang, "It will be credited to: {credit}.", credit=credit) if credit
        else t(lang, "It will be posted anonymously: your name appears nowhere public.")
    )
    await send_ephemeral(interaction, "\n".join(lines))
    await post_for_review(bot, panel, question)
    similar = duplicates.similar_block(lang, question, await duplicates.similar_approved(bot, question))
    if similar is not None:
        await send_ephemeral(interaction, similar[0], view=similar[1])


# -- relay -----------------------------------------------------------------------------------------

async def relay(bot: ColloquyBot, panel: Panel, question_id: int | None, moderator_id: int) -> PanelQuestion:
    """``/panel relay``: the chosen question, else the most voted approved one."""
    if question_id is None:
        question_id = (await bot.services.panel_questions.top_question(panel)).id
    else:
        await bot.services.panel_questions.question_of(panel, question_id)
    question = await pose(bot, panel, question_id, moderator_id)
    await refresh_review(bot, panel, question.id)
    return question


async def pose(bot: ColloquyBot, panel: Panel, question_id: int, moderator_id: int) -> PanelQuestion:
    """Pose the question in the panel channel, then record it as the live question.

    Discord first: if the post fails (a 5xx, a missing permission), nothing is recorded and the
    moderator can simply relay again. If another moderator relayed it in the meantime, the post is
    taken back and they are told. Its public post then stops taking votes and the event goes live.
    """
    service = bot.services.panel_questions
    record = await _record(bot, await service.relayable(question_id))
    message_id = await _send(bot, panel.channel_id, render.relay_line(panel.dialogue.language, record))
    try:
        question, _previous = await service.relay(question_id, moderator_id, message_id=message_id)
    except UserError:
        await bot.get_partial_messageable(panel.channel_id).get_partial_message(message_id).delete()
        raise
    await refresh_public(bot, panel, question.id)
    await set_event_status(bot, panel, live=True)
    return question


# -- presentations ---------------------------------------------------------------------------------

async def save_presentation(bot: ColloquyBot, interaction: discord.Interaction, panellist_id: int, text: str) -> None:
    await require_moderator(bot, interaction)
    panellist = await bot.services.panel.set_presentation(panellist_id, text)
    lang = await language_for(bot, interaction)
    await send_ephemeral(
        interaction,
        t(lang, "Presentation of {name} saved (key points: {n}).", name=panellist.name,
          n=number(lang, len(panellist.key_points))),
    )


# -- announcement and scheduled event --------------------------------------------------------------

async def announce(bot: ColloquyBot, panel: Panel) -> None:
    lang = panel.dialogue.language
    panellists = await bot.services.panel.panellists(panel.id)
    message_id = await _send(
        bot, panel.channel_id, bot.mentions.link(render.announcement(lang, panel, panellists)),
        views.ask_view(lang, panel.id)
    )
    await bot.services.panel.set_announcement(panel.id, message_id)


async def refresh_announcement(bot: ColloquyBot, panel: Panel) -> None:
    lang = panel.dialogue.language
    panellists = await bot.services.panel.panellists(panel.id)
    view = None if panel.closed else views.ask_view(lang, panel.id)
    text = bot.mentions.link(render.announcement(lang, panel, panellists))
    await _edit(bot, panel.channel_id, panel.announcement_message_id, text, view)


async def create_event(bot: ColloquyBot, panel: Panel) -> bool:
    """The Discord scheduled event members can mark "Interested" (an external event at the channel)."""
    guild = bot.get_guild(panel.guild_id)
    if guild is None:
        return False
    lang = panel.dialogue.language
    channel = guild.get_channel(panel.channel_id)
    location = channel.jump_url if channel is not None else f"<#{panel.channel_id}>"
    try:
        event = await guild.create_scheduled_event(
            name=render.event_name(lang, panel), start_time=panel.starts_at, end_time=panel.ends_at,
            entity_type=discord.EntityType.external, privacy_level=discord.PrivacyLevel.guild_only,
            location=location, description=render.event_description(lang, []),
        )
    except discord.HTTPException as error:
        log.warning("could not create the scheduled event of panel %s: %s", panel.id, error)
        return False
    await bot.services.panel.set_event(panel.id, event.id)
    return True


async def _event(bot: ColloquyBot, panel: Panel) -> discord.ScheduledEvent | None:
    guild = bot.get_guild(panel.guild_id)
    if guild is None or panel.event_id is None:
        return None
    try:
        return await guild.fetch_scheduled_event(panel.event_id)
    except discord.HTTPException as error:
        log.warning("scheduled event %s of panel %s is gone: %s", panel.event_id, panel.id, error)
        return None


async def sync_event_description(bot: ColloquyBot, panel: Panel) -> None:
    event = await _event(bot, panel)
    if event is None:
        return
    panellists = await bot.services.panel.panellists(panel.id)
    try:
        await event.edit(description=render.event_description(panel.dialogue.language, panellists))
    except discord.HTTPException as error:
        log.warning("could not update scheduled event %s: %s", event.id, error)


async def set_event_status(bot: ColloquyBot, panel: Panel, *, live: bool) -> None:
    """Keep the event in step: active once a question is posed; completed (or cancelled, if the panel
    never went live) when the panel closes."""
    event = await _event(bot, panel)
    if event is None:
        return
    try:
        if live:
            if event.status is discord.EventStatus.scheduled:
                await event.start()
            return
        if event.status is discord.EventStatus.active:
            await event.end()
        elif event.status is discord.EventStatus.scheduled:
            went_live = bool(await bot.services.panel_questions.questions(panel.id, ("relayed",)))
            if went_live:
                await (await event.start()).end()
            else:
                await event.cancel()
    except discord.HTTPException as error:
        log.warning("could not change the status of scheduled event %s: %s", event.id, error)
