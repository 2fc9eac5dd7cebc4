-- (Assigned number 0023: renumber at merge after the other branches' 0019–0022.)
-- x402 payments settled on a chain after the call they paid for (fixed-price calls off the
-- sandbox): refused holds the x402 reason when the network refused the payment, so that the
-- resolver stops retrying it; a payment with neither tx_hash nor refused is still pending.
ALTER TABLE x402_payments ADD COLUMN refused TEXT;
CREATE INDEX x402_payments_pending ON x402_payments (created_at) WHERE tx_hash IS NULL AND refused IS NULL;
