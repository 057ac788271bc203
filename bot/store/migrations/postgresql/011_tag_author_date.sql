-- Issue 12: the report's quotes are ranked by support, then date, among a dialogue's tagged
-- contributions; reading the author and date of every tagged contribution cost a scan of all the
-- dialogue's contributions (their texts included). The tag keeps them itself, set by a trigger when
-- it is inserted, however it is (a contribution's author and date never change).
ALTER TABLE contribution_tags ADD COLUMN author_id BIGINT, ADD COLUMN posted_at TEXT;
UPDATE contribution_tags t SET author_id = c.author_id, posted_at = c.created_at
FROM contributions c WHERE c.id = t.contribution_id;
CREATE FUNCTION contribution_tag_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT c.author_id, c.created_at INTO NEW.author_id, NEW.posted_at
    FROM contributions c WHERE c.id = NEW.contribution_id;
    RETURN NEW;
END $$;
CREATE TRIGGER contribution_tag_keys BEFORE INSERT ON contribution_tags
    FOR EACH ROW EXECUTE FUNCTION contribution_tag_keys();
