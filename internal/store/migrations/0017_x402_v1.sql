-- Pay-per-play (spec 001). x402_payments holds every accepted x402 payment: its primary key is
-- the EIP-3009 authorization (network, token, payer, nonce), so a payment is accepted at most
-- once on any number of instances (a replay is refused with invalid_transaction_state). The row
-- is written in the same transaction as what the payment bought; tx_hash is set when it settles.
CREATE TABLE x402_payments (
    network    TEXT NOT NULL,
    asset      TEXT NOT NULL,
    payer      TEXT NOT NULL,   -- lowercase 0x address, recovered from the signature
    nonce      TEXT NOT NULL,   -- 0x + 64 hex
    account_id TEXT NOT NULL REFERENCES accounts (id),
    amount     BIGINT NOT NULL CHECK (amount > 0), -- micro-USDC
    kind       TEXT NOT NULL,   -- what it paid for: bet, balance, bet_status, manifest, withdraw_fee
    ref        TEXT NOT NULL,   -- the domain row it paid for
    tx_hash    TEXT,            -- the settlement, once settled
    auth_json  TEXT NOT NULL,   -- the signed EIP-3009 authorization, JSON, so a settlement can be retried
    signature  TEXT NOT NULL,   -- 0x + 65 bytes, v 27/28
    created_at BIGINT NOT NULL,
    PRIMARY KEY (network, asset, payer, nonce)
);
CREATE INDEX x402_payments_ref ON x402_payments (ref);

-- The /api/v1 bets: the wager, its outcome from the committed seed, and the settlement status
-- (settling until the payment settles, then settled with the payout credited, or voided).
CREATE TABLE v1_bets (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    game        TEXT NOT NULL,
    stake_tier  TEXT NOT NULL,
    stake       BIGINT NOT NULL,  -- micro-USDC, also the x402 price
    params      TEXT NOT NULL,    -- the bet's parameters, JSON
    outcome     TEXT NOT NULL,    -- the outcome, JSON
    payout      BIGINT NOT NULL,  -- micro-USDC credited when settled
    status      TEXT NOT NULL CHECK (status IN ('settling', 'settled', 'voided')),
    seed_id     TEXT NOT NULL REFERENCES server_seeds (id),
    client_seed TEXT NOT NULL,
    nonce       BIGINT NOT NULL,
    network     TEXT NOT NULL,
    tx_hash     TEXT,
    created_at  BIGINT NOT NULL,
    settled_at  BIGINT
);
CREATE INDEX v1_bets_account ON v1_bets (account_id, created_at);

-- Withdrawals of the in-house USDC balance to the payer's own address.
CREATE TABLE v1_withdrawals (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    address    TEXT NOT NULL,
    amount     BIGINT NOT NULL CHECK (amount > 0),
    network    TEXT NOT NULL,
    status     TEXT NOT NULL,
    tx_hash    TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX v1_withdrawals_account ON v1_withdrawals (account_id, created_at);

-- Sign-In With Ethereum (EIP-4361): nonces are single use and live ten minutes; a session is
-- the siwe-session cookie's token, stored only as its SHA-256 hash, for seven days.
CREATE TABLE siwe_nonces (
    nonce      TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE TABLE siwe_sessions (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    address    TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX siwe_sessions_account ON siwe_sessions (account_id);
