package main

import (
	"context"
	"fmt"
	"io"
)

// benchCmd runs `arcade bench`.
func benchCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "arcade bench: not built yet")
	return 1
}
