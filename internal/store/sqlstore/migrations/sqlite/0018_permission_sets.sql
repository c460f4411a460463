-- Permission sets of an instance. Names are unique per instance; ids are
-- unique everywhere (the tag routes name a permission set alone). policies
-- and tags are JSON; version grows on every change provisioning copies.
CREATE TABLE permission_sets (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    instance_id      TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    id               TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    relay_state      TEXT NOT NULL DEFAULT '',
    session_duration TEXT NOT NULL DEFAULT '',
    policies         TEXT NOT NULL DEFAULT '{}',
    tags             TEXT NOT NULL DEFAULT '[]',
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    UNIQUE (instance_id, id),
    UNIQUE (instance_id, name)
);
CREATE INDEX permission_sets_instance ON permission_sets (instance_id, seq);

-- Account assignments: a user or group holds a permission set in an
-- account. The unique key makes creation idempotent; the indexes serve the
-- per-account and per-principal lists and the counts that decide whether an
-- agency stays.
CREATE TABLE account_assignments (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    instance_id       TEXT NOT NULL,
    account_id        TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    permission_set_id TEXT NOT NULL,
    principal_type    TEXT NOT NULL,
    principal_id      TEXT NOT NULL,
    created_at        INTEGER NOT NULL,
    FOREIGN KEY (instance_id, permission_set_id) REFERENCES permission_sets (instance_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX account_assignments_key ON account_assignments (instance_id, account_id, permission_set_id, principal_type, principal_id);
CREATE INDEX account_assignments_account ON account_assignments (instance_id, account_id, seq);
CREATE INDEX account_assignments_principal ON account_assignments (instance_id, principal_id, seq);
CREATE INDEX account_assignments_permission_set ON account_assignments (instance_id, permission_set_id, account_id);

-- Agencies: a permission set provisioned into an account, with the copy of
-- its policies taken then (policies JSON) and the version copied.
CREATE TABLE agencies (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    instance_id       TEXT NOT NULL,
    account_id        TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    permission_set_id TEXT NOT NULL,
    name              TEXT NOT NULL,
    urn               TEXT NOT NULL,
    version           INTEGER NOT NULL,
    policies          TEXT NOT NULL DEFAULT '{}',
    session_duration  TEXT NOT NULL DEFAULT '',
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    UNIQUE (instance_id, account_id, permission_set_id),
    FOREIGN KEY (instance_id, permission_set_id) REFERENCES permission_sets (instance_id, id) ON DELETE CASCADE
);
CREATE INDEX agencies_permission_set ON agencies (instance_id, permission_set_id, seq);
CREATE INDEX agencies_account ON agencies (instance_id, account_id, seq);

-- Asynchronous requests (assignment creation/deletion, provisioning); the
-- job runner applies them (one job per request).
CREATE TABLE permission_requests (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    instance_id       TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    id                TEXT NOT NULL UNIQUE,
    kind              TEXT NOT NULL,
    status            TEXT NOT NULL,
    failure_reason    TEXT NOT NULL DEFAULT '',
    permission_set_id TEXT NOT NULL DEFAULT '',
    principal_type    TEXT NOT NULL DEFAULT '',
    principal_id      TEXT NOT NULL DEFAULT '',
    target_type       TEXT NOT NULL DEFAULT '',
    target_id         TEXT NOT NULL DEFAULT '',
    attempts          INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
CREATE INDEX permission_requests_list ON permission_requests (instance_id, kind, seq);
