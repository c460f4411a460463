-- Password policy per identity store (absent = the service's defaults).
CREATE TABLE password_policies (
    identity_store_id TEXT PRIMARY KEY,
    min_length        INTEGER NOT NULL,
    require_lowercase BOOLEAN NOT NULL DEFAULT FALSE,
    require_uppercase BOOLEAN NOT NULL DEFAULT FALSE,
    require_numbers   BOOLEAN NOT NULL DEFAULT FALSE,
    require_symbols   BOOLEAN NOT NULL DEFAULT FALSE,
    max_age_days      INTEGER NOT NULL DEFAULT 0,
    reuse_prevention  INTEGER NOT NULL DEFAULT 0,
    updated_at        BIGINT NOT NULL
);

-- A user's current password (PHC hash) and previous hashes (JSON array).
CREATE TABLE user_passwords (
    identity_store_id TEXT NOT NULL,
    user_id           TEXT NOT NULL,
    hash              TEXT NOT NULL,
    one_time          BOOLEAN NOT NULL DEFAULT FALSE,
    history           TEXT NOT NULL DEFAULT '[]',
    set_at            BIGINT NOT NULL,
    PRIMARY KEY (identity_store_id, user_id),
    FOREIGN KEY (identity_store_id, user_id) REFERENCES users (identity_store_id, id) ON DELETE CASCADE
);

-- One-time tokens e-mailed to users, by hex SHA-256 of the token.
CREATE TABLE user_tokens (
    token_hash        TEXT PRIMARY KEY,
    identity_store_id TEXT NOT NULL,
    user_id           TEXT NOT NULL,
    purpose           TEXT NOT NULL,
    email             TEXT NOT NULL DEFAULT '',
    expires_at        BIGINT NOT NULL,
    created_at        BIGINT NOT NULL,
    FOREIGN KEY (identity_store_id, user_id) REFERENCES users (identity_store_id, id) ON DELETE CASCADE
);
CREATE INDEX user_tokens_user ON user_tokens (identity_store_id, user_id);
