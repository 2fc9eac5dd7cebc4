// Package docs carries the documents that the server itself serves (the fairness document is an
// MCP resource and must ship inside the one binary), so they are embedded from the very files
// the repository publishes and cannot drift from them.
package docs

import _ "embed"

// Fairness is docs/fairness.md: how to check any Arcade bet.
//
//go:embed fairness.md
var Fairness string
