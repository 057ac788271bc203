"""The SQL of the community: guild settings, member profiles, and a member's data (privacy).

Rows are returned as rows (``row["column"]``); the services build their dataclasses.
"""

from __future__ import annotations

from typing import Any

from bot.store.base import Database, Row, row_dict

#: What ``forget`` deletes outright: (table, the column naming the member).
FORGET_DELETED = (
    ("panel_questions", "author_id"),
    ("panel_votes", "user_id"),
    ("contribution_support", "user_id"),
    ("contribution_disagreement", "user_id"),
    ("links", "shared_by"),
)
#: References to a member that ``forget`` clears (sets to NULL) rather than deletes: someone else's work.
FORGET_CLEARED = (
    ("contribution_tags", "tagged_by"),
    ("key_points", "created_by"),
    ("further_questions", "created_by"),
    ("dialogues", "created_by"),
    ("panel_questions", "reviewed_by"),
    ("panellists", "user_id"),
    ("report_parts", "updated_by"),
    ("report_hidden", "hidden_by"),
    ("report_hidden_questions", "hidden_by"),
    ("report_suggestions", "decided_by"),
)


class CommunityRepository:
    """Reads and writes guild settings, profiles, and what is held about a member."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- guild settings ----------------------------------------------------------------------------

    async def guild_settings(self, guild_id: int) -> Row | None:
        return await self.db.fetchone("SELECT * FROM guild_settings WHERE guild_id = ?", (guild_id,))

    async def save_guild_settings(
        self,
        guild_id: int,
        *,
        moderator_role_id: int | None,
        mod_channel_id: int | None,
        summary_channel_id: int | None,
        language: str,
        timezone: str,
        updated_at: str,
    ) -> None:
        await self.db.execute(
            """INSERT INTO guild_settings (guild_id, moderator_role_id, mod_channel_id, summary_channel_id,
                                           language, timezone, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (guild_id) DO UPDATE SET
                   moderator_role_id = excluded.moderator_role_id,
                   mod_channel_id = excluded.mod_channel_id,
                   summary_channel_id = excluded.summary_channel_id,
                   language = excluded.language,
                   timezone = excluded.timezone,
                   updated_at = excluded.updated_at""",
            (guild_id, moderator_role_id, mod_channel_id, summary_channel_id, language, timezone, updated_at),
        )

    # -- profiles ----------------------------------------------------------------------------------

    async def member(self, guild_id: int, user_id: int) -> Row | None:
        return await self.db.fetchone("SELECT * FROM members WHERE guild_id = ? AND user_id = ?", (guild_id, user_id))

    async def save_member(
        self,
        guild_id: int,
        user_id: int,
        *,
        display_name: str | None,
        organisation: str | None,
        attribution: str,
        opted_out: bool,
        updated_at: str,
    ) -> None:
        await self.db.execute(
            """INSERT INTO members (guild_id, user_id, display_name, organisation, attribution, opted_out, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (guild_id, user_id) DO UPDATE SET
                   display_name = excluded.display_name, organisation = excluded.organisation,
                   attribution = excluded.attribution, opted_out = excluded.opted_out,
                   updated_at = excluded.updated_at""",
            (guild_id, user_id, display_name, organisation, attribution, int(opted_out), updated_at),
        )

    async def opted_out_members(self) -> set[tuple[int, int]]:
        """(guild, user) of every member who opted out."""
        rows = await self.db.fetchall("SELECT guild_id, user_id FROM members WHERE opted_out = 1")
        return {(r["guild_id"], r["user_id"]) for r in rows}

    async def profile_count(self, user_id: int) -> int:
        return int(await self.db.fetchval("SELECT count(*) FROM members WHERE user_id = ?", (user_id,)) or 0)

    async def delete_profiles(self, user_id: int) -> None:
        await self.db.execute("DELETE FROM members WHERE user_id = ?", (user_id,))

    # -- privacy -----------------------------------------------------------------------------------

    async def delete_reactions_in_guild(self, guild_id: int, user_id: int) -> None:
        """The member's support and disagreement reactions on contributions of ``guild_id``."""
        for table in ("contribution_support", "contribution_disagreement"):
            await self.db.execute(
                f"""DELETE FROM {table} WHERE user_id = ?
                   AND contribution_id IN (SELECT id FROM contributions WHERE guild_id = ?)""",  # noqa: S608
                (user_id, guild_id),
            )

    async def forget_member(self, user_id: int) -> dict[str, int]:
        """Delete what the member did and clear their name from others' work (call inside a
        transaction); returns the rows deleted per table of :data:`FORGET_DELETED`."""
        counts: dict[str, int] = {}
        for table, column in FORGET_DELETED:
            done = await self.db.execute(f"DELETE FROM {table} WHERE {column} = ?", (user_id,))  # noqa: S608
            counts[table] = done.rowcount
        # Self-tags live on the member's own (already deleted) messages; any left are removed too.
        await self.db.execute("DELETE FROM contribution_tags WHERE tagged_by = ? AND source = 'self'", (user_id,))
        for table, column in FORGET_CLEARED:
            await self.db.execute(f"UPDATE {table} SET {column} = NULL WHERE {column} = ?", (user_id,))  # noqa: S608
        return counts

    async def _rows(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        return [row_dict(r) for r in await self.db.fetchall(sql, params)]

    async def export(self, user_id: int) -> dict[str, list[dict[str, Any]]]:
        """Every row held about ``user_id``, by section, as plain dicts (JSON-ready but for the
        ``attachments`` text and the 0/1 flags, which the service decodes)."""
        contributions = await self._rows(
            """SELECT c.id, c.guild_id, d.title AS dialogue, q.position AS question, c.channel_id, c.message_id,
                      c.author_name, c.content, c.attachments, c.language, c.created_at, c.edited_at, c.is_key_point
               FROM contributions c JOIN dialogues d ON d.id = c.dialogue_id
               LEFT JOIN questions q ON q.id = c.question_id
               WHERE c.author_id = ? ORDER BY c.message_id""",
            user_id,
        )
        for row in contributions:
            row["tags"] = await self._rows(
                """SELECT th.key AS theme, th.name AS theme_name, t.source, t.status FROM contribution_tags t
                   JOIN themes th ON th.id = t.theme_id WHERE t.contribution_id = ? ORDER BY th.position""",
                row["id"],
            )
            row["support"] = await self.db.fetchval(
                "SELECT count(*) FROM contribution_support WHERE contribution_id = ?", (row["id"],)
            )
        return {
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
            "panel_answers": await self._rows(
                """SELECT a.question_id, q.text AS question, p.panel_id, a.text, a.message_id, a.created_at
                   FROM panel_answers a JOIN panellists p ON p.id = a.panellist_id
                   JOIN panel_questions q ON q.id = a.question_id
                   WHERE p.user_id = ? ORDER BY a.created_at, a.id""",
                user_id,
            ),
        }

    async def panel_posts_of(self, user_id: int) -> list[Row]:
        """The bot's own posts that show a member's panel questions (their review post, the public
        question with its Upvote button, the relay line), with the channels they were posted in."""
        return list(await self.db.fetchall(
            """SELECT q.id, q.panel_id, q.merged_into, q.review_message_id, q.public_message_id,
                      q.relay_message_id, p.channel_id AS panel_channel_id, g.mod_channel_id
               FROM panel_questions q JOIN panels p ON p.id = q.panel_id
               JOIN dialogues d ON d.id = p.dialogue_id
               LEFT JOIN guild_settings g ON g.guild_id = d.guild_id
               WHERE q.author_id = ? ORDER BY q.id""",
            (user_id,),
        ))

    async def questions_merged_from(self, question_ids: list[int]) -> list[Row]:
        """Other members' questions that ``question_ids`` were merged into (their posts credit them)."""
        if not question_ids:
            return []
        marks = ", ".join("?" for _ in question_ids)
        return list(await self.db.fetchall(
            f"""SELECT DISTINCT q.merged_into AS id, t.panel_id FROM panel_questions q
                JOIN panel_questions t ON t.id = q.merged_into
                WHERE q.id IN ({marks}) AND q.merged_into IS NOT NULL""",  # noqa: S608
            tuple(question_ids),
        ))
