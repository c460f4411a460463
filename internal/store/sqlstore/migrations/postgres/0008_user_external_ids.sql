-- External ids (SCIM externalId, IdP subjects) of users, unique per issuer
-- within a store; kept in step with users.external_ids by the store.
CREATE TABLE user_external_ids (
    identity_store_id TEXT NOT NULL,
    issuer            TEXT NOT NULL,
    external_id       TEXT NOT NULL,
    user_id           TEXT NOT NULL,
    PRIMARY KEY (identity_store_id, issuer, external_id),
    FOREIGN KEY (identity_store_id, user_id) REFERENCES users (identity_store_id, id) ON DELETE CASCADE
);
CREATE INDEX user_external_ids_user ON user_external_ids (identity_store_id, user_id);
