"""The report feature's SQL: what a report reads across features, the week summary's figures, and
what was published. Portable SQL."""

from __future__ import annotations

from typing import Any

from bot.store.base import Database, Row

# Every contribution a week summary may show, with what its author chose for attribution and its
# support (distinct members other than the author who reacted). Opted-out authors are filtered in SQL.
_CONTRIBUTIONS = """
SELECT c.id, c.question_id, c.guild_id, c.channel_id, c.message_id, c.author_id, c.author_name, c.content,
       c.created_at, c.is_key_point, m.display_name, m.organisation, m.attribution,
       (SELECT count(DISTINCT s.user_id) FROM contribution_support s
         WHERE s.contribution_id = c.id AND s.user_id != c.author_id) AS support
FROM contributions c
LEFT JOIN members m ON m.guild_id = c.guild_id AND m.user_id = c.author_id
WHERE c.dialogue_id = ? AND coalesce(m.opted_out, 0) = 0"""

# Constant fragments only (no user input is ever formatted into SQL).
_IN_WEEK = _CONTRIBUTIONS + " AND c.created_at >= ? AND c.created_at < ?"

# -- the report: aggregated in SQL, so the texts of all contributions never leave the database ------
# Members who opted out of a guild. Parameter: guild id.
_OPTED_OUT = "SELECT m.user_id FROM members m WHERE m.guild_id = ? AND m.opted_out = 1"

# A contribution is visible unless its author opted out. Parameters: (dialogue id, guild id).
_VISIBLE = f"c.dialogue_id = ? AND c.author_id NOT IN ({_OPTED_OUT})"

# A contribution's support: distinct members other than its author who reacted. Correlated, so it is
# computed only for the few rows shown (by the support table's primary key).
SUPPORT_OF = """(SELECT count(DISTINCT s.user_id) FROM contribution_support s
                 WHERE s.contribution_id = c.id AND s.user_id != c.author_id)"""

#: The columns of a shown contribution, by index as the compile reads them (support last).
SHOWN = "c.id, c.question_id, c.channel_id, c.message_id, c.author_id, c.author_name, c.content, c.created_at, " \
        f"c.is_key_point, {SUPPORT_OF} AS support"

# The quotes shown per theme, as (theme id, contribution id, support): most supported, then oldest,
# ``LIMIT`` per theme by a window. Each tag's contribution author and date are on the tag (migrations
# 011 and 013), so the tagged rows come from the tags' covering index alone (no probe into the wide
# contribution rows); support is aggregated once from the support rows' own dialogue index (migration
# 012: no join) and joined. Dates compare as text byte by byte on both stores (COLLATE "C").
# Parameters: dialogue id, guild id (tagged), dialogue id (support), limit.
_QUOTE_RANKS_SQL = f"""
WITH tagged AS {{materialized}} (
    SELECT t.theme_id, t.contribution_id AS id, t.author_id, t.posted_at AS created_at
    FROM contribution_tags t
    WHERE t.theme_id IN (SELECT th.id FROM themes th WHERE th.dialogue_id = ?) AND t.status = 'confirmed'
      AND t.author_id NOT IN ({_OPTED_OUT})),
support AS (
    SELECT s.contribution_id AS id, count(DISTINCT s.user_id) AS n FROM contribution_support s
    WHERE s.dialogue_id = ? AND s.user_id != s.author_id GROUP BY s.contribution_id),
ranked AS (
    SELECT g.theme_id, g.id, coalesce(p.n, 0) AS support,
           row_number() OVER (PARTITION BY g.theme_id
                              ORDER BY coalesce(p.n, 0) DESC, g.created_at{{collate}}, g.id) AS rn
    FROM tagged g LEFT JOIN support p ON p.id = g.id)
SELECT theme_id, id, support FROM ranked WHERE rn <= ? ORDER BY theme_id, rn"""  # noqa: S608
_QUOTE_RANKS = {
    "sqlite": _QUOTE_RANKS_SQL.format(materialized="", collate=""),  # SQLite's text order is bytewise
    "postgresql": _QUOTE_RANKS_SQL.format(materialized="MATERIALIZED", collate=' COLLATE "C"'),
}

# Visible contributions that are key points: marked (their own partial index, migration 010), or
# behind a moderator's key point; found first (CROSS JOIN: SQLite keeps that order), then read.
# Parameters: dialogue id (marked), dialogue id (key points), dialogue id, guild id (visible).
_FEATURED = f"""
SELECT {SHOWN} FROM (
    SELECT k.id FROM contributions k WHERE k.is_key_point = 1 AND k.dialogue_id = ?
    UNION SELECT p.contribution_id FROM key_points p WHERE p.dialogue_id = ? AND p.contribution_id IS NOT NULL) AS f
CROSS JOIN contributions c
WHERE c.id = f.id AND {_VISIBLE}
ORDER BY c.id"""  # noqa: S608

# Guiding questions' candidates for suggested key points: long enough (MIN_WORDS - 1 spaces, counted
# when the text is stored: migration 007), not already a key point; from the covering index, no text
# read. Parameters: visible, min spaces, dialogue id (key points), then the question ids.
_ELIGIBLE = f"""
SELECT c.id, c.question_id, c.author_id FROM contributions c
WHERE {_VISIBLE} AND c.space_count >= ?
  AND c.is_key_point = 0 AND c.id NOT IN (
      SELECT k.contribution_id FROM key_points k WHERE k.dialogue_id = ? AND k.contribution_id IS NOT NULL)
  AND c.question_id IN """  # noqa: S608

# The suggestion samples of several questions in one statement, one scan of their candidates. Per
# question: every candidate when there are at most ``sample``; else the ``sample // 2`` most supported
# (the head), then the spread: the candidates left, numbered in id order, taken at int(i * step) for
# i below w = sample - head, step = (candidates - head) / w, as ``suggest._sample`` computes it. Number
# rn is taken when one of the i next to rn / step (step > 1: one at most) gives it back — the same
# double-precision product truncated as in Python, so the same ones. Rows: (question id, id, text,
# support) in the order ``suggest`` takes them. Parameters: those of _ELIGIBLE, then sample (sizes),
# sample (head), sample // 2, sample (taken), sample, sample (spread).
_SAMPLES = """
WITH eligible AS MATERIALIZED ({eligible}),
supported AS (
    SELECT e.question_id, e.id, count(DISTINCT s.user_id) AS n
    FROM eligible e JOIN contribution_support s ON s.contribution_id = e.id AND s.user_id != e.author_id
    GROUP BY e.question_id, e.id),
sizes AS (SELECT question_id, count(*) AS total, count(*) > ? AS spread FROM eligible GROUP BY question_id),
head AS (
    SELECT r.question_id, r.id, r.rn FROM (
        SELECT p.question_id, p.id, row_number() OVER (PARTITION BY p.question_id ORDER BY p.n DESC, p.id) AS rn
        FROM supported p JOIN sizes z ON z.question_id = p.question_id AND z.total > ?) AS r
    WHERE r.rn <= ?),
taken AS (
    SELECT z.question_id, z.total, count(h.id) AS taken FROM sizes z LEFT JOIN head h ON h.question_id = z.question_id
    WHERE z.total > ? GROUP BY z.question_id, z.total),
steps AS (
    SELECT question_id, ? - taken AS w,
           CAST(total - taken AS DOUBLE PRECISION) / CAST(? - taken AS DOUBLE PRECISION) AS step
    FROM taken),
rest AS (
    SELECT e.question_id, e.id, row_number() OVER (PARTITION BY e.question_id ORDER BY e.id) - 1 AS rn
    FROM eligible e WHERE e.id NOT IN (SELECT h.id FROM head h)),
near AS (
    SELECT r.question_id, r.id, r.rn, p.w, p.step, {open}r.rn / p.step{close} AS i
    FROM rest r JOIN steps p ON p.question_id = r.question_id),
chosen AS (
    SELECT h.question_id, h.id, 0 AS part, h.rn FROM head h
    UNION ALL
    SELECT r.question_id, r.id, 1, r.rn FROM rest r JOIN sizes z ON z.question_id = r.question_id AND NOT z.spread
    UNION ALL
    SELECT question_id, id, 1, rn FROM near
    WHERE (i >= 1 AND i - 1 < w AND {open}(i - 1) * step{close} = rn)
       OR (i < w AND {open}i * step{close} = rn)
       OR (i + 1 < w AND {open}(i + 1) * step{close} = rn))
SELECT x.question_id, c.id, c.content, {support} FROM chosen x JOIN contributions c ON c.id = x.id
ORDER BY x.question_id, x.part, x.rn"""
#: Python's int() of a non-negative double, per dialect: around the expression.
_TRUNCATE = {"sqlite": ("CAST((", ") AS INTEGER)"), "postgresql": ("CAST(floor(", ") AS BIGINT)")}


#: Ids bound in one ``IN (…)`` list (SQLite and PostgreSQL both stop at 32,766 parameters).
ID_CHUNK = 5000


def _marks(n: int) -> str:
    return ",".join("?" * n)


class ReportRepository:
    """Every statement of :mod:`bot.report`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- dialogues --------------------------------------------------------------------------------------

    async def dialogue(self, dialogue_id: int) -> Row | None:
        return await self.db.fetchone("SELECT * FROM dialogues WHERE id = ?", (dialogue_id,))

    async def dialogues_titled(self, title: str) -> list[Row]:
        """Dialogues called ``title`` (case-insensitive), oldest first."""
        return await self.db.fetchall("SELECT * FROM dialogues WHERE lower(title) = lower(?) ORDER BY id", (title,))

    # -- what a report reads ---------------------------------------------------------------------------

    async def questions(self, dialogue_id: int) -> list[Row]:
        return await self.db.fetchall(
            "SELECT id, position, text, message_id FROM questions WHERE dialogue_id = ? ORDER BY position",
            (dialogue_id,)
        )

    async def themes(self, dialogue_id: int) -> list[Row]:
        return await self.db.fetchall(
            "SELECT id, key, name, emoji FROM themes WHERE dialogue_id = ? ORDER BY position, id", (dialogue_id,)
        )

    async def counts(self, dialogue_id: int, guild_id: int, length: int) -> list[tuple[int | None, str, int]]:
        """Visible contributions per (question id, prefix of ``created_at``): one pass for the counts per
        question (``None``: the dialogue's channel) and per bucket (``length`` 13: per UTC hour, 16:
        per minute)."""
        rows = await self.db.fetchall(
            f"""SELECT c.question_id, substr(c.created_at, 1, ?) AS bucket, count(*) FROM contributions c
                WHERE {_VISIBLE} GROUP BY c.question_id, bucket""",  # noqa: S608
            (length, dialogue_id, guild_id),
        )
        return [(r[0], str(r[1]), int(r[2])) for r in rows]

    async def participants(self, dialogue_id: int, guild_id: int) -> int:
        value = await self.db.fetchval(
            f"SELECT count(DISTINCT c.author_id) FROM contributions c WHERE {_VISIBLE}",  # noqa: S608
            (dialogue_id, guild_id),
        )
        return int(value or 0)

    async def count_per_theme(self, dialogue_id: int, guild_id: int) -> dict[int, int]:
        """theme id → visible contributions with that confirmed tag (by the tags' theme index; only the
        few contributions of opted-out members are looked up)."""
        rows = await self.db.fetchall(
            """SELECT t.theme_id, count(*) FROM contribution_tags t
               WHERE t.theme_id IN (SELECT th.id FROM themes th WHERE th.dialogue_id = ?) AND t.status = 'confirmed'
                 AND t.contribution_id NOT IN (
                     SELECT c.id FROM contributions c WHERE c.dialogue_id = ? AND c.author_id IN (
                         SELECT m.user_id FROM members m WHERE m.guild_id = ? AND m.opted_out = 1))
               GROUP BY t.theme_id""",
            (dialogue_id, dialogue_id, guild_id),
        )
        return {int(r[0]): int(r[1]) for r in rows}

    async def quote_ranks(self, dialogue_id: int, guild_id: int, limit: int | None) -> list[tuple[int, int, int]]:
        """Per theme, the ``limit`` visible tagged contributions shown (all when ``None``), most
        supported then oldest first: (theme id, contribution id, support), by theme then rank."""
        cap = limit if limit is not None else 2**62
        rows = await self.db.fetchall(_QUOTE_RANKS[self.db.dialect], (dialogue_id, guild_id, dialogue_id, cap))
        return [(int(r[0]), int(r[1]), int(r[2])) for r in rows]

    async def theme_quotes(self, dialogue_id: int, guild_id: int, limit: int | None) -> list[Row]:
        """:meth:`quote_ranks` as :data:`SHOWN` rows (as dicts), with ``theme_id``."""
        ranks = await self.quote_ranks(dialogue_id, guild_id, limit)
        shown = {r["id"]: r for r in await self.shown(dialogue_id, sorted({cid for _, cid, _ in ranks}))}
        return [{**dict(shown[cid]), "theme_id": theme} for theme, cid, _ in ranks]  # type: ignore[misc]

    async def featured(self, dialogue_id: int, guild_id: int) -> list[Row]:
        """Visible contributions that are key points (marked, or behind a key point): :data:`SHOWN`."""
        return await self.db.fetchall(_FEATURED, (dialogue_id, dialogue_id, dialogue_id, guild_id))

    async def shown(self, dialogue_id: int, ids: list[int]) -> list[Row]:
        """These contributions of the dialogue, as shown (:data:`SHOWN` columns); by :data:`ID_CHUNK`
        ids a statement (an export quotes every tagged contribution: more than a statement may bind)."""
        rows: list[Row] = []
        for start in range(0, len(ids), ID_CHUNK):
            chunk = ids[start:start + ID_CHUNK]
            rows += await self.db.fetchall(
                f"""SELECT {SHOWN} FROM contributions c
                    WHERE c.dialogue_id = ? AND c.id IN ({_marks(len(chunk))})""",  # noqa: S608
                (dialogue_id, *chunk),
            )
        return rows

    async def suggestion_samples(
        self, dialogue_id: int, guild_id: int, question_ids: list[int], min_spaces: int, sample: int
    ) -> dict[int, list[tuple[int, str, int]]]:
        """Guiding questions' candidates for suggested key points, question id → (id, text, support) in
        the order :func:`bot.report.suggest.suggest` takes them: every eligible one when there are at
        most ``sample``, else the ``sample // 2`` most supported, then an even spread of the rest (the
        same choice as ``suggest``'s own sampling, made in SQL, one statement for all the questions)."""
        found: dict[int, list[tuple[int, str, int]]] = {q: [] for q in question_ids}
        if not question_ids:
            return found
        opening, closing = _TRUNCATE[self.db.dialect]
        sql = _SAMPLES.format(eligible=_ELIGIBLE + f"({_marks(len(question_ids))})", support=SUPPORT_OF,
                              open=opening, close=closing)
        params = (dialogue_id, guild_id, min_spaces, dialogue_id, *question_ids)
        for r in await self.db.fetchall(sql, (*params, sample, sample, sample // 2, sample, sample, sample)):
            found[int(r[0])].append((int(r[1]), str(r[2]), int(r[3])))
        return found

    async def key_points(self, dialogue_id: int) -> list[Row]:
        return await self.db.fetchall(
            "SELECT * FROM key_points WHERE dialogue_id = ? ORDER BY created_at, id", (dialogue_id,)
        )

    async def links(self, dialogue_id: int, guild_id: int) -> list[Row]:
        """The dialogue's links with their sharer's profile and their message, in the order they were
        shared (opted-out sharers left out)."""
        return await self.db.fetchall(
            """SELECT l.id, l.url, l.contribution_id, l.shared_by, m.display_name, m.organisation, m.attribution,
                      c.author_name, c.channel_id, c.message_id, c.author_id
               FROM links l
               LEFT JOIN members m ON m.guild_id = ? AND m.user_id = l.shared_by
               LEFT JOIN contributions c ON c.id = l.contribution_id
               WHERE l.dialogue_id = ? AND coalesce(m.opted_out, 0) = 0
               ORDER BY l.shared_at, l.id""",
            (guild_id, dialogue_id),
        )

    async def further_questions(self, dialogue_id: int) -> list[Row]:
        return await self.db.fetchall(
            "SELECT id, text FROM further_questions WHERE dialogue_id = ? ORDER BY created_at, id", (dialogue_id,)
        )

    async def opted_out(self, guild_id: int) -> frozenset[int]:
        rows = await self.db.fetchall("SELECT user_id FROM members WHERE guild_id = ? AND opted_out = 1", (guild_id,))
        return frozenset(int(r[0]) for r in rows)

    async def members(self, guild_id: int) -> dict[int, Row]:
        rows = await self.db.fetchall(
            "SELECT user_id, display_name, organisation, attribution FROM members WHERE guild_id = ?", (guild_id,)
        )
        return {int(r["user_id"]): r for r in rows}

    # -- the week summary ------------------------------------------------------------------------------

    async def week_totals(self, dialogue_id: int, begin: str, end: str) -> tuple[int, int]:
        """(contributions, participants) of the week."""
        row = await self.db.fetchone(
            f"SELECT count(*), count(DISTINCT author_id) FROM ({_IN_WEEK}) AS week",  # noqa: S608
            (dialogue_id, begin, end),
        )
        return (int(row[0]), int(row[1])) if row else (0, 0)

    async def week_top(self, dialogue_id: int, begin: str, end: str, limit: int) -> list[Row]:
        """The week's most supported contributions (with their author's profile and ``support``)."""
        return await self.db.fetchall(
            f"""SELECT * FROM ({_IN_WEEK}) AS week WHERE support > 0
                ORDER BY support DESC, created_at, id LIMIT ?""",  # noqa: S608
            (dialogue_id, begin, end, limit),
        )

    async def week_per_theme(self, dialogue_id: int, begin: str, end: str) -> list[tuple[str, int]]:
        rows = await self.db.fetchall(
            """SELECT th.key, count(DISTINCT t.contribution_id) FROM contribution_tags t
               JOIN themes th ON th.id = t.theme_id
               JOIN contributions c ON c.id = t.contribution_id
               LEFT JOIN members m ON m.guild_id = c.guild_id AND m.user_id = c.author_id
               WHERE c.dialogue_id = ? AND t.status = 'confirmed' AND coalesce(m.opted_out, 0) = 0
                 AND c.created_at >= ? AND c.created_at < ?
               GROUP BY th.key, th.position ORDER BY th.position""",
            (dialogue_id, begin, end),
        )
        return [(r[0], int(r[1])) for r in rows]

    async def week_key_points(self, dialogue_id: int, begin: str, end: str) -> list[Row]:
        return await self.db.fetchall(
            """SELECT k.text, k.source, k.contribution_id FROM key_points k
               LEFT JOIN contributions c ON c.id = k.contribution_id
               LEFT JOIN members m ON m.guild_id = c.guild_id AND m.user_id = c.author_id
               WHERE k.dialogue_id = ? AND k.created_at >= ? AND k.created_at < ? AND coalesce(m.opted_out, 0) = 0
               ORDER BY k.created_at, k.id""",
            (dialogue_id, begin, end),
        )

    # -- publishing --------------------------------------------------------------------------------------

    async def set_publish_mode(self, dialogue_id: int, mode: str) -> None:
        await self.db.execute("UPDATE dialogues SET publish_mode = ? WHERE id = ?", (mode, dialogue_id))

    async def published(self, dialogue_id: int, kind: str, language: str, week: int | None) -> bool:
        found = await self.db.fetchval(
            """SELECT 1 FROM reports WHERE dialogue_id = ? AND kind = ? AND language = ?
               AND coalesce(week, 0) = ? LIMIT 1""",
            (dialogue_id, kind, language, week or 0),
        )
        return found is not None

    async def final_message_ids(self, dialogue_id: int) -> str | None:
        """The message ids (JSON) of the final report as first recorded (its main language)."""
        row = await self.db.fetchone(
            "SELECT message_ids FROM reports WHERE dialogue_id = ? AND kind = 'final' ORDER BY id", (dialogue_id,)
        )
        return None if row is None else str(row["message_ids"])

    async def week_message_ids(self, dialogue_id: int, week: int) -> str | None:
        """The message ids (JSON) of week ``week``'s summary as first recorded."""
        row = await self.db.fetchone(
            "SELECT message_ids FROM reports WHERE dialogue_id = ? AND kind = 'week' AND week = ? ORDER BY id",
            (dialogue_id, week),
        )
        return None if row is None else str(row["message_ids"])

    async def record(
        self, dialogue_id: int, kind: str, week: int | None, language: str, channel_id: int, message_ids: str,
        now: str,
    ) -> None:
        """Remember a posted report; a final report also marks the dialogue ``published``."""
        async with self.db.transaction() as tx:
            await tx.execute(
                """INSERT INTO reports (dialogue_id, kind, week, language, channel_id, message_ids, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?)""",
                (dialogue_id, kind, week, language, channel_id, message_ids, now),
            )
            if kind == "final":
                await tx.execute(
                    "UPDATE dialogues SET state = 'published' WHERE id = ? AND state IN ('closed', 'published')",
                    (dialogue_id,),
                )

    async def add_further_question(self, dialogue_id: int, text: str, user_id: int, now: str) -> int:
        """Store a question for further discussion; how many the dialogue now has."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO further_questions (dialogue_id, text, created_by, created_at) VALUES (?, ?, ?, ?)",
                (dialogue_id, text, user_id, now),
            )
            count: Any = await tx.fetchval(
                "SELECT count(*) FROM further_questions WHERE dialogue_id = ?", (dialogue_id,)
            )
        return int(count)

    async def delete_further_question(self, question_id: int) -> None:
        await self.db.execute("DELETE FROM further_questions WHERE id = ?", (question_id,))
