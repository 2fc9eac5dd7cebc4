package x402test_test

import (
	"testing"

	"github.com/arcadehq/arcade/internal/x402"
	"github.com/arcadehq/arcade/internal/x402/x402test"
)

func TestMemoryNonces(t *testing.T) {
	m := &x402.MemoryNonces{}
	x402test.NonceStore(t, m, m.Use)
}
