-- Issue 13: the final report is a schedule item ('report'), written in the same transaction as the
-- closing, so that a kill at any instant neither loses it nor posts it twice. A CHECK constraint
-- cannot be altered in place: the table is rebuilt (portable SQL) with the new kind allowed.
CREATE TABLE schedule_items_new (
    id              INTEGER PRIMARY KEY,
    dialogue_id     INTEGER NOT NULL REFERENCES dialogues (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL
                    CHECK (kind IN ('opening', 'question', 'reminder', 'closing', 'week_summary', 'panel',
                                    'report')),
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
INSERT INTO schedule_items_new (id, dialogue_id, kind, question_id, week, run_at, status, claimed_at, done_at,
                                message_id, thread_id, attempts, last_error)
    SELECT id, dialogue_id, kind, question_id, week, run_at, status, claimed_at, done_at, message_id, thread_id,
           attempts, last_error FROM schedule_items;
DROP TABLE schedule_items;
ALTER TABLE schedule_items_new RENAME TO schedule_items;
CREATE INDEX schedule_items_due ON schedule_items (status, run_at);
