// Package loadgen is Arcade's load generator (arcade bench): N concurrent agents play credit
// dice rounds against a running server over its public HTTP API, exactly as real agents do —
// guest sign-up, the Free Credits faucet, then POST /api/games/dice/round back to back — and the
// run reports throughput, exact latency percentiles, errors by status code, and the ledger
// invariant the server publishes on /health. In the same run it measures the same concurrency
// against GET /health/live, a route that does no work, so that the rounds' rate can be read as
// a fraction of what the HTTP stack alone sustains on the same machine.
//
// It is a measuring tool for one's own server, so it is bounded in every direction: it talks
// only to the base URL it is given (no proxies from the environment, no redirects), refuses a
// non-loopback host unless told otherwise, stops after a duration or a number of rounds, bounds
// its connections to the agent count and gives an agent up after a run of consecutive failures.
//
// Counting is exact: an agent takes a round from the shared budget before it sends the request
// and counts it only on a 200 answer, and requests in flight when the time is up are allowed to
// finish rather than cancelled, so the rounds reported equal the rounds the server stored.
package loadgen
