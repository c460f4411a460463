CREATE TABLE users (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    identity_store_id TEXT NOT NULL,
    id                TEXT NOT NULL,
    user_name         TEXT NOT NULL,
    user_name_key     TEXT NOT NULL,
    display_name      TEXT NOT NULL DEFAULT '',
    email_key         TEXT NOT NULL DEFAULT '',
    email             TEXT NOT NULL DEFAULT '',
    external_ids      TEXT NOT NULL DEFAULT '[]',
    enabled           INTEGER NOT NULL DEFAULT 1,
    email_verified    INTEGER NOT NULL DEFAULT 0,
    profile           TEXT NOT NULL DEFAULT '{}',
    created_at        INTEGER NOT NULL,
    created_by        TEXT NOT NULL DEFAULT '',
    updated_at        INTEGER NOT NULL,
    updated_by        TEXT NOT NULL DEFAULT '',
    UNIQUE (identity_store_id, id),
    UNIQUE (identity_store_id, user_name_key)
);
CREATE UNIQUE INDEX users_email ON users (identity_store_id, email_key) WHERE email_key <> '';
CREATE INDEX users_store_seq ON users (identity_store_id, seq);
