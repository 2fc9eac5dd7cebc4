-- PostgreSQL drops the foreign keys of ledger_transfers here (row locks on the house account);
-- SQLite has no row locks, so it keeps them. This file keeps the two engines' numbering aligned.
SELECT 1;
