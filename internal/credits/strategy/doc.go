// Package strategy holds the betting-strategy rules of spec 000's credit dice: the eight basic
// progressions, the rule-based "advanced" strategies with their trigger and action vocabulary,
// the five presets, the discovery document that publishes all of it, one engine (Session) that
// both the real-money runner and the simulator drive round by round, and the Monte Carlo
// simulator.
//
// The package is domain rules only: no HTTP, no storage, no clock. It decides bets; it never
// moves money. The runner asks a Session for the next Bet, settles it in its own database
// transaction and hands the Outcome back with Record.
//
// Invariants, checked by the tests:
//   - every amount is an int64 count of micro-units (money.Amount); decimal inputs are parsed
//     exactly (Dec, Hundredths) and no float64 enters a bet decision; floats appear only in
//     display statistics (win rates, means, standard deviations);
//   - a stake is a whole number of credits in [1, 10000], never more than the balance;
//   - a target always has a winning roll (W > 0);
//   - the trigger and action vocabulary lives in one table (Triggers, Actions) that feeds both
//     validation and Discovery.
//
// The precise progression and rule semantics, with worked sequences and every deliberate
// deviation from the reference system, are written down in docs/strategies.md.
package strategy
