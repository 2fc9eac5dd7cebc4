-- Spec 000 withdrawals: the amount waits in the player's pending ledger account until an operator
-- approves (pending -> external: paid out) or rejects (pending -> user: returned). The status
-- changes with a conditional UPDATE, so neither can happen twice.
CREATE TABLE credit_withdrawals (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    amount      BIGINT NOT NULL CHECK (amount > 0),
    status      TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    wise_email  TEXT,
    full_name   TEXT,
    currency    TEXT,
    note        TEXT,
    created_at  BIGINT NOT NULL,
    decided_at  BIGINT
);
CREATE INDEX credit_withdrawals_account ON credit_withdrawals (account_id, created_at);
CREATE INDEX credit_withdrawals_status ON credit_withdrawals (status, created_at);
-- At most one pending withdrawal per account, enforced by the database.
CREATE UNIQUE INDEX credit_withdrawals_one_pending ON credit_withdrawals (account_id) WHERE status = 'pending';
