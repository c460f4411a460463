-- MFA devices of users. secret_sealed is the TOTP seed or WebAuthn
-- credential sealed with the master key (associated data names the row).
CREATE TABLE mfa_devices (
    identity_store_id TEXT NOT NULL,
    id                TEXT NOT NULL,
    user_id           TEXT NOT NULL,
    type              TEXT NOT NULL,
    device_name       TEXT NOT NULL DEFAULT '',
    display_name      TEXT NOT NULL DEFAULT '',
    secret_sealed     BYTEA NOT NULL,
    last_step         BIGINT NOT NULL DEFAULT 0,
    created_at        BIGINT NOT NULL,
    last_used_at      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (identity_store_id, id),
    FOREIGN KEY (identity_store_id, user_id) REFERENCES users (identity_store_id, id) ON DELETE CASCADE
);
CREATE INDEX mfa_devices_user ON mfa_devices (identity_store_id, user_id, created_at);

-- Pending admin-started device registrations; the one-time token of the
-- portal link is kept as its SHA-256 only.
CREATE TABLE mfa_registrations (
    token_hash        BYTEA PRIMARY KEY,
    identity_store_id TEXT NOT NULL,
    user_id           TEXT NOT NULL,
    type              TEXT NOT NULL DEFAULT '',
    secret_sealed     BYTEA,
    created_at        BIGINT NOT NULL,
    created_by        TEXT NOT NULL DEFAULT '',
    expires_at        BIGINT NOT NULL,
    FOREIGN KEY (identity_store_id, user_id) REFERENCES users (identity_store_id, id) ON DELETE CASCADE
);
CREATE INDEX mfa_registrations_user ON mfa_registrations (identity_store_id, user_id);
CREATE INDEX mfa_registrations_expiry ON mfa_registrations (expires_at);

-- Portal sessions; the session token is kept as its SHA-256 only.
CREATE TABLE portal_sessions (
    identity_store_id TEXT NOT NULL,
    id                TEXT NOT NULL,
    user_id           TEXT NOT NULL,
    token_hash        BYTEA NOT NULL UNIQUE,
    created_at        BIGINT NOT NULL,
    last_seen_at      BIGINT NOT NULL,
    expires_at        BIGINT NOT NULL,
    source_ip         TEXT NOT NULL DEFAULT '',
    user_agent        TEXT NOT NULL DEFAULT '',
    auth_methods      TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (identity_store_id, id),
    FOREIGN KEY (identity_store_id, user_id) REFERENCES users (identity_store_id, id) ON DELETE CASCADE
);
CREATE INDEX portal_sessions_user ON portal_sessions (identity_store_id, user_id, expires_at);
CREATE INDEX portal_sessions_expiry ON portal_sessions (expires_at);
