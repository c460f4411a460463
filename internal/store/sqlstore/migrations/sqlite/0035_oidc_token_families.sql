-- Token families: what every token of one authorization shares (its client
-- and user) is stored once per family instead of on every token, and only
-- the family carries the references (and their indexes) that deleting a
-- client or a user cascades through. A token row holds what differs per
-- token and has two indexes (its family, for revoking a family; its
-- expiry, for the sweep): a refresh-token rotation writes two token rows,
-- 3 b-trees each, where it wrote 6 each. A family's expires_at is the
-- latest expiry of its tokens; the sweep deletes families past it.
CREATE TABLE oidc_token_families (
    family_id         TEXT PRIMARY KEY,
    client_id         TEXT NOT NULL REFERENCES oidc_clients (id) ON DELETE CASCADE,
    identity_store_id TEXT NOT NULL,
    user_id           TEXT NOT NULL,
    expires_at        INTEGER NOT NULL,
    FOREIGN KEY (identity_store_id, user_id) REFERENCES users (identity_store_id, id) ON DELETE CASCADE
) WITHOUT ROWID;

INSERT INTO oidc_token_families (family_id, client_id, identity_store_id, user_id, expires_at)
    SELECT family_id, MIN(client_id), MIN(identity_store_id), MIN(user_id), MAX(expires_at) FROM oidc_tokens GROUP BY family_id;

ALTER TABLE oidc_tokens RENAME TO oidc_tokens_0024;

CREATE TABLE oidc_tokens (
    token_hash BLOB PRIMARY KEY,
    kind       TEXT NOT NULL,
    family_id  TEXT NOT NULL REFERENCES oidc_token_families (family_id) ON DELETE CASCADE,
    scopes     TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

INSERT INTO oidc_tokens (token_hash, kind, family_id, scopes, created_at, expires_at, used_at)
    SELECT token_hash, kind, family_id, scopes, created_at, expires_at, used_at FROM oidc_tokens_0024;
DROP TABLE oidc_tokens_0024;

CREATE INDEX oidc_tokens_family ON oidc_tokens (family_id);
CREATE INDEX oidc_tokens_expiry ON oidc_tokens (expires_at);
CREATE INDEX oidc_token_families_client ON oidc_token_families (client_id);
CREATE INDEX oidc_token_families_user ON oidc_token_families (identity_store_id, user_id);
CREATE INDEX oidc_token_families_expiry ON oidc_token_families (expires_at);

-- Device authorizations without the rowid b-tree beside the primary key:
-- one b-tree fewer written per StartDeviceAuthorization. They live minutes;
-- the pending ones are copied.
CREATE TABLE oidc_device_auths_0035 (
    device_code_hash  BLOB PRIMARY KEY,
    user_code_hash    BLOB NOT NULL UNIQUE,
    client_id         TEXT NOT NULL REFERENCES oidc_clients (id) ON DELETE CASCADE,
    scopes            TEXT NOT NULL DEFAULT '[]',
    created_at        INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL,
    interval_seconds  INTEGER NOT NULL,
    last_polled_at    INTEGER NOT NULL DEFAULT 0,
    status            TEXT NOT NULL,
    identity_store_id TEXT NOT NULL DEFAULT '',
    user_id           TEXT NOT NULL DEFAULT '',
    -- the wrong-guess total (oidc_guess_total) when the row was created
    guess_base        INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO oidc_device_auths_0035 SELECT device_code_hash, user_code_hash, client_id, scopes, created_at, expires_at, interval_seconds,
    last_polled_at, status, identity_store_id, user_id, guess_base FROM oidc_device_auths;
DROP TABLE oidc_device_auths;
ALTER TABLE oidc_device_auths_0035 RENAME TO oidc_device_auths;
CREATE INDEX oidc_device_auths_client ON oidc_device_auths (client_id);
CREATE INDEX oidc_device_auths_expiry ON oidc_device_auths (expires_at);
