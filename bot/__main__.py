"""The ``colloquy`` command line: run · demo · report · sync · check-config."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from collections.abc import Callable, Sequence

from bot.config import Config, ConfigError, load

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
    print(f"  database: {config.storage.path}")
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


def cmd_run(args: argparse.Namespace) -> int:
    config = _load(args.config)
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
    run.set_defaults(func=cmd_run)

    demo = sub.add_parser("demo", help="offline: a sample dialogue week inside SimCord, then the report")
    demo.add_argument("--out", default="colloquy-demo", help="where the report files go (default: ./colloquy-demo)")
    demo.add_argument("--language", default=None, help="the dialogue's language: en, es or fr")
    demo.add_argument("--scenario", default=None, help="a scenario file (TOML) to act out instead of the sample")
    demo.add_argument(
        "--speed", default="max", type=_speed,
        help="how fast the virtual week plays: max (default) or virtual seconds per real second, "
             "e.g. 86400 for a day per second",
    )
    demo.add_argument("--quiet", action="store_true", help="print only the report files, not the transcript")
    demo.set_defaults(func=cmd_demo)

    report = sub.add_parser("report", help="write a dialogue's report from the database, without Discord")
    report.add_argument("--config", default=DEFAULT_CONFIG)
    report.add_argument("--dialogue", required=True, help="dialogue id or title")
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


def _entry() -> None:  # pragma: no cover - the console script
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
