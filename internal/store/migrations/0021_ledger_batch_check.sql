-- The incremental ledger invariant (internal/ledger/batchcheck.go): triggers note every balance
-- change and every transfer a transaction makes in ledger_batch_changes, and the transaction
-- takes its own notes back out just before it commits (DELETE … RETURNING, store.Config
-- BeforeCommit), checking that each account's balance moved exactly by its transfers' net and
-- that each asset's balances moved by zero in all. The table is empty between transactions.
-- A transfer row: account = to_account, other = from_account, delta = amount. A balance row:
-- other NULL, delta = new − old, balance = new, kind = the account's kind.
CREATE TABLE ledger_batch_changes (
    account TEXT NOT NULL,
    other   TEXT,
    asset   TEXT NOT NULL,
    delta   BIGINT NOT NULL,
    balance BIGINT,
    kind    TEXT
);
CREATE TRIGGER ledger_balance_changed AFTER UPDATE OF balance ON ledger_accounts
WHEN NEW.balance <> OLD.balance
BEGIN
    INSERT INTO ledger_batch_changes (account, asset, delta, balance, kind)
        VALUES (NEW.id, NEW.asset, NEW.balance - OLD.balance, NEW.balance, NEW.kind);
END;
CREATE TRIGGER ledger_account_opened AFTER INSERT ON ledger_accounts
WHEN NEW.balance <> 0
BEGIN
    INSERT INTO ledger_batch_changes (account, asset, delta, balance, kind)
        VALUES (NEW.id, NEW.asset, NEW.balance, NEW.balance, NEW.kind);
END;
CREATE TRIGGER ledger_transfer_added AFTER INSERT ON ledger_transfers
BEGIN
    INSERT INTO ledger_batch_changes (account, other, asset, delta)
        VALUES (NEW.to_account, NEW.from_account, NEW.asset, NEW.amount);
END;
