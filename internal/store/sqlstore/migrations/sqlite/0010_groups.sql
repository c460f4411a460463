-- Groups of an identity store. display_name_key is the lower-cased display
-- name: display names are unique within a store, case-insensitively.
CREATE TABLE groups (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    identity_store_id TEXT NOT NULL,
    id                TEXT NOT NULL,
    display_name      TEXT NOT NULL,
    display_name_key  TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    external_ids      TEXT NOT NULL DEFAULT '[]',
    created_at        INTEGER NOT NULL,
    created_by        TEXT NOT NULL DEFAULT '',
    updated_at        INTEGER NOT NULL,
    updated_by        TEXT NOT NULL DEFAULT '',
    UNIQUE (identity_store_id, id),
    UNIQUE (identity_store_id, display_name_key)
);
CREATE INDEX groups_store_seq ON groups (identity_store_id, seq);

-- External ids of groups, unique per issuer within a store; kept in step
-- with groups.external_ids by the store.
CREATE TABLE group_external_ids (
    identity_store_id TEXT NOT NULL,
    issuer            TEXT NOT NULL,
    external_id       TEXT NOT NULL,
    group_id          TEXT NOT NULL,
    PRIMARY KEY (identity_store_id, issuer, external_id),
    FOREIGN KEY (identity_store_id, group_id) REFERENCES groups (identity_store_id, id) ON DELETE CASCADE
);
CREATE INDEX group_external_ids_group ON group_external_ids (identity_store_id, group_id);

-- A user's membership of a group. Both live in the same store, and deleting
-- either removes the membership. The unique key (store, user, group) decides
-- duplicates and answers "is this user in these groups" from the index
-- alone; the (store, group, seq) and (store, user, seq) indexes serve the
-- two paginated lists and the cascades.
CREATE TABLE group_memberships (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    identity_store_id TEXT NOT NULL,
    id                TEXT NOT NULL,
    group_id          TEXT NOT NULL,
    user_id           TEXT NOT NULL,
    created_at        INTEGER NOT NULL,
    UNIQUE (identity_store_id, id),
    FOREIGN KEY (identity_store_id, group_id) REFERENCES groups (identity_store_id, id) ON DELETE CASCADE,
    FOREIGN KEY (identity_store_id, user_id) REFERENCES users (identity_store_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX group_memberships_user_group ON group_memberships (identity_store_id, user_id, group_id);
CREATE INDEX group_memberships_group ON group_memberships (identity_store_id, group_id, seq);
CREATE INDEX group_memberships_user ON group_memberships (identity_store_id, user_id, seq);
