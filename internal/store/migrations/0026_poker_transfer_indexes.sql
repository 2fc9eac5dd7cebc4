-- The poker partial indexes of 0022 with their predicate written as ORs of equalities. SQLite
-- evaluated `kind IN (six constants)` by building a temporary b-tree for the list on every
-- statement that touches ledger_transfers: each transfer insert paid for two of them, on every
-- surface. The poker queries repeat this predicate word for word (agents.pokerKinds) so that
-- both engines still use the indexes.
DROP INDEX ledger_transfers_poker_from;
DROP INDEX ledger_transfers_poker_to;
CREATE INDEX ledger_transfers_poker_from ON ledger_transfers (from_account)
    WHERE (kind = 'sandbox' OR kind = 'poker_buy_in' OR kind = 'poker_cash_out' OR kind = 'poker_deposit' OR kind = 'poker_withdrawal' OR kind = 'poker_withdrawal_refund');
CREATE INDEX ledger_transfers_poker_to ON ledger_transfers (to_account)
    WHERE (kind = 'sandbox' OR kind = 'poker_buy_in' OR kind = 'poker_cash_out' OR kind = 'poker_deposit' OR kind = 'poker_withdrawal' OR kind = 'poker_withdrawal_refund');
