-- Payouts replaced with a higher fee (chain.Reconciler, Tracker.Replace). A payout stuck unmined
-- on a low fee is signed again at the same nonce with higher fees; each such replacement is
-- recorded here before it is broadcast. The original stays on the withdrawal row (payout_tx,
-- migration 0025). All of a withdrawal's attempts share one nonce, so at most one is ever mined:
-- the withdrawal completes with whichever that is. payout_replacements counts the rows here
-- (seq 1..n): recording one is guarded by it (two reconcilers never record two at once) and so
-- is the reconciler's refund (one recorded since it read the withdrawal may be mined yet).
CREATE TABLE chain_payout_attempts (
    book TEXT NOT NULL,
    withdrawal_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    tx TEXT NOT NULL,
    nonce BIGINT NOT NULL,
    raw TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (book, withdrawal_id, seq)
);
ALTER TABLE v1_withdrawals ADD COLUMN payout_replacements INTEGER NOT NULL DEFAULT 0;
ALTER TABLE poker_withdrawals ADD COLUMN payout_replacements INTEGER NOT NULL DEFAULT 0;
