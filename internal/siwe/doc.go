// Package siwe parses and verifies Sign-In With Ethereum messages (EIP-4361): the text a
// wallet signs with personal_sign (EIP-191) to prove it controls an address, bound to a domain,
// a server-issued nonce and a validity window.
//
// Why it is its own package: SIWE is how a wallet owner reaches the dashboard (spec 001) and
// how a proved wallet becomes an account (DESIGN §3), so its rules must be exact and testable
// without HTTP. The parser is strict: fields in the EIP's order, an EIP-55 checksummed address,
// RFC 3339 times that exist on the calendar, RFC 3986 URIs, a nonce of at least eight letters
// and digits, and nothing after the last field; the rendering of a parsed message reproduces it
// byte for byte. Verification recovers the signer from the exact text signed and checks the
// caller's domain and nonce and the time window against an injected clock.
//
// Not supported: contract wallets (EIP-1271 / EIP-6492), whose signatures verify only by
// calling the wallet contract on chain. Their signatures are refused as invalid here.
package siwe
