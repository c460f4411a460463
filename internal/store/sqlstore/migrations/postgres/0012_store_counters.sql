-- How many users and groups each identity store holds, kept in step by the
-- store on every insert and delete (quota checks read one row).
CREATE TABLE identity_store_counters (
    identity_store_id TEXT PRIMARY KEY,
    user_count        BIGINT NOT NULL DEFAULT 0,
    group_count       BIGINT NOT NULL DEFAULT 0
);
INSERT INTO identity_store_counters (identity_store_id, user_count, group_count)
    SELECT s, SUM(u), SUM(g) FROM (
        SELECT identity_store_id AS s, 1 AS u, 0 AS g FROM users
        UNION ALL SELECT identity_store_id, 0, 1 FROM groups) t
    GROUP BY s;
