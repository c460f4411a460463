-- A store's counters are split over 8 shards (rows (identity_store_id,
-- shard)): a create takes one unit from one shard, so concurrent creates
-- lock different rows and their commits no longer queue behind one row's
-- lock. Each shard may hold its share of the quota (limit/8, one more for
-- the first limit%8): existing counts are spread by the same rule, so a
-- store within its quota has every shard within its share.
ALTER TABLE identity_store_counters ADD COLUMN shard INTEGER NOT NULL DEFAULT 0;
ALTER TABLE identity_store_counters DROP CONSTRAINT identity_store_counters_pkey;
ALTER TABLE identity_store_counters ADD PRIMARY KEY (identity_store_id, shard);
INSERT INTO identity_store_counters (identity_store_id, shard, user_count, group_count)
    SELECT c.identity_store_id, s.shard,
           c.user_count / 8 + CASE WHEN s.shard < c.user_count % 8 THEN 1 ELSE 0 END,
           c.group_count / 8 + CASE WHEN s.shard < c.group_count % 8 THEN 1 ELSE 0 END
    FROM identity_store_counters c, generate_series(1, 7) AS s(shard)
    WHERE c.shard = 0;
UPDATE identity_store_counters
    SET user_count = user_count / 8 + CASE WHEN user_count % 8 > 0 THEN 1 ELSE 0 END,
        group_count = group_count / 8 + CASE WHEN group_count % 8 > 0 THEN 1 ELSE 0 END
    WHERE shard = 0;
