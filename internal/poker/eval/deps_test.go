package eval

import (
	"strings"
	"testing"

	"github.com/arcadehq/arcade/internal/deptest"
)

// TestDependencies keeps the evaluator and the card package pure: the standard library minus
// I/O-bound packages (and log and time), plus card (for eval) and fairness (for card).
func TestDependencies(t *testing.T) {
	rule := func(allowed string) func(string) string {
		pure := deptest.PureStd(allowed)
		return func(p string) string {
			if p == "log" || strings.HasPrefix(p, "log/") || p == "time" {
				return "no logging or clock in the evaluator"
			}
			return pure(p)
		}
	}
	deptest.Check(t, ".", rule("github.com/arcadehq/arcade/internal/poker/card"))
	deptest.Check(t, "../card", rule("github.com/arcadehq/arcade/fairness"))
}
