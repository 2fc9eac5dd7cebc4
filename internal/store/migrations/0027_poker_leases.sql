-- Poker table ownership (issue 11). Tables live in the memory of the instance that runs them, so
-- each instance holds a lease it renews on a timer; the tables it opens and the stacks its players
-- buy in with name it as owner. Once a lease has expired (its instance was killed), any instance
-- returns the owner's stacks to their balances and closes its tables, in one write guarded by
-- deleting the expired lease row: two recoverers never both succeed, and a renewal that comes
-- first keeps the lease alive.
CREATE TABLE poker_leases (
    instance_id TEXT PRIMARY KEY,
    lease_until BIGINT NOT NULL
);
ALTER TABLE poker_tables ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE poker_stacks ADD COLUMN owner TEXT NOT NULL DEFAULT '';
CREATE INDEX poker_stacks_owner ON poker_stacks (owner);
CREATE INDEX poker_tables_owner ON poker_tables (owner) WHERE closed_at IS NULL;
