package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"time"

	"github.com/google/uuid"
)

// A write function may run more than once (without savepoints, with them, alone, after a
// retry), and only its last run counts. So whatever it draws from outside the database — the
// time, entropy, new ids — must be drawn once per write and be the same on every run: Now, Rand
// and NewID give a write function exactly that, from its context. In double-run mode
// (Config.DoubleRun, on in the test suite) every write function is run twice, the first run
// rolled back, and a write whose two runs differ fails with *NondeterministicError, so a side
// effect or a re-drawn value is caught where it is written.

type writeStateKey struct{}

// writeState is what one write draws once and hands to every run of its function.
type writeState struct {
	now     time.Time
	src     io.Reader // Config.Rand, behind Rand
	replays map[io.Reader]*replay
	ids     []string // ids drawn so far, replayed by later runs
	next    int
}

// replay is one entropy source as a write sees it: bytes drawn on first use, replayed later.
type replay struct {
	src io.Reader
	buf []byte
	pos int
}

func (r *replay) Read(p []byte) (int, error) {
	if need := r.pos + len(p) - len(r.buf); need > 0 {
		more := make([]byte, need)
		if _, err := io.ReadFull(r.src, more); err != nil {
			return 0, err
		}
		r.buf = append(r.buf, more...)
	}
	n := copy(p, r.buf[r.pos:])
	r.pos += n
	return n, nil
}

// reset rewinds the replays before a run.
func (w *writeState) reset() {
	w.next = 0
	for _, r := range w.replays {
		r.pos = 0
	}
}

func stateOf(ctx context.Context) *writeState {
	w, _ := ctx.Value(writeStateKey{}).(*writeState)
	return w
}

// Now is the time of the write whose function ctx was given to: drawn once when Write was
// called, the same on every run. Outside a write it is the current time.
func Now(ctx context.Context) time.Time {
	if w := stateOf(ctx); w != nil {
		return w.now
	}
	return time.Now()
}

// Rand is the write's source of entropy: every run of the write function reads the same bytes
// (drawn from Config.Rand on first use). Outside a write it is crypto/rand.
func Rand(ctx context.Context) io.Reader {
	if w := stateOf(ctx); w != nil {
		return Replay(ctx, w.src)
	}
	return rand.Reader
}

// Replay is src as a write function must read it: inside a write, the bytes are drawn from src
// on the first run and the same bytes are read again by every later run; outside a write it is
// src itself. For packages that keep an injected entropy source (a seeded reader in tests).
func Replay(ctx context.Context, src io.Reader) io.Reader {
	w := stateOf(ctx)
	if w == nil || src == nil {
		return src
	}
	if w.replays == nil {
		w.replays = map[io.Reader]*replay{}
	}
	r := w.replays[src]
	if r == nil {
		r = &replay{src: src}
		w.replays[src] = r
	}
	return r
}

// NewID returns a new time-ordered id (UUIDv7): the n-th call in a write returns the same id on
// every run of its function. Outside a write every call returns a new id.
func NewID(ctx context.Context) (string, error) {
	w := stateOf(ctx)
	if w != nil && w.next < len(w.ids) {
		w.next++
		return w.ids[w.next-1], nil
	}
	id, err := uuid.NewV7()
	if err != nil {
		return "", fmt.Errorf("store: new id: %w", err)
	}
	if w != nil {
		w.ids = append(w.ids, id.String())
		w.next++
	}
	return id.String(), nil
}

// NondeterministicError is the verdict, in double-run mode, of a write whose function did
// something different on its second run than on its first.
type NondeterministicError struct {
	First, Second string // the first call that differs, as run 1 and run 2 made it
}

func (e *NondeterministicError) Error() string {
	return fmt.Sprintf("store: the write function did not repeat itself (double-run mode): run 1 %s, run 2 %s; "+
		"draw time, entropy and ids from store.Now, store.Rand and store.NewID, and do no work outside q", e.First, e.Second)
}

// recQ records what a run of a write function asks of q. Statements pass through (a rejected
// run is rolled back to a savepoint); Accumulate and InsertLater are recorded and kept back, to
// be applied once a run is accepted.
type recQ struct {
	q       *txQ
	log     []string
	pending []func() error
}

func (r *recQ) note(kind, query string, args []any) {
	r.log = append(r.log, fmt.Sprintf("%s %q %v", kind, query, args))
}

func (r *recQ) Engine() Engine { return r.q.Engine() }
func (r *recQ) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	r.note("Exec", query, args)
	return r.q.Exec(ctx, query, args...)
}
func (r *recQ) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	r.note("Query", query, args)
	return r.q.Query(ctx, query, args...)
}
func (r *recQ) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	r.note("QueryRow", query, args)
	return r.q.QueryRow(ctx, query, args...)
}
func (r *recQ) Accumulate(group, key string, delta int64, flush FlushFunc) error {
	r.note("Accumulate", group+"/"+key, []any{delta})
	r.pending = append(r.pending, func() error { return r.q.Accumulate(group, key, delta, flush) })
	return nil
}
func (r *recQ) InsertLater(ctx context.Context, table, columns string, rows int, args ...any) error {
	r.note("InsertLater", table+"("+columns+")", args)
	r.pending = append(r.pending, func() error { return r.q.InsertLater(ctx, table, columns, rows, args...) })
	return nil
}

// differ returns the first call in which two runs differ, or nil.
func differ(a, b *recQ, errA, errB error) *NondeterministicError {
	for i := range max(len(a.log), len(b.log)) {
		x, y := "(nothing)", "(nothing)"
		if i < len(a.log) {
			x = a.log[i]
		}
		if i < len(b.log) {
			y = b.log[i]
		}
		if x != y {
			return &NondeterministicError{First: x, Second: y}
		}
	}
	if (errA == nil) != (errB == nil) || (errA != nil && errA.Error() != errB.Error()) {
		return &NondeterministicError{First: fmt.Sprintf("returned %v", errA), Second: fmt.Sprintf("returned %v", errB)}
	}
	return nil
}

// call runs op's function on q, turning a panic into a *PanicError: the function runs on a
// committer goroutine, outside any HTTP recovery, and one bad write must not stop the server.
//
// In double-run mode the function runs twice inside a savepoint, the first run rolled back, and
// the two runs must make the same calls with the same arguments and end with the same error.
// On PostgreSQL a transaction that commits between the two runs can change what the second one
// reads (READ COMMITTED), so a pair that differs is tried again, up to three pairs, before the
// write is failed: a function that draws its own time or ids differs every time.
func (db *DB) call(ctx context.Context, op *writeOp, q *txQ) error {
	ctx = context.WithValue(ctx, writeStateKey{}, op.ws)
	if !db.doubleRun {
		op.ws.reset()
		return protect(ctx, op, q)
	}
	sctx := context.WithoutCancel(ctx)
	exec := func(stmt string) error {
		if _, err := q.tx.ExecContext(sctx, stmt); err != nil {
			return fmt.Errorf("%w: %s: %v", errTxBroken, stmt, err)
		}
		return nil
	}
	var nd *NondeterministicError
	for try := range 3 {
		if err := exec("SAVEPOINT double_run"); err != nil {
			return err
		}
		first := &recQ{q: q}
		op.ws.reset()
		err1 := protect(ctx, op, first)
		if err := exec("ROLLBACK TO SAVEPOINT double_run"); err != nil {
			return err
		}
		if _, ok := err1.(*PanicError); ok || isConflict(err1) {
			// A panic repeats; a deadlock is the store's to retry, not a verdict on the function.
			return errors.Join(err1, exec("RELEASE SAVEPOINT double_run"))
		}
		second := &recQ{q: q}
		op.ws.reset()
		err2 := protect(ctx, op, second)
		if isConflict(err2) {
			return errors.Join(err2, exec("ROLLBACK TO SAVEPOINT double_run"), exec("RELEASE SAVEPOINT double_run"))
		}
		if nd = differ(first, second, err1, err2); nd == nil {
			if err2 != nil {
				// A failed run leaves nothing (and on PostgreSQL an aborted transaction that
				// only a rollback to a savepoint repairs).
				return errors.Join(err2, exec("ROLLBACK TO SAVEPOINT double_run"), exec("RELEASE SAVEPOINT double_run"))
			}
			if err := exec("RELEASE SAVEPOINT double_run"); err != nil {
				return err
			}
			for _, f := range second.pending {
				if err := f(); err != nil {
					return err
				}
			}
			return nil
		}
		if try == 2 && (err1 == nil) != (err2 == nil) {
			// Still a different verdict after three pairs: on PostgreSQL that is concurrent
			// commits racing this write (a balance spent between the runs), not the function.
			// The second run stands, as any single run would.
			if err2 != nil {
				return errors.Join(err2, exec("ROLLBACK TO SAVEPOINT double_run"), exec("RELEASE SAVEPOINT double_run"))
			}
			if err := exec("RELEASE SAVEPOINT double_run"); err != nil {
				return err
			}
			for _, f := range second.pending {
				if err := f(); err != nil {
					return err
				}
			}
			return nil
		}
		if err := exec("ROLLBACK TO SAVEPOINT double_run"); err != nil {
			return err
		}
		if err := exec("RELEASE SAVEPOINT double_run"); err != nil {
			return err
		}
		if db.engine == SQLite {
			break // one writer: nothing else can have changed what the runs read
		}
	}
	return nd
}

func protect(ctx context.Context, op *writeOp, q Q) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &PanicError{Value: p, Stack: stack()}
		}
	}()
	return op.fn(ctx, q)
}

func stack() []byte { return debug.Stack() }
