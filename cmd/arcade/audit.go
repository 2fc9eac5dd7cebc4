package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/store"
)

// audit is `arcade audit`: the full ledger invariant check, in one read-only snapshot of the
// server's database (it may run beside a live server), printed as JSON. Exit status 1 when the
// invariant does not hold, so a scheduler can alert on it.
func audit(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := serverFlags("audit", args, getenv, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "arcade audit:", err)
		return 2
	}
	db, err := store.Open(ctx, store.Config{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir, Benchmark: cfg.UnsafeDurability})
	if err != nil {
		fmt.Fprintln(stderr, "arcade audit:", err)
		return 1
	}
	defer db.Close()
	start := time.Now()
	r, err := ledger.Audit(ctx, db)
	if err != nil {
		fmt.Fprintln(stderr, "arcade audit:", err)
		return 1
	}
	out, _ := json.MarshalIndent(struct {
		ledger.Report
		Seconds float64 `json:"seconds"`
	}{r, time.Since(start).Seconds()}, "", "  ")
	fmt.Fprintln(stdout, string(out))
	if err := r.Err(); err != nil {
		fmt.Fprintln(stderr, "arcade audit:", err)
		return 1
	}
	return 0
}
