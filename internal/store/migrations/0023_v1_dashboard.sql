-- Spec 001's dashboard (renumber at merge: the lead reserved 0024). Email notification
-- preferences of a wallet's account: the address, the per-event opt-ins (JSON object of
-- booleans), and its verification: the SHA-256 of the code last mailed, until it is confirmed.
CREATE TABLE v1_notifications (
    account_id      TEXT PRIMARY KEY REFERENCES accounts (id),
    email           TEXT NOT NULL,
    events          TEXT NOT NULL,
    verified_at     BIGINT,
    code_hash       TEXT,
    code_expires_at BIGINT,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX v1_bets_account_status ON v1_bets (account_id, status, created_at);
