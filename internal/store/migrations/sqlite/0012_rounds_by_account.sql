-- Each bet dirties database pages that the single SQLite writer must write to the WAL at commit;
-- under load the batch's pages, not its statements, were the largest cost. The rounds of one
-- batch belong to different accounts, so every index keyed by account or seed put each round on
-- a page of its own: credit_rounds had two such indexes, (account_id, created_at) and
-- UNIQUE (seed_id, nonce), and about 2.7 pages were written per bet.
--
-- * credit_rounds is now stored in the order the account listing reads it, keyed by
--   (account_id, created_at, id), so that listing is the table itself and each bet writes one
--   page that belongs to its account. The index on id is time-ordered (UUIDv7), so a batch's
--   entries share its last page.
-- * UNIQUE (seed_id, nonce) goes: the nonce is taken from server_seeds.next_nonce by an
--   UPDATE in the same transaction as the round, and SQLite has one writer, so a nonce cannot be
--   handed out twice (PostgreSQL keeps the index; its writers run concurrently).
-- * The foreign keys of credit_rounds go: both rows are read or written by the same
--   transaction that inserts the round (the account authenticated, the seed just drawn).
-- * ledger_accounts becomes WITHOUT ROWID: a balance update finds its row in one B-tree instead
--   of the primary-key index and then the table. Its balance_nonnegative CHECK, evaluated on
--   every balance update, spells its kinds out with OR: SQLite codes an IN list of three or more
--   constants as a temporary index built on every execution, which was a sizeable part of a
--   bet's cost in the writer.
CREATE TABLE credit_rounds_by_account (
    account_id  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    id          TEXT NOT NULL,
    game        TEXT NOT NULL,
    amount      BIGINT NOT NULL CHECK (amount > 0),
    target      INTEGER NOT NULL,
    condition   TEXT NOT NULL CHECK (condition IN ('over', 'under')),
    roll        INTEGER NOT NULL,
    win         INTEGER NOT NULL,
    payout      BIGINT NOT NULL CHECK (payout >= 0),
    seed_id     TEXT NOT NULL,
    client_seed TEXT NOT NULL,
    nonce       BIGINT NOT NULL,
    run_id      TEXT,
    PRIMARY KEY (account_id, created_at, id)
) WITHOUT ROWID;
INSERT INTO credit_rounds_by_account (account_id, created_at, id, game, amount, target, condition, roll, win, payout,
    seed_id, client_seed, nonce, run_id)
    SELECT account_id, created_at, id, game, amount, target, condition, roll, win, payout, seed_id, client_seed, nonce, run_id
    FROM credit_rounds;
DROP TABLE credit_rounds;
ALTER TABLE credit_rounds_by_account RENAME TO credit_rounds;
CREATE UNIQUE INDEX credit_rounds_id ON credit_rounds (id);

CREATE TABLE ledger_accounts_lean (
    id       TEXT NOT NULL PRIMARY KEY,
    asset    TEXT NOT NULL CHECK (asset IN ('CREDIT', 'USDC')),
    kind     TEXT NOT NULL CHECK (kind IN ('user', 'in_play', 'pending', 'house', 'faucet', 'rake', 'external')),
    owner_id TEXT NOT NULL REFERENCES accounts (id),
    balance  BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT balance_nonnegative CHECK (kind = 'house' OR kind = 'faucet' OR kind = 'external' OR balance >= 0)
) WITHOUT ROWID;
INSERT INTO ledger_accounts_lean (id, asset, kind, owner_id, balance) SELECT id, asset, kind, owner_id, balance FROM ledger_accounts;
DROP TABLE ledger_accounts;
ALTER TABLE ledger_accounts_lean RENAME TO ledger_accounts;
CREATE INDEX ledger_accounts_owner ON ledger_accounts (owner_id);
