-- The OIDC service (store.OIDC): registered clients, RFC 8628 device
-- authorizations, access and refresh tokens, authorization codes, and the
-- counts of wrong user codes that bound guessing. Every secret (client
-- secret, device code, user code, token, code) is stored only as its
-- SHA-256. Lists (scopes, grant_types) are JSON arrays; times are Unix
-- milliseconds. Each table has an expiry index for the periodic sweep.
CREATE TABLE oidc_clients (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    secret_hash       BLOB NOT NULL,
    scopes            TEXT NOT NULL DEFAULT '[]',
    grant_types       TEXT NOT NULL DEFAULT '[]',
    created_at        INTEGER NOT NULL,
    secret_expires_at INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL
);
CREATE INDEX oidc_clients_expiry ON oidc_clients (expires_at);

CREATE TABLE oidc_device_auths (
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
);
CREATE INDEX oidc_device_auths_client ON oidc_device_auths (client_id);
CREATE INDEX oidc_device_auths_expiry ON oidc_device_auths (expires_at);

CREATE TABLE oidc_tokens (
    token_hash        BLOB PRIMARY KEY,
    kind              TEXT NOT NULL,
    family_id         TEXT NOT NULL,
    client_id         TEXT NOT NULL REFERENCES oidc_clients (id) ON DELETE CASCADE,
    identity_store_id TEXT NOT NULL,
    user_id           TEXT NOT NULL,
    scopes            TEXT NOT NULL DEFAULT '[]',
    created_at        INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL,
    used_at           INTEGER NOT NULL DEFAULT 0,
    FOREIGN KEY (identity_store_id, user_id) REFERENCES users (identity_store_id, id) ON DELETE CASCADE
);
CREATE INDEX oidc_tokens_family ON oidc_tokens (family_id);
CREATE INDEX oidc_tokens_client ON oidc_tokens (client_id);
CREATE INDEX oidc_tokens_user ON oidc_tokens (identity_store_id, user_id);
CREATE INDEX oidc_tokens_expiry ON oidc_tokens (expires_at);

CREATE TABLE oidc_auth_codes (
    code_hash         BLOB PRIMARY KEY,
    client_id         TEXT NOT NULL REFERENCES oidc_clients (id) ON DELETE CASCADE,
    identity_store_id TEXT NOT NULL,
    user_id           TEXT NOT NULL,
    redirect_uri      TEXT NOT NULL,
    code_challenge    TEXT NOT NULL DEFAULT '',
    scopes            TEXT NOT NULL DEFAULT '[]',
    created_at        INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL,
    FOREIGN KEY (identity_store_id, user_id) REFERENCES users (identity_store_id, id) ON DELETE CASCADE
);
CREATE INDEX oidc_auth_codes_client ON oidc_auth_codes (client_id);
CREATE INDEX oidc_auth_codes_user ON oidc_auth_codes (identity_store_id, user_id);
CREATE INDEX oidc_auth_codes_expiry ON oidc_auth_codes (expires_at);

-- Wrong user codes per key (a client address, a user) in fixed windows.
CREATE TABLE oidc_guesses (
    guess_key    TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    failures     INTEGER NOT NULL
);
CREATE INDEX oidc_guesses_window ON oidc_guesses (window_start);

-- The total of wrong user codes ever counted: one row.
CREATE TABLE oidc_guess_total (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    total INTEGER NOT NULL
);
INSERT INTO oidc_guess_total (id, total) VALUES (1, 0);
