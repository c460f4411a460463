-- The durable job queue (see store.Jobs). due_at is when a job becomes
-- claimable: run_at while pending, lease_until while running. Times are
-- Unix milliseconds.
CREATE TABLE jobs (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    job_key      TEXT NOT NULL DEFAULT '',
    payload      BLOB NOT NULL,
    state        TEXT NOT NULL,
    attempts     INTEGER NOT NULL,
    max_attempts INTEGER NOT NULL,
    run_at       BIGINT NOT NULL,
    lease_owner  TEXT NOT NULL DEFAULT '',
    lease_until  BIGINT NOT NULL DEFAULT 0,
    due_at       BIGINT NOT NULL,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
-- The claim and next-due queries.
CREATE INDEX jobs_due ON jobs (due_at) WHERE state IN ('pending', 'running');
-- A key is unique among the kind's unfinished jobs.
CREATE UNIQUE INDEX jobs_unfinished_key ON jobs (kind, job_key) WHERE job_key <> '' AND state IN ('pending', 'running');
-- DeleteFinished.
CREATE INDEX jobs_finished ON jobs (updated_at) WHERE state IN ('succeeded', 'failed');
