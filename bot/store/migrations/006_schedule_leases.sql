-- Schedule claims with a lease (DESIGN.md "Scale path"): the process that claimed an item, and until
-- when its claim holds. Another shard process leaves a claimed item alone until the lease expires,
-- then reconciles it like a crash (find the post, else post again).
ALTER TABLE schedule_items ADD COLUMN lease_until TEXT;
ALTER TABLE schedule_items ADD COLUMN claimed_by TEXT;
