-- SQLite clusters credit_rounds by account and rebuilds ledger_accounts without a rowid here
-- (see migrations/sqlite/0012_rounds_by_account.sql); PostgreSQL keeps its tables and indexes.
-- This file keeps the engines' numbering aligned.
SELECT 1;
