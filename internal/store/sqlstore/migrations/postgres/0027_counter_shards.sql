-- A store's counters are split over shards (rows (identity_store_id,
-- shard)): a create takes one unit from one shard, so concurrent creates
-- lock different rows and their commits no longer queue behind one row's
-- lock. Existing counts become shard 0.
ALTER TABLE identity_store_counters ADD COLUMN shard INTEGER NOT NULL DEFAULT 0;
ALTER TABLE identity_store_counters DROP CONSTRAINT identity_store_counters_pkey;
ALTER TABLE identity_store_counters ADD PRIMARY KEY (identity_store_id, shard);
INSERT INTO identity_store_counters (identity_store_id, shard)
    SELECT DISTINCT c.identity_store_id, s.shard FROM identity_store_counters c, generate_series(1, 7) AS s(shard)
    ON CONFLICT (identity_store_id, shard) DO NOTHING;
