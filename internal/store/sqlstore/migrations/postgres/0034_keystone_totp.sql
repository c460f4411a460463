-- The replay guard of a sign-in user's TOTP device (store.Keystone
-- ClaimTOTPStep): the last 30-second time step whose code was accepted;
-- a code of that step or an earlier one is refused.
ALTER TABLE keystone_users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
