-- Signatures of accepted signed writes, kept until the end of their
-- X-Sdk-Date window so that a captured request cannot be replayed
-- (see store.Signatures). Times are Unix milliseconds.
CREATE TABLE used_signatures (
    signature     BLOB PRIMARY KEY,
    first_used_at BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX used_signatures_expiry ON used_signatures (expires_at);
