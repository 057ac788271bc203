-- Issue 11: each support reaction keeps its contribution's dialogue and author, so a dialogue's support
-- is counted and aggregated from one covering index: /dialogue status's figure no longer probes the
-- support table once per contribution of the dialogue, and the report's support per contribution
-- (distinct members other than the author) needs no join. The writer fills them (a reaction batch
-- knows its contribution); a trigger fills them for any other insert. A contribution's dialogue and
-- author never change.
ALTER TABLE contribution_support ADD COLUMN dialogue_id INTEGER;
ALTER TABLE contribution_support ADD COLUMN author_id INTEGER;
UPDATE contribution_support SET
    dialogue_id = (SELECT c.dialogue_id FROM contributions c WHERE c.id = contribution_support.contribution_id),
    author_id = (SELECT c.author_id FROM contributions c WHERE c.id = contribution_support.contribution_id);
CREATE INDEX contribution_support_dialogue ON contribution_support (dialogue_id, contribution_id, user_id, author_id);
CREATE TRIGGER contribution_support_keys AFTER INSERT ON contribution_support
WHEN NEW.dialogue_id IS NULL OR NEW.author_id IS NULL
BEGIN
    UPDATE contribution_support SET
        dialogue_id = (SELECT c.dialogue_id FROM contributions c WHERE c.id = NEW.contribution_id),
        author_id = (SELECT c.author_id FROM contributions c WHERE c.id = NEW.contribution_id)
    WHERE rowid = NEW.rowid;
END;
