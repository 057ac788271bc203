"""``colloquy demo``: the real bot inside SimCord acting out a scenario week in virtual time.

Everything goes through Discord as people would use it: moderators run the slash commands of
COMMANDS.md, press the review buttons and use the context menus; members post, edit, delete and
react in the question threads; panellists answer in the panel channel. Time moves only through
``env.advance_time``, so the bot's own scheduler posts the dialogue week.
"""

from __future__ import annotations

import asyncio
import time as wallclock
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import discord
import simcord

from bot.client import ColloquyBot, create_bot
from bot.config import for_database
from bot.demo.scenario import Scenario, Step
from bot.i18n import t

Printer = Callable[[str], None]


class DemoFailure(Exception):
    """The bot did not do what the scenario needed (the demo stops and says what)."""


@dataclass
class DemoResult:
    files: dict[str, Path]
    database: Path
    seconds: float
    posts_by_bot: int
    problems: list[str] = field(default_factory=list)


def _first_line(text: str, limit: int = 110) -> str:
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


class DemoRun:
    def __init__(
        self, scenario: Scenario, out_dir: Path, language: str | None, echo: Printer, *, speed: float | None = None
    ) -> None:
        self.scenario = scenario
        self.speed = speed  # virtual seconds per real second; None: as fast as possible
        self.out_dir = out_dir
        self.language = language or scenario.language
        self.echo = echo
        self.db_path = out_dir / "colloquy-demo.sqlite3"
        self.actors: dict[str, simcord.MemberActor] = {}
        self.posts: dict[str, discord.Message] = {}
        self.bot_posts = 0
        self.problems: list[str] = []

    # -- output -------------------------------------------------------------------------------

    def stamp(self) -> str:
        now = self.env.now().astimezone(self.scenario.tz)
        return f"{now:%a %d %b %H:%M}"

    def say(self, text: str) -> None:
        self.echo(f"  [{self.stamp()}] {text}")

    def channel_name(self, channel: Any) -> str:
        if isinstance(channel, discord.Thread):
            return f"🧵 {_first_line(channel.name, 50)}"
        return f"#{getattr(channel, 'name', channel)}"

    async def on_bot_message(self, message: discord.Message) -> None:
        if self.bot.user is None or message.author.id != self.bot.user.id:
            return
        self.bot_posts += 1
        embed = message.embeds[0] if message.embeds else None
        text = message.content or (embed.title or embed.description or "" if embed else "")
        files = f" (+{len(message.attachments)} file(s))" if message.attachments else ""
        self.say(f"Colloquy → {self.channel_name(message.channel)}: {_first_line(text or '…')}{files}")

    # -- world --------------------------------------------------------------------------------

    def build_world(self) -> None:
        env, sc = self.env, self.scenario
        self.guild = env.create_guild(sc.community_name)
        self.dialogue_channel = self.guild.create_text_channel("virtual-dialogue")
        self.panel_channel = self.guild.create_text_channel("live-panel")
        self.mod_channel = self.guild.create_text_channel("moderators")
        self.summary_channel = self.guild.create_text_channel("summaries")
        facilitators = self.guild.create_role("Facilitators", permissions=discord.Permissions(manage_guild=True))
        for member in sc.members:
            user = env.create_user(member.handle, global_name=member.name)
            roles = [facilitators] if member.moderator else []
            self.actors[member.handle] = self.guild.add_member(user, roles=roles)
        self.moderator = self.actors[sc.moderator.handle]

    async def slash(self, who: simcord.MemberActor, channel: simcord.ChannelHandle, command: str, /,
                    **options: Any) -> simcord.InteractionResult:
        result = await who.slash(channel, command, **options)
        self.check(f"/{command}")
        return result

    def check(self, what: str) -> None:
        """Stop the demo if the bot answered the last action with an error."""
        errors = [getattr(e, "original", e) for e in self.env.errors]
        if errors:
            raise DemoFailure(f"{what} failed: {errors[-1]}")

    # -- the week -----------------------------------------------------------------------------

    async def advance_to(self, when: datetime) -> None:
        """Move virtual time to ``when``, announcing each new day of the dialogue."""
        while self.env.now() < when:
            now_local = self.env.now().astimezone(self.scenario.tz)
            next_midnight = datetime.combine(now_local.date() + timedelta(days=1), datetime.min.time(),
                                             tzinfo=self.scenario.tz)
            target = min(when, next_midnight)
            seconds = (target - self.env.now()).total_seconds()
            if self.speed is not None:
                # Pace the replay for a watcher (a real-time wait: the runner is not bot-owned work).
                await asyncio.sleep(seconds / self.speed)
            await self.env.advance_time(seconds)
            if target == next_midnight:
                self.announce_day(next_midnight.date())

    def announce_day(self, day: date) -> None:
        first = self.scenario.day_date(self.origin, 1)
        number = (day - first).days + 1
        label = f"Day {number}" if 1 <= number <= self.scenario.duration_days else "Set-up" if number < 1 else "After"
        self.echo(f"── {label} · {day:%A %d %B %Y} ──")

    async def run(self) -> DemoResult:
        started = wallclock.perf_counter()
        sc = self.scenario
        if self.out_dir.exists():
            for name in ("colloquy-demo.sqlite3", "colloquy-demo.sqlite3-wal", "colloquy-demo.sqlite3-shm"):
                (self.out_dir / name).unlink(missing_ok=True)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.bot: ColloquyBot = create_bot(for_database(self.db_path))
        self.bot.add_listener(self.on_bot_message, "on_message")
        self.env = simcord.Env(self.bot, check_errors=False)
        await self.env.start()
        try:
            self.origin = self.env.now().astimezone(sc.tz).date()
            self.echo(f"Colloquy demo: “{sc.title}” ({sc.path.name}), language {self.language}, "
                      f"time zone {sc.timezone}")
            self.announce_day(self.origin)
            self.build_world()
            await self.bot.tree.sync()
            await self.set_up()
            for step in sc.steps:
                await self.advance_to(sc.at(self.origin, step.day, step.at))
                await self.perform(step)
            await self.advance_to(sc.ends(self.origin) + timedelta(hours=1))
            files = await self.export()
        finally:
            if not self.bot.is_closed():
                await self.bot.close()
            await self.env.shutdown()
        return DemoResult(files, self.db_path, wallclock.perf_counter() - started, self.bot_posts, self.problems)

    # -- set-up by the moderator ----------------------------------------------------------------

    async def set_up(self) -> None:
        sc, mod, lang = self.scenario, self.moderator, self.language
        self.say(f"{sc.moderator.name} runs /setup")
        await self.slash(mod, self.mod_channel, "setup", mod_channel=self.mod_channel,
                         summary_channel=self.summary_channel, language=lang, timezone=sc.timezone)
        for member in sc.members:
            actor = self.actors[member.handle]
            options: dict[str, Any] = {"name": member.name, "attribution": member.attribution}
            if member.organisation:
                options["organisation"] = member.organisation
            await self.slash(actor, self.dialogue_channel, "profile set", **options)
        self.say(f"{len(sc.members)} members set their /profile (name, organisation, attribution)")

        starts, ends = sc.starts(self.origin), sc.ends(self.origin)
        options = {
            "title": sc.title, "starts": f"{starts:%Y-%m-%d %H:%M}", "ends": f"{ends:%Y-%m-%d %H:%M}",
            "timezone": sc.timezone, "channel": self.dialogue_channel, "languages": lang,
        }
        if sc.concept_note:
            options["concept_note"] = sc.concept_note
        if sc.description:
            options["description"] = sc.description
        self.say(f"{sc.moderator.name} creates the dialogue “{sc.title}”")
        await self.slash(mod, self.mod_channel, "dialogue create", **options)
        for question in sc.questions:
            await self.slash(mod, self.mod_channel, "dialogue question add", dialogue=sc.title, text=question)
        self.say(f"{sc.moderator.name} adds {len(sc.questions)} guiding questions")
        for question in sc.further_questions:
            await self.add_further_question(question)
        result = await self.slash(mod, self.mod_channel, "dialogue schedule", dialogue=sc.title)
        self.say(f"{sc.moderator.name} schedules it: {_first_line(result.response.content if result.response else '')}")
        if sc.panel is not None:
            await self.set_up_panel()

    async def add_further_question(self, text: str) -> None:
        await self.slash(self.moderator, self.mod_channel, "report question add", dialogue=self.scenario.title,
                         text=text)
        self.say(f"{self.scenario.moderator.name} adds a question for further discussion")

    async def set_up_panel(self) -> None:
        sc, mod = self.scenario, self.moderator
        assert sc.panel is not None
        starts = sc.at(self.origin, sc.panel.day, sc.panel.start_time)
        ends = sc.at(self.origin, sc.panel.day, sc.panel.end_time)
        await self.slash(mod, self.mod_channel, "panel create", dialogue=sc.title,
                         starts=f"{starts:%Y-%m-%d %H:%M}", ends=f"{ends:%Y-%m-%d %H:%M}",
                         channel=self.panel_channel)
        self.say(f"{sc.moderator.name} creates the live panel (and its Discord event)")
        for speaker in sc.panel.panellists:
            options: dict[str, Any] = {"dialogue": sc.title, "name": speaker.name}
            if speaker.member:
                options["member"] = self.actors[speaker.member]
            if speaker.organisation:
                options["organisation"] = speaker.organisation
            if speaker.title:
                options["title"] = speaker.title
            await self.slash(mod, self.mod_channel, "panel panellist add", **options)
            if speaker.key_points:
                shown = await self.slash(mod, self.mod_channel, "panel presentation", dialogue=sc.title,
                                         panellist=speaker.name)
                await mod.submit_modal(shown, {"key_points": "\n".join(speaker.key_points)})
                self.check("the presentation form")
            self.say(f"{sc.moderator.name} adds panellist {speaker.name} and their key points")

    # -- the script -----------------------------------------------------------------------------

    async def perform(self, step: Step) -> None:
        handler = getattr(self, f"do_{step.do}")
        for handle in step.who:
            await handler(self.actors[handle], self.scenario.member(handle), step)

    def question_thread(self, number: int) -> simcord.ChannelHandle:
        threads = self.dialogue_channel.threads
        if len(threads) < number:
            raise DemoFailure(f"question {number}'s thread has not been posted (threads: {len(threads)})")
        return threads[number - 1]

    def post_channel(self, ref: str) -> simcord.ChannelHandle:
        message = self.posts[ref]
        return next(th for th in self.dialogue_channel.threads if th.id == message.channel.id)

    async def do_post(self, actor: simcord.MemberActor, member: Any, step: Step) -> None:
        thread = self.question_thread(step.get("question"))
        self.posts[step.get("ref")] = await actor.send(thread, step.get("text"))
        self.say(f"{member.name} posts in question {step.get('question')}: {_first_line(step.get('text'), 80)}")

    async def do_edit(self, actor: simcord.MemberActor, member: Any, step: Step) -> None:
        await actor.edit(self.posts[step.get("ref")], step.get("text"))
        self.say(f"{member.name} edits their post")

    async def do_delete(self, actor: simcord.MemberActor, member: Any, step: Step) -> None:
        await actor.delete(self.posts.pop(step.get("ref")))
        self.say(f"{member.name} deletes their post")

    async def do_react(self, actor: simcord.MemberActor, member: Any, step: Step) -> None:
        await actor.react(self.posts[step.get("ref")], step.get("emoji"))
        self.say(f"{member.name} reacts {step.get('emoji')} to {step.get('ref')}")

    # -- tagging and key points ---------------------------------------------------------------

    def theme_label(self, key: str) -> str:
        from bot.dialogues.service import DEFAULT_THEMES

        names = {k: name for k, name, _ in DEFAULT_THEMES}
        return t("en", names[key]) if key in names else key

    async def do_tag(self, actor: simcord.MemberActor, member: Any, step: Step) -> None:
        message = self.posts[step.get("ref")]
        thread = self.post_channel(step.get("ref"))
        shown = await actor.context_menu(thread, "Tag contribution", message)
        self.check("Tag contribution")
        if shown.response is None:
            raise DemoFailure("Tag contribution showed no menu")
        select = _component(shown.response.components, "colloquy:tags:")
        wanted = {self.theme_label(k) for k in step.get("themes")}
        values = [o["value"] for o in select.get("options", []) if o.get("label") in wanted]
        if len(values) != len(wanted):
            raise DemoFailure(f"the tag menu has no theme {sorted(wanted)}")
        await actor.select(shown.response, values, custom_id=select["custom_id"])
        self.check("choosing themes")
        self.say(f"{member.name} tags {step.get('ref')}: {', '.join(sorted(wanted))}")

    async def do_keypoint(self, actor: simcord.MemberActor, member: Any, step: Step) -> None:
        await actor.context_menu(self.post_channel(step.get("ref")), "Mark key point", self.posts[step.get("ref")])
        self.check("Mark key point")
        self.say(f"{member.name} marks {step.get('ref')} as a key point")

    async def do_keypoint_add(self, actor: simcord.MemberActor, member: Any, step: Step) -> None:
        await self.slash(actor, self.mod_channel, "keypoint add", dialogue=self.scenario.title,
                         question=step.get("question"), text=step.get("text"))
        self.say(f"{member.name} writes a key point for question {step.get('question')}")

    # -- the panel -------------------------------------------------------------------------------

    async def do_ask(self, actor: simcord.MemberActor, member: Any, step: Step) -> None:
        await self.slash(actor, self.panel_channel, "ask", dialogue=self.scenario.title, question=step.get("text"),
                         attribution=member.attribution)
        who = "A member (anonymously)" if member.attribution == "anonymous" else member.name
        self.say(f"{who} asks the panel: {_first_line(step.get('text'), 70)}")

    def _question_post(self, channel: simcord.ChannelHandle, snippet: str, prefix: str) -> tuple[discord.Message, int]:
        """The bot's post about the question containing ``snippet`` that has a ``prefix…:<id>`` button."""
        for message in reversed(channel.history()):
            if snippet.lower() in (message.content or "").lower():
                for row in message.components:
                    for item in getattr(row, "children", []):
                        custom_id = getattr(item, "custom_id", None) or ""
                        if custom_id.startswith(prefix):
                            return message, int(custom_id.rsplit(":", 1)[1])
        raise DemoFailure(f"no post with a {prefix!r} button mentions “{snippet}”")

    async def do_review(self, actor: simcord.MemberActor, member: Any, step: Step) -> None:
        for snippet in step.get("approve", []):
            message, qid = self._question_post(self.mod_channel, snippet, "colloquy:pq:approve:")
            await actor.click(message, custom_id=f"colloquy:pq:approve:{qid}")
            self.check("Approve")
        for source, target in step.get("merge", []):
            message, source_id = self._question_post(self.mod_channel, source, "colloquy:pq:merge:")
            _, target_id = self._question_post(self.mod_channel, target, "colloquy:pq:merge:")
            picker = await actor.click(message, custom_id=f"colloquy:pq:merge:{source_id}")
            self.check("Merge")
            if picker.response is None:
                raise DemoFailure("Merge showed no choice of question")
            await actor.select(picker.response.message, [str(target_id)],
                               custom_id=f"colloquy:pq:mergeinto:{source_id}")
            self.check("choosing the merge target")
        for snippet in step.get("reject", []):
            message, qid = self._question_post(self.mod_channel, snippet, "colloquy:pq:reject:")
            await actor.click(message, custom_id=f"colloquy:pq:reject:{qid}")
            self.check("Reject")
        self.say(f"{member.name} reviews the questions: {len(step.get('approve', []))} approved, "
                 f"{len(step.get('merge', []))} merged, {len(step.get('reject', []))} rejected")

    async def do_upvote(self, actor: simcord.MemberActor, member: Any, step: Step) -> None:
        message, qid = self._question_post(self.panel_channel, step.get("question"), "colloquy:pq:vote:")
        await actor.click(message, custom_id=f"colloquy:pq:vote:{qid}")
        self.check("Upvote")
        self.say(f"{member.name} upvotes “{_first_line(step.get('question'), 50)}”")

    async def _question_id(self, command: str, snippet: str) -> int:
        """Type into the ``question`` option as a moderator would and take the matching suggestion."""
        choices = await self.moderator.autocomplete(
            self.mod_channel, command, "question", snippet[:90], dialogue=self.scenario.title
        )
        if not choices:
            raise DemoFailure(f"/{command} suggests no question for “{snippet}”")
        return int(choices[0]["value"])

    async def do_relay(self, actor: simcord.MemberActor, member: Any, step: Step) -> None:
        options: dict[str, Any] = {"dialogue": self.scenario.title}
        if step.get("question"):
            options["question"] = await self._question_id("panel relay", step.get("question"))
        await self.slash(actor, self.mod_channel, "panel relay", **options)
        posed = self.panel_channel.last_message
        self.live_question = _first_line(posed.content if posed else "", 500)
        self.say(f"{member.name} relays a question to the panel")

    async def do_answer(self, actor: simcord.MemberActor, member: Any, step: Step) -> None:
        await actor.send(self.panel_channel, step.get("text"))
        self.say(f"{member.name} answers in the panel channel")

    async def do_record_answer(self, actor: simcord.MemberActor, member: Any, step: Step) -> None:
        assert self.scenario.panel is not None
        speaker = next(p for p in self.scenario.panel.panellists if p.key == step.get("panellist"))
        label = t(self.language, "Q: {question}", question="").strip()  # "Q:" / "P:" / "Q :"
        posed = self.live_question.strip("*").strip().removeprefix(label).strip()
        snippet = (posed.rsplit(" (", 1)[0] if posed.endswith(")") else posed)[:40]
        question = await self._question_id("panel answer", snippet)
        await self.slash(actor, self.mod_channel, "panel answer", dialogue=self.scenario.title, question=question,
                         panellist=speaker.name, text=step.get("text"))
        self.say(f"{member.name} records {speaker.name}'s answer given on the webinar")

    async def do_close_panel(self, actor: simcord.MemberActor, member: Any, step: Step) -> None:
        await self.slash(actor, self.mod_channel, "panel close", dialogue=self.scenario.title)
        self.say(f"{member.name} closes the panel")

    # -- the report --------------------------------------------------------------------------------

    async def export(self) -> dict[str, Path]:
        """Download the report as a moderator would, with /report export, in every format."""
        files: dict[str, Path] = {}
        for fmt in ("markdown", "html", "json"):
            result = await self.slash(self.moderator, self.mod_channel, "report export",
                                      dialogue=self.scenario.title, format=fmt, language=self.language)
            messages = [m for m in [result.response, *result.followups] if m is not None]
            attachments = [a for m in messages for a in m.attachments]
            if not attachments:
                raise DemoFailure(f"/report export format:{fmt} sent no file")
            path = self.out_dir / attachments[0].filename
            path.write_bytes(await attachments[0].read())
            files[fmt] = path
        return files


def _component(rows: list[dict[str, Any]], prefix: str) -> dict[str, Any]:
    for row in rows:
        for item in [row, *row.get("components", [])]:
            if str(item.get("custom_id", "")).startswith(prefix):
                return item
    raise DemoFailure(f"no component {prefix}… in the bot's answer")


def label(language: str, msgid: str) -> str:
    """A button or menu label as the bot shows it in ``language``."""
    return t(language, msgid)
