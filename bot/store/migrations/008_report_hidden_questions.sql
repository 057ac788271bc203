-- Issue 15: a panel question (with its answers) left out of the report by a moderator (/report hide).
CREATE TABLE report_hidden_questions (
    dialogue_id     INTEGER NOT NULL REFERENCES dialogues (id) ON DELETE CASCADE,
    question_id     INTEGER NOT NULL REFERENCES panel_questions (id) ON DELETE CASCADE,
    hidden_by       INTEGER,
    hidden_at       TEXT NOT NULL,
    PRIMARY KEY (dialogue_id, question_id)
);
CREATE INDEX report_hidden_questions_by ON report_hidden_questions (hidden_by);
