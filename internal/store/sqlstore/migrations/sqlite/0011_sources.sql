-- Identity sources: the external SAML IdP (one per store) and its signing
-- certificates, the store's SAML SP certificates (at most one active) and
-- SCIM provisioning tenants (one per store) with their bearer tokens.
CREATE TABLE external_idps (
    seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
    identity_store_id   TEXT NOT NULL UNIQUE,
    id                  TEXT NOT NULL,
    entity_id           TEXT NOT NULL,
    login_url           TEXT NOT NULL,
    want_request_signed INTEGER NOT NULL DEFAULT 0,
    enabled             INTEGER NOT NULL DEFAULT 0,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    UNIQUE (identity_store_id, id)
);

CREATE TABLE idp_certificates (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    identity_store_id TEXT NOT NULL,
    idp_id            TEXT NOT NULL,
    id                TEXT NOT NULL,
    pem               TEXT NOT NULL,
    not_after         INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    UNIQUE (identity_store_id, id),
    FOREIGN KEY (identity_store_id, idp_id) REFERENCES external_idps (identity_store_id, id) ON DELETE CASCADE
);
CREATE INDEX idp_certificates_idp ON idp_certificates (identity_store_id, idp_id, seq);

CREATE TABLE sp_certificates (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    identity_store_id TEXT NOT NULL,
    id                TEXT NOT NULL,
    certificate_pem   TEXT NOT NULL,
    key_sealed        BLOB NOT NULL,
    algorithm         TEXT NOT NULL,
    not_after         INTEGER NOT NULL,
    active            INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    UNIQUE (identity_store_id, id)
);
CREATE UNIQUE INDEX sp_certificates_active ON sp_certificates (identity_store_id) WHERE active = 1;

CREATE TABLE scim_tenants (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    identity_store_id TEXT NOT NULL UNIQUE,
    id                TEXT NOT NULL UNIQUE,
    created_at        INTEGER NOT NULL,
    UNIQUE (identity_store_id, id)
);

-- No cascade: a tenant cannot be deleted while it has tokens.
CREATE TABLE scim_tokens (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    identity_store_id TEXT NOT NULL,
    tenant_id         TEXT NOT NULL,
    id                TEXT NOT NULL UNIQUE,
    token_hash        BLOB NOT NULL UNIQUE,
    created_at        INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL,
    FOREIGN KEY (identity_store_id, tenant_id) REFERENCES scim_tenants (identity_store_id, id)
);
CREATE INDEX scim_tokens_tenant ON scim_tokens (identity_store_id, tenant_id, seq);
