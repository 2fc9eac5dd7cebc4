-- What may be withdrawn is derived from the ledger: every transfer out of the faucet account
-- (Free Credits, sign-up grants, any later grant) is play money. A partial index keeps that sum a
-- short index read without taxing the hot path: bets and payouts never enter it.
CREATE INDEX ledger_transfers_faucet_to ON ledger_transfers (to_account) WHERE from_account = 'faucet:CREDIT';
