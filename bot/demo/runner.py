"""``colloquy demo``: the real bot inside SimCord acting out a scenario week in virtual time.

Everything goes through Discord as people would use it: moderators run the slash commands of
COMMANDS.md, press the review buttons and use the context menus; members post, edit, delete and
react in the question threads; panellists answer in the panel channel. Time moves only through
``env.advance_time``, so the bot's own scheduler posts the dialogue week.
"""

from __future__ import annotations

import asyncio
import time as wallclock
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import discord
import simcord
import simcord.interactions
from babel.dates import format_skeleton
from babel.lists import format_list

from bot.client import ColloquyBot, create_bot
from bot.config import for_database
from bot.demo.editorial import EditorialSteps
from bot.demo.plain import plain
from bot.demo.scenario import Scenario, Step
from bot.dialogues.service import DEFAULT_THEMES
from bot.i18n import LANGUAGES, clock_text, date_locale, language_name, t, tn, weekday_date

Printer = Callable[[str], None]


#: Each language's Discord client locale.
CLIENT_LOCALES = {"en": "en-US", "es": "es-ES", "fr": "fr"}


@contextmanager
def client_locales(locales: dict[int, str]) -> Iterator[None]:
    """Give each actor's interactions their own Discord client language while the demo runs.

    SimCord 3.2 sends every interaction with locale ``en-US`` (a gap noted in DESIGN.md); the
    moderator of a Spanish demo must see the bot's answers in Spanish, as a Spanish client would.
    The payload builder is wrapped for the run only and restored afterwards.
    """
    original = simcord.interactions.base_payload

    def with_locale(backend: Any, **kwargs: Any) -> Any:
        record, payload = original(backend, **kwargs)
        if kwargs.get("user_id") in locales:
            payload["locale"] = locales[kwargs["user_id"]]
        return record, payload

    simcord.interactions.base_payload = with_locale
    try:
        yield
    finally:
        simcord.interactions.base_payload = original


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


class DemoRun(EditorialSteps):
    def __init__(
        self, scenario: Scenario, out_dir: Path, language: str | None, echo: Printer, *, speed: float | None = None
    ) -> None:
        # A scenario that has the dialogue's texts in the chosen language runs with it as the main one.
        scenario = scenario.led_by(language) if language else scenario
        self.scenario = scenario
        self.speed = speed  # virtual seconds per real second; None: as fast as possible
        self.out_dir = out_dir
        # The narration's language (and the server's): --language, else the dialogue's main language.
        self.language = language or (scenario.languages[0] if scenario.languages else scenario.language)
        # The dialogue's languages as the scenario sets them; else the one the demo runs in.
        self.languages = scenario.languages or (self.language,)
        self.report_language = self.language if self.language in self.languages else self.languages[0]
        self.authors: dict[str, str] = {}  # a post's ref → its author's name, for the narration
        self.echo = echo
        self.db_path = out_dir / "colloquy-demo.sqlite3"
        self.actors: dict[str, simcord.MemberActor] = {}
        self.posts: dict[str, discord.Message] = {}
        self.bot_posts = 0
        self.problems: list[str] = []
        self.files: dict[str, Path] = {}

    # -- output -------------------------------------------------------------------------------

    def stamp(self) -> str:
        now = self.env.now().astimezone(self.scenario.tz)
        day = format_skeleton("MMMEd", now, locale=date_locale(self.language))
        return f"{day} {clock_text(self.language, now, self.scenario.tz)}"

    def say(self, msgid: str, /, **params: Any) -> None:
        """One line of narration, in the demo's language."""
        self.echo(f"  [{self.stamp()}] {t(self.language, msgid, **params)}")

    def language_list(self, codes: Any) -> str:
        """``Spanish and French`` / ``español y francés`` / ``espagnol et français``."""
        return format_list([language_name(code, self.language) for code in codes], locale=self.language)

    def plain(self, text: str) -> str:
        """A Discord message as the transcript shows it: no Markdown marks, no raw tags."""
        def channel(cid: int) -> str | None:
            found = self.bot.get_channel(cid)
            return getattr(found, "name", None)

        def user(uid: int) -> str | None:
            found = self.bot.get_user(uid)
            return found.display_name if found else None

        def role(rid: int) -> str | None:
            guild = self.bot.get_guild(self.guild.id)
            found = guild.get_role(rid) if guild else None
            return found.name if found else None

        return plain(text, self.language, self.scenario.tz, self.env.now(), channel=channel, user=user, role=role)

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
        n = len(message.attachments)
        files = " " + tn(self.language, "(+{n} file)", "(+{n} files)", n) if n else ""
        line = t(self.language, "Colloquy → {channel}: {text}", channel=self.channel_name(message.channel),
                 text=_first_line(self.plain(text)) or "…")
        self.echo(f"  [{self.stamp()}] {line}{files}")

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

    def failure(self, problem: str) -> DemoFailure:
        return DemoFailure(problem)

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
        lang = self.language
        if 1 <= number <= self.scenario.duration_days:
            label = t(lang, "Day {n}", n=number)
        else:
            label = t(lang, "Set-up") if number < 1 else t(lang, "After the dialogue")
        self.echo(f"── {label} · {weekday_date(lang, day)} ──")

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
            if sc.start_date is not None:
                # Real dates: the moderator sets up the day before, at nine (one jump: nothing runs yet).
                set_up_at = datetime.combine(sc.start_date - timedelta(days=1), datetime.min.time(),
                                             tzinfo=sc.tz) + timedelta(hours=9)
                if set_up_at > self.env.now():
                    await self.env.advance_time((set_up_at - self.env.now()).total_seconds())
            self.origin = self.env.now().astimezone(sc.tz).date()
            lang = self.language
            self.echo(t(lang, "Colloquy demo: “{title}” ({file}), in {language}, time zone {timezone}",
                        title=sc.title, file=sc.path.name, language=language_name(lang, lang),
                        timezone=sc.timezone))
            if len(self.languages) > 1:
                self.echo(t(lang, "The dialogue's languages: {languages}",
                            languages=self.language_list(self.languages)))
            self.announce_day(self.origin)
            self.build_world()
            await self.bot.tree.sync()
            with client_locales(self.locales()):
                await self.act()
            files = self.files
        finally:
            if not self.bot.is_closed():
                await self.bot.close()
            await self.env.shutdown()
        return DemoResult(files, self.db_path, wallclock.perf_counter() - started, self.bot_posts, self.problems)

    def locales(self) -> dict[int, str]:
        """Moderators use Discord in the demo's language; members in the language they write in."""
        return {
            self.actors[m.handle].id: CLIENT_LOCALES[self.language if m.moderator else m.language]
            for m in self.scenario.members
        }

    async def act(self) -> None:
        sc, lang = self.scenario, self.language
        await self.set_up()
        for step in sc.steps:
            await self.advance_to(sc.at(self.origin, step.day, step.at))
            try:
                await self.perform(step)
            except DemoFailure as exc:
                raise DemoFailure(t(lang, "Step {n} (“{action}”, day {day} at {time}) failed: {problem}",
                                    n=step.index, action=step.do, day=step.day, time=f"{step.at:%H:%M}",
                                    problem=exc)) from None
        await self.advance_to(sc.ends(self.origin) + timedelta(hours=1))
        self.files = await self.export()

    # -- set-up by the moderator ----------------------------------------------------------------

    async def set_up(self) -> None:
        sc, mod, lang = self.scenario, self.moderator, self.language
        self.say("{name} runs /setup", name=sc.moderator.name)
        await self.slash(mod, self.mod_channel, "setup", mod_channel=self.mod_channel,
                         summary_channel=self.summary_channel, language=lang, timezone=sc.timezone)
        for member in sc.members:
            actor = self.actors[member.handle]
            options: dict[str, Any] = {"name": member.name, "attribution": member.attribution}
            if member.organisation:
                options["organisation"] = member.organisation
            await self.slash(actor, self.dialogue_channel, "profile set", **options)
        self.say("{n} members set their /profile (name, organisation, attribution)", n=len(sc.members))

        starts, ends = sc.starts(self.origin), sc.ends(self.origin)
        options = {
            "title": sc.title, "starts": f"{starts:%Y-%m-%d %H:%M}", "ends": f"{ends:%Y-%m-%d %H:%M}",
            "timezone": sc.timezone, "channel": self.dialogue_channel, "languages": " ".join(self.languages),
        }
        if sc.concept_note:
            options["concept_note"] = sc.concept_note
        if sc.description:
            options["description"] = sc.description
        self.say("{name} creates the dialogue “{title}”", name=sc.moderator.name, title=sc.title)
        await self.slash(mod, self.mod_channel, "dialogue create", **options)
        for question in sc.questions:
            await self.slash(mod, self.mod_channel, "dialogue question add", dialogue=sc.title, text=question)
        self.say("{name} adds {n} guiding questions", name=sc.moderator.name, n=len(sc.questions))
        for question in sc.further_questions:
            await self.add_further_question(question)
        for language, translation in sc.translations.items():
            await self.translate(language, translation)
        result = await self.slash(mod, self.mod_channel, "dialogue schedule", dialogue=sc.title)
        self.say("{name} schedules the dialogue; Colloquy answers:", name=sc.moderator.name)
        for line in self.plain(result.response.content if result.response else "").splitlines():
            if line.strip():
                self.echo(f"      {line}")
        if sc.panel is not None:
            await self.set_up_panel()

    async def add_further_question(self, text: str) -> None:
        await self.slash(self.moderator, self.mod_channel, "report question add", dialogue=self.scenario.title,
                         text=text)
        self.say("{name} adds a question for further discussion", name=self.scenario.moderator.name)

    async def translate(self, language: str, translation: Any) -> None:
        """The moderator gives the dialogue's items in another language with /dialogue translate,
        picking each item from the autocomplete as they would."""
        sc = self.scenario
        wanted: list[tuple[str, str, str]] = []  # (kind, what to type in the item option, text)
        if translation.title:
            wanted.append(("title", "", translation.title))
        if translation.description:
            wanted.append(("description", "", translation.description))
        wanted += [("question", q[:90], text) for q, text in zip(sc.questions, translation.questions, strict=False)]
        wanted += [("further_question", q[:90], text)
                   for q, text in zip(sc.further_questions, translation.further_questions, strict=False)]
        for kind, typed, text in wanted:
            await self.translate_item(kind, typed, language, text)
        self.say("{name} translates {n} items of the dialogue into {language}", name=sc.moderator.name,
                 n=len(wanted), language=language_name(language, self.language))

    async def translate_item(self, kind: str, typed: str, language: str, text: str) -> None:
        """/dialogue translate, with the item chosen from what the autocomplete offers for ``typed``."""
        sc = self.scenario
        choices = await self.moderator.autocomplete(self.mod_channel, "dialogue translate", "item", typed,
                                                    dialogue=sc.title)
        ref = next((str(c["value"]) for c in choices if str(c["value"]).startswith(kind + ":")), None)
        if ref is None:
            raise DemoFailure(t(self.language, "/dialogue translate offers no item “{item}”", item=typed or kind))
        await self.slash(self.moderator, self.mod_channel, "dialogue translate", dialogue=sc.title, item=ref,
                         language=language, text=text)

    async def set_up_panel(self) -> None:
        sc, mod = self.scenario, self.moderator
        assert sc.panel is not None
        starts = sc.at(self.origin, sc.panel.day, sc.panel.start_time)
        ends = sc.at(self.origin, sc.panel.day, sc.panel.end_time)
        await self.slash(mod, self.mod_channel, "panel create", dialogue=sc.title,
                         starts=f"{starts:%Y-%m-%d %H:%M}", ends=f"{ends:%Y-%m-%d %H:%M}",
                         channel=self.panel_channel)
        self.say("{name} creates the live panel (and its Discord event)", name=sc.moderator.name)
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
                for language, points in speaker.translations.items():
                    await self.translate_item("presentation", speaker.name, language, "\n".join(points))
            self.say("{name} adds panellist {panellist} and their key points", name=sc.moderator.name,
                     panellist=speaker.name)

    # -- the script -----------------------------------------------------------------------------

    async def perform(self, step: Step) -> None:
        handler = getattr(self, f"do_{step.do}")
        for handle in step.who:
            await handler(self.actors[handle], self.scenario.member(handle), step)

    def question_thread(self, number: int) -> simcord.ChannelHandle:
        threads = self.dialogue_channel.threads
        if len(threads) < number:
            raise DemoFailure(t(
                self.language,
                "question {n} has not been posted yet (the timeline above says when). To fix it, give the "
                "step a later “at”, or post in a question already open (1 to {open}).",
                n=number, open=len(threads),
            ) if threads else t(
                self.language,
                "no question has been posted yet (the timeline above says when). To fix it, give the step "
                "a later “at”.",
            ))
        return threads[number - 1]

    def post_channel(self, ref: str) -> simcord.ChannelHandle:
        message = self.posts[ref]
        return next(th for th in self.dialogue_channel.threads if th.id == message.channel.id)

    async def do_post(self, actor: simcord.MemberActor, member: Any, step: Step) -> None:
        thread = self.question_thread(step.get("question"))
        self.posts[step.get("ref")] = await actor.send(thread, step.get("text"))
        self.authors[step.get("ref")] = member.name
        self.say("{name} posts in question {n}: {text}", name=member.name, n=step.get("question"),
                 text=_first_line(step.get("text"), 80))

    async def do_edit(self, actor: simcord.MemberActor, member: Any, step: Step) -> None:
        await actor.edit(self.posts[step.get("ref")], step.get("text"))
        self.say("{name} edits their post", name=member.name)

    async def do_delete(self, actor: simcord.MemberActor, member: Any, step: Step) -> None:
        await actor.delete(self.posts.pop(step.get("ref")))
        self.say("{name} deletes their post", name=member.name)

    async def do_react(self, actor: simcord.MemberActor, member: Any, step: Step) -> None:
        await actor.react(self.posts[step.get("ref")], step.get("emoji"))
        self.say("{name} reacts {emoji} to {author}’s post", name=member.name, emoji=step.get("emoji"),
                 author=self.authors[step.get("ref")])

    # -- tagging and key points ---------------------------------------------------------------

    def theme_label(self, key: str) -> str:
        """A theme's name in the narration's language."""
        names = {k: name for k, name, _ in DEFAULT_THEMES}
        return t(self.language, names[key]) if key in names else key

    async def theme_ids(self) -> dict[str, int]:
        guild = self.guild.id
        dialogue = await self.bot.services.dialogues.resolve(guild, self.scenario.title)
        return {th.key: th.id for th in await self.bot.services.dialogues.themes(dialogue.id)}

    async def do_tag(self, actor: simcord.MemberActor, member: Any, step: Step) -> None:
        message = self.posts[step.get("ref")]
        thread = self.post_channel(step.get("ref"))
        shown = await actor.context_menu(thread, "Tag contribution", message)
        self.check("Tag contribution")
        if shown.response is None:
            raise DemoFailure("Tag contribution showed no menu")
        select = _component(shown.response.components, "colloquy:tags:")
        ids = await self.theme_ids()
        keys = list(step.get("themes"))  # theme keys: the scenario may name them in any language
        offered = {str(o["value"]) for o in select.get("options", [])}
        values = [str(ids[k]) for k in keys if k in ids and str(ids[k]) in offered]
        if len(values) != len(keys):
            raise DemoFailure(t(self.language, "the tag menu offers no theme {themes}",
                                themes=", ".join(self.theme_label(k) for k in keys)))
        await actor.select(shown.response, values, custom_id=select["custom_id"])
        self.check("choosing themes")
        self.say("{name} tags {author}’s post: {themes}", name=member.name, author=self.authors[step.get("ref")],
                 themes=", ".join(self.theme_label(k) for k in keys))

    async def do_keypoint(self, actor: simcord.MemberActor, member: Any, step: Step) -> None:
        await actor.context_menu(self.post_channel(step.get("ref")), "Mark key point", self.posts[step.get("ref")])
        self.check("Mark key point")
        self.say("{name} marks {author}’s post as a key point", name=member.name,
                 author=self.authors[step.get("ref")])

    async def do_keypoint_add(self, actor: simcord.MemberActor, member: Any, step: Step) -> None:
        await self.slash(actor, self.mod_channel, "keypoint add", dialogue=self.scenario.title,
                         question=step.get("question"), text=step.get("text"))
        self.say("{name} writes a key point for question {n}", name=member.name, n=step.get("question"))
        for language, text in (step.get("translations") or {}).items():
            await self.translate_item("key_point", step.get("text")[:90], language, text)
        if step.get("translations"):
            self.say("{name} gives it in {languages}", name=member.name,
                     languages=self.language_list(step.get("translations")))

    # -- the panel -------------------------------------------------------------------------------

    async def do_ask(self, actor: simcord.MemberActor, member: Any, step: Step) -> None:
        await self.slash(actor, self.panel_channel, "ask", dialogue=self.scenario.title, question=step.get("text"),
                         attribution=member.attribution)
        if member.attribution == "anonymous":
            self.say("A member asks the panel anonymously: {text}", text=_first_line(step.get("text"), 70))
        else:
            self.say("{name} asks the panel: {text}", name=member.name, text=_first_line(step.get("text"), 70))

    def _question_post(self, channel: simcord.ChannelHandle, snippet: str, prefix: str) -> tuple[discord.Message, int]:
        """The bot's post about the question containing ``snippet`` that has a ``prefix…:<id>`` button."""
        for message in reversed(channel.history()):
            if snippet.lower() in (message.content or "").lower():
                for row in message.components:
                    for item in getattr(row, "children", []):
                        custom_id = getattr(item, "custom_id", None) or ""
                        if custom_id.startswith(prefix):
                            return message, int(custom_id.rsplit(":", 1)[1])
        raise DemoFailure(t(self.language, "no question posted for review or voting contains “{words}”. To fix "
                                           "it, quote words of the question as it was asked.", words=snippet))

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
        for snippet in step.get("merge_proposed", []):
            await self.merge_proposed(actor, snippet)
        for snippet in step.get("reject", []):
            message, qid = self._question_post(self.mod_channel, snippet, "colloquy:pq:reject:")
            await actor.click(message, custom_id=f"colloquy:pq:reject:{qid}")
            self.check("Reject")
        self.say("{name} reviews the questions: {approved} approved, {merged} merged, {rejected} rejected",
                 name=member.name, approved=len(step.get("approve", [])),
                 merged=len(step.get("merge", [])) + len(step.get("merge_proposed", [])),
                 rejected=len(step.get("reject", [])))

    async def do_upvote(self, actor: simcord.MemberActor, member: Any, step: Step) -> None:
        message, qid = self._question_post(self.panel_channel, step.get("question"), "colloquy:pq:vote:")
        await actor.click(message, custom_id=f"colloquy:pq:vote:{qid}")
        self.check("Upvote")
        self.say("{name} upvotes “{question}”", name=member.name, question=_first_line(step.get("question"), 50))

    async def _question_id(self, command: str, snippet: str) -> int:
        """Type into the ``question`` option as a moderator would and take the matching suggestion."""
        choices = await self.moderator.autocomplete(
            self.mod_channel, command, "question", snippet[:90], dialogue=self.scenario.title
        )
        if not choices:
            raise DemoFailure(t(self.language, "/{command} suggests no question for “{words}”. To fix it, quote "
                                               "words of the question as it was asked.", command=command,
                                words=snippet))
        return int(choices[0]["value"])

    async def do_relay(self, actor: simcord.MemberActor, member: Any, step: Step) -> None:
        options: dict[str, Any] = {"dialogue": self.scenario.title}
        if step.get("question"):
            options["question"] = await self._question_id("panel relay", step.get("question"))
        await self.slash(actor, self.mod_channel, "panel relay", **options)
        posed = self.panel_channel.last_message
        self.live_question = _first_line(posed.content if posed else "", 500)
        self.say("{name} relays a question to the panel", name=member.name)

    async def do_answer(self, actor: simcord.MemberActor, member: Any, step: Step) -> None:
        await actor.send(self.panel_channel, step.get("text"))
        self.say("{name} answers in the panel channel", name=member.name)

    async def do_record_answer(self, actor: simcord.MemberActor, member: Any, step: Step) -> None:
        assert self.scenario.panel is not None
        speaker = next(p for p in self.scenario.panel.panellists if p.key == step.get("panellist"))
        posed = self.live_question.strip("*").strip()
        for language in LANGUAGES:  # the relay line's label, in the dialogue's language: "Q:" / "P:" / "Q :"
            posed = posed.removeprefix(t(language, "Q: {question}", question="").strip()).strip()
        snippet = (posed.rsplit(" (", 1)[0] if posed.endswith(")") else posed)[:40]
        question = await self._question_id("panel answer", snippet)
        await self.slash(actor, self.mod_channel, "panel answer", dialogue=self.scenario.title, question=question,
                         panellist=speaker.name, text=step.get("text"))
        self.say("{name} records {panellist}’s answer given on the webinar", name=member.name,
                 panellist=speaker.name)

    async def do_close_panel(self, actor: simcord.MemberActor, member: Any, step: Step) -> None:
        await self.slash(actor, self.mod_channel, "panel close", dialogue=self.scenario.title)
        self.say("{name} closes the panel", name=member.name)

    # -- the report --------------------------------------------------------------------------------

    async def export(self) -> dict[str, Path]:
        """Download the report as a moderator would, with /report export: every format in the demo's
        language, and Markdown and HTML in each other language of the dialogue."""
        files: dict[str, Path] = {}
        wanted = [(fmt, self.report_language) for fmt in ("markdown", "html", "json", "csv")]
        others = [lang for lang in self.languages if lang != self.report_language]
        wanted += [(fmt, lang) for lang in others for fmt in ("markdown", "html")]
        for fmt, lang in wanted:
            result = await self.slash(self.moderator, self.mod_channel, "report export",
                                      dialogue=self.scenario.title, format=fmt, language=lang)
            messages = [m for m in [result.response, *result.followups] if m is not None]
            attachments = [a for m in messages for a in m.attachments]
            if not attachments:
                raise DemoFailure(t(self.language, "/report export format:{format} sent no file", format=fmt))
            path = self.out_dir / attachments[0].filename
            path.write_bytes(await attachments[0].read())
            files[fmt if lang == self.report_language else f"{fmt} ({lang})"] = path
        self.say("{name} downloads the report with /report export", name=self.scenario.moderator.name)
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
