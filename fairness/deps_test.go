package fairness_test

import (
	"testing"

	"github.com/arcadehq/arcade/internal/deptest"
)

// TestDependencies keeps package fairness and its verify command importable by outsiders: only
// the standard library (plus fairness and the casino's pay tables for verify; internal/casino
// fences itself the same way), and never net/http or a database.
func TestDependencies(t *testing.T) {
	deptest.Check(t, ".", deptest.NoNetNoDB())
	deptest.Check(t, "verify", deptest.NoNetNoDB("github.com/arcadehq/arcade/fairness", "github.com/arcadehq/arcade/internal/casino"))
}
