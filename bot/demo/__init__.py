"""The offline demo: the real bot inside SimCord, a scenario week in virtual time, the report on disk."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot.config import SUPPORTED_LANGUAGES
from bot.demo.scenario import ScenarioError, load_scenario
from bot.i18n import t


def run_demo_cli(args: argparse.Namespace) -> int:
    from bot.demo.runner import DemoFailure, DemoRun

    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as exc:
        print(f"colloquy demo: scenario error: {exc}", file=sys.stderr)
        return 2
    if args.language is not None and args.language not in SUPPORTED_LANGUAGES:
        print(f"colloquy demo: --language must be one of {', '.join(SUPPORTED_LANGUAGES)}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    run = DemoRun(scenario, Path(args.out), args.language, (lambda _line: None) if args.quiet else print,
                  speed=args.speed)
    try:
        result = asyncio.run(run.run())
    except DemoFailure as exc:
        print(t(run.language, "colloquy demo: the demo stopped: {problem}", problem=exc), file=sys.stderr)
        return 1
    lang = run.language
    print()
    print(t(lang, "Done: {days} days of the dialogue in virtual time, {posts} posts by Colloquy.",
            days=scenario.duration_days, posts=result.posts_by_bot))
    print(t(lang, "Report files:"))
    width = max(len(kind) for kind in [*result.files, "database"])
    for kind, path in result.files.items():
        print(f"  {kind:{width}} {path}")
    print(f"  {'database':{width}} {result.database}")
    return 0
