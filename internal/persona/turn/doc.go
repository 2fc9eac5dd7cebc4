// Package turn plays a persona definition: it is the one place where the turn rules live, so the
// SDK play API, the web chat, the tools endpoint and the tests all move machines, scores,
// outcomes, unlocks and progress the same way.
//
// The engine is pure. It reads no clock (the caller injects one), starts no goroutine, does no
// I/O of its own, and keeps no state between calls: everything a player has done with a persona
// is a State value that the caller loads, passes in and stores back. On error the State is left
// exactly as it was, so a failed turn can never half-apply. Judging a message (which transition,
// which follow-up, which variables) and writing the NPC's words are delegated to an Evaluator, so
// the rule-based evaluator (persona/rules) and a language model plug in the same way; the engine
// checks whatever an evaluator answers against the machine, so no evaluator can take a transition
// that does not leave the current state.
package turn
