-- Strategy runs store their rounds compactly, in the run's own row, instead of a credit_rounds
-- row per round (a 10,000-round run was dominated by B-tree inserts). rounds_data is the packed
-- rounds (internal/credits/pack.go: version byte, count, then per round flags (over, win, bet
-- or payout as the previous one), stake in whole credits, target, roll and payout as varints;
-- standard base64).
-- Round i (1-based) used nonce first_nonce + i - 1 of seed_id with client_seed; reads list it as
-- round "<run id>.<i>". wins completes the run's aggregates (rounds, wagered, returned) for the
-- all-time totals. Runs written before this migration have rounds_data NULL: their rounds stay
-- in credit_rounds (run_id set), which now holds single rounds only.
ALTER TABLE strategy_runs ADD COLUMN seed_id TEXT REFERENCES server_seeds (id);
ALTER TABLE strategy_runs ADD COLUMN client_seed TEXT;
ALTER TABLE strategy_runs ADD COLUMN first_nonce BIGINT;
ALTER TABLE strategy_runs ADD COLUMN wins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE strategy_runs ADD COLUMN rounds_data TEXT;
