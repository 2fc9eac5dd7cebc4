// Package client is a small Go client for Arcade's credits REST API under /api (spec 000): guest
// and agent sign-up, the account, balance and Free Credits, dice rounds, round history with
// verification, transactions, session stats, basic strategies and their runs, and withdrawals.
//
// A Client holds a base URL, an optional API key and one *http.Client whose transport keeps
// enough idle connections per host for concurrent use; a Client is safe for use by many
// goroutines, and WithKey derives one for another key that shares the connections.
//
// Configuration is explicit: New takes options, and FromEnv is the one option that reads the
// environment, through the getenv function it is given (ARCADE_BASE_URL and ARCADE_API_KEY,
// falling back to the spec's XPERSONA_BASE_URL and XPERSONA_API_KEY).
//
// Answers are decoded from the envelope {success, data} into typed results. A failure answer
// ({success:false, error, message, field}) or any non-2xx status becomes a *Error carrying the
// status, the error code, the field at fault, the message and the Retry-After delay. Money is an
// Amount: int64 micro-units (10^-6 of a credit), read from the JSON number's text exactly, never
// through float64.
package client
