-- Strategy runs are played in bounded chunks, each its own write (internal/credits/runchunks.go),
-- so a 100,000-round run never holds the single writer for more than one chunk.
-- status: 'running' until the last chunk commits, then 'done' (rows before this migration are
-- done). rounds, wins, wagered and returned are the committed chunks' totals; chunks counts them.
-- spec (the strategy's JSON, as saved strategies store it), start_balance and max_rounds let any
-- process rebuild the session of the last committed round and play on. The first chunk's rounds
-- stay in strategy_runs.rounds_data; chunk 2 onwards in strategy_run_chunks, each packed alone
-- (pack.go), its round i following the previous chunks' rounds in one nonce sequence.
ALTER TABLE strategy_runs ADD COLUMN status TEXT NOT NULL DEFAULT 'done';
ALTER TABLE strategy_runs ADD COLUMN chunks INTEGER NOT NULL DEFAULT 1;
ALTER TABLE strategy_runs ADD COLUMN spec TEXT;
ALTER TABLE strategy_runs ADD COLUMN start_balance BIGINT;
ALTER TABLE strategy_runs ADD COLUMN max_rounds BIGINT;
ALTER TABLE strategy_runs ADD COLUMN updated_at BIGINT;
CREATE INDEX strategy_runs_running ON strategy_runs (account_id) WHERE status = 'running';
CREATE TABLE strategy_run_chunks (
    run_id      TEXT NOT NULL REFERENCES strategy_runs (id),
    seq         INTEGER NOT NULL,
    rounds      INTEGER NOT NULL,
    rounds_data TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
);
