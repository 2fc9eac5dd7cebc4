// Package eval ranks poker hands: the best five of five, six or seven cards, as a Rank where a
// higher value is a better hand and equal values tie.
//
// Baseline, the reference, tries every five-card subset and applies the rules plainly.
package eval
