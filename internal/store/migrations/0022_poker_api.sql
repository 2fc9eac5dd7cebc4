-- Spec 002's REST surface (issue 11): hand histories per agent, on-chain deposits and
-- withdrawals, and the payout wallet typed in at poker registration (unique, DESIGN §3: a
-- destination, never an identity). Stored lowercase.
CREATE UNIQUE INDEX accounts_payout ON accounts (payout_address);

ALTER TABLE poker_hands ADD COLUMN started_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE poker_hands ADD COLUMN actions TEXT NOT NULL DEFAULT '[]';
CREATE INDEX poker_hands_created ON poker_hands (created_at);

-- Each agent dealt into a hand: its line of GET /poker/api/me/hand-history.
CREATE TABLE poker_hand_seats (
    hand_id     TEXT NOT NULL REFERENCES poker_hands (id),
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    seat        INTEGER NOT NULL,
    stack_start BIGINT NOT NULL,
    stack_end   BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (hand_id, seat)
);
CREATE INDEX poker_hand_seats_account ON poker_hand_seats (account_id, created_at);

-- A deposit is credited once per transaction hash (the unique index is the guarantee).
CREATE TABLE poker_deposits (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    tx_hash       TEXT NOT NULL UNIQUE,
    network       TEXT NOT NULL,
    amount        BIGINT NOT NULL CHECK (amount > 0),
    confirmations INTEGER NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE TABLE poker_withdrawals (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    to_address    TEXT NOT NULL,
    network       TEXT NOT NULL,
    amount        BIGINT NOT NULL CHECK (amount > 0),
    status        TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'failed')),
    tx_hash       TEXT,
    confirmations INTEGER NOT NULL DEFAULT 0,
    error_message TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX poker_withdrawals_account ON poker_withdrawals (account_id);

-- GET /poker/api/transactions lists the movements of an agent's USDC balance made by poker
-- (ledger_transfers has no per-account index: the bet paths do not pay for one). The queries
-- repeat these predicates word for word so both engines use the partial indexes.
CREATE INDEX ledger_transfers_poker_from ON ledger_transfers (from_account)
    WHERE kind IN ('sandbox', 'poker_buy_in', 'poker_cash_out', 'poker_deposit', 'poker_withdrawal', 'poker_withdrawal_refund');
CREATE INDEX ledger_transfers_poker_to ON ledger_transfers (to_account)
    WHERE kind IN ('sandbox', 'poker_buy_in', 'poker_cash_out', 'poker_deposit', 'poker_withdrawal', 'poker_withdrawal_refund');
