-- Issue 13, PostgreSQL: the 'report' kind is allowed by replacing the CHECK constraint in place (the
-- portable file rebuilds the table, which here would leave the id sequence behind the copied ids).
ALTER TABLE schedule_items DROP CONSTRAINT schedule_items_kind_check;
ALTER TABLE schedule_items ADD CONSTRAINT schedule_items_kind_check
    CHECK (kind IN ('opening', 'question', 'reminder', 'closing', 'week_summary', 'panel', 'report'));
