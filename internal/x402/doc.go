// Package x402 is the x402 version 2 payment protocol as Arcade speaks it: the wire types
// (PaymentRequired, PaymentPayload, SettleResponse), the base64 header codec, the payment
// networks (Base, Base Sepolia and the built-in sandbox), the EIP-712 digest of an EIP-3009
// TransferWithAuthorization, and a Verifier that checks a payment completely and locally.
//
// Why it stands alone: any route can put a price on itself, and the HTTP surface, the tools and
// the settlement resolver all need the same answer to "is this payment good, and who paid?".
// The answer must not depend on a facilitator being reachable, so verification is local and
// complete: the accepted requirement matches one of the server's offers, the authorization pays
// exactly the price to the server's address on the offered token and network, it is inside its
// validity window (by an injected clock), its signature recovers (low-s only) to the authorizing
// address, and its nonce has not been used. The payer is only ever the recovered address.
//
// The package knows nothing of HTTP beyond header names (the facilitator client lives in
// x402/facilitator) and nothing of the database: replay protection goes through NonceStore, a
// one-method interface the payment service implements on its store.
//
// The TransferWithAuthorization digest is hashed directly (one fixed type, domain separators
// computed once per network) because go-ethereum's generic EIP-712 encoder costs about as much
// as the signature recovery itself; the tests cross-check it against that encoder and against
// published vectors.
package x402
