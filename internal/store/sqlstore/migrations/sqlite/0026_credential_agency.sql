-- Temporary credentials issued by the portal name the agency whose policies
-- they hold (the authorizer resolves them from the agency at request time)
-- and the portal sign-in session they were issued in (logout deletes them).
ALTER TABLE credentials ADD COLUMN agency_instance_id TEXT NOT NULL DEFAULT '';
ALTER TABLE credentials ADD COLUMN agency_permission_set_id TEXT NOT NULL DEFAULT '';
ALTER TABLE credentials ADD COLUMN portal_session TEXT NOT NULL DEFAULT '';
CREATE INDEX credentials_portal_session ON credentials (portal_session) WHERE portal_session <> '';
