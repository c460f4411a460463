-- Keystone tokens (store.Keystone): one sign-in user per account (name,
-- Argon2id hash, system roles as a JSON array, a sealed TOTP secret) and
-- the tokens issued to it, by the SHA-256 of their value. Deleting the
-- account or its user deletes the tokens. Times are Unix milliseconds.
CREATE TABLE keystone_users (
    account_id          TEXT NOT NULL PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    id                  TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    password_hash       TEXT NOT NULL,
    roles               TEXT NOT NULL DEFAULT '[]',
    totp_secret         BLOB,
    password_changed_at INTEGER NOT NULL,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);

CREATE TABLE keystone_tokens (
    hash              BLOB NOT NULL PRIMARY KEY,
    account_id        TEXT NOT NULL REFERENCES keystone_users (account_id) ON DELETE CASCADE,
    user_id           TEXT NOT NULL,
    methods           TEXT NOT NULL,
    project_id        TEXT NOT NULL DEFAULT '',
    agency_account_id TEXT NOT NULL DEFAULT '',
    agency_name       TEXT NOT NULL DEFAULT '',
    agency_urn        TEXT NOT NULL DEFAULT '',
    agency_instance   TEXT NOT NULL DEFAULT '',
    agency_permission_set TEXT NOT NULL DEFAULT '',
    issued_at         INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL
);
CREATE INDEX keystone_tokens_user ON keystone_tokens (user_id);
CREATE INDEX keystone_tokens_expiry ON keystone_tokens (expires_at);
