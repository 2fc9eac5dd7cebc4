// Package phh reads and writes the Poker Hand History format (PHH, the TOML-based format of
// uoftcprg/phh-std) for No-Limit Texas Hold'em hands, and replays a hand through package engine.
//
// Why: PHH is the open, documented format public hand datasets use (the WSOP and Pluribus
// hands in the shared corpus), so replaying them is an outside check of the engine's rules, and
// writing it lets Arcade publish its own tables' hands in a format other tools read.
//
// What it covers: variant "NT"; antes (uniform, or a big-blind ante written [0, X, 0, …]);
// blinds_or_straddles as small and big blind (straddles are refused); min_bet; starting_stacks;
// the dealer actions "d dh" and "d db", the player actions "f", "cc", "cbr" and "sm"; comments
// after "#"; finishing_stacks. Every other field is kept as read, in file order, and written back.
//
// Mapping (phh-std: players are listed by position, p1 the first dealt, the last one on the
// button): engine seat i is player p(i+1) and the button is the last seat; heads-up, the button
// posts the small blind, which is how the standard reads the reversed heads-up blinds.
package phh
