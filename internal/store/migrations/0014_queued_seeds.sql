-- Each owner's next server seed is created, and its commitment published, while the current one
-- is still active (queued = 1). When the player sets a new client seed the queued seed becomes
-- active: it was fixed before the player chose, so the server cannot grind it against the
-- client seed (the scheme Stake and other provably-fair casinos publish as "next server seed").
ALTER TABLE server_seeds ADD COLUMN queued INTEGER;
CREATE UNIQUE INDEX server_seeds_queued ON server_seeds (owner_id, scope, queued);
