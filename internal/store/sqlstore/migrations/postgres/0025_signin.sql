-- Sign-in state (store.SignIns). Times are Unix milliseconds.

-- Failed sign-ins per user name as typed (user_key: a digest of the
-- canonical, case-folded name), whether or not such a user exists, so that
-- unknown names are locked exactly like real ones. No reference to users:
-- stale rows are swept.
CREATE TABLE signin_failures (
    identity_store_id TEXT NOT NULL,
    user_key          TEXT NOT NULL,
    failures          INTEGER NOT NULL DEFAULT 0,
    lockouts          INTEGER NOT NULL DEFAULT 0,
    last_failure_at   BIGINT NOT NULL DEFAULT 0,
    locked_until      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (identity_store_id, user_key)
);
CREATE INDEX signin_failures_stale ON signin_failures (last_failure_at);

-- Contexts (device cookie, address, browser) a user completed a sign-in
-- from, as digests; a few per kind (CONTEXT_AWARE MFA).
CREATE TABLE signin_contexts (
    identity_store_id TEXT NOT NULL,
    user_id           TEXT NOT NULL,
    kind              TEXT NOT NULL,
    value             BYTEA NOT NULL,
    last_seen_at      BIGINT NOT NULL,
    PRIMARY KEY (identity_store_id, user_id, kind, value),
    FOREIGN KEY (identity_store_id, user_id) REFERENCES users (identity_store_id, id) ON DELETE CASCADE
);

-- Pending steps of sign-ins; the client's token is kept as its SHA-256.
-- methods and auth_methods are JSON arrays.
CREATE TABLE signin_challenges (
    token_hash        BYTEA PRIMARY KEY,
    identity_store_id TEXT NOT NULL,
    user_id           TEXT NOT NULL,
    user_key          TEXT NOT NULL,
    kind              TEXT NOT NULL,
    methods           TEXT NOT NULL DEFAULT '[]',
    auth_methods      TEXT NOT NULL DEFAULT '[]',
    password_change   TEXT NOT NULL DEFAULT '',
    code_hash         BYTEA,
    attempts          INTEGER NOT NULL DEFAULT 0,
    source_ip         TEXT NOT NULL DEFAULT '',
    user_agent        TEXT NOT NULL DEFAULT '',
    device_id         TEXT NOT NULL DEFAULT '',
    created_at        BIGINT NOT NULL,
    expires_at        BIGINT NOT NULL,
    FOREIGN KEY (identity_store_id, user_id) REFERENCES users (identity_store_id, id) ON DELETE CASCADE
);
CREATE INDEX signin_challenges_user ON signin_challenges (identity_store_id, user_id);
CREATE INDEX signin_challenges_expiry ON signin_challenges (expires_at);
