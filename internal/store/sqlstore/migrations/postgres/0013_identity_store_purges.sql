-- Identity stores whose instance was deleted and whose rows are still to be
-- removed (in batches, by the purge worker; see Instances.PurgeStep).
CREATE TABLE identity_store_purges (
    identity_store_id TEXT PRIMARY KEY,
    requested_at      BIGINT NOT NULL
);
