"""Configuration: ``config.toml`` parsed with :mod:`tomllib` into frozen dataclasses.

Every key is documented in ``config.example.toml``. A bad file raises :class:`ConfigError`, whose
message names the file and the key; the CLI prints it and exits with status 2 (no traceback).
The token is never part of ``repr`` and never logged.
"""

from __future__ import annotations

import functools
import os
import tomllib
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SUPPORTED_LANGUAGES = ("en", "es", "fr")

#: Keyword rules for automatic theme suggestions, per language and default theme key.
#: A contribution containing one of the words (case-insensitive, word start) is suggested that theme.
DEFAULT_KEYWORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "understanding": ("understand", "concept", "definition", "means", "meaning", "nature of"),
        "challenges": ("challenge", "difficult", "obstacle", "barrier", "problem", "resist", "struggle"),
        "recommendations": ("recommend", "should", "must", "need to", "suggest", "propose"),
        "good_practices": ("good practice", "worked well", "in our experience", "we did", "successful"),
        "resources": ("http://", "https://", "toolkit", "manual", "guide", "publication", "resource"),
    },
    "es": {
        "understanding": ("entender", "comprender", "concepto", "definición", "significa"),
        "challenges": ("desafío", "reto", "difícil", "obstáculo", "barrera", "problema", "resistencia"),
        "recommendations": ("recomiend", "debería", "debemos", "hay que", "sugiero", "propongo"),
        "good_practices": ("buena práctica", "buenas prácticas", "funcionó", "nuestra experiencia"),
        "resources": ("http://", "https://", "manual", "guía", "publicación", "recurso"),
    },
    "fr": {
        "understanding": ("comprendre", "concept", "définition", "signifie"),
        "challenges": ("défi", "difficile", "obstacle", "barrière", "problème", "résistance"),
        "recommendations": ("recommand", "devrait", "devons", "il faut", "suggère", "propose"),
        "good_practices": ("bonne pratique", "bonnes pratiques", "a fonctionné", "notre expérience"),
        "resources": ("http://", "https://", "manuel", "guide", "publication", "ressource"),
    },
}


class ConfigError(Exception):
    """A configuration problem, already phrased for the person who wrote the file."""

    def __init__(self, path: str | Path, key: str | None, problem: str) -> None:
        self.path = str(path)
        self.key = key
        self.problem = problem
        where = f"{self.path}: [{key}]" if key else self.path
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class BotConfig:
    token: str | None = field(default=None, repr=False)
    dev_guild_id: int | None = None
    log_level: str = "INFO"
    #: Discord sharding (DESIGN.md "Scale path"): the total number of shards, and the ones this
    #: process runs (None: all of them). None/None: one unsharded process.
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None


#: The environment variable that names the store, winning over ``[storage]`` (keeps passwords out of files).
DATABASE_URL_ENV = "COLLOQUY_DATABASE_URL"
_STORE_SCHEMES = ("sqlite:///", "postgresql://", "postgres://")


@dataclass(frozen=True)
class StorageConfig:
    path: Path = Path("colloquy.sqlite3")
    #: ``sqlite:///PATH`` or ``postgresql://USER@HOST:PORT/DATABASE``; wins over ``path`` when set.
    url: str | None = field(default=None, repr=False)

    @property
    def target(self) -> str | Path:
        """What :func:`bot.store.open_database` opens: the URL if one is set, else the file."""
        return self.url or self.path


@dataclass(frozen=True)
class DefaultsConfig:
    language: str = "en"
    timezone: str = "UTC"


@dataclass(frozen=True)
class ScheduleConfig:
    grace_period_hours: float = 6.0
    reminder_hours_before_close: float = 24.0


@dataclass(frozen=True)
class ContributionsConfig:
    batch_size: int = 200
    flush_interval_seconds: float = 0.5
    keywords: Mapping[str, Mapping[str, tuple[str, ...]]] = field(
        default_factory=lambda: DEFAULT_KEYWORDS
    )


@dataclass(frozen=True)
class PanelConfig:
    max_pending_questions_per_member: int = 3


@dataclass(frozen=True)
class Config:
    bot: BotConfig = field(default_factory=BotConfig)
    storage: StorageConfig = field(default_factory=StorageConfig)
    defaults: DefaultsConfig = field(default_factory=DefaultsConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    contributions: ContributionsConfig = field(default_factory=ContributionsConfig)
    panel: PanelConfig = field(default_factory=PanelConfig)
    source: Path | None = None

    @property
    def token(self) -> str | None:
        """The bot token: ``DISCORD_TOKEN`` wins over the file."""
        return os.environ.get("DISCORD_TOKEN") or self.bot.token


_SECTIONS: dict[str, dict[str, tuple[type, ...]]] = {
    "bot": {"token": (str,), "dev_guild_id": (int,), "log_level": (str,), "shard_count": (int,), "shard_ids": (list,)},
    "storage": {"path": (str,), "url": (str,)},
    "defaults": {"language": (str,), "timezone": (str,)},
    "schedule": {"grace_period_hours": (int, float), "reminder_hours_before_close": (int, float)},
    "contributions": {"batch_size": (int,), "flush_interval_seconds": (int, float), "keywords": (dict,)},
    "panel": {"max_pending_questions_per_member": (int,)},
}
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


#: tzdata entries that are not places: a placeholder zone and the system's own links.
_NOT_PLACES = frozenset({"Factory", "localtime", "posixrules"})


@functools.cache
def known_timezones() -> frozenset[str]:
    """The IANA zone names a dialogue, a server or a panel may use (``zoneinfo.available_timezones()``)."""
    return frozenset(zoneinfo.available_timezones() - _NOT_PLACES)


def _store_url(path: Path, url: str | None) -> str | None:
    """The store URL: ``COLLOQUY_DATABASE_URL`` wins over ``[storage] url``; a relative SQLite URL is
    relative to the config file, like ``path``."""
    env = os.environ.get(DATABASE_URL_ENV)
    key = DATABASE_URL_ENV if env else "storage.url"
    url = env or url or None
    if url is None:
        return None
    if not url.startswith(_STORE_SCHEMES):
        raise ConfigError(path, key, "must be sqlite:///PATH or postgresql://USER@HOST:PORT/DATABASE")
    if url.startswith("sqlite:///"):
        file = Path(url[len("sqlite:///") :]).expanduser()
        return f"sqlite:///{file if file.is_absolute() else path.parent / file}"
    return url


def check_shards(
    count: int | None, ids: Any, error: Callable[[str, str], Exception]
) -> tuple[int | None, tuple[int, ...] | None]:
    """Validate a shard count and the shard ids of this process (``error(key, problem)`` builds the
    exception to raise). Ids without a count make no sense; a count without ids means all shards."""
    if count is None:
        if ids:
            raise error("bot.shard_ids", "needs bot.shard_count")
        return None, None
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise error("bot.shard_count", "must be a positive number")
    if ids is None or ids == []:
        return count, None
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise error("bot.shard_ids", "must be a list of shard numbers")
    chosen = tuple(sorted(set(ids)))
    if chosen[0] < 0 or chosen[-1] >= count:
        raise error("bot.shard_ids", f"shard numbers go from 0 to {count - 1}")
    return count, chosen


def valid_timezone(name: str) -> bool:
    """A known IANA name only: never opened as a path (``Europe`` is a directory, 300 characters an OSError)."""
    if not isinstance(name, str) or name not in known_timezones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def _check_types(path: Path, data: Mapping[str, Any]) -> None:
    for section, values in data.items():
        if section not in _SECTIONS:
            raise ConfigError(path, section, f"unknown section; expected one of {', '.join(_SECTIONS)}")
        if not isinstance(values, dict):
            raise ConfigError(path, section, "must be a table")
        for key, value in values.items():
            allowed = _SECTIONS[section]
            if key not in allowed:
                raise ConfigError(path, f"{section}.{key}", f"unknown key; expected one of {', '.join(allowed)}")
            types = allowed[key]
            if isinstance(value, bool) or not isinstance(value, types):
                expected = " or ".join(t.__name__ for t in types)
                raise ConfigError(path, f"{section}.{key}", f"must be {expected}, not {type(value).__name__}")


def _keywords(path: Path, raw: Mapping[str, Any]) -> dict[str, dict[str, tuple[str, ...]]]:
    merged = {lang: dict(rules) for lang, rules in DEFAULT_KEYWORDS.items()}
    for lang, rules in raw.items():
        key = f"contributions.keywords.{lang}"
        if lang not in SUPPORTED_LANGUAGES:
            raise ConfigError(path, key, f"unsupported language; expected one of {', '.join(SUPPORTED_LANGUAGES)}")
        if not isinstance(rules, dict):
            raise ConfigError(path, key, "must be a table of theme = [words]")
        for theme, words in rules.items():
            if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
                raise ConfigError(path, f"{key}.{theme}", "must be a list of non-empty strings")
            merged[lang][theme] = tuple(w.strip().lower() for w in words)
    return merged


def parse(data: Mapping[str, Any], path: Path) -> Config:
    """Build a :class:`Config` from already-decoded TOML ``data``; ``path`` is used in errors."""
    _check_types(path, data)
    bot = dict(data.get("bot", {}))
    storage = dict(data.get("storage", {}))
    defaults = dict(data.get("defaults", {}))
    schedule = dict(data.get("schedule", {}))
    contributions = dict(data.get("contributions", {}))
    panel = dict(data.get("panel", {}))

    level = str(bot.get("log_level", "INFO")).upper()
    if level not in _LOG_LEVELS:
        raise ConfigError(path, "bot.log_level", f"must be one of {', '.join(_LOG_LEVELS)}")
    guild = bot.get("dev_guild_id") or None
    if guild is not None and guild < 0:
        raise ConfigError(path, "bot.dev_guild_id", "must be a Discord server id (a positive number)")

    language = defaults.get("language", "en")
    if language not in SUPPORTED_LANGUAGES:
        raise ConfigError(path, "defaults.language", f"must be one of {', '.join(SUPPORTED_LANGUAGES)}")
    tz = defaults.get("timezone", "UTC")
    if not valid_timezone(tz):
        raise ConfigError(path, "defaults.timezone", f"unknown time zone {tz!r} (use an IANA name like Europe/Paris)")

    for key in ("grace_period_hours", "reminder_hours_before_close"):
        if key in schedule and schedule[key] < 0:
            raise ConfigError(path, f"schedule.{key}", "must not be negative")
    if contributions.get("batch_size", 1) < 1:
        raise ConfigError(path, "contributions.batch_size", "must be at least 1")
    if contributions.get("flush_interval_seconds", 1) <= 0:
        raise ConfigError(path, "contributions.flush_interval_seconds", "must be greater than 0")
    if panel.get("max_pending_questions_per_member", 1) < 1:
        raise ConfigError(path, "panel.max_pending_questions_per_member", "must be at least 1")

    db_path = Path(storage.get("path", "colloquy.sqlite3")).expanduser()
    if not db_path.is_absolute():
        db_path = path.parent / db_path
    shard_count, shard_ids = check_shards(
        bot.get("shard_count"), bot.get("shard_ids"), lambda key, problem: ConfigError(path, key, problem)
    )
    return Config(
        bot=BotConfig(
            token=bot.get("token") or None, dev_guild_id=guild, log_level=level,
            shard_count=shard_count, shard_ids=shard_ids,
        ),
        storage=StorageConfig(path=db_path, url=_store_url(path, storage.get("url"))),
        defaults=DefaultsConfig(language=language, timezone=tz),
        schedule=ScheduleConfig(
            **{k: float(v) for k, v in schedule.items()},
        ),
        contributions=ContributionsConfig(
            batch_size=contributions.get("batch_size", 200),
            flush_interval_seconds=float(contributions.get("flush_interval_seconds", 0.5)),
            keywords=_keywords(path, contributions.get("keywords", {})),
        ),
        panel=PanelConfig(**panel),
        source=path,
    )


def load(path: str | Path) -> Config:
    """Read and validate ``path``. Relative storage paths are resolved against the file's folder."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(path, None, "file not found (copy config.example.toml to start)") from None
    except OSError as exc:
        raise ConfigError(path, None, f"cannot be read: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(path, None, f"is not valid TOML: {exc}") from None
    return parse(data, path.resolve())


def for_database(db_path: str | Path, **overrides: Any) -> Config:
    """A default configuration around ``db_path``, a SQLite file or a store URL (tests and the demo)."""
    text = str(db_path)
    storage = StorageConfig(url=text) if "://" in text else StorageConfig(path=Path(db_path))
    config = Config(storage=storage)
    if overrides:
        from dataclasses import replace

        config = replace(config, **overrides)
    return config
