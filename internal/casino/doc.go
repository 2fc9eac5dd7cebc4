// Package casino holds the rules of spec 001's pay-per-play games as data and pure functions:
// coinflip, dice (1–100), single-zero roulette and 3-reel slots; their pay tables, odds and
// returns to player; the stake tiers; and the one x402 price table of the /api/v1 routes.
//
// Why a package of its own: the outcome of a bet is fairness's (the public algorithm, frozen),
// but what an outcome pays is the casino's, and it is published (GET /api/v1/games, the paid
// manifest, discovery files), settled by the bet service and recomputed by `arcade verify`.
// Keeping the rules here, with no HTTP and no storage, gives all of them one source, tested by
// enumerating every outcome.
//
// Money is int64 micro-USDC. Multipliers are integers in basis points (×10000) of the stake,
// stake included; payouts are rounded down to the micro-unit and the remainder stays with the
// house. No float touches money.
//
// Like fairness, the package imports only the standard library and fairness, so that
// `arcade verify` (fairness/verify), which outsiders may import, can use it.
package casino
