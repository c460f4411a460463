-- Organizations: one per management account, with its root, units (nested
-- under the root or another unit), member accounts (the management account
-- included), asynchronous create-account requests, close requests, trusted
-- services, delegated administrators and tags on accounts, units and roots.
CREATE TABLE organizations (
    id                    TEXT PRIMARY KEY,
    management_account_id TEXT NOT NULL UNIQUE,
    root_id               TEXT NOT NULL UNIQUE,
    created_at            INTEGER NOT NULL
);

CREATE TABLE org_units (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id              TEXT NOT NULL UNIQUE,
    parent_id       TEXT NOT NULL,
    name            TEXT NOT NULL,
    depth           INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    UNIQUE (organization_id, parent_id, name)
);

CREATE TABLE org_members (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id      TEXT NOT NULL UNIQUE REFERENCES accounts (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    parent_id       TEXT NOT NULL,
    join_method     TEXT NOT NULL,
    status          TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    joined_at       INTEGER NOT NULL
);
CREATE INDEX org_members_parent ON org_members (organization_id, parent_id, seq);

CREATE TABLE org_create_account_requests (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT NOT NULL UNIQUE,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    account_name    TEXT NOT NULL,
    email           TEXT NOT NULL DEFAULT '',
    description     TEXT NOT NULL DEFAULT '',
    tags            TEXT NOT NULL DEFAULT '[]',
    state           TEXT NOT NULL,
    account_id      TEXT NOT NULL DEFAULT '',
    failure_reason  TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    completed_at    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX org_create_account_requests_org ON org_create_account_requests (organization_id, seq);
CREATE INDEX org_create_account_requests_pending ON org_create_account_requests (seq) WHERE state = 'in_progress';

CREATE TABLE org_close_account_requests (
    account_id      TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    state           TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX org_close_account_requests_org ON org_close_account_requests (organization_id, account_id);

CREATE TABLE org_trusted_services (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id   TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    service_principal TEXT NOT NULL,
    enabled_at        INTEGER NOT NULL,
    UNIQUE (organization_id, service_principal)
);

CREATE TABLE org_delegated_admins (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id   TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    account_id        TEXT NOT NULL,
    service_principal TEXT NOT NULL,
    enabled_at        INTEGER NOT NULL,
    UNIQUE (account_id, service_principal)
);
CREATE INDEX org_delegated_admins_org ON org_delegated_admins (organization_id, service_principal, seq);

CREATE TABLE org_tags (
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    resource_id     TEXT NOT NULL,
    key             TEXT NOT NULL,
    value           TEXT NOT NULL,
    PRIMARY KEY (resource_id, key)
);
