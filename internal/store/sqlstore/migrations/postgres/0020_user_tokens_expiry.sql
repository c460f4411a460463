-- The token sweep (DeleteExpiredTokens) finds expired e-mailed tokens by
-- expiry instead of scanning the table.
CREATE INDEX user_tokens_expiry ON user_tokens (expires_at);
