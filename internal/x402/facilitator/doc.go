// Package facilitator is an HTTP client of an x402 facilitator: POST /verify, POST /settle and
// GET /supported, in the version 2 wire format.
//
// Why apart from package x402: it is the only part of the payment protocol that speaks HTTP,
// and domain packages do not import net/http. Arcade verifies every payment locally first
// (x402.Verifier); a facilitator is the production way to settle on a real chain without
// running one's own node and signer. facilitatortest is a loopback facilitator that speaks the
// same wire format, for tests.
package facilitator
