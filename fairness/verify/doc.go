// Package verify implements `arcade verify`: it recomputes any bet offline from a revealed server
// seed, a client seed and a nonce with the public algorithm of package fairness, and prints one
// JSON object with the outcome, the floats used and, given the game's parameters, whether the bet
// won and its multiplier. The cmd layer calls Main.
package verify
