-- Issue 11: the report and /dialogue status aggregate in SQL over indexes, without reading the
-- contributions' texts.

-- Spaces in a contribution's text (a suggested key point needs MIN_WORDS words): kept with the text,
-- so choosing candidates reads no text.
ALTER TABLE contributions ADD COLUMN space_count INTEGER;
UPDATE contributions SET space_count = length(content) - length(replace(content, ' ', ''));

-- Covering index for the counts per question, per day, of participants, and the candidates.
CREATE INDEX contributions_report ON contributions (dialogue_id, question_id, author_id, created_at, space_count,
                                                    is_key_point);
DROP INDEX IF EXISTS contributions_dialogue;

-- Tags per theme (the report's counts and quotes, the status's figures).
CREATE INDEX contribution_tags_theme ON contribution_tags (theme_id, status, contribution_id);
