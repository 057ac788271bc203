"""The ``colloquy`` command line: run · demo · report · sync · check-config."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from collections.abc import Callable, Sequence

from bot.config import Config, ConfigError, check_shards, load
from bot.store import SchemaTooNew, StoreError, redact

EXIT_USAGE = 2
DEFAULT_CONFIG = "config.toml"


class _TokenFilter(logging.Filter):
    """Belt and braces: a token never reaches a log line, whatever logs it."""

    def __init__(self, token: str | None) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if self.token and self.token in record.getMessage():
            record.msg = record.getMessage().replace(self.token, "[token]")
            record.args = ()
        return True


def _logging(config: Config) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    handler.addFilter(_TokenFilter(config.token))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(config.bot.log_level)
    logging.getLogger("discord").setLevel(max(logging.INFO, root.level))


def _load(path: str) -> Config:
    return load(path)


def cmd_check_config(args: argparse.Namespace) -> int:
    config = _load(args.path)
    print(f"{args.path}: OK")
    print(f"  database: {redact(config.storage.target)}")
    print(f"  default language: {config.defaults.language}, time zone: {config.defaults.timezone}")
    print(f"  token: {'set' if config.token else 'missing (set DISCORD_TOKEN)'}")
    return 0


def _require_token(config: Config) -> str:
    token = config.token
    if not token:
        raise ConfigError(
            config.source or DEFAULT_CONFIG, "bot.token", "no token: set DISCORD_TOKEN or [bot] token"
        )
    return token


def _with_shards(config: Config, args: argparse.Namespace) -> Config:
    """``--shard-count`` / ``--shard-ids`` win over ``[bot] shard_count`` / ``shard_ids``."""
    if args.shard_count is None and args.shard_ids is None:
        return config
    from dataclasses import replace

    count = args.shard_count if args.shard_count is not None else config.bot.shard_count
    ids = args.shard_ids if args.shard_ids is not None else config.bot.shard_ids

    def error(key: str, problem: str) -> Exception:
        return ConfigError("command line", "--" + key.split(".")[1].replace("_", "-"), problem)

    count, chosen = check_shards(count, list(ids) if ids is not None else None, error)
    return replace(config, bot=replace(config.bot, shard_count=count, shard_ids=chosen))


def _shard_ids(value: str) -> list[int]:
    try:
        return [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("use shard numbers separated by commas, e.g. 0,1") from None


def cmd_migrate(args: argparse.Namespace) -> int:
    config = _load(args.config)
    from bot.store import migrate

    applied = asyncio.run(migrate(config.storage.target))
    where = redact(config.storage.target)
    if applied:
        print(f"{where}: applied {len(applied)} migration(s): {', '.join(applied)}")
    else:
        print(f"{where}: up to date, no migration to apply")
    return 0


def cmd_copy_store(args: argparse.Namespace) -> int:
    from bot.store.copy import run_copy_cli

    return run_copy_cli(args.source, args.target, force=args.force)


def cmd_run(args: argparse.Namespace) -> int:
    config = _with_shards(_load(args.config), args)
    token = _require_token(config)
    _logging(config)
    from bot.client import create_bot

    async def main() -> None:
        async with create_bot(config) as bot:
            await bot.start(token)

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    config = _load(args.config)
    token = _require_token(config)
    _logging(config)
    import discord

    from bot.client import create_bot

    async def main() -> None:
        bot = create_bot(config)
        async with bot:
            await bot.login(token)  # runs setup_hook: the cogs and the translator are loaded
            if args.guild:
                guild = discord.Object(args.guild)
                bot.tree.copy_global_to(guild=guild)
                synced = await bot.tree.sync(guild=guild)
            else:
                synced = await bot.tree.sync()
            print(f"synced {len(synced)} commands {'to guild ' + str(args.guild) if args.guild else 'globally'}")

    asyncio.run(main())
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from bot.demo import run_demo_cli

    return run_demo_cli(args)


def cmd_report(args: argparse.Namespace) -> int:
    from bot.report.cli import run_report_cli

    return run_report_cli(args)


def _speed(value: str) -> float | None:
    """``max`` → None (no waiting); otherwise a positive number of virtual seconds per real second."""
    if value == "max":
        return None
    try:
        speed = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError("use max or a positive number (virtual seconds per real second)") from None
    if speed <= 0:
        raise argparse.ArgumentTypeError("must be positive")
    return speed


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="colloquy", description="Run moderated Virtual Dialogues in Discord.")
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the bot (token from DISCORD_TOKEN or the config)")
    run.add_argument("--config", default=DEFAULT_CONFIG, help="configuration file (default: config.toml)")
    run.add_argument("--shard-count", type=int, default=None, help="Discord shards in all (default: [bot] shard_count)")
    run.add_argument(
        "--shard-ids", type=_shard_ids, default=None,
        help="the shards this process runs, e.g. 0,1 (default: [bot] shard_ids, else all)",
    )
    run.set_defaults(func=cmd_run)

    migrate = sub.add_parser("migrate", help="apply pending database migrations and say which ran")
    migrate.add_argument("--config", default=DEFAULT_CONFIG)
    migrate.set_defaults(func=cmd_migrate)

    copy = sub.add_parser("copy-store", help="copy every row from one store to another (SQLite ⇄ PostgreSQL)")
    copy.add_argument("--from", dest="source", required=True, help="a SQLite path or URL, or a postgresql:// URL")
    copy.add_argument("--to", dest="target", required=True, help="the store to fill (migrated first; must be empty)")
    copy.add_argument("--force", action="store_true", help="empty a non-empty target first")
    copy.set_defaults(func=cmd_copy_store)

    demo = sub.add_parser("demo", help="offline: a sample dialogue week inside SimCord, then the report")
    demo.add_argument("--out", default="colloquy-demo", help="where the report files go (default: ./colloquy-demo)")
    demo.add_argument("--language", default=None,
                      help="the language of the narration, the dialogue and the report: en, es or fr")
    demo.add_argument("--scenario", default=None,
                      help="a scenario file (TOML), or a sample: resistances (the default), beijing20")
    demo.add_argument(
        "--speed", default="max", type=_speed,
        help="how fast the virtual week plays: max (default) or virtual seconds per real second, "
             "e.g. 86400 for a day per second",
    )
    demo.add_argument("--quiet", action="store_true", help="print only the report files, not the transcript")
    demo.set_defaults(func=cmd_demo)

    report = sub.add_parser("report", help="write a dialogue's report from the database, without Discord")
    report.add_argument("--config", default=DEFAULT_CONFIG)
    report.add_argument("--dialogue", required=True, help="dialogue title, id or #id")
    report.add_argument("--language", default=None)
    report.add_argument("--format", default="markdown", choices=["markdown", "html", "json", "csv"])
    report.add_argument("--output", default=None, help="file to write (default: standard output)")
    report.set_defaults(func=cmd_report)

    sync = sub.add_parser("sync", help="publish the slash commands (globally, or to one server)")
    sync.add_argument("--config", default=DEFAULT_CONFIG)
    sync.add_argument("--guild", type=int, default=None, help="a server id: sync there only (instant)")
    sync.set_defaults(func=cmd_sync)

    check = sub.add_parser("check-config", help="validate a configuration file")
    check.add_argument("path", nargs="?", default=DEFAULT_CONFIG)
    check.set_defaults(func=cmd_check_config)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except ConfigError as exc:
        print(f"colloquy: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (StoreError, SchemaTooNew) as exc:
        print(f"colloquy: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _entry() -> None:  # pragma: no cover - the console script
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
