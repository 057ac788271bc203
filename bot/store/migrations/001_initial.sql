-- Colloquy schema, version 1: the whole domain of DESIGN.md.
-- Times are UTC ISO-8601 strings ("2026-05-06T09:00:00+00:00"); Discord ids are INTEGER snowflakes.

CREATE TABLE guild_settings (
    guild_id            INTEGER PRIMARY KEY,
    moderator_role_id   INTEGER,
    mod_channel_id      INTEGER,
    summary_channel_id  INTEGER,
    language            TEXT,
    timezone            TEXT,
    updated_at          TEXT NOT NULL
);

CREATE TABLE dialogues (
    id              INTEGER PRIMARY KEY,
    guild_id        INTEGER NOT NULL,
    title           TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    concept_note    TEXT,
    languages       TEXT NOT NULL DEFAULT 'en',      -- space-separated: "en es fr"; the first is the main one
    timezone        TEXT NOT NULL DEFAULT 'UTC',
    starts_at       TEXT NOT NULL,
    ends_at         TEXT NOT NULL,
    channel_id      INTEGER NOT NULL,
    channel_kind    TEXT NOT NULL DEFAULT 'text' CHECK (channel_kind IN ('text', 'forum')),
    state           TEXT NOT NULL DEFAULT 'draft'
                    CHECK (state IN ('draft', 'scheduled', 'open', 'closed', 'published')),
    publish_mode    TEXT NOT NULL DEFAULT 'auto' CHECK (publish_mode IN ('auto', 'manual')),
    opening_message_id INTEGER,
    created_by      INTEGER,
    created_at      TEXT NOT NULL,
    closed_at       TEXT
);
CREATE UNIQUE INDEX dialogues_guild_title ON dialogues (guild_id, title COLLATE NOCASE);

CREATE TABLE questions (
    id              INTEGER PRIMARY KEY,
    dialogue_id     INTEGER NOT NULL REFERENCES dialogues (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,                -- 1-based, as shown to people
    text            TEXT NOT NULL,
    post_at         TEXT,                            -- NULL: spread over the dialogue when scheduled
    thread_id       INTEGER,                         -- the thread / forum post it opened
    message_id      INTEGER,
    UNIQUE (dialogue_id, position)
);
CREATE INDEX questions_thread ON questions (thread_id);

CREATE TABLE themes (
    id              INTEGER PRIMARY KEY,
    dialogue_id     INTEGER NOT NULL REFERENCES dialogues (id) ON DELETE CASCADE,
    key             TEXT NOT NULL,                   -- stable slug: "challenges", "good_practices"
    name            TEXT NOT NULL,                   -- as shown (custom themes); defaults are translated by key
    emoji           TEXT,
    position        INTEGER NOT NULL,
    UNIQUE (dialogue_id, key)
);

CREATE TABLE schedule_items (
    id              INTEGER PRIMARY KEY,
    dialogue_id     INTEGER NOT NULL REFERENCES dialogues (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL
                    CHECK (kind IN ('opening', 'question', 'reminder', 'closing', 'week_summary', 'panel')),
    question_id     INTEGER REFERENCES questions (id) ON DELETE CASCADE,
    week            INTEGER,                         -- week_summary: 1-based week number
    run_at          TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'claimed', 'done', 'skipped', 'failed')),
    claimed_at      TEXT,
    done_at         TEXT,
    message_id      INTEGER,
    thread_id       INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT
);
CREATE INDEX schedule_items_due ON schedule_items (status, run_at);

CREATE TABLE members (
    guild_id        INTEGER NOT NULL,
    user_id         INTEGER NOT NULL,
    display_name    TEXT,
    organisation    TEXT,
    attribution     TEXT NOT NULL DEFAULT 'name' CHECK (attribution IN ('name', 'organisation', 'anonymous')),
    opted_out       INTEGER NOT NULL DEFAULT 0,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

CREATE TABLE contributions (
    id              INTEGER PRIMARY KEY,
    dialogue_id     INTEGER NOT NULL REFERENCES dialogues (id) ON DELETE CASCADE,
    question_id     INTEGER REFERENCES questions (id) ON DELETE SET NULL,
    guild_id        INTEGER NOT NULL,
    channel_id      INTEGER NOT NULL,                -- the thread or channel it was posted in
    message_id      INTEGER NOT NULL UNIQUE,
    author_id       INTEGER NOT NULL,
    author_name     TEXT NOT NULL,                   -- display name when posted
    content         TEXT NOT NULL,
    attachments     TEXT NOT NULL DEFAULT '[]',      -- JSON list of URLs
    language        TEXT,
    created_at      TEXT NOT NULL,
    edited_at       TEXT,
    is_key_point    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX contributions_dialogue ON contributions (dialogue_id, question_id);
CREATE INDEX contributions_author ON contributions (author_id);
CREATE INDEX contributions_channel ON contributions (channel_id, message_id);

CREATE TABLE contribution_tags (
    contribution_id INTEGER NOT NULL REFERENCES contributions (id) ON DELETE CASCADE,
    theme_id        INTEGER NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    source          TEXT NOT NULL CHECK (source IN ('moderator', 'reaction', 'self', 'suggestion')),
    status          TEXT NOT NULL DEFAULT 'confirmed' CHECK (status IN ('confirmed', 'suggested', 'rejected')),
    tagged_by       INTEGER,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (contribution_id, theme_id)
);
CREATE INDEX contribution_tags_tagger ON contribution_tags (tagged_by);

CREATE TABLE contribution_support (
    contribution_id INTEGER NOT NULL REFERENCES contributions (id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL,
    emoji           TEXT NOT NULL,
    PRIMARY KEY (contribution_id, user_id, emoji)
);
CREATE INDEX contribution_support_user ON contribution_support (user_id);

CREATE TABLE links (
    id              INTEGER PRIMARY KEY,
    dialogue_id     INTEGER NOT NULL REFERENCES dialogues (id) ON DELETE CASCADE,
    url             TEXT NOT NULL,
    contribution_id INTEGER REFERENCES contributions (id) ON DELETE CASCADE,
    shared_by       INTEGER NOT NULL,
    shared_at       TEXT NOT NULL,
    UNIQUE (dialogue_id, url)
);

CREATE TABLE key_points (
    id              INTEGER PRIMARY KEY,
    dialogue_id     INTEGER NOT NULL REFERENCES dialogues (id) ON DELETE CASCADE,
    question_id     INTEGER REFERENCES questions (id) ON DELETE SET NULL,
    text            TEXT NOT NULL,
    contribution_id INTEGER REFERENCES contributions (id) ON DELETE CASCADE,
    source          TEXT NOT NULL CHECK (source IN ('moderator', 'marked')),
    created_by      INTEGER,
    created_at      TEXT NOT NULL
);

CREATE TABLE further_questions (
    id              INTEGER PRIMARY KEY,
    dialogue_id     INTEGER NOT NULL REFERENCES dialogues (id) ON DELETE CASCADE,
    text            TEXT NOT NULL,
    created_by      INTEGER,
    created_at      TEXT NOT NULL
);

CREATE TABLE channel_cursors (
    channel_id      INTEGER PRIMARY KEY,             -- a dialogue channel or question thread
    dialogue_id     INTEGER NOT NULL REFERENCES dialogues (id) ON DELETE CASCADE,
    last_message_id INTEGER NOT NULL
);

CREATE TABLE panels (
    id              INTEGER PRIMARY KEY,
    dialogue_id     INTEGER NOT NULL UNIQUE REFERENCES dialogues (id) ON DELETE CASCADE,
    channel_id      INTEGER NOT NULL,
    starts_at       TEXT NOT NULL,
    ends_at         TEXT,
    event_id        INTEGER,                         -- the Discord scheduled event
    announcement_message_id INTEGER,
    state           TEXT NOT NULL DEFAULT 'scheduled' CHECK (state IN ('scheduled', 'live', 'closed')),
    live_question_id INTEGER,
    created_at      TEXT NOT NULL
);

CREATE TABLE panellists (
    id              INTEGER PRIMARY KEY,
    panel_id        INTEGER NOT NULL REFERENCES panels (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    title           TEXT,
    organisation    TEXT,
    user_id         INTEGER,
    position        INTEGER NOT NULL,
    presentation    TEXT,                            -- key points, one per line
    UNIQUE (panel_id, name)
);

CREATE TABLE panel_questions (
    id              INTEGER PRIMARY KEY,
    panel_id        INTEGER NOT NULL REFERENCES panels (id) ON DELETE CASCADE,
    author_id       INTEGER NOT NULL,
    text            TEXT NOT NULL,
    attribution     TEXT NOT NULL DEFAULT 'name' CHECK (attribution IN ('name', 'organisation', 'anonymous')),
    asker_name      TEXT,                            -- snapshot at asking time; NULL when anonymous
    asker_organisation TEXT,
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'approved', 'rejected', 'merged', 'relayed')),
    merged_into     INTEGER REFERENCES panel_questions (id) ON DELETE SET NULL,
    review_message_id INTEGER,
    public_message_id INTEGER,
    relay_message_id INTEGER,
    reviewed_by     INTEGER,
    relayed_at      TEXT,
    created_at      TEXT NOT NULL
);
CREATE INDEX panel_questions_panel ON panel_questions (panel_id, status);
CREATE INDEX panel_questions_author ON panel_questions (author_id);

CREATE TABLE panel_votes (
    question_id     INTEGER NOT NULL REFERENCES panel_questions (id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (question_id, user_id)
);
CREATE INDEX panel_votes_user ON panel_votes (user_id);

CREATE TABLE panel_answers (
    id              INTEGER PRIMARY KEY,
    question_id     INTEGER NOT NULL REFERENCES panel_questions (id) ON DELETE CASCADE,
    panellist_id    INTEGER NOT NULL REFERENCES panellists (id) ON DELETE CASCADE,
    text            TEXT NOT NULL,
    message_id      INTEGER UNIQUE,                  -- NULL when recorded with /panel answer
    created_at      TEXT NOT NULL
);

CREATE TABLE reports (
    id              INTEGER PRIMARY KEY,
    dialogue_id     INTEGER NOT NULL REFERENCES dialogues (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('final', 'week')),
    week            INTEGER,
    language        TEXT NOT NULL,
    channel_id      INTEGER,
    message_ids     TEXT NOT NULL DEFAULT '[]',      -- JSON list
    created_at      TEXT NOT NULL
);
