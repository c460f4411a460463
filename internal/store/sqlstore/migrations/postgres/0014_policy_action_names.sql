-- Custom policies written before iic used Huawei's documented action names
-- (IdentityCenter:user:create instead of identitystore:user:create) keep
-- deciding as they did: legacy_actions = TRUE marks them, and the authorizer
-- matches them against the old names. Every row stored so far is such a
-- policy; this build writes FALSE for new ones (an older build still running
-- during an upgrade gets the default, which is right for it too).
ALTER TABLE policies ADD COLUMN legacy_actions BOOLEAN NOT NULL DEFAULT TRUE;
