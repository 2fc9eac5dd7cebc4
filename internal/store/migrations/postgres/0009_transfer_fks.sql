-- Each transfer's foreign keys made every writer take a KEY SHARE lock on the house row before
-- updating it at commit; with many concurrent writers those shared locks turn into multixacts
-- and throughput collapses. The ledger already refuses a transfer to an unknown account (its
-- balance UPDATE must hit exactly one row), and the invariant check would see one as a sum that
-- is not zero, so the constraints go.
ALTER TABLE ledger_transfers DROP CONSTRAINT IF EXISTS ledger_transfers_from_account_fkey;
ALTER TABLE ledger_transfers DROP CONSTRAINT IF EXISTS ledger_transfers_to_account_fkey;
