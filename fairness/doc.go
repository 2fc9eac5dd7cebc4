// Package fairness implements Arcade's public fairness algorithm (DESIGN §5): committed server
// seeds, the HMAC-SHA256 number stream and the outcome mappers of every game. The pay tables of
// the /api/v1 games are the casino's rules and live in internal/casino.
//
// The algorithm is a frozen public contract. Anyone holding a revealed server seed, a client seed
// and a nonce can recompute an outcome offline, with this package, with `arcade verify`, or with
// any HMAC-SHA256 implementation (see docs/fairness.md). Nothing here may change the numbers a
// released seed produces; testdata/vectors.json pins them and is checked against an independent
// implementation written from the design text.
//
// Every mapping uses exact integer arithmetic: floor(f × n) is computed as (uint64(u) × n) >> 32,
// where u is the 32-bit big-endian integer behind f = u / 2^32.
//
// The package imports only the standard library and knows nothing of HTTP or storage, so that
// outsiders can import it to check a bet.
package fairness
