-- Issue 15: the report's editorial draft (front matter, hidden items, reviewed suggestions) and the
-- reactions that count as agreement and disagreement.

-- A part of the report's front matter in one language. ``part``: introduction, about, panel (``link``
-- is the recording or webinar, ``moderator`` the moderator's name) or section (a free section with a
-- ``title``; several, in ``position`` order, placed after the introduction).
CREATE TABLE report_parts (
    id              INTEGER PRIMARY KEY,
    dialogue_id     INTEGER NOT NULL REFERENCES dialogues (id) ON DELETE CASCADE,
    part            TEXT NOT NULL CHECK (part IN ('introduction', 'about', 'panel', 'section')),
    language        TEXT NOT NULL,
    position        INTEGER NOT NULL DEFAULT 0,
    title           TEXT NOT NULL DEFAULT '',
    body            TEXT NOT NULL DEFAULT '',
    link            TEXT,
    moderator       TEXT,
    updated_by      INTEGER,
    updated_at      TEXT NOT NULL,
    UNIQUE (dialogue_id, part, language, position)
);

-- A contribution left out of the report. ``reason``: moderator (/report hide), missing (its message
-- was gone when the report was checked before publication).
CREATE TABLE report_hidden (
    dialogue_id     INTEGER NOT NULL REFERENCES dialogues (id) ON DELETE CASCADE,
    contribution_id INTEGER NOT NULL REFERENCES contributions (id) ON DELETE CASCADE,
    reason          TEXT NOT NULL DEFAULT 'moderator' CHECK (reason IN ('moderator', 'missing')),
    hidden_by       INTEGER,
    hidden_at       TEXT NOT NULL,
    PRIMARY KEY (dialogue_id, contribution_id)
);
CREATE INDEX report_hidden_by ON report_hidden (hidden_by);

-- A moderator's decision on a suggested key point. An accepted one also has its key_points row.
CREATE TABLE report_suggestions (
    dialogue_id     INTEGER NOT NULL REFERENCES dialogues (id) ON DELETE CASCADE,
    contribution_id INTEGER NOT NULL REFERENCES contributions (id) ON DELETE CASCADE,
    status          TEXT NOT NULL CHECK (status IN ('accepted', 'dismissed')),
    key_point_id    INTEGER REFERENCES key_points (id) ON DELETE SET NULL,
    decided_by      INTEGER,
    decided_at      TEXT NOT NULL,
    PRIMARY KEY (dialogue_id, contribution_id)
);
CREATE INDEX report_suggestions_by ON report_suggestions (decided_by);

-- The reactions that count as agreement and disagreement in a dialogue (defaults: 👍 and 👎).
CREATE TABLE report_reactions (
    dialogue_id     INTEGER PRIMARY KEY REFERENCES dialogues (id) ON DELETE CASCADE,
    agree           TEXT NOT NULL,
    disagree        TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
