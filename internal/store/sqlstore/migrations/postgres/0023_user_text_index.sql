-- Substring search on user names and primary e-mails (Users.Containing,
-- SCIM's co/sw/ew on userName and emails.value): trigram GIN indexes over
-- the lower-cased keys. pg_trgm ships with PostgreSQL (contrib) and is a
-- trusted extension: a database owner may create it. It is used from the
-- schema it is installed in, else installed in public (or, without one, the
-- current schema), and its operator class is named with that schema, so the
-- indexes do not depend on the search path.
DO $$
DECLARE
    s text;
BEGIN
    SELECT n.nspname INTO s FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
    IF s IS NULL THEN
        s := COALESCE((SELECT nspname FROM pg_namespace WHERE nspname = 'public'), current_schema());
        EXECUTE format('CREATE EXTENSION pg_trgm SCHEMA %I', s);
    END IF;
    EXECUTE format('CREATE INDEX users_user_name_trgm ON users USING gin (user_name_key %I.gin_trgm_ops)', s);
    EXECUTE format('CREATE INDEX users_email_trgm ON users USING gin (email_key %I.gin_trgm_ops)', s);
END
$$;
