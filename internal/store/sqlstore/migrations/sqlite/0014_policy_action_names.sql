-- Custom policies written before iic used Huawei's documented action names
-- (IdentityCenter:user:create instead of identitystore:user:create) keep
-- deciding as they did: legacy_actions = 1 marks them, and the authorizer
-- matches them against the old names. Every row stored so far is such a
-- policy; this build writes 0 for new ones (an older build still running
-- during an upgrade gets the default, which is right for it too).
ALTER TABLE policies ADD COLUMN legacy_actions INTEGER NOT NULL DEFAULT 1;
