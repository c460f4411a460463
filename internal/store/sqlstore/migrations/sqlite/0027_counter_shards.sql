-- A store's counters are split over shards (rows (identity_store_id,
-- shard)), as on PostgreSQL; SQLite's single writer uses shard 0 only.
-- Existing counts become shard 0.
CREATE TABLE identity_store_counters_sharded (
    identity_store_id TEXT NOT NULL,
    shard             INTEGER NOT NULL DEFAULT 0,
    user_count        BIGINT NOT NULL DEFAULT 0,
    group_count       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (identity_store_id, shard)
);
INSERT INTO identity_store_counters_sharded (identity_store_id, shard, user_count, group_count)
    SELECT identity_store_id, 0, user_count, group_count FROM identity_store_counters;
DROP TABLE identity_store_counters;
ALTER TABLE identity_store_counters_sharded RENAME TO identity_store_counters;
