// Package rules is the rule-based evaluator, Arcade's embedded default: it judges a player's
// message with the matchers a definition attaches to transitions and follow-ups (keywords,
// RE2 patterns, and boolean expressions over variables written in expr-lang), extracts variables
// with patterns, and writes the NPC's lines from {{name}} templates. It needs no language model
// and no network, and it is deterministic: the same definition, state and message always give the
// same decision and the same words, which is what lets tests assert whole conversations exactly.
//
// Expressions are sandboxed at save time rather than at run time: the compile-time environment
// is typed from the definition (an unknown or mistyped variable fails validation), only a short
// whitelist of pure built-in functions may be called, and loops, closures, ranges, variables,
// member access and dynamic regular expressions are refused. With no loops left, running an
// expression costs time linear in its (bounded) size and the (bounded) message, so no timeout
// and no goroutine are needed. Every answer it shapes is labelled Name ("rule-based").
package rules
