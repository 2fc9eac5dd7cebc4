// Package storetest opens fresh databases for tests, on every engine: SQLite always, and
// PostgreSQL when ARCADE_TEST_POSTGRES_URL points at a server (each test gets a database of its
// own, dropped afterwards). Under CI=true a missing PostgreSQL fails the test instead of skipping,
// so the store tests can never silently run on one engine only.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/arcadehq/arcade/internal/store"
)

// EnvPostgres names the admin URL of the PostgreSQL server tests may create databases on.
const EnvPostgres = "ARCADE_TEST_POSTGRES_URL"

// Engines lists the engines to test on.
func Engines(t testing.TB) []store.Engine {
	es := []store.Engine{store.SQLite}
	if os.Getenv(EnvPostgres) != "" {
		es = append(es, store.Postgres)
	} else if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not set under CI=true: the store tests must run on PostgreSQL too", EnvPostgres)
	}
	return es
}

// Each runs fn as a subtest once per engine.
func Each(t *testing.T, fn func(t *testing.T, e store.Engine)) {
	for _, e := range Engines(t) {
		t.Run(string(e), func(t *testing.T) { fn(t, e) })
	}
}

// Config returns a store.Config for a fresh, empty database of engine e, removed when t ends.
// In tests double-run mode is on: every write function runs twice and must repeat itself (see
// store.Config.DoubleRun); benchmarks run each once, as production does.
func Config(t testing.TB, e store.Engine) store.Config {
	t.Helper()
	_, bench := t.(*testing.B)
	if e == store.SQLite {
		return store.Config{DataDir: t.TempDir(), DoubleRun: !bench}
	}
	admin := os.Getenv(EnvPostgres)
	if admin == "" {
		t.Skipf("%s not set", EnvPostgres)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "arcade_test_" + hex.EncodeToString(b)
	adb, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := adb.Exec("CREATE DATABASE " + name); err != nil {
		adb.Close()
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		_, _ = adb.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		adb.Close()
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return store.Config{DatabaseURL: u.String(), DoubleRun: !bench}
}

// Open opens a fresh migrated database of engine e, closed when t ends.
func Open(t testing.TB, e store.Engine) *store.DB {
	t.Helper()
	return OpenWith(t, Config(t, e))
}

// OpenWith opens cfg, closed when t ends.
func OpenWith(t testing.TB, cfg store.Config) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Plan returns SQLite's EXPLAIN QUERY PLAN of query with args, one step per line, for tests
// that guard an index: a query the server runs often or on a schedule must not read a table
// whole ("SCAN t" without an index, or through an unrelated one) as the table grows.
func Plan(t testing.TB, db *store.DB, query string, args ...any) string {
	t.Helper()
	var b strings.Builder
	err := db.Read(context.Background(), func(ctx context.Context, q store.Q) error {
		rows, err := q.Query(ctx, "EXPLAIN QUERY PLAN "+query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				return err
			}
			b.WriteString(detail + "\n")
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatalf("plan of %s: %v", query, err)
	}
	return b.String()
}
