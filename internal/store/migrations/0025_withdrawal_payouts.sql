-- Withdrawals reconciled with the chain: a payout's transaction is signed and recorded (its hash,
-- the house wallet's nonce, the signed bytes) in the write that keeps the withdrawal pending,
-- before it is broadcast, so its outcome can always be read back (chain.Reconciler).
-- payout_state: NULL for a withdrawal from before this migration (left to an operator),
-- 'unsigned' (nothing sent yet), 'signed' (the recorded transaction may be on its way).
ALTER TABLE v1_withdrawals ADD COLUMN payout_state TEXT;
ALTER TABLE v1_withdrawals ADD COLUMN payout_tx TEXT;
ALTER TABLE v1_withdrawals ADD COLUMN payout_nonce BIGINT;
ALTER TABLE v1_withdrawals ADD COLUMN payout_raw TEXT;
CREATE INDEX v1_withdrawals_pending ON v1_withdrawals (created_at) WHERE status = 'pending';

ALTER TABLE poker_withdrawals ADD COLUMN payout_state TEXT;
ALTER TABLE poker_withdrawals ADD COLUMN payout_tx TEXT;
ALTER TABLE poker_withdrawals ADD COLUMN payout_nonce BIGINT;
ALTER TABLE poker_withdrawals ADD COLUMN payout_raw TEXT;
CREATE INDEX poker_withdrawals_pending ON poker_withdrawals (created_at) WHERE status = 'pending';
