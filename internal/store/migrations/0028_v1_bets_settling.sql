-- The resolver looks for bets left settling on every instance every few seconds. Without an
-- index of their own that query read every bet ever placed (through v1_bets_account_status, all
-- of it) and sorted them. Settled and voided bets, nearly all of them, are not in this index,
-- so it stays as small as the number of bets waiting for a settlement.
CREATE INDEX v1_bets_settling ON v1_bets (created_at) WHERE status = 'settling';
