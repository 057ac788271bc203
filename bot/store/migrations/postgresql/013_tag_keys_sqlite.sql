-- Issue 11: the tags' author and date came with migration 011 here; SQLite gains them now (the
-- portable 013_tag_keys_sqlite.sql). Both stores rank the report's quotes from this covering index.
CREATE INDEX contribution_tags_rank ON contribution_tags (theme_id, status, author_id, posted_at, contribution_id);
