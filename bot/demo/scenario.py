"""Demo scenarios: a dialogue week written as data (TOML), validated before anything runs.

A malformed file raises :class:`ScenarioError` naming the file and the problem.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.community.profiles import ATTRIBUTIONS
from bot.config import SUPPORTED_LANGUAGES, valid_timezone
from bot.dialogues.service import DEFAULT_THEMES
from bot.i18n import LANGUAGES, t

ACTIONS = (
    "post", "edit", "delete", "react", "tag", "keypoint", "keypoint_add",
    "ask", "review", "upvote", "relay", "answer", "record_answer", "close_panel", "report_edit", "suggestion",
)
_AT = re.compile(r"^day\s+(\d+)\s+(\d{1,2}):(\d{2})$")
_WHEN = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\s+(\d{1,2}):(\d{2})$")
#: SimCord's Discord starts on 1 January 2026 (UTC): a scenario's real dates come after it.
SIMULATION_START = date(2026, 1, 1)
#: Built-in samples, by name: ``colloquy demo --scenario beijing20``.
SAMPLES = ("resistances", "beijing20")


class ScenarioError(Exception):
    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


@dataclass(frozen=True)
class Member:
    handle: str
    name: str
    organisation: str | None = None
    language: str = "en"
    attribution: str = "name"
    moderator: bool = False


@dataclass(frozen=True)
class ScenarioPanellist:
    key: str
    name: str
    title: str | None
    organisation: str | None
    member: str | None
    key_points: tuple[str, ...]
    #: The presentation's key points in the dialogue's other languages (``translations = { es = [...] }``).
    translations: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class ScenarioPanel:
    day: int
    start_time: time
    end_time: time
    panellists: tuple[ScenarioPanellist, ...]


@dataclass(frozen=True)
class Step:
    index: int
    day: int
    at: time
    who: tuple[str, ...]
    do: str
    data: dict[str, Any]

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


@dataclass(frozen=True)
class Translation:
    """A moderator's translation of the dialogue's items into one of its languages."""

    title: str | None = None
    description: str | None = None
    questions: tuple[str, ...] = ()
    further_questions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scenario:
    path: Path
    community_name: str
    language: str
    timezone: str
    title: str
    description: str
    concept_note: str | None
    start_day: int
    start_time: time
    duration_days: int
    end_time: time
    questions: tuple[str, ...]
    further_questions: tuple[str, ...]
    members: tuple[Member, ...]
    panel: ScenarioPanel | None
    steps: tuple[Step, ...] = field(default=())
    #: The dialogue's languages, its main language first; empty: the demo's --language alone.
    languages: tuple[str, ...] = ()
    #: Real dates: the dialogue's first day (``starts = "2026-10-13 09:00"``); None: ``start_day``.
    start_date: date | None = None
    #: Moderators' translations of the dialogue's items, per language (``[dialogue.translations.es]``).
    translations: dict[str, Translation] = field(default_factory=dict)

    def led_by(self, language: str) -> Scenario:
        """The same week with ``language`` as the dialogue's main language, when the scenario has the
        dialogue's texts in it: its translations become the originals and the original texts one
        more translation. So ``colloquy demo --language es`` runs a Spanish dialogue from its first post."""
        if not self.languages or language == self.languages[0] or language not in self.translations:
            return self
        main, tr = self.languages[0], self.translations[language]
        original = Translation(self.title, self.description or None, self.questions, self.further_questions)
        translations = {main: original, **{k: v for k, v in self.translations.items() if k != language}}
        steps = []
        for step in self.steps:
            given = step.get("translations")
            if step.do == "keypoint_add" and isinstance(given, dict) and language in given:
                others = {main: step.get("text"), **{k: v for k, v in given.items() if k != language}}
                step = replace(step, data={**step.data, "text": given[language], "translations": others})
            steps.append(step)
        panel = self.panel
        if panel is not None:
            panel = replace(panel, panellists=tuple(
                replace(p, key_points=p.translations[language],
                        translations={main: p.key_points, **{k: v for k, v in p.translations.items() if k != language}})
                if language in p.translations else p
                for p in panel.panellists
            ))
        return replace(
            self,
            panel=panel,
            title=tr.title or self.title,
            description=tr.description or self.description,
            questions=tr.questions or self.questions,
            further_questions=tr.further_questions or self.further_questions,
            languages=(language, *[code for code in self.languages if code != language]),
            translations=translations,
            steps=tuple(steps),
        )

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def member(self, handle: str) -> Member:
        return next(m for m in self.members if m.handle == handle)

    @property
    def moderator(self) -> Member:
        return next(m for m in self.members if m.moderator)

    def day_date(self, origin: date, day: int) -> date:
        """Calendar date of scenario day ``day`` (day 1 = the dialogue's first day)."""
        if self.start_date is not None:
            return self.start_date + timedelta(days=day - 1)
        return origin + timedelta(days=self.start_day + day - 1)

    def at(self, origin: date, day: int, clock: time) -> datetime:
        return datetime.combine(self.day_date(origin, day), clock, tzinfo=self.tz)

    def starts(self, origin: date) -> datetime:
        return self.at(origin, 1, self.start_time)

    def ends(self, origin: date) -> datetime:
        return self.at(origin, self.duration_days, self.end_time)


def default_scenario_path() -> Path:
    return sample_path("resistances")


def sample_path(name: str) -> Path:
    return Path(str(resources.files("bot") / "demo/data" / f"{name}.toml"))


def theme_key(name: str) -> str | None:
    """The default theme that ``name`` names: its key, or its name in any language Colloquy speaks
    (``challenges``, ``Challenges``, ``Desafíos``, ``Défis``), case and accents as written or not."""
    wanted = _fold(name)
    for key, msgid, _emoji in DEFAULT_THEMES:
        if wanted in {_fold(key), _fold(key.replace("_", " "))} | {_fold(t(lang, msgid)) for lang in LANGUAGES}:
            return key
    return None


def _fold(text: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _time(path: Path, where: str, value: Any) -> time:
    if not isinstance(value, str) or not re.match(r"^\d{1,2}:\d{2}$", value):
        raise ScenarioError(path, f"{where} must be a time like \"09:00\", not {value!r}")
    hours, minutes = (int(x) for x in value.split(":"))
    if hours > 23 or minutes > 59:
        raise ScenarioError(path, f"{where}: {value!r} is not a time of day")
    return time(hours, minutes)


def _str(path: Path, where: str, value: Any, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ScenarioError(path, f"{where} must be a non-empty string")
    return value.strip()


def _int(path: Path, where: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ScenarioError(path, f"{where} must be a whole number ≥ {minimum}")
    return value


def _table(path: Path, data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise ScenarioError(path, f"missing [{key}] table")
    return value


def _members(path: Path, raw: Any) -> tuple[Member, ...]:
    if not isinstance(raw, list) or not raw:
        raise ScenarioError(path, "needs at least one [[members]] entry")
    members = []
    for i, entry in enumerate(raw, 1):
        where = f"[[members]] #{i}"
        if not isinstance(entry, dict):
            raise ScenarioError(path, f"{where} must be a table")
        language = entry.get("language", "en")
        if language not in SUPPORTED_LANGUAGES:
            raise ScenarioError(path, f"{where}: language must be one of {', '.join(SUPPORTED_LANGUAGES)}")
        attribution = entry.get("attribution", "name")
        if attribution not in ATTRIBUTIONS:
            raise ScenarioError(path, f"{where}: attribution must be one of {', '.join(ATTRIBUTIONS)}")
        handle = _str(path, f"{where} handle", entry.get("handle"))
        assert handle is not None
        if not re.match(r"^[a-z0-9_.]{2,32}$", handle):
            raise ScenarioError(path, f"{where}: handle {handle!r} must be 2-32 lowercase letters, digits, _ or .")
        members.append(
            Member(
                handle=handle,
                name=_str(path, f"{where} name", entry.get("name")) or handle,
                organisation=_str(path, f"{where} organisation", entry.get("organisation"), optional=True),
                language=language,
                attribution=attribution,
                moderator=bool(entry.get("moderator", False)),
            )
        )
    handles = [m.handle for m in members]
    if len(set(handles)) != len(handles):
        raise ScenarioError(path, "two [[members]] share a handle")
    if not any(m.moderator for m in members):
        raise ScenarioError(path, "one member must have moderator = true")
    return tuple(members)


def _panel(path: Path, raw: Any, handles: set[str]) -> ScenarioPanel | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ScenarioError(path, "[panel] must be a table")
    panellists = []
    for i, entry in enumerate(raw.get("panellists", []), 1):
        where = f"[[panel.panellists]] #{i}"
        member = entry.get("member")
        if member is not None and member not in handles:
            raise ScenarioError(path, f"{where}: member {member!r} is not a [[members]] handle")
        points = entry.get("key_points", [])
        if not isinstance(points, list) or not all(isinstance(p, str) and p.strip() for p in points):
            raise ScenarioError(path, f"{where}: key_points must be a list of strings")
        given = entry.get("translations", {})
        if not isinstance(given, dict) or not all(
                isinstance(v, list) and v and all(isinstance(p, str) and p.strip() for p in v) for v in given.values()):
            raise ScenarioError(path, f"{where}: translations must map languages to lists of key points")
        panellists.append(
            ScenarioPanellist(
                key=_str(path, f"{where} key", entry.get("key")) or "",
                name=_str(path, f"{where} name", entry.get("name")) or "",
                title=_str(path, f"{where} title", entry.get("title"), optional=True),
                organisation=_str(path, f"{where} organisation", entry.get("organisation"), optional=True),
                member=member,
                key_points=tuple(points),
                translations={lang: tuple(v) for lang, v in given.items()},
            )
        )
    if not panellists:
        raise ScenarioError(path, "[panel] needs at least one [[panel.panellists]] entry")
    return ScenarioPanel(
        day=_int(path, "[panel] day", raw.get("day", 1), 1),
        start_time=_time(path, "[panel] start_time", raw.get("start_time")),
        end_time=_time(path, "[panel] end_time", raw.get("end_time")),
        panellists=tuple(panellists),
    )


_NEEDS: dict[str, tuple[str, ...]] = {
    "post": ("question", "ref", "text"),
    "edit": ("ref", "text"),
    "delete": ("ref",),
    "react": ("ref", "emoji"),
    "tag": ("ref", "themes"),
    "keypoint": ("ref",),
    "keypoint_add": ("question", "text"),
    "ask": ("text",),
    "review": (),
    "upvote": ("question",),
    "relay": (),
    "answer": ("text",),
    "record_answer": ("panellist", "text"),
    "close_panel": (),
    "report_edit": ("part",),  # text, title (a section), link and moderator (the panel), language
    "suggestion": ("question", "choice"),  # choice: accept, edit (with text) or dismiss; number (default 1)
}


def _steps(path: Path, raw: Any, handles: set[str], questions: int, duration: int) -> tuple[Step, ...]:
    if not isinstance(raw, list):
        raise ScenarioError(path, "[[script]] must be a list of steps")
    steps: list[Step] = []
    refs: set[str] = set()
    last = (0, time(0, 0))
    for i, entry in enumerate(raw, 1):
        where = f"[[script]] step {i}"
        if not isinstance(entry, dict):
            raise ScenarioError(path, f"{where} must be a table")
        match = _AT.match(str(entry.get("at", "")).strip())
        if not match:
            raise ScenarioError(path, f"{where}: at must look like \"day 2 14:30\", not {entry.get('at')!r}")
        day = int(match.group(1))
        clock = _time(path, f"{where} at", f"{match.group(2)}:{match.group(3)}")
        if day > duration:
            raise ScenarioError(path, f"{where}: day {day} is after the dialogue's last day ({duration})")
        if (day, clock) < last:
            raise ScenarioError(path, f"{where}: steps must be in time order (day {day} {clock:%H:%M} is earlier)")
        last = (day, clock)
        action = entry.get("do")
        if action not in ACTIONS:
            raise ScenarioError(path, f"{where}: unknown action {action!r}; expected one of {', '.join(ACTIONS)}")
        who_raw = entry.get("who")
        who = tuple(who_raw) if isinstance(who_raw, list) else (who_raw,)
        for handle in who:
            if handle not in handles:
                raise ScenarioError(path, f"{where}: who {handle!r} is not a [[members]] handle")
        for key in _NEEDS[action]:
            if key not in entry:
                raise ScenarioError(path, f"{where}: action {action!r} needs {key!r}")
        if action in ("post", "keypoint_add"):
            q = entry["question"]
            if isinstance(q, bool) or not isinstance(q, int) or not 1 <= q <= questions:
                raise ScenarioError(path, f"{where}: question must be a number from 1 to {questions}")
        if action == "post":
            if entry["ref"] in refs:
                raise ScenarioError(path, f"{where}: ref {entry['ref']!r} is used twice")
            refs.add(entry["ref"])
        elif "ref" in entry and entry["ref"] not in refs:
            raise ScenarioError(path, f"{where}: ref {entry['ref']!r} names no earlier post")
        if action == "suggestion" and entry["choice"] not in ("accept", "edit", "dismiss"):
            raise ScenarioError(path, f"{where}: choice must be accept, edit or dismiss")
        if action == "suggestion" and entry["choice"] == "edit" and not entry.get("text"):
            raise ScenarioError(path, f"{where}: choice \"edit\" needs the key point's new 'text'")
        if action == "report_edit" and entry["part"] not in ("introduction", "about", "panel", "section"):
            raise ScenarioError(path, f"{where}: part must be introduction, about, panel or section")
        data = {k: v for k, v in entry.items() if k not in ("at", "who", "do")}
        if action == "tag":
            data["themes"] = _themes(path, where, entry["themes"])
        steps.append(Step(i, day, clock, who, action, data))
    return tuple(steps)


def _themes(path: Path, where: str, raw: Any) -> list[str]:
    """Theme names as written in the scenario (a key, or a name in any language) → theme keys."""
    names = raw if isinstance(raw, list) else [raw]
    keys = []
    for name in names:
        key = theme_key(name) if isinstance(name, str) else None
        if key is None:
            known = ", ".join(key for key, _, _ in DEFAULT_THEMES)
            raise ScenarioError(path, f"{where}: {name!r} is not a theme; write a theme's key ({known}) or its "
                                      "name in English, Spanish or French")
        keys.append(key)
    return keys


def _when(path: Path, where: str, value: Any) -> tuple[date, time]:
    match = _WHEN.match(value.strip()) if isinstance(value, str) else None
    if not match:
        raise ScenarioError(path, f"{where} must look like \"2026-10-13 09:00\", not {value!r}")
    try:
        day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise ScenarioError(path, f"{where}: {value!r} is not a date") from None
    if day <= SIMULATION_START:
        raise ScenarioError(path, f"{where}: the simulated Discord starts on {SIMULATION_START:%Y-%m-%d}; "
                                  "choose a later date")
    return day, _time(path, where, f"{match.group(4)}:{match.group(5)}")


def _languages(path: Path, dialogue: dict[str, Any]) -> tuple[str, ...]:
    raw = dialogue.get("languages", [])
    if not isinstance(raw, list) or not all(lang in SUPPORTED_LANGUAGES for lang in raw) or len(set(raw)) != len(raw):
        raise ScenarioError(path, f"[dialogue] languages must be a list of distinct languages among "
                                  f"{', '.join(SUPPORTED_LANGUAGES)}, the main one first")
    return tuple(raw)


def _translations(path: Path, raw: Any, languages: tuple[str, ...], questions: int,
                  further: int) -> dict[str, Translation]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ScenarioError(path, "[dialogue.translations] must hold one table per language")
    found = {}
    for lang, entry in raw.items():
        where = f"[dialogue.translations.{lang}]"
        if lang not in languages[1:]:
            raise ScenarioError(path, f"{where}: {lang!r} must be one of the dialogue's other languages "
                                      f"({', '.join(languages[1:]) or 'none: set [dialogue] languages'})")
        if not isinstance(entry, dict):
            raise ScenarioError(path, f"{where} must be a table")
        texts = {}
        for key, count in (("questions", questions), ("further_questions", further)):
            value = entry.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                raise ScenarioError(path, f"{where} {key} must be a list of strings")
            if value and len(value) != count:
                raise ScenarioError(path, f"{where} {key}: {len(value)} given for {count} in [dialogue]")
            texts[key] = tuple(v.strip() for v in value)
        found[lang] = Translation(
            title=_str(path, f"{where} title", entry.get("title"), optional=True),
            description=_str(path, f"{where} description", entry.get("description"), optional=True),
            questions=texts["questions"],
            further_questions=texts["further_questions"],
        )
    return found


def resolve_path(name: str | Path | None) -> Path:
    """A scenario file, or a built-in sample's name (``beijing20``)."""
    if name is None:
        return default_scenario_path()
    if isinstance(name, str) and name in SAMPLES:
        return sample_path(name)
    return Path(name)


def load_scenario(path: str | Path | None = None) -> Scenario:
    path = resolve_path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError(path, "file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ScenarioError(path, f"not valid TOML: {exc}") from None

    community = _table(path, data, "community")
    dialogue = _table(path, data, "dialogue")
    language = community.get("language", "en")
    if language not in SUPPORTED_LANGUAGES:
        raise ScenarioError(path, f"[community] language must be one of {', '.join(SUPPORTED_LANGUAGES)}")
    timezone = community.get("timezone", "UTC")
    if not isinstance(timezone, str) or not valid_timezone(timezone):
        raise ScenarioError(path, f"[community] timezone {timezone!r} is not an IANA time zone")
    questions = dialogue.get("questions")
    if not isinstance(questions, list) or not questions or not all(isinstance(q, str) and q.strip() for q in questions):
        raise ScenarioError(path, "[dialogue] questions must be a non-empty list of strings")
    further = dialogue.get("further_questions", [])
    if not isinstance(further, list) or not all(isinstance(q, str) for q in further):
        raise ScenarioError(path, "[dialogue] further_questions must be a list of strings")
    languages = _languages(path, dialogue)
    start_date: date | None = None
    if "starts" in dialogue or "ends" in dialogue:
        start_date, start_time = _when(path, "[dialogue] starts", dialogue.get("starts"))
        end_date, end_time = _when(path, "[dialogue] ends", dialogue.get("ends"))
        if (end_date, end_time) <= (start_date, start_time):
            raise ScenarioError(path, "[dialogue] ends must come after starts")
        duration = (end_date - start_date).days + 1
    else:
        start_time = _time(path, "[dialogue] start_time", dialogue.get("start_time", "09:00"))
        end_time = _time(path, "[dialogue] end_time", dialogue.get("end_time", "17:00"))
        duration = _int(path, "[dialogue] duration_days", dialogue.get("duration_days", 7), 1)
    members = _members(path, data.get("members"))
    handles = {m.handle for m in members}
    translations = _translations(path, dialogue.get("translations"), languages, len(questions), len(further))
    panel = _panel(path, data.get("panel"), handles)
    for speaker in panel.panellists if panel else ():
        if any(lang not in languages[1:] for lang in speaker.translations):
            raise ScenarioError(path, f"[[panel.panellists]] {speaker.key}: translations must be in the dialogue's "
                                      f"other languages ({', '.join(languages[1:]) or 'none'})")
    steps = _steps(path, data.get("script", []), handles, len(questions), duration)
    for step in steps:
        given = step.get("translations")
        if given is None:
            continue
        if step.do != "keypoint_add" or not isinstance(given, dict) or not all(
                lang in languages[1:] and isinstance(text, str) and text.strip() for lang, text in given.items()):
            raise ScenarioError(path, f"[[script]] step {step.index}: translations = {{ es = \"…\" }} goes with "
                                      "keypoint_add, in the dialogue's other languages")
    return Scenario(
        path=path,
        community_name=_str(path, "[community] name", community.get("name")) or "Community",
        language=language,
        timezone=timezone,
        title=_str(path, "[dialogue] title", dialogue.get("title")) or "",
        description=(dialogue.get("description") or "").strip(),
        concept_note=_str(path, "[dialogue] concept_note", dialogue.get("concept_note"), optional=True),
        start_day=_int(path, "[dialogue] start_day", dialogue.get("start_day", 1), 1),
        start_time=start_time,
        duration_days=duration,
        end_time=end_time,
        questions=tuple(q.strip() for q in questions),
        further_questions=tuple(q.strip() for q in further),
        members=members,
        panel=panel,
        steps=steps,
        languages=languages,
        start_date=start_date,
        translations=translations,
    )
