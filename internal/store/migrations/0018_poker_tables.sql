-- Poker tables at runtime (issue 11): each table and each settled hand. A table's deck seed lives
-- in server_seeds (owner: the platform account, scope 'poker:<table id>'); a hand names the seed
-- and nonce its deck came from, so it can be recomputed once the seed is revealed.
CREATE TABLE poker_tables (
    id          TEXT PRIMARY KEY,
    small_blind BIGINT NOT NULL,
    big_blind   BIGINT NOT NULL,
    seats       INTEGER NOT NULL,
    created_at  BIGINT NOT NULL,
    closed_at   BIGINT
);

CREATE TABLE poker_hands (
    id          TEXT PRIMARY KEY,
    table_id    TEXT NOT NULL REFERENCES poker_tables (id),
    hand_no     BIGINT NOT NULL,
    seed_id     TEXT NOT NULL REFERENCES server_seeds (id),
    client_seed TEXT NOT NULL,
    nonce       BIGINT NOT NULL,
    button      INTEGER NOT NULL,
    pot         BIGINT NOT NULL,
    rake        BIGINT NOT NULL,
    board       TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX poker_hands_table_no ON poker_hands (table_id, hand_no);

-- What each agent holds at the poker tables (its in-play USDC that belongs to poker), kept in the
-- same transactions as the buy-ins, settlements and cash-outs: after a crash, the stacks of tables
-- that no longer run are returned from here.
CREATE TABLE poker_stacks (
    account_id TEXT PRIMARY KEY REFERENCES accounts (id),
    amount     BIGINT NOT NULL CHECK (amount >= 0),
    updated_at BIGINT NOT NULL
);
