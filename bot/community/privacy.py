"""Members' own data: opt out of collection, opt back in, forget me, and my data (``/privacy``).

Opting out stops collection in that server and **deletes** the member's earlier contributions there
(with their tags, support, links and key points), so they leave every count and report; it is not
undone by opting in. ``forget`` deletes every row about a member in every server: what they wrote,
asked, voted, supported and tagged on their own messages, and their profile. Where a row is someone
else's work that merely names them as its actor (a moderator's tag, a key point they wrote, a dialogue
they created), the row stays and the reference to them is cleared.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.clock import Clock, iso
from bot.community.profiles import ProfileService
from bot.contributions.service import ContributionService
from bot.store import Database

#: References to a member that are cleared (set to NULL) rather than deleted by ``forget``.
_CLEARED = (
    ("contribution_tags", "tagged_by"),
    ("key_points", "created_by"),
    ("further_questions", "created_by"),
    ("dialogues", "created_by"),
    ("panel_questions", "reviewed_by"),
    ("panellists", "user_id"),
)


@dataclass(frozen=True)
class OptOutResult:
    already: bool
    removed: int  # earlier contributions deleted


@dataclass(frozen=True)
class ForgetResult:
    contributions: int
    panel_questions: int
    votes: int
    support: int
    profiles: int


class PrivacyService:
    def __init__(
        self, db: Database, clock: Clock, profiles: ProfileService, contributions: ContributionService
    ) -> None:
        self.db = db
        self.clock = clock
        self.profiles = profiles
        self.contributions = contributions

    async def opt_out(self, guild_id: int, user_id: int) -> OptOutResult:
        already = (await self.profiles.get(guild_id, user_id)).opted_out
        await self.profiles.set_opted_out(guild_id, user_id, True)  # stops the hot path at once
        removed = await self.contributions.remove_author(user_id, guild_id)
        for table in ("contribution_support", "contribution_disagreement"):
            await self.db.execute(
                f"""DELETE FROM {table} WHERE user_id = ?
                   AND contribution_id IN (SELECT id FROM contributions WHERE guild_id = ?)""",  # noqa: S608
                (user_id, guild_id),
            )
        return OptOutResult(already, removed)

    async def opt_in(self, guild_id: int, user_id: int) -> bool:
        """Resume collection; returns whether the member had opted out."""
        was = (await self.profiles.get(guild_id, user_id)).opted_out
        await self.profiles.set_opted_out(guild_id, user_id, False)
        return was

    async def forget(self, user_id: int) -> ForgetResult:
        contributions = await self.contributions.remove_author(user_id)
        async with self.db.transaction() as conn:
            counts: dict[str, int] = {}
            for table, column in (
                ("panel_questions", "author_id"),
                ("panel_votes", "user_id"),
                ("contribution_support", "user_id"),
                ("contribution_disagreement", "user_id"),
                ("links", "shared_by"),
            ):
                done = await conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (user_id,))  # noqa: S608
                counts[table] = done.rowcount
            # Self-tags live on the member's own (already deleted) messages; any left are removed too.
            await conn.execute(
                "DELETE FROM contribution_tags WHERE tagged_by = ? AND source = 'self'", (user_id,)
            )
            for table, column in _CLEARED:
                await conn.execute(
                    f"UPDATE {table} SET {column} = NULL WHERE {column} = ?", (user_id,)  # noqa: S608
                )
            profiles = int(await conn.fetchval("SELECT count(*) FROM members WHERE user_id = ?", (user_id,)) or 0)
        await self.profiles.forget(user_id)
        return ForgetResult(
            contributions=contributions,
            panel_questions=counts["panel_questions"],
            votes=counts["panel_votes"],
            support=counts["contribution_support"],
            profiles=profiles,
        )

    async def export(self, user_id: int) -> dict[str, Any]:
        """Everything held about ``user_id``, as JSON-ready data."""
        await self.contributions.flush()
        contributions = []
        for row in await self._rows(
            """SELECT c.id, c.guild_id, d.title AS dialogue, q.position AS question, c.channel_id, c.message_id,
                      c.author_name, c.content, c.attachments, c.language, c.created_at, c.edited_at, c.is_key_point
               FROM contributions c JOIN dialogues d ON d.id = c.dialogue_id
               LEFT JOIN questions q ON q.id = c.question_id
               WHERE c.author_id = ? ORDER BY c.message_id""",
            user_id,
        ):
            row["attachments"] = json.loads(row["attachments"])
            row["is_key_point"] = bool(row["is_key_point"])
            row["tags"] = await self._rows(
                """SELECT th.key AS theme, th.name AS theme_name, t.source, t.status FROM contribution_tags t
                   JOIN themes th ON th.id = t.theme_id WHERE t.contribution_id = ? ORDER BY th.position""",
                row["id"],
            )
            row["support"] = await self.db.fetchval(
                "SELECT count(*) FROM contribution_support WHERE contribution_id = ?", (row["id"],)
            )
            contributions.append(row)
        return {
            "user_id": user_id,
            "exported_at": iso(self.clock()),
            "profiles": await self._rows(
                """SELECT guild_id, display_name, organisation, attribution, opted_out, updated_at
                   FROM members WHERE user_id = ?""",
                user_id,
            ),
            "contributions": contributions,
            "support_given": await self._rows(
                """SELECT s.contribution_id, s.emoji, c.message_id FROM contribution_support s
                   JOIN contributions c ON c.id = s.contribution_id WHERE s.user_id = ?""",
                user_id,
            ),
            "disagreement_given": await self._rows(
                """SELECT d.contribution_id, d.emoji, c.message_id FROM contribution_disagreement d
                   JOIN contributions c ON c.id = d.contribution_id WHERE d.user_id = ?""",
                user_id,
            ),
            "tags_given": await self._rows(
                """SELECT t.contribution_id, th.key AS theme, t.source, t.status, t.created_at
                   FROM contribution_tags t JOIN themes th ON th.id = t.theme_id WHERE t.tagged_by = ?""",
                user_id,
            ),
            "links_shared": await self._rows(
                "SELECT dialogue_id, url, shared_at FROM links WHERE shared_by = ? ORDER BY shared_at", user_id
            ),
            "key_points_written": await self._rows(
                "SELECT dialogue_id, text, source, created_at FROM key_points WHERE created_by = ?", user_id
            ),
            "panel_questions": await self._rows(
                """SELECT id, panel_id, text, attribution, asker_name, asker_organisation, status, created_at
                   FROM panel_questions WHERE author_id = ? ORDER BY id""",
                user_id,
            ),
            "panel_votes": await self._rows(
                "SELECT question_id, created_at FROM panel_votes WHERE user_id = ?", user_id
            ),
            "panellist": await self._rows(
                "SELECT panel_id, name, title, organisation, presentation FROM panellists WHERE user_id = ?",
                user_id,
            ),
        }

    async def _rows(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        return [dict(r) for r in await self.db.fetchall(sql, params)]
