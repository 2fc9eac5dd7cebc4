// Package persona is the model of an NPC persona game: a persona owns state machines
// ("scenarios"), each a graph of states joined by transitions that carry a decision type and a
// score change, and machine links that unlock later machines when an earlier one ends a certain
// way. It holds the definition format that creators submit (Definition), its strict decoder
// (Decode: unknown fields, duplicate keys, floats where integers belong and oversized input are
// refused), its validator (Validate: every problem named by its JSON path) and the JSON Schema of
// the format (Schema), derived from the same Go types so the three never disagree.
//
// The package is pure: no I/O, no clock, no goroutines. Playing a definition is the job of
// persona/turn; judging a player's message without a language model is persona/rules. Field names
// follow the real system's SDK where its notes confirm them; where they do not, the choice made
// here is documented in docs/personas.md and used everywhere.
package persona
