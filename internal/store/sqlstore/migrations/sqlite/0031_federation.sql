-- OS-FEDERATION (store.Federation): an account's identity providers (ids
-- chosen by the caller), mappings (the rules as JSON text), protocols
-- binding an IdP to a mapping, the SAML metadata imported per protocol and
-- the OIDC configuration per IdP. Deleting an IdP cascades to its
-- protocols, their metadata and its OIDC configuration; a mapping cannot
-- be deleted while a protocol refers to it (no cascade). Times are Unix
-- milliseconds.
CREATE TABLE federation_idps (
    account_id  TEXT NOT NULL,
    id          TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    enabled     INTEGER NOT NULL DEFAULT 0,
    sso_type    TEXT NOT NULL,
    remote_ids  TEXT NOT NULL DEFAULT '[]',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (account_id, id)
);

CREATE TABLE federation_mappings (
    account_id TEXT NOT NULL,
    id         TEXT NOT NULL,
    rules      TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, id)
);

CREATE TABLE federation_protocols (
    account_id TEXT NOT NULL,
    idp_id     TEXT NOT NULL,
    id         TEXT NOT NULL,
    mapping_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, idp_id, id),
    FOREIGN KEY (account_id, idp_id) REFERENCES federation_idps (account_id, id) ON DELETE CASCADE,
    FOREIGN KEY (account_id, mapping_id) REFERENCES federation_mappings (account_id, id)
);
CREATE INDEX federation_protocols_mapping ON federation_protocols (account_id, mapping_id);

CREATE TABLE federation_saml_metadata (
    account_id  TEXT NOT NULL,
    idp_id      TEXT NOT NULL,
    protocol_id TEXT NOT NULL,
    document    TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    extract     TEXT NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (account_id, idp_id, protocol_id),
    FOREIGN KEY (account_id, idp_id, protocol_id) REFERENCES federation_protocols (account_id, idp_id, id) ON DELETE CASCADE
);

CREATE TABLE federation_oidc_configs (
    account_id             TEXT NOT NULL,
    idp_id                 TEXT NOT NULL,
    access_mode            TEXT NOT NULL,
    idp_url                TEXT NOT NULL,
    client_id              TEXT NOT NULL,
    authorization_endpoint TEXT NOT NULL DEFAULT '',
    scope                  TEXT NOT NULL DEFAULT '',
    response_type          TEXT NOT NULL DEFAULT '',
    response_mode          TEXT NOT NULL DEFAULT '',
    signing_key            TEXT NOT NULL,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL,
    PRIMARY KEY (account_id, idp_id),
    FOREIGN KEY (account_id, idp_id) REFERENCES federation_idps (account_id, id) ON DELETE CASCADE
);
