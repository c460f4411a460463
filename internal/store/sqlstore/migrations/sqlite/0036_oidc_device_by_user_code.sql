-- Device authorizations keyed by their user code alone: the service
-- derives a device authorization's user code from its device code, so the
-- user code's primary key serves both the poll and the verification page,
-- and the device-code hash is a plain column the service compares. No
-- reference to the client either (its index only served the cascade of a
-- client's deletion; a device authorization is only used with its client,
-- which the reader reads, and lives minutes): an insert writes 2 b-trees
-- (the table, the expiry index) where it wrote 4.
--
-- The pending authorizations (at most minutes old) are not copied: their
-- user codes were not derived from their device codes, so no poll could
-- find them. Their clients' next poll answers invalid_grant and the user
-- signs in again.
DROP TABLE oidc_device_auths;
CREATE TABLE oidc_device_auths (
    user_code_hash    BLOB PRIMARY KEY,
    device_code_hash  BLOB NOT NULL,
    client_id         TEXT NOT NULL,
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
CREATE INDEX oidc_device_auths_expiry ON oidc_device_auths (expires_at);
