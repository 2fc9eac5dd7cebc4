// Package loadgen is Arcade's load generator (arcade bench): agents play against a running
// server over its public HTTP API through internal/client, exactly as real agents do — guest
// sign-up, the Free Credits faucet, then the requests of a profile (dice: POST
// /api/games/dice/round) — and the run reports throughput, exact latency percentiles, errors by
// kind, the server's per-key rate limit with the 429s it caused, and the ledger invariant the
// server publishes on /health. In the same run it measures GET /health/live, a route that does
// no work, the same way, so that the figures can be read against what the HTTP stack alone does
// on the same machine.
//
// Two modes. The closed loop runs N agents back to back: it finds the most requests a second,
// but its latencies are bounded by Little's law, not by the server. The open loop sends R
// requests a second on a fixed timetable whatever the answers, spread over enough API keys that
// the server's per-key limit is never what is measured, and times each request from the moment
// it was due, so that a stall delays, and is charged to, every request behind it (no
// coordinated omission). A profile is a function that issues one operation for an agent; new
// kinds of load (tools, MCP, poker) are new entries in the profile table.
//
// It is a measuring tool for one's own server, so it is bounded in every direction: it talks
// only to the base URL it is given (no proxies from the environment, no redirects), refuses a
// non-loopback host unless told otherwise, stops after a duration or a number of requests,
// bounds its connections to the agents (closed) or workers (open), and gives a closed-loop
// agent up after a run of consecutive failures.
//
// Counting is exact: a closed-loop agent takes a round from the shared budget before it sends
// the request and counts it only on a 200 answer, and requests in flight when the time is up are
// allowed to finish rather than cancelled, so the rounds reported equal the rounds the server
// stored.
package loadgen
