-- The report's key point contributions (marked with is_key_point) from an index of their own, so
-- finding the few of a 100k-contribution dialogue reads no other contribution. is_key_point leads
-- the key so that SQLite's planner (no statistics) prefers it to contributions_report for them.
CREATE INDEX contributions_key_point ON contributions (is_key_point, dialogue_id) WHERE is_key_point = 1;
