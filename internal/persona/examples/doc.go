// Package examples ships Arcade's example personas, embedded in the binary, so a newcomer can
// play at once and so the tests play real definitions end to end. Together they exercise every
// feature of the format: both scoring modes, every decision type and a follow-up, output
// variables carried into a later machine, and every kind of machine link, auto-advance included.
//
//   - merchant-kael: haggle (scoring) → smuggle (pass/fail, outcome ACCEPT, auto-advance) and
//     → apology (score_lte 0).
//   - captain-sera: gate (scoring) → barracks (pass/fail, score_gte 3, auto-advance) and
//     → tavern (always).
package examples
