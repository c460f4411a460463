-- Per-instance settings (store.InstanceSettings): sign-in (SSO
-- configuration), MFA-device self-management, the disaster-recovery choice
-- and the attribute-based access-control configuration. One row per
-- instance, written on the first change (until then the service answers its
-- defaults), deleted with the instance. allowed_mfa_types and
-- abac_attributes are JSON arrays; updated_at is Unix milliseconds.
CREATE TABLE instance_settings (
    instance_id                 TEXT PRIMARY KEY REFERENCES instances(id) ON DELETE CASCADE,
    mfa_mode                    TEXT NOT NULL,
    allowed_mfa_types           TEXT NOT NULL DEFAULT '[]',
    no_mfa_signin_behavior      TEXT NOT NULL,
    no_password_signin_behavior TEXT NOT NULL,
    max_authentication_age      TEXT NOT NULL,
    mfa_device_permission       TEXT NOT NULL,
    disaster_recovery_choice    TEXT NOT NULL,
    abac_status                 TEXT NOT NULL DEFAULT '',
    abac_status_reason          TEXT NOT NULL DEFAULT '',
    abac_attributes             TEXT NOT NULL DEFAULT '[]',
    updated_at                  BIGINT NOT NULL
);

-- A portal alias is a sub-domain: unique across instances, compared
-- case-insensitively (IIC.1271). Two instances holding the same alias
-- before this step make it fail, loudly, rather than drop either alias.
CREATE UNIQUE INDEX instances_alias ON instances (lower(alias)) WHERE alias <> '';
