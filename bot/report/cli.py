"""``colloquy report --config PATH --dialogue ID|#ID|NAME [--language] [--format] [--output]``: a report
from the database, without Discord."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.config import load
from bot.errors import UserError
from bot.i18n import LANGUAGES

EXIT_ERROR = 1


async def _render(args: argparse.Namespace) -> str:
    from bot.clock import system_clock
    from bot.community.profiles import ProfileService
    from bot.dialogues.service import resolve_dialogue
    from bot.panel.questions import PanelQuestionService
    from bot.panel.record import PanelRecordService
    from bot.panel.service import PanelService
    from bot.report.drafts import DraftService
    from bot.report.html import render_html
    from bot.report.jsonout import render_json
    from bot.report.markdown import render_markdown
    from bot.report.service import compile_edited, csv_export
    from bot.store import open_database
    from bot.store.repositories.dialogues import DialogueRepository

    config = load(args.config)
    db = await open_database(config.storage.target)
    try:
        dialogue = await resolve_dialogue(DialogueRepository(db), args.dialogue, None)
        languages = dialogue.languages or ("en",)
        language = args.language or languages[0]
        if language not in LANGUAGES:
            raise UserError("Unknown language “{value}”: use en, es or fr.", value=language)
        if args.format == "csv":
            return await csv_export(DraftService(db, system_clock), dialogue.id, dialogue.guild_id, language)
        panels = PanelService(db, system_clock)
        questions = PanelQuestionService(db, config, system_clock, ProfileService(db, system_clock), panels)
        panel = PanelRecordService(db, panels, questions)
        report = await compile_edited(db, dialogue.id, DraftService(db, system_clock), panel=panel)
    finally:
        await db.close()
    renderers = {"markdown": render_markdown, "html": render_html, "json": render_json}
    return renderers[args.format](report, language)


def run_report_cli(args: argparse.Namespace) -> int:
    try:
        text = asyncio.run(_render(args))
    except UserError as exc:
        print(f"colloquy report: {exc.render('en')}", file=sys.stderr)
        return EXIT_ERROR
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"{args.output}: {len(text)} characters", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
