-- Issue 14: a dialogue's own content in each of its languages, and disagreement by reaction.

-- The text of one translatable item of a dialogue in one of its languages. ``item_id`` is the row of the
-- item (questions.id, key_points.id, further_questions.id, themes.id, panellists.id; 0 for the title and
-- the description). ``source`` is the original text it translates: when the original changes (or an id
-- is reused after a deletion) the translation no longer matches and counts as missing.
CREATE TABLE translations (
    dialogue_id     INTEGER NOT NULL REFERENCES dialogues (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('title', 'description', 'question', 'key_point',
                                                  'further_question', 'theme', 'presentation')),
    item_id         INTEGER NOT NULL,
    language        TEXT NOT NULL,
    text            TEXT NOT NULL,
    source          TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (dialogue_id, kind, item_id, language)
);

-- A member's disagreement with a contribution (a 👎 reaction), kept apart from support.
CREATE TABLE contribution_disagreement (
    contribution_id INTEGER NOT NULL REFERENCES contributions (id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL,
    emoji           TEXT NOT NULL,
    PRIMARY KEY (contribution_id, user_id, emoji)
);
CREATE INDEX contribution_disagreement_user ON contribution_disagreement (user_id);
