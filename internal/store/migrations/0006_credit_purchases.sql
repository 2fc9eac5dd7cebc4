-- Credit packages bought by card through Stripe Checkout. A row is written when the checkout
-- session is created (status 'created', keyed by Stripe's session id) and turns 'paid' exactly
-- once, by a conditional UPDATE in the same transaction as the ledger transfer external -> user.
-- The credits and price are ours, copied from the catalogue at checkout time: a webhook never
-- decides how much is credited.
CREATE TABLE credit_purchases (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id),
    package_id   TEXT NOT NULL,
    credits      BIGINT NOT NULL CHECK (credits > 0),
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    currency     TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('created', 'paid')),
    event_id     TEXT,
    created_at   BIGINT NOT NULL,
    paid_at      BIGINT,
    CONSTRAINT credit_purchases_paid CHECK ((status = 'paid') = (paid_at IS NOT NULL AND event_id IS NOT NULL))
);
CREATE INDEX credit_purchases_account ON credit_purchases (account_id, created_at);
-- Every Stripe webhook event Arcade acted on, by Stripe's event id: inserting it is the first
-- step of handling one, so a redelivered event finds its id taken and changes nothing.
CREATE TABLE stripe_webhook_events (
    id          TEXT PRIMARY KEY,
    type        TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    received_at BIGINT NOT NULL
);
