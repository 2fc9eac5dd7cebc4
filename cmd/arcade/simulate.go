package main

import (
	"context"
	"fmt"
	"io"
)

// simulateCmd runs `arcade simulate`.
func simulateCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "arcade simulate: not built yet")
	return 1
}
