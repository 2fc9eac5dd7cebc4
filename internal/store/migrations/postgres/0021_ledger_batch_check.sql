-- See the shared 0020: the same notes, written by statement-level triggers (one INSERT … SELECT
-- per statement from its transition tables: the batch's one multi-row INSERT of transfers adds
-- its notes in one statement).
CREATE TABLE ledger_batch_changes (
    account TEXT NOT NULL,
    other   TEXT,
    asset   TEXT NOT NULL,
    delta   BIGINT NOT NULL,
    balance BIGINT,
    kind    TEXT
);
CREATE FUNCTION ledger_balance_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ledger_batch_changes (account, asset, delta, balance, kind)
        SELECT n.id, n.asset, n.balance - o.balance, n.balance, n.kind
        FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.balance <> o.balance;
    RETURN NULL;
END $$;
CREATE TRIGGER ledger_balance_changed AFTER UPDATE ON ledger_accounts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_balance_changed();
CREATE FUNCTION ledger_account_opened() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ledger_batch_changes (account, asset, delta, balance, kind)
        SELECT n.id, n.asset, n.balance, n.balance, n.kind FROM new_rows n WHERE n.balance <> 0;
    RETURN NULL;
END $$;
CREATE TRIGGER ledger_account_opened AFTER INSERT ON ledger_accounts
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_account_opened();
CREATE FUNCTION ledger_transfer_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ledger_batch_changes (account, other, asset, delta)
        SELECT n.to_account, n.from_account, n.asset, n.amount FROM new_rows n;
    RETURN NULL;
END $$;
CREATE TRIGGER ledger_transfer_added AFTER INSERT ON ledger_transfers
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_transfer_added();
