package store_test

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

type ridKey struct{}

// syncBuffer is a bytes.Buffer safe for the committer's goroutine and the test's.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func createKV(t *testing.T, db *store.DB) {
	t.Helper()
	if err := db.Write(context.Background(), func(ctx context.Context, q store.Q) error {
		_, err := q.Exec(ctx, `CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER NOT NULL)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func countKV(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.Read(context.Background(), func(ctx context.Context, q store.Q) error {
		return q.QueryRow(ctx, `SELECT COUNT(*) FROM kv`).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPanickingWriteFailsAlone: a write function that panics (here a nil-map write, as found in
// review) fails its own write with a *PanicError; the process lives, its batch-mates commit, the
// panic is logged with the request id and counted. On both engines, group commit and direct.
func TestPanickingWriteFailsAlone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		for _, direct := range []bool{false, true} {
			t.Run(fmt.Sprintf("direct=%v", direct), func(t *testing.T) {
				var logs syncBuffer
				cfg := storetest.Config(t, e)
				cfg.Direct = direct
				cfg.Log = slog.New(slog.NewTextHandler(&logs, nil))
				cfg.RequestID = func(ctx context.Context) string { s, _ := ctx.Value(ridKey{}).(string); return s }
				db := storetest.OpenWith(t, cfg)
				createKV(t, db)
				const n, bad = 60, 17
				results := make([]error, n)
				var wg sync.WaitGroup
				for i := range n {
					wg.Go(func() {
						ctx := context.WithValue(context.Background(), ridKey{}, fmt.Sprintf("req-%d", i))
						results[i] = db.Write(ctx, func(ctx context.Context, q store.Q) error {
							if _, err := q.Exec(ctx, `INSERT INTO kv (k, v) VALUES (?, ?)`, fmt.Sprint(i), i); err != nil {
								return err
							}
							if i == bad {
								var m map[string]int
								m["boom"]++ // panics: assignment to entry in nil map
							}
							return nil
						})
					})
				}
				wg.Wait()
				for i, err := range results {
					var pe *store.PanicError
					if i == bad {
						if !errors.As(err, &pe) || !strings.Contains(fmt.Sprint(pe.Value), "nil map") {
							t.Fatalf("write %d: %v, want a *PanicError", i, err)
						}
					} else if err != nil {
						t.Fatalf("write %d (a batch-mate of the panic): %v", i, err)
					}
				}
				if got := countKV(t, db); got != n-1 {
					t.Fatalf("%d rows, want %d (everything but the panicking write)", got, n-1)
				}
				if p := db.Stats().Panics; p != 1 {
					t.Fatalf("Stats().Panics = %d, want 1", p)
				}
				if l := logs.String(); !strings.Contains(l, "request_id=req-17") || !strings.Contains(l, "panicked") {
					t.Fatalf("the panic was not logged with its request id:\n%s", l)
				}
			})
		}
	})
}

// TestStalledLockTimesOut: another session holds a lock the store needs (a row lock on
// PostgreSQL, the write lock on SQLite) and does not let go. The write waiting for it fails with
// ErrTimeout (an errs.Unavailable) at its deadline instead of holding its committer forever; on
// PostgreSQL writes that need other rows go on committing meanwhile, and on both engines writes
// commit again as soon as the lock is released.
//
// Only the stalled write has a short deadline (its caller's: the write's deadline is the earlier
// of that and WriteTimeout, see TestWriteTimeoutIsTheDeadline). A 500 ms WriteTimeout for the
// whole store also bounded the two dozen writes that must commit, and one of them slower than
// that on a loaded machine (the race run, PostgreSQL with fsync) failed the test.
func TestStalledLockTimesOut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		cfg := storetest.Config(t, e)
		db := storetest.OpenWith(t, cfg)
		createKV(t, db)
		ctx := context.Background()
		if err := db.Write(ctx, func(ctx context.Context, q store.Q) error {
			_, err := q.Exec(ctx, `INSERT INTO kv (k, v) VALUES ('hot', 0)`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		// The intruder: a second session that takes the lock and keeps it.
		var other *sql.DB
		var err error
		if e == store.Postgres {
			other, err = sql.Open("pgx", cfg.DatabaseURL)
		} else {
			other, err = sql.Open("sqlite", "file:"+cfg.DataDir+"/arcade.db?_pragma=busy_timeout(10000)")
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
			_, err = conn.ExecContext(ctx, `BEGIN; SELECT v FROM kv WHERE k = 'hot' FOR UPDATE`)
		} else {
			_, err = conn.ExecContext(ctx, `BEGIN IMMEDIATE`)
		}
		if err != nil {
			t.Fatal(err)
		}
		hot := func(ctx context.Context, q store.Q) error {
			_, err := q.Exec(ctx, `UPDATE kv SET v = v + 1 WHERE k = 'hot'`)
			return err
		}
		stalled := make(chan error, 1)
		hctx, hcancel := context.WithTimeout(ctx, 500*time.Millisecond)
		defer hcancel()
		go func() { stalled <- db.WriteFor(hctx, "hot", hot) }()
		if e == store.Postgres {
			// Writes on other rows keep committing while the hot row's write waits.
			for i := range 20 {
				// Write goes to the first committer, WriteFor("hot") to another one.
				if err := db.Write(ctx, func(ctx context.Context, q store.Q) error {
					_, err := q.Exec(ctx, `INSERT INTO kv (k, v) VALUES (?, 1)`, fmt.Sprint("cold", i))
					return err
				}); err != nil {
					t.Fatalf("cold write %d while the hot row is locked: %v", i, err)
				}
			}
		}
		err = <-stalled
		if !errors.Is(err, store.ErrTimeout) || errs.KindOf(err) != errs.Unavailable {
			t.Fatalf("write on the locked row: %v, want store.ErrTimeout", err)
		}
		if db.Stats().Timeouts < 1 {
			t.Fatal("the timeout was not counted")
		}
		if _, err := conn.ExecContext(ctx, `ROLLBACK`); err != nil {
			t.Fatal(err)
		}
		if err := db.WriteFor(ctx, "hot", hot); err != nil {
			t.Fatalf("write after the lock was released: %v", err)
		}
		var v int
		_ = db.Read(ctx, func(ctx context.Context, q store.Q) error {
			return q.QueryRow(ctx, `SELECT v FROM kv WHERE k = 'hot'`).Scan(&v)
		})
		if v != 1 {
			t.Fatalf("hot = %d, want 1: the timed-out write must leave nothing behind", v)
		}
	})
}

// TestWriteTimeoutIsTheDeadline: without a caller's deadline, Config.WriteTimeout is the write's
// deadline: one that has always passed by the time the write starts fails every write with
// ErrTimeout, and the function never commits.
func TestWriteTimeoutIsTheDeadline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		cfg := storetest.Config(t, e)
		cfg.WriteTimeout = time.Nanosecond
		db := storetest.OpenWith(t, cfg)
		for _, key := range []string{"", "k"} {
			err := db.WriteFor(context.Background(), key, func(ctx context.Context, q store.Q) error {
				_, err := q.Exec(ctx, `CREATE TABLE never (k TEXT)`)
				return err
			})
			if !errors.Is(err, store.ErrTimeout) || errs.KindOf(err) != errs.Unavailable {
				t.Fatalf("write with key %q past WriteTimeout: %v, want store.ErrTimeout", key, err)
			}
		}
		if db.Stats().Timeouts != 2 {
			t.Fatalf("%d timeouts counted, want 2", db.Stats().Timeouts)
		}
	})
}

// TestStuckWriteFunctionTimesOut: a write function that waits on something that never comes
// (a stand-in for a statement stuck on a slow disk) gets its deadline (here its caller's); its
// batch fails then, and the writes queued behind it commit.
func TestStuckWriteFunctionTimesOut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		db := storetest.Open(t, e)
		createKV(t, db)
		// The caller's deadline, shorter than the store's WriteTimeout, bounds the write. On a
		// loaded machine (the race run) that deadline can pass before the committer calls the
		// function at all: the write then fails without running it, and waiting for it to start
		// hung the test. Such an attempt proves nothing here; try again with a longer deadline.
		var stuck chan error
		for d := 300 * time.Millisecond; stuck == nil; d *= 2 {
			ctx, cancel := context.WithTimeout(context.Background(), d)
			defer cancel()
			started := make(chan struct{}, 1)
			done := make(chan error, 1)
			go func() {
				done <- db.Write(ctx, func(ctx context.Context, q store.Q) error {
					select {
					case started <- struct{}{}:
					default:
					}
					<-ctx.Done()
					return ctx.Err()
				})
			}()
			select {
			case <-started:
				stuck = done
			case err := <-done:
				if !errors.Is(err, store.ErrTimeout) && !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("a write whose deadline passed before it ran: %v", err)
				}
				t.Logf("the %v deadline passed before the write ran; again with a longer one", d)
			}
		}
		var wg sync.WaitGroup
		results := make([]error, 10)
		for i := range results {
			wg.Go(func() {
				results[i] = db.Write(context.Background(), func(ctx context.Context, q store.Q) error {
					_, err := q.Exec(ctx, `INSERT INTO kv (k, v) VALUES (?, ?)`, fmt.Sprint(i), i)
					return err
				})
			})
		}
		wg.Wait()
		if err := <-stuck; !errors.Is(err, store.ErrTimeout) {
			t.Fatalf("stuck write: %v, want ErrTimeout", err)
		}
		for i, err := range results {
			if err != nil {
				t.Fatalf("write %d queued behind the stuck one: %v", i, err)
			}
		}
		if n := countKV(t, db); n != len(results) {
			t.Fatalf("%d rows, want %d", n, len(results))
		}
	})
}

// TestReadIsOneSnapshot: a Read sees one state of the database across its queries while writes
// commit between them. Each write adds a row to one table and bumps a counter in another; a Read
// that counts the rows, lets writes commit, then reads the counter must find them equal.
func TestReadIsOneSnapshot(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		db := storetest.Open(t, e)
		ctx := context.Background()
		if err := db.Write(ctx, func(ctx context.Context, q store.Q) error {
			if _, err := q.Exec(ctx, `CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER NOT NULL)`); err != nil {
				return err
			}
			if _, err := q.Exec(ctx, `CREATE TABLE total (k TEXT PRIMARY KEY, v INTEGER NOT NULL)`); err != nil {
				return err
			}
			_, err := q.Exec(ctx, `INSERT INTO total (k, v) VALUES ('n', 0)`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		write := func(i int) {
			if err := db.Write(ctx, func(ctx context.Context, q store.Q) error {
				if _, err := q.Exec(ctx, `INSERT INTO kv (k, v) VALUES (?, 1)`, fmt.Sprint(i)); err != nil {
					return err
				}
				_, err := q.Exec(ctx, `UPDATE total SET v = v + 1 WHERE k = 'n'`)
				return err
			}); err != nil {
				t.Error(err)
			}
		}
		for round := range 20 {
			var rows, counter int
			if err := db.Read(ctx, func(ctx context.Context, q store.Q) error {
				if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM kv`).Scan(&rows); err != nil {
					return err
				}
				// Writes commit (durably) between the Read's two queries.
				for i := range 3 {
					write(round*10 + i)
				}
				return q.QueryRow(ctx, `SELECT v FROM total WHERE k = 'n'`).Scan(&counter)
			}); err != nil {
				t.Fatal(err)
			}
			if rows != counter {
				t.Fatalf("round %d: one Read saw %d rows but a counter of %d: not one snapshot", round, rows, counter)
			}
		}
		// A Read cannot write.
		if err := db.Read(ctx, func(ctx context.Context, q store.Q) error {
			_, err := q.Exec(ctx, `INSERT INTO kv (k, v) VALUES ('r', 1)`)
			return err
		}); err == nil {
			t.Fatal("a write inside Read succeeded")
		}
	})
}

// TestPostgresRefusesUnsafeDurability: a server that may lose acknowledged commits
// (synchronous_commit=off, here set for the test's database and, separately, asked for by the
// client at connect time) is refused unless the configuration says it is a benchmark. fsync and
// full_page_writes are server-wide settings a test cannot change without disturbing every other
// test on the server; TestCheckSettings covers them.
func TestPostgresRefusesUnsafeDurability(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		if e != store.Postgres {
			continue
		}
		for _, how := range []string{"database", "connection"} {
			t.Run(how, func(t *testing.T) {
				cfg := storetest.Config(t, e)
				u, err := url.Parse(cfg.DatabaseURL)
				if err != nil {
					t.Fatal(err)
				}
				switch how {
				case "database":
					admin, err := sql.Open("pgx", cfg.DatabaseURL)
					if err != nil {
						t.Fatal(err)
					}
					defer admin.Close()
					if _, err := admin.Exec(`ALTER DATABASE ` + strings.TrimPrefix(u.Path, "/") + ` SET synchronous_commit = off`); err != nil {
						t.Fatal(err)
					}
				case "connection":
					// (%20, not +: the driver does not read + as a space)
					u.RawQuery += "&options=-c%20synchronous_commit%3Doff"
					cfg.DatabaseURL = u.String()
				}
				if _, err := store.Open(context.Background(), cfg); !errors.Is(err, store.ErrNotDurable) {
					t.Fatalf("open with synchronous_commit=off: %v, want ErrNotDurable", err)
				}
				cfg.Benchmark = true
				db, err := store.Open(context.Background(), cfg)
				if err != nil {
					t.Fatalf("open as a benchmark: %v", err)
				}
				db.Close()
			})
		}
	}
}

// TestDoubleRun: in double-run mode a write function that draws its own time, entropy or id, or
// whose work depends on state outside the database, fails with *NondeterministicError where it
// is written; one that takes them from store.Now, store.Rand and store.NewID commits, and sees
// the same values on both runs.
func TestDoubleRun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		cfg := storetest.Config(t, e)
		cfg.DoubleRun = true
		db := storetest.OpenWith(t, cfg)
		createKV(t, db)
		ctx := context.Background()
		calls := 0
		bad := map[string]func(ctx context.Context, q store.Q) error{
			"time.Now": func(ctx context.Context, q store.Q) error {
				_, err := q.Exec(ctx, `INSERT INTO kv (k, v) VALUES ('t', ?)`, time.Now().Nanosecond())
				return err
			},
			"a counter outside the database": func(ctx context.Context, q store.Q) error {
				calls++
				_, err := q.Exec(ctx, `INSERT INTO kv (k, v) VALUES ('c', ?)`, calls)
				return err
			},
			"crypto/rand": func(ctx context.Context, q store.Q) error {
				var b [8]byte
				_, _ = crand.Read(b[:])
				_, err := q.Exec(ctx, `INSERT INTO kv (k, v) VALUES (?, 1)`, hex.EncodeToString(b[:]))
				return err
			},
		}
		for name, fn := range bad {
			var nd *store.NondeterministicError
			if err := db.Write(ctx, fn); !errors.As(err, &nd) {
				t.Fatalf("%s: %v, want a *NondeterministicError", name, err)
			}
		}
		if n := countKV(t, db); n != 0 {
			t.Fatalf("%d rows left by refused writes", n)
		}
		var seen []string
		if err := db.Write(ctx, func(ctx context.Context, q store.Q) error {
			id, err := store.NewID(ctx)
			if err != nil {
				return err
			}
			var b [8]byte
			if _, err := io.ReadFull(store.Rand(ctx), b[:]); err != nil {
				return err
			}
			seen = append(seen, fmt.Sprint(id, hex.EncodeToString(b[:]), store.Now(ctx).UnixNano()))
			_, err = q.Exec(ctx, `INSERT INTO kv (k, v) VALUES (?, ?)`, id+hex.EncodeToString(b[:]), store.Now(ctx).Nanosecond())
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(seen) < 2 || seen[0] != seen[1] {
			t.Fatalf("runs saw %v: want at least two runs with the same time, entropy and id", seen)
		}
	})
}

// TestReadersDoNotStarveThePool: as many Reads as the SQLite read pool has connections, each
// holding its snapshot, all run a query no one has prepared yet. Preparing it on the pool from
// inside the Read needed a second connection, so they once waited on each other forever (found
// by the race-detector run of the faucet test). The context only turns a hang into a failure.
func TestReadersDoNotStarveThePool(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	createKV(t, db)
	n := max(4, 2*runtime.GOMAXPROCS(0)) // the read pool's size (store/open.go)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var started sync.WaitGroup
	started.Add(n)
	var wg sync.WaitGroup
	errc := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			errc <- db.Read(ctx, func(ctx context.Context, q store.Q) error {
				started.Done()
				started.Wait() // every connection of the pool is now held by a reader
				var c int
				return q.QueryRow(ctx, fmt.Sprintf(`SELECT COUNT(*) + %d FROM kv`, i)).Scan(&c)
			})
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Fatalf("reader: %v", err)
		}
	}
}
