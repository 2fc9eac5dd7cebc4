// Package eval ranks poker hands: the best five of five, six or seven cards, as a Rank where a
// higher value is a better hand and equal values tie. It is pure: no I/O, no clock, no
// goroutines.
//
// # Values
//
// Rank runs densely from 1 (7-5-4-3-2 of mixed suits) to 7462 (a royal flush), one value per class
// of equal five-card hands, in the nine categories HighCard … StraightFlush (category ranges in
// categoryFloor). Describe names a hand for histories ("Two Pair, Aces and Kings").
//
// # Design
//
// Baseline is the reference: the best of every five-card subset (21 for seven cards), with the
// rules written plainly. It is the one to read when the rules are in doubt, and everything fast is
// tested against it.
//
// Eval5, Eval6 and Eval7 are the fast path (see fast.go). Each card adds a 64-bit key: 3-bit
// counts per rank and 4-bit counts per suit, so a hand is one sum. A suit count reaching five
// means a flush or straight flush (seven cards cannot also hold quads or a full house), valued by
// an 8 Ki-entry table indexed by the suit's 13-bit rank mask. Otherwise the value depends only on
// the multiset of ranks, and a hash-and-displace perfect hash (one multiply, one 16 KiB
// displacement table, one 128 KiB value table for the 49,205 seven-card multisets) finds it. That
// is 162 KiB of tables for seven cards, about the size of PokerHandEvaluator's, so random hands
// stay in the L2 cache; a 2+2-style state machine is faster only on sequential enumeration and needs
// over 100 MB. The tables are built on the first evaluation (tens of milliseconds, see
// BenchmarkInit; Warm does it up front) rather than generated and checked in: five-card values
// come from Baseline, and a six- or seven-card value is the best after dropping any one card.
//
// Callers pass cards that are distinct and valid (the engine deals them from a deck); Validate
// checks untrusted ones. Eval7 is small enough to be inlined, so the seven cards travel in
// registers; build the array in the call (Eval7([7]card.Card{a, b, …})) in hot loops rather than
// filling a long-lived array a byte at a time, which makes the compiler copy it with wide loads
// that stall.
//
// # Speed
//
// scripts/poker-eval-bench runs BenchmarkEval7Random and BenchmarkEval7Exhaustive beside
// PokerHandEvaluator's C evaluate_7cards (-O3) in the same invocation, pinned to one core, and
// prints the ratios.
package eval
