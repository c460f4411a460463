-- Entity versions: users and groups count their changes, so that clients
-- (SCIM's weak ETags, If-Match) can tell whether a resource changed since
-- they read it. Existing rows start at 1.
ALTER TABLE users ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE groups ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
