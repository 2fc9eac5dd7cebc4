-- Spec 000 dice rounds. Each row carries everything needed to recompute the roll: the seed it
-- used (server_seeds.id), the client seed and the nonce. Amounts are micro-credits; target and
-- roll are hundredths (4950 = 49.50).
CREATE TABLE credit_rounds (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    game        TEXT NOT NULL,
    amount      BIGINT NOT NULL CHECK (amount > 0),
    target      INTEGER NOT NULL,
    condition   TEXT NOT NULL CHECK (condition IN ('over', 'under')),
    roll        INTEGER NOT NULL,
    win         INTEGER NOT NULL,
    payout      BIGINT NOT NULL CHECK (payout >= 0),
    seed_id     TEXT NOT NULL REFERENCES server_seeds (id),
    client_seed TEXT NOT NULL,
    nonce       BIGINT NOT NULL,
    run_id      TEXT,             -- the strategy run that played it, if any
    created_at  BIGINT NOT NULL,
    UNIQUE (seed_id, nonce)       -- a (seed, nonce) pair is never used twice
);
CREATE INDEX credit_rounds_account ON credit_rounds (account_id, created_at);
CREATE INDEX credit_rounds_run ON credit_rounds (run_id);
