-- Issue 11: each support reaction keeps its contribution's dialogue and author (see the portable
-- 012_support_keys.sql for why); a BEFORE INSERT trigger fills them when the insert did not.
ALTER TABLE contribution_support ADD COLUMN dialogue_id BIGINT, ADD COLUMN author_id BIGINT;
UPDATE contribution_support s SET dialogue_id = c.dialogue_id, author_id = c.author_id
FROM contributions c WHERE c.id = s.contribution_id;
CREATE INDEX contribution_support_dialogue ON contribution_support (dialogue_id, contribution_id, user_id, author_id);
CREATE FUNCTION contribution_support_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.dialogue_id IS NULL OR NEW.author_id IS NULL THEN
        SELECT c.dialogue_id, c.author_id INTO NEW.dialogue_id, NEW.author_id
        FROM contributions c WHERE c.id = NEW.contribution_id;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER contribution_support_keys BEFORE INSERT ON contribution_support
    FOR EACH ROW EXECUTE FUNCTION contribution_support_keys();
