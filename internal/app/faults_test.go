package app_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/arcadehq/arcade/internal/app"
	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// TestStalledLockServerAnswers: another session takes the locks every money write needs and
// keeps them (every ledger row on PostgreSQL, the database's write lock on SQLite). A faucet
// claim then answers 503 STORE_TIMEOUT at its write deadline instead of hanging; while it waits,
// the liveness probe and authenticated reads keep answering; once the lock is released the same
// claim succeeds, and the ledger invariant holds.
func TestStalledLockServerAnswers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		sc := storetest.Config(t, e)
		cfg := app.Config{DataDir: sc.DataDir, DatabaseURL: sc.DatabaseURL, Version: "test", WriteTimeout: 2 * time.Second, DoubleRun: sc.DoubleRun}
		a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Deps{})
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(a.Handler())
		t.Cleanup(func() { ts.Close(); a.DB.Close() })
		s := &server{Server: ts, app: a, t: t}
		key := s.guest()

		ctx := context.Background()
		var other *sql.DB
		if e == store.Postgres {
			other, err = sql.Open("pgx", sc.DatabaseURL)
		} else {
			other, err = sql.Open("sqlite", "file:"+sc.DataDir+"/arcade.db?_pragma=busy_timeout(10000)")
		}
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		conn, err := other.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if e == store.Postgres {
			_, err = conn.ExecContext(ctx, `BEGIN; SELECT id FROM ledger_accounts FOR UPDATE`)
		} else {
			_, err = conn.ExecContext(ctx, `BEGIN IMMEDIATE`)
		}
		if err != nil {
			t.Fatal(err)
		}

		claim := make(chan resp, 1)
		go func() { claim <- s.do("POST", "/api/faucet", key, nil) }()
		// While the claim waits on the lock, the server answers.
		for range 5 {
			if r := s.do("GET", "/health/live", "", nil); r.Status != 200 {
				t.Fatalf("/health/live during the stall: %d", r.Status)
			}
			if r := s.do("GET", "/api/me", key, nil); r.Status != 200 {
				t.Fatalf("/api/me during the stall: %d %s", r.Status, r.Raw)
			}
		}
		r := <-claim
		if r.Status != 503 || r.Body["error"] != "STORE_TIMEOUT" {
			t.Fatalf("faucet claim on a stalled lock: %d %s, want 503 STORE_TIMEOUT", r.Status, r.Raw)
		}
		if _, err := conn.ExecContext(ctx, `ROLLBACK`); err != nil {
			t.Fatal(err)
		}
		if r := s.do("POST", "/api/faucet", key, nil); r.Status != 200 {
			t.Fatalf("faucet claim after the lock was released: %d %s", r.Status, r.Raw)
		}
		m := s.do("GET", "/metrics", "", nil)
		if !contains(m.Raw, "arcade_store_write_timeouts_total 1\n") || !contains(m.Raw, "arcade_store_write_panics_total 0\n") {
			t.Fatalf("/metrics lacks the timeout:\n%s", m.Raw)
		}
		ledgertest.Check(t, a.DB)
	})
}

func contains(b []byte, s string) bool { return strings.Contains(string(b), s) }
