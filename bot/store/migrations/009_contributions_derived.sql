-- Issue 11: a flood's messages are stored as they came and their text (language, links, keyword
-- suggestions) derived afterwards, when the flood is over or a read needs it: derived = 0 until then
-- (bot.contributions.service). Rows stored before this migration were derived with their insert.
ALTER TABLE contributions ADD COLUMN derived INTEGER NOT NULL DEFAULT 1;
CREATE INDEX contributions_underived ON contributions (id) WHERE derived = 0;
