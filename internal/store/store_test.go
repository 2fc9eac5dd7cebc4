package store_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

func TestMigrations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		cfg := storetest.Config(t, e)
		db := storetest.OpenWith(t, cfg)
		ms, err := store.Migrations(e)
		if err != nil || len(ms) == 0 {
			t.Fatalf("migrations: %v", err)
		}
		v, err := db.Version(context.Background())
		if err != nil || v != len(ms) {
			t.Fatalf("version %d, %v; want %d", v, err, len(ms))
		}
		// Re-running is a no-op, and a second instance opening the same database agrees.
		if err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		if e == store.Postgres {
			db2 := storetest.OpenWith(t, cfg)
			if v2, _ := db2.Version(context.Background()); v2 != v {
				t.Fatalf("second instance at version %d", v2)
			}
		}
		// The platform account and its system ledger accounts exist from the first migration.
		var n int
		_ = db.Read(context.Background(), func(ctx context.Context, q store.Q) error {
			return q.QueryRow(ctx, `SELECT COUNT(*) FROM ledger_accounts WHERE owner_id = ?`, "00000000-0000-0000-0000-000000000001").Scan(&n)
		})
		if n != 8 {
			t.Fatalf("%d platform ledger accounts, want 8", n)
		}
	})
}

// TestBatchIsolation: in one group-committed batch, a failing op leaves no trace while its
// neighbours commit; each caller gets its own verdict.
func TestBatchIsolation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		db := storetest.Open(t, e)
		ctx := context.Background()
		if err := db.Write(ctx, func(ctx context.Context, q store.Q) error {
			if _, err := q.Exec(ctx, `CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER NOT NULL)`); err != nil {
				return err
			}
			_, err := q.Exec(ctx, `CREATE TABLE total (k TEXT PRIMARY KEY, v INTEGER NOT NULL)`)
			if err == nil {
				_, err = q.Exec(ctx, `INSERT INTO total (k, v) VALUES ('sum', 0)`)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		var wg sync.WaitGroup
		results := make([]error, 200)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = db.Write(ctx, func(ctx context.Context, q store.Q) error {
					if _, err := q.Exec(ctx, `INSERT INTO kv (k, v) VALUES (?, ?)`, fmt.Sprint(i), i); err != nil {
						return err
					}
					// Accumulated deltas of failing ops must vanish with them.
					if err := q.Accumulate("test", "sum", int64(i), flushTotal); err != nil {
						return err
					}
					switch i % 3 {
					case 1: // domain error after a write: the write must vanish
						return boom
					case 2: // database error after a write (duplicate key): same
						_, err := q.Exec(ctx, `INSERT INTO kv (k, v) VALUES (?, ?)`, fmt.Sprint(i), i)
						return err
					}
					return nil
				})
			}()
		}
		wg.Wait()
		for i, err := range results {
			switch i % 3 {
			case 0:
				if err != nil {
					t.Fatalf("op %d: %v", i, err)
				}
			case 1:
				if !errors.Is(err, boom) {
					t.Fatalf("op %d: %v, want boom", i, err)
				}
			case 2:
				if !store.IsUnique(err) {
					t.Fatalf("op %d: %v, want unique violation", i, err)
				}
			}
		}
		var n, sum int
		_ = db.Read(ctx, func(ctx context.Context, q store.Q) error {
			return q.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(v), 0) FROM kv`).Scan(&n, &sum)
		})
		want := 0
		for i := 0; i < 200; i += 3 {
			want += i
		}
		if n != 67 || sum != want {
			t.Fatalf("%d rows summing %d; want 67 rows summing %d", n, sum, want)
		}
		var acc int
		_ = db.Read(ctx, func(ctx context.Context, q store.Q) error {
			return q.QueryRow(ctx, `SELECT v FROM total WHERE k = 'sum'`).Scan(&acc)
		})
		if acc != want {
			t.Fatalf("accumulated %d, want %d", acc, want)
		}
	})
}

func TestClosedRefusesWrites(t *testing.T) {
	for _, direct := range []bool{false, true} {
		cfg := storetest.Config(t, store.SQLite)
		cfg.Direct = direct
		db := storetest.OpenWith(t, cfg)
		db.Close()
		if err := db.Write(context.Background(), func(ctx context.Context, q store.Q) error { return nil }); err == nil {
			t.Fatalf("direct=%v: write after close succeeded", direct)
		}
	}
}

func flushTotal(ctx context.Context, q store.Q, keys []string, deltas []int64) error {
	for i, k := range keys {
		if _, err := q.Exec(ctx, `UPDATE total SET v = v + ? WHERE k = ?`, deltas[i], k); err != nil {
			return err
		}
	}
	return nil
}

func TestMigrationOverrides(t *testing.T) {
	lite, err := store.Migrations(store.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := store.Migrations(store.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) != len(pg) {
		t.Fatalf("%d SQLite migrations, %d PostgreSQL", len(lite), len(pg))
	}
	if !strings.Contains(lite[0].SQL, "AUTOINCREMENT") || !strings.Contains(pg[0].SQL, "BIGSERIAL") {
		t.Fatal("0001 must differ per engine: AUTOINCREMENT on SQLite, BIGSERIAL on PostgreSQL")
	}
	if lite[1].SQL != pg[1].SQL {
		t.Fatal("0002 is shared and must be identical")
	}
}

// TestInsertLater: rows queued by a write are stored with it, vanish when it fails, and a row
// that breaks a constraint at commit fails its own write only, even though on PostgreSQL it is
// inserted together with its neighbours' rows.
func TestInsertLater(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		db := storetest.Open(t, e)
		ctx := context.Background()
		if err := db.Write(ctx, func(ctx context.Context, q store.Q) error {
			_, err := q.Exec(ctx, `CREATE TABLE rows (k TEXT PRIMARY KEY, v INTEGER NOT NULL CHECK (v >= 0), note TEXT)`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		var wg sync.WaitGroup
		results := make([]error, 300)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = db.Write(ctx, func(ctx context.Context, q store.Q) error {
					v := i
					if i%5 == 3 {
						v = -1 // breaks the CHECK, at commit on PostgreSQL
					}
					if err := q.InsertLater(ctx, "rows", "k, v, note", 2, fmt.Sprint(i), v, nil, fmt.Sprint(i, "b"), v, "second"); err != nil {
						return err
					}
					if i%5 == 1 {
						return boom // its queued rows must vanish
					}
					return nil
				})
			}()
		}
		wg.Wait()
		want := 0
		for i, err := range results {
			switch i % 5 {
			case 1:
				if !errors.Is(err, boom) {
					t.Fatalf("write %d: %v, want boom", i, err)
				}
			case 3:
				if err == nil || !store.IsConstraint(err, "") {
					t.Fatalf("write %d: %v, want a constraint violation", i, err)
				}
			default:
				if err != nil {
					t.Fatalf("write %d: %v", i, err)
				}
				want += 2
			}
		}
		var n int
		_ = db.Read(ctx, func(ctx context.Context, q store.Q) error {
			return q.QueryRow(ctx, `SELECT COUNT(*) FROM rows`).Scan(&n)
		})
		if n != want {
			t.Fatalf("%d rows stored, want %d", n, want)
		}
		// Bad calls are refused.
		err := db.Write(ctx, func(ctx context.Context, q store.Q) error {
			return q.InsertLater(ctx, "rows", "k, v, note", 2, "x", 1, nil)
		})
		if err == nil {
			t.Fatal("InsertLater accepted 3 values for 2 rows of 3 columns")
		}
		if err := db.Read(ctx, func(ctx context.Context, q store.Q) error {
			return q.InsertLater(ctx, "rows", "k, v, note", 1, "y", 1, nil)
		}); err == nil {
			t.Fatal("InsertLater accepted outside a write")
		}
	})
}

// TestFlushErrorAbortsCommit: when applying accumulated deltas fails just before COMMIT, nothing
// of the write persists (a flush error was once dropped, and SQLite committed the rest).
func TestFlushErrorAbortsCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		db := storetest.Open(t, e)
		ctx := context.Background()
		if err := db.Write(ctx, func(ctx context.Context, q store.Q) error {
			_, err := q.Exec(ctx, `CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER NOT NULL)`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		bad := errors.New("flush failed")
		err := db.Write(ctx, func(ctx context.Context, q store.Q) error {
			if _, err := q.Exec(ctx, `INSERT INTO kv (k, v) VALUES ('a', 1)`); err != nil {
				return err
			}
			return q.Accumulate("test", "x", 1, func(context.Context, store.Q, []string, []int64) error { return bad })
		})
		if !errors.Is(err, bad) {
			t.Fatalf("write: %v, want the flush error", err)
		}
		var n int
		_ = db.Read(ctx, func(ctx context.Context, q store.Q) error {
			return q.QueryRow(ctx, `SELECT COUNT(*) FROM kv`).Scan(&n)
		})
		if n != 0 {
			t.Fatalf("%d rows persisted from a write whose flush failed", n)
		}
	})
}

// TestCloseDuringDirectWrites: closing while writes without group commit are in flight answers
// every one of them (committed and durable, or refused); none is left waiting for a WAL syncer
// that Close has stopped. A regression shows as this test hanging.
func TestCloseDuringDirectWrites(t *testing.T) {
	cfg := storetest.Config(t, store.SQLite)
	cfg.Direct = true
	db := storetest.OpenWith(t, cfg)
	ctx := context.Background()
	if err := db.Write(ctx, func(ctx context.Context, q store.Q) error {
		_, err := q.Exec(ctx, `CREATE TABLE kv (k INTEGER PRIMARY KEY)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var acked sync.Map
	for w := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				k := w*1_000_000 + i
				if err := db.Write(ctx, func(ctx context.Context, q store.Q) error {
					_, err := q.Exec(ctx, `INSERT INTO kv (k) VALUES (?)`, k)
					return err
				}); err != nil {
					return
				}
				acked.Store(k, true)
			}
		})
	}
	for {
		n := 0
		acked.Range(func(any, any) bool { n++; return n < 50 })
		if n >= 50 {
			break
		}
		runtime.Gosched()
	}
	db.Close()
	wg.Wait()
	// Every acknowledged write is in the database.
	db2 := storetest.OpenWith(t, cfg)
	defer db2.Close()
	acked.Range(func(k, _ any) bool {
		var n int
		_ = db2.Read(ctx, func(ctx context.Context, q store.Q) error {
			return q.QueryRow(ctx, `SELECT COUNT(*) FROM kv WHERE k = ?`, k).Scan(&n)
		})
		if n != 1 {
			t.Errorf("acknowledged write %v not stored", k)
			return false
		}
		return true
	})
}
