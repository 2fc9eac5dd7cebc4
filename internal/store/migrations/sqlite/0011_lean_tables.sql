-- Every bet writes one credit_rounds row and one or two ledger_transfers rows through the single
-- SQLite writer, so their per-row cost bounds the bets per second:
-- * ledger_transfers loses AUTOINCREMENT (an extra sqlite_sequence write per insert; rows are
--   never deleted, so plain INTEGER PRIMARY KEY ids still only grow) and its foreign keys (two
--   lookups per insert; the ledger refuses unknown accounts itself and the invariant check would
--   see one), as PostgreSQL did in 0009.
-- * credit_rounds becomes WITHOUT ROWID, keyed by its id (time-ordered UUIDv7s), saving the
--   separate primary-key index.
CREATE TABLE ledger_transfers_lean (
    id           INTEGER PRIMARY KEY,
    asset        TEXT NOT NULL,
    from_account TEXT NOT NULL,
    to_account   TEXT NOT NULL,
    amount       BIGINT NOT NULL CHECK (amount > 0),
    kind         TEXT NOT NULL,
    ref          TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    CHECK (from_account <> to_account)
);
INSERT INTO ledger_transfers_lean (id, asset, from_account, to_account, amount, kind, ref, created_at)
    SELECT id, asset, from_account, to_account, amount, kind, ref, created_at FROM ledger_transfers;
DROP TABLE ledger_transfers;
ALTER TABLE ledger_transfers_lean RENAME TO ledger_transfers;
CREATE INDEX ledger_transfers_ref ON ledger_transfers (ref);

CREATE TABLE credit_rounds_lean (
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
    run_id      TEXT,
    created_at  BIGINT NOT NULL,
    UNIQUE (seed_id, nonce)
) WITHOUT ROWID;
INSERT INTO credit_rounds_lean SELECT id, account_id, game, amount, target, condition, roll, win, payout, seed_id,
    client_seed, nonce, run_id, created_at FROM credit_rounds;
DROP TABLE credit_rounds;
ALTER TABLE credit_rounds_lean RENAME TO credit_rounds;
CREATE INDEX credit_rounds_account ON credit_rounds (account_id, created_at);
