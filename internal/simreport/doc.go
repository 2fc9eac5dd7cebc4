// Package simreport renders the result of a Monte Carlo strategy simulation
// (strategy.SimResult) for people and programs: a summary table, a JSON document, an SVG
// histogram of the final profit and loss, and a terminal progress bar for the run itself.
//
// Everything here is presentation. Floats appear only in display figures (means, rates,
// percentages, plot coordinates); amounts are printed from their exact micro-unit values.
// Given the same SimResult, every writer produces the same bytes, except for the fields that
// measure the run itself (Run.Elapsed and what derives from it), so a run replays byte for byte
// from its seed.
package simreport
