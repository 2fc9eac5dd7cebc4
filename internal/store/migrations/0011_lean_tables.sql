-- SQLite rebuilds two hot tables leaner here (see migrations/sqlite/0011_lean_tables.sql);
-- PostgreSQL needs nothing: BIGSERIAL has no AUTOINCREMENT bookkeeping and its transfer foreign
-- keys went in 0009. This file keeps the engines' numbering aligned.
SELECT 1;
