-- Every bet writes its transfers; indexes on from_account and to_account cost two B-tree inserts
-- per transfer and nothing needs them: the invariant check aggregates whole-table scans, and
-- per-player history is read from the domain tables (rounds, claims, withdrawals). ref stays
-- indexed, for audits of one domain row's money.
DROP INDEX ledger_transfers_from;
DROP INDEX ledger_transfers_to;
