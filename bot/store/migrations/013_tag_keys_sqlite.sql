-- Issue 11: SQLite too keeps each tag's contribution author and date on the tag (PostgreSQL has since
-- migration 011), so the report's quotes are ranked from the tags' own covering index: no probe into
-- the contributions (their texts make those rows wide) per tagged row, 97 -> 64 ms at 100,000
-- contributions. The writer need not know them: a trigger fills them on insert (a contribution's
-- author and date never change; an upsert that updates a tag keeps them).
ALTER TABLE contribution_tags ADD COLUMN author_id INTEGER;
ALTER TABLE contribution_tags ADD COLUMN posted_at TEXT;
UPDATE contribution_tags SET
    author_id = (SELECT c.author_id FROM contributions c WHERE c.id = contribution_tags.contribution_id),
    posted_at = (SELECT c.created_at FROM contributions c WHERE c.id = contribution_tags.contribution_id);
CREATE TRIGGER contribution_tag_keys AFTER INSERT ON contribution_tags
WHEN NEW.author_id IS NULL OR NEW.posted_at IS NULL
BEGIN
    UPDATE contribution_tags SET
        author_id = (SELECT c.author_id FROM contributions c WHERE c.id = NEW.contribution_id),
        posted_at = (SELECT c.created_at FROM contributions c WHERE c.id = NEW.contribution_id)
    WHERE rowid = NEW.rowid;
END;
CREATE INDEX contribution_tags_rank ON contribution_tags (theme_id, status, author_id, posted_at, contribution_id);
