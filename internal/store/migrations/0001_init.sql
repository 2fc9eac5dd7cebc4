-- Accounts: one table for every surface (DESIGN §3).
CREATE TABLE accounts (
    id             TEXT PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('guest', 'agent', 'platform')),
    name           TEXT,
    email          TEXT,
    wallet_address TEXT,           -- proved by a signature (x402, SIWE): the account's identity
    payout_address TEXT,           -- only typed in: a destination, never an identity
    avatar_url     TEXT,
    created_at     BIGINT NOT NULL -- unix microseconds, as every *_at column
);
CREATE UNIQUE INDEX accounts_name ON accounts (lower(name));
CREATE UNIQUE INDEX accounts_email ON accounts (lower(email));
CREATE UNIQUE INDEX accounts_wallet ON accounts (wallet_address);

-- API keys are stored only as SHA-256 hashes; the prefix is the readable start of the key.
CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    prefix     TEXT NOT NULL,
    key_hash   TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX api_keys_account ON api_keys (account_id);

-- The double-entry ledger (DESIGN §4). Balances are int64 micro-units. Accounts of kind house,
-- faucet and external are counterparties and may go negative; every other kind may not, and the
-- database refuses it.
CREATE TABLE ledger_accounts (
    id       TEXT PRIMARY KEY,
    asset    TEXT NOT NULL CHECK (asset IN ('CREDIT', 'USDC')),
    kind     TEXT NOT NULL CHECK (kind IN ('user', 'in_play', 'pending', 'house', 'faucet', 'rake', 'external')),
    owner_id TEXT NOT NULL REFERENCES accounts (id),
    balance  BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT balance_nonnegative CHECK (kind IN ('house', 'faucet', 'external') OR balance >= 0)
);
CREATE INDEX ledger_accounts_owner ON ledger_accounts (owner_id);

CREATE TABLE ledger_transfers (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    asset        TEXT NOT NULL,
    from_account TEXT NOT NULL REFERENCES ledger_accounts (id),
    to_account   TEXT NOT NULL REFERENCES ledger_accounts (id),
    amount       BIGINT NOT NULL CHECK (amount > 0),
    kind         TEXT NOT NULL,   -- what moved it: faucet, bet, payout, withdrawal, ...
    ref          TEXT NOT NULL,   -- the domain row that caused it
    created_at   BIGINT NOT NULL,
    CHECK (from_account <> to_account)
);
CREATE INDEX ledger_transfers_from ON ledger_transfers (from_account);
CREATE INDEX ledger_transfers_to ON ledger_transfers (to_account);
CREATE INDEX ledger_transfers_ref ON ledger_transfers (ref);

-- Idempotency-Key: the first successful answer to a money-moving request, replayed on retry.
CREATE TABLE idempotency_keys (
    account_id   TEXT NOT NULL,
    scope        TEXT NOT NULL,   -- the operation, so one key cannot replay another route
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    body         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (account_id, scope, key)
);

-- Provably fair server seeds (DESIGN §5). A seed is active until rotated; only then is it
-- revealed. owner_id is the player for per-account seeds, the platform for shared ones.
CREATE TABLE server_seeds (
    id          TEXT PRIMARY KEY,
    owner_id    TEXT NOT NULL REFERENCES accounts (id),
    scope       TEXT NOT NULL,
    seed        TEXT NOT NULL,    -- hex; never shown while active
    commitment  TEXT NOT NULL,    -- hex SHA-256 of the seed bytes
    client_seed TEXT NOT NULL,
    next_nonce  BIGINT NOT NULL DEFAULT 0,
    active      INTEGER,          -- 1 while in use, NULL once rotated (so the unique index holds one)
    created_at  BIGINT NOT NULL,
    rotated_at  BIGINT
);
CREATE UNIQUE INDEX server_seeds_one_active ON server_seeds (owner_id, scope, active);
CREATE INDEX server_seeds_owner ON server_seeds (owner_id, scope);

-- Client-chosen nonces (spec 001): the last nonce used per (seed, account, client seed); a nonce
-- not greater than it is a replay.
CREATE TABLE seed_nonces (
    seed_id     TEXT NOT NULL REFERENCES server_seeds (id),
    account_id  TEXT NOT NULL,
    client_seed TEXT NOT NULL,
    last_nonce  BIGINT NOT NULL,
    PRIMARY KEY (seed_id, account_id, client_seed)
);

-- The platform account owns house, faucet, rake and external money from the first migration.
INSERT INTO accounts (id, kind, name, created_at) VALUES ('00000000-0000-0000-0000-000000000001', 'platform', 'platform', 0);
INSERT INTO ledger_accounts (id, asset, kind, owner_id) VALUES
    ('house:CREDIT', 'CREDIT', 'house', '00000000-0000-0000-0000-000000000001'),
    ('faucet:CREDIT', 'CREDIT', 'faucet', '00000000-0000-0000-0000-000000000001'),
    ('rake:CREDIT', 'CREDIT', 'rake', '00000000-0000-0000-0000-000000000001'),
    ('external:CREDIT', 'CREDIT', 'external', '00000000-0000-0000-0000-000000000001'),
    ('house:USDC', 'USDC', 'house', '00000000-0000-0000-0000-000000000001'),
    ('faucet:USDC', 'USDC', 'faucet', '00000000-0000-0000-0000-000000000001'),
    ('rake:USDC', 'USDC', 'rake', '00000000-0000-0000-0000-000000000001'),
    ('external:USDC', 'USDC', 'external', '00000000-0000-0000-0000-000000000001');
