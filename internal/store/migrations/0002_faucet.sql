-- Free Credits (spec 000): one claim per account per cooldown. faucet_state is the guard: a claim
-- is a conditional upsert on it, atomic on both engines even without a single writer.
CREATE TABLE faucet_state (
    account_id    TEXT PRIMARY KEY REFERENCES accounts (id),
    last_claim_at BIGINT NOT NULL
);
CREATE TABLE faucet_claims (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    asset      TEXT NOT NULL,
    amount     BIGINT NOT NULL CHECK (amount > 0),
    created_at BIGINT NOT NULL
);
CREATE INDEX faucet_claims_account ON faucet_claims (account_id, created_at);
