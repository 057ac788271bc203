-- The order in which a panel's questions were posed: relay times can tie (several relays in the same
-- instant of a virtual clock, or within a clock tick), the report needs a strict order.
ALTER TABLE panel_questions ADD COLUMN relay_position INTEGER;
