-- Strategy runs keep their rounds packed in strategy_runs (0007); credit_rounds.run_id is only
-- set on rounds of runs made before that, so its index is one B-tree insert per round for nothing.
DROP INDEX credit_rounds_run;
