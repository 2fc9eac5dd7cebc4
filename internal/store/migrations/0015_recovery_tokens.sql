-- Recovery links (POST /api/me/recovery-link): a short-lived, single-use token that gets an
-- account a new API key when its key is lost. Only the token's hash is stored.
CREATE TABLE recovery_tokens (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX recovery_tokens_account ON recovery_tokens (account_id);
