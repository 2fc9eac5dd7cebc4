-- Spec 000 strategies. config/spec hold the validated strategy as JSON (decoded again, strictly,
-- before every run). Runs record what a strategy run did; its rounds carry run_id.
CREATE TABLE credit_strategies (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    game_type  TEXT NOT NULL,
    name       TEXT NOT NULL,
    config     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX credit_strategies_account ON credit_strategies (account_id, created_at);

CREATE TABLE advanced_strategies (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    name       TEXT NOT NULL,
    spec       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (account_id, name)
);

CREATE TABLE strategy_runs (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    kind        TEXT NOT NULL CHECK (kind IN ('basic', 'advanced')),
    strategy_id TEXT,
    rounds      INTEGER NOT NULL,
    wagered     BIGINT NOT NULL,
    returned    BIGINT NOT NULL,
    stop_reason TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX strategy_runs_account ON strategy_runs (account_id, created_at);
