CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE accounts (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    email         TEXT NOT NULL DEFAULT '',
    is_management INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);

CREATE TABLE projects (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, name)
);

CREATE TABLE credentials (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    access_key     TEXT NOT NULL UNIQUE,
    account_id     TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind           TEXT NOT NULL,
    secret_sealed  BLOB NOT NULL,
    token_hash     BLOB,
    expires_at     INTEGER NOT NULL DEFAULT 0,
    description    TEXT NOT NULL DEFAULT '',
    user_id        TEXT NOT NULL DEFAULT '',
    user_name      TEXT NOT NULL DEFAULT '',
    session_name   TEXT NOT NULL DEFAULT '',
    agency_urn     TEXT NOT NULL DEFAULT '',
    principal_tags TEXT NOT NULL DEFAULT '{}',
    policy_ids     TEXT NOT NULL DEFAULT '[]',
    disabled       INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL
);
CREATE INDEX credentials_account ON credentials (account_id, seq);
CREATE INDEX credentials_expiry ON credentials (expires_at) WHERE expires_at > 0;

CREATE TABLE registered_regions (
    account_id TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    region_id  TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE instances (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    id                TEXT NOT NULL UNIQUE,
    account_id        TEXT NOT NULL UNIQUE REFERENCES accounts(id) ON DELETE CASCADE,
    identity_store_id TEXT NOT NULL UNIQUE,
    region_id         TEXT NOT NULL,
    alias             TEXT NOT NULL DEFAULT '',
    created_at        INTEGER NOT NULL
);
