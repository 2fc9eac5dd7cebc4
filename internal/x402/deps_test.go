package x402_test

import (
	"strings"
	"testing"

	"github.com/arcadehq/arcade/internal/deptest"
)

// forbid refuses the listed packages and their subpackages.
func forbid(bad ...string) func(string) string {
	return func(p string) string {
		for _, b := range bad {
			if p == b || strings.HasPrefix(p, b+"/") {
				return "forbidden here"
			}
		}
		return ""
	}
}

// TestDependencies keeps package x402 a domain package: no net/http, no database, no surface;
// x402pay must not import the verifier it is meant to check.
func TestDependencies(t *testing.T) {
	deptest.Check(t, ".", forbid("net/http", "database/sql", "github.com/arcadehq/arcade/internal/httpapi", "github.com/arcadehq/arcade/internal/store"))
	deptest.Check(t, "x402pay", forbid("github.com/arcadehq/arcade/internal/x402"))
}
