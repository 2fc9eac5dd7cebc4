package httpapi

import "github.com/arcadehq/arcade/internal/errs"

// StatusCode is one error kind's answer on a surface: its HTTP status and its error code.
type StatusCode struct {
	Status int
	Code   string
}

// StatusTable is a surface's one table from domain error kinds to its statuses and codes. Each
// surface keeps its own (its document's codes differ); the plumbing around it is shared.
type StatusTable map[errs.Kind]StatusCode

// StatusOf is the surface's status for kind, and whether the table has it (the completeness
// test fails on a kind a table lacks).
func (t StatusTable) StatusOf(k errs.Kind) (int, bool) {
	m, ok := t[k]
	return m.Status, ok
}

// Documented lists the statuses kinds answer with, for the OpenAPI document.
func (t StatusTable) Documented(kinds []errs.Kind) []int {
	var out []int
	for _, k := range kinds {
		if m, ok := t[k]; ok {
			out = append(out, m.Status)
		}
	}
	return out
}
