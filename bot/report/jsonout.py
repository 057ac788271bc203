"""The report as JSON: the same content as the other formats, for other tools.

Members' words are as written (mentions neutralised, as everywhere); labels that depend on the
language (theme names, dates) are given in the requested language alongside the stable keys.
"""

from __future__ import annotations

import json
from typing import Any

from bot.report import sections as sx
from bot.report import text as tx
from bot.report.localized import localized
from bot.report.model import ConsensusItem, Group, KeyPoint, Quote, Report


def _quote(q: Quote, lang: str) -> dict[str, Any]:
    return {
        "contribution_id": q.contribution_id,
        "text": tx.member_text(q.text, lang),
        "credit": q.credit,
        "url": tx.safe_url(q.url),
        "support": q.support,
        "question": q.question,
        "notes": list(q.notes),
        "created_at": q.created_at.isoformat() if q.created_at else None,
    }


def _key_point(p: KeyPoint, lang: str) -> dict[str, Any]:
    return {
        "text": tx.member_text(p.text, lang),
        "source": p.source,
        "credit": p.credit,
        "url": tx.safe_url(p.url),
        "notes": list(p.notes),
        "support": p.support,
    }


def report_dict(report: Report, language: str | None = None) -> dict[str, Any]:
    lang = language or report.language
    report = localized(report, lang)
    panel = report.panel
    p = report.participation
    return {
        "format": "colloquy-report/1",
        "language": lang,
        "dialogue": {
            "id": report.dialogue_id,
            "guild_id": report.guild_id,
            "title": report.title,
            "heading": tx.title(report, lang),
            "description": tx.neutralise(report.description, lang),
            "concept_note": tx.safe_url(report.concept_note),
            "languages": list(report.languages),
            "timezone": report.timezone,
            "starts_at": report.starts_at.isoformat(),
            "ends_at": report.ends_at.isoformat(),
            "dates": tx.dates(report, lang),
        },
        "questions": [
            {
                "position": q.position,
                "text": q.text,
                "contributions": q.contributions,
                "key_points": [_key_point(k, lang) for k in q.key_points],
                "suggested_key_points": [_key_point(k, lang) for k in q.suggested],
            }
            for q in report.questions
        ],
        "general_key_points": [_key_point(k, lang) for k in report.general_key_points],
        "panel": None if panel is None else {
            "starts_at": panel.starts_at.isoformat() if panel.starts_at else None,
            "panellists": [
                {"name": s.name, "title": s.title, "organisation": s.organisation, "key_points": list(s.points)}
                for s in panel.panellists
            ],
            "questions": [
                {
                    "text": tx.member_text(q.text, lang),
                    "credit": q.credit,
                    "answers": [{"panellist": a.panellist, "text": tx.member_text(a.text, lang)} for a in q.answers],
                }
                for q in panel.questions
            ],
        },
        "themes": [
            {
                "key": th.key,
                "name": tx.theme_name(th, th.key, lang),
                "emoji": th.emoji,
                "contributions": th.contributions,
                "quotes": [_quote(q, lang) for q in th.quotes],
            }
            for th in report.themes
        ],
        "further_questions": [
            {"text": tx.member_text(f.text, lang), "credit": f.credit, "from_panel": f.from_panel}
            for f in report.further_questions
        ],
        "participation": {
            "participants": p.participants,
            "contributions": p.contributions,
            "per_question": [{"question": pos, "contributions": n} for pos, n in p.per_question],
            "per_theme": [{"theme": k, "contributions": n} for k, n in p.per_theme],
            "per_day": [{"date": d.isoformat(), "contributions": n} for d, n in p.per_day],
        },
        "notes": [{"number": n.number, "url": n.url, "credit": n.credit} for n in report.notes],
        "editorial": _editorial(report, lang),
    }


def _group(g: Group, lang: str) -> dict[str, Any]:
    return {
        "question": g.question,
        "representative": _quote(g.representative, lang),
        "size": g.size,
        "supporters": g.supporters,
        "agree": g.agree,
        "disagree": g.disagree,
        "sources": [{"contribution_id": q.contribution_id, "url": tx.safe_url(q.url)} for q in g.sources],
    }


def _consensus_item(item: ConsensusItem, lang: str) -> dict[str, Any]:
    return {**_group(item.group, lang), "agreement": round(item.agreement, 4),
            "divisiveness": round(item.divisiveness, 4)}


def _editorial(report: Report, lang: str) -> dict[str, Any]:
    """What the moderators' draft and the synthesis add (bot.report.editorial)."""
    front = report.front_matter(lang)
    c = report.consensus
    return {
        "about": front.about,
        "introduction": front.introduction,
        "sections": [{"title": s.title, "body": s.body} for s in front.sections],
        "panel_recording": tx.safe_url(front.panel_link),
        "moderator": front.moderator,
        "series": {
            "number": len(report.series) + 1,
            "earlier": [{"title": d.title, "starts_at": d.starts_at.isoformat(), "url": tx.safe_url(d.url)}
                        for d in report.series],
            "sentence": sx.series_sentence(report, lang, [sx.past_label(d, report.timezone, lang)
                                                          for d in report.series]) if report.series else None,
        },
        "groups": [_group(g, lang) for q in report.questions for g in q.groups],
        "untagged": [_quote(q, lang) for q in report.untagged],
        "consensus": {
            "agree_emoji": c.agree_emoji,
            "disagree_emoji": c.disagree_emoji,
            "agreed": [_consensus_item(i, lang) for i in c.agreed],
            "divided": [_consensus_item(i, lang) for i in c.divided],
        },
    }


def render_json(report: Report, language: str | None = None) -> str:
    return json.dumps(report_dict(report, language), ensure_ascii=False, indent=2) + "\n"
