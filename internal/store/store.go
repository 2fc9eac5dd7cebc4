// Package store opens Arcade's database — SQLite by default, PostgreSQL when a URL is given —
// runs the embedded migrations, and gives domain code two ways in: Read for queries and Write
// for changes. Write is group-committed: concurrent callers are gathered into one database
// transaction (isolated by savepoints when one of them fails), and each is answered only after
// that transaction has committed durably. One fsync then covers a whole batch, which is what
// lifts durable money moves above the disk's sync rate. On SQLite the fsync and the WAL
// checkpoints run beside the single writer, not inside its COMMIT (walsync.go).
//
// Files: store.go (opening, Write and the committers), q.go (Q over a pool or a transaction,
// Accumulate and InsertLater, statement caches), walsync.go, migrate.go, open.go.
//
// Queries are written once with '?' placeholders; on PostgreSQL they are rebound to $n.
package store

import (
	"context"
	crand "crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/arcadehq/arcade/internal/errs"
)

// Engine names a database engine.
type Engine string

const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// Q runs SQL: a transaction inside Write, or the read pool inside Read. Queries use '?'.
type Q interface {
	Exec(ctx context.Context, query string, args ...any) (sql.Result, error)
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
	Engine() Engine
	// Accumulate adds delta to key in group, to be applied by flush just before the transaction
	// commits, once per key with the sum of every delta (keys in sorted order). It is for hot
	// counters that many writes of a batch touch (the house's balance): one UPDATE per batch
	// instead of one per write, and on PostgreSQL the row lock is held only while committing.
	// A delta added by a write that fails is discarded with it. Only inside Write.
	Accumulate(group, key string, delta int64, flush FlushFunc) error
	// InsertLater inserts rows rows into table (columns as in an INSERT's column list; args
	// holds rows × columns values, row after row). On PostgreSQL the rows are queued and written
	// just before the transaction commits, one multi-row INSERT per table and column list for the
	// whole batch, which saves a round trip per write; on SQLite, which has no round trips, they
	// are inserted at once. It is for append-only rows that nothing in the same transaction reads
	// back (ledger transfers, round records): a constraint they break fails the commit, and with
	// it the batch, which then runs each write alone so the failure lands on its own write. Rows
	// queued by a write that fails are discarded with it. Only inside Write.
	InsertLater(ctx context.Context, table, columns string, rows int, args ...any) error
}

// FlushFunc applies a group's accumulated deltas inside the committing transaction.
type FlushFunc func(ctx context.Context, q Q, keys []string, deltas []int64) error

// Config says which database to open and how to write to it.
type Config struct {
	// DatabaseURL selects PostgreSQL when set (postgres://...); otherwise SQLite under DataDir.
	DatabaseURL string
	DataDir     string
	// Direct turns group commit off: every Write is its own transaction. Benchmarks use it as the
	// baseline; production keeps the default (group commit).
	Direct bool
	// MaxBatch bounds how many Writes share one transaction (default 128).
	MaxBatch int
	// Committers is how many batches may be in flight at once. SQLite has one writer, so it is
	// always 1 there. On PostgreSQL (default 4) committer 0 takes Write and the others take
	// WriteFor by key, so batches that run at once never touch the same account's rows.
	Committers int
	// WriteTimeout bounds one Write from the moment it is called to its verdict (default 10 s):
	// a write still waiting for a lock, a slow disk or a stuck statement when it passes fails
	// with ErrTimeout instead of holding its committer, and everyone queued behind it, forever.
	WriteTimeout time.Duration
	// BatchTimeout bounds one group-commit transaction, from BEGIN to COMMIT (default 20 s).
	BatchTimeout time.Duration
	// Log receives what the committer reports: a write that panicked, a write that timed out.
	// Nil logs to slog.Default().
	Log *slog.Logger
	// RequestID names the request a write's context belongs to, for those log lines (the HTTP
	// layer's request id); nil logs none.
	RequestID func(context.Context) string
	// Now and Rand are the sources behind store.Now, store.Rand (time.Now and crypto/rand when
	// nil): drawn once per write, handed to every run of its function.
	Now  func() time.Time
	Rand io.Reader
	// DoubleRun runs every write function twice, the first run rolled back, and fails a write
	// whose runs differ (*NondeterministicError). For tests: storetest turns it on.
	DoubleRun bool
	// BeforeCommit, when set, runs at the end of every write transaction, after its flushes and
	// just before COMMIT, with the transaction's Q (the ledger's incremental invariant check,
	// ledger.BatchCheck). An error fails the transaction, as a flush error does.
	BeforeCommit func(ctx context.Context, q Q) error
	// Benchmark allows PostgreSQL servers that may lose acknowledged commits (fsync=off,
	// synchronous_commit=off): Open refuses them otherwise (ARCADE_BENCHMARK_UNSAFE_DURABILITY).
	Benchmark bool
}

// Default deadlines of a write and of a group-commit transaction (Config.WriteTimeout,
// Config.BatchTimeout).
const (
	DefaultWriteTimeout = 10 * time.Second
	DefaultBatchTimeout = 20 * time.Second
)

// ErrTimeout is the verdict of a write that did not commit within its deadline (see
// Config.WriteTimeout): nothing it wrote persists, and it may be retried. It is an
// errs.Unavailable, so every surface answers it as a temporary failure.
var ErrTimeout = &errs.Error{Kind: errs.Unavailable, Code: "STORE_TIMEOUT",
	Message: "the database did not complete the write in time; nothing was changed, retry"}

// PanicError is the verdict of a write whose function panicked: the panic is recovered on the
// committer, the write's work is rolled back, and its batch-mates commit as usual.
type PanicError struct {
	Value any
	Stack []byte
}

func (p *PanicError) Error() string {
	return fmt.Sprintf("store: write function panicked: %v", p.Value)
}

// DB is an open database.
type DB struct {
	engine Engine
	write  *sql.DB // SQLite: one connection, the only writer; PostgreSQL: the pool
	read   *sql.DB // SQLite: read-only pool; PostgreSQL: the same pool as write
	direct bool

	batches []chan *writeOp // one queue per committer
	stop    chan struct{}
	stopped chan struct{}
	closeMu sync.Once
	sendMu  sync.RWMutex
	closed  bool
	maxB    int

	readCache *stmtCache // SQLite only
	// writeCache holds statements prepared on the SQLite writer connection, reused by every
	// transaction (see txQ.stmt); wanted lists queries to add to it once the writer is free.
	writeCache *stmtCache
	wantMu     sync.Mutex
	wanted     []string
	wal        *walSync // SQLite only: fsyncs and checkpoints off the writer's path

	writeTimeout, batchTimeout time.Duration
	log                        *slog.Logger
	requestID                  func(context.Context) string
	now                        func() time.Time
	rand                       io.Reader
	doubleRun                  bool
	beforeCommit               func(ctx context.Context, q Q) error // set once migrated

	nBatches, nBatched atomic.Int64 // group commit: transactions run and the writes in them
	nPanics, nTimeouts atomic.Int64 // writes that panicked, writes that ran out of time
	nConflicts         atomic.Int64 // deadlocks and serialization failures retried
}

// Stats are counters of the write path since Open, for metrics: batched writes ÷ batches is the
// group commit's average batch; the WAL figures are zero on PostgreSQL.
type Stats struct {
	Batches       int64   // group-commit transactions attempted (lone writes included)
	BatchedWrites int64   // writes those transactions carried
	WALSyncs      int64   // fsyncs of the SQLite WAL
	WALSyncSecs   float64 // time spent in them
	Checkpoints   int64   // background checkpoints run
	Panics        int64   // writes whose function panicked (recovered; each failed alone)
	Timeouts      int64   // writes that failed with ErrTimeout
	Conflicts     int64   // deadlocks, serialization failures and busy errors retried inside the store
}

// Stats reads the write-path counters.
func (db *DB) Stats() Stats {
	st := Stats{Batches: db.nBatches.Load(), BatchedWrites: db.nBatched.Load(),
		Panics: db.nPanics.Load(), Timeouts: db.nTimeouts.Load(), Conflicts: db.nConflicts.Load()}
	if w := db.wal; w != nil {
		w.mu.Lock()
		st.WALSyncs, st.WALSyncSecs, st.Checkpoints = w.syncs, w.syncTime.Seconds(), int64(w.checkpoints)
		w.mu.Unlock()
	}
	return st
}

// Engine reports which engine db runs on.
func (db *DB) Engine() Engine { return db.engine }

// SQL exposes the underlying pool for tools and tests that need it (migrations, benchmarks).
func (db *DB) SQL() *sql.DB { return db.write }

// Open opens the database, applies migrations and starts the group committer.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	var db *DB
	var err error
	if cfg.DatabaseURL != "" {
		db, err = openPostgres(ctx, cfg.DatabaseURL)
	} else {
		db, err = openSQLite(ctx, cfg.DataDir)
	}
	if err != nil {
		return nil, err
	}
	if db.engine == Postgres && !cfg.Benchmark {
		if err := checkDurable(ctx, db.write); err != nil {
			db.closeDBs()
			return nil, err
		}
	}
	if err := db.Migrate(ctx); err != nil {
		if db.wal != nil {
			db.wal.close()
		}
		db.closeDBs()
		return nil, err
	}
	db.direct = cfg.Direct
	db.beforeCommit = cfg.BeforeCommit
	db.writeTimeout, db.batchTimeout = cfg.WriteTimeout, cfg.BatchTimeout
	if db.writeTimeout <= 0 {
		db.writeTimeout = DefaultWriteTimeout
	}
	if db.batchTimeout <= 0 {
		db.batchTimeout = DefaultBatchTimeout
	}
	db.log, db.requestID = cfg.Log, cfg.RequestID
	db.now, db.rand, db.doubleRun = cfg.Now, cfg.Rand, cfg.DoubleRun
	if db.now == nil {
		db.now = time.Now
	}
	if db.rand == nil {
		db.rand = crand.Reader
	}
	if db.log == nil {
		db.log = slog.Default()
	}
	db.maxB = cfg.MaxBatch
	if db.maxB <= 0 {
		db.maxB = 128
	}
	db.stop = make(chan struct{})
	db.stopped = make(chan struct{})
	n := cfg.Committers
	if n <= 0 {
		n = 4
	}
	if db.engine == SQLite {
		n = 1
	}
	var wg sync.WaitGroup
	for range n {
		ch := make(chan *writeOp, 4096)
		db.batches = append(db.batches, ch)
		wg.Add(1)
		go func() { defer wg.Done(); db.commitLoop(ch) }()
	}
	go func() { wg.Wait(); close(db.stopped) }()
	return db, nil
}

// Close stops the committer after it has answered every queued Write, then closes the pools.
func (db *DB) Close() error {
	db.closeMu.Do(func() {
		db.sendMu.Lock()
		db.closed = true
		db.sendMu.Unlock()
		close(db.stop)
		<-db.stopped
		if db.wal != nil {
			db.wal.close()
		}
	})
	return db.closeDBs()
}

// ErrNotDurable refuses a PostgreSQL server whose settings let it lose acknowledged commits.
var ErrNotDurable = errors.New("store: PostgreSQL may lose acknowledged commits")

// checkDurable refuses a PostgreSQL server that acknowledges commits it may lose in a crash
// (fsync=off) or a power cut (synchronous_commit=off): Write's promise is that an answered write
// is durable. The settings are read on the server as this session sees them, so a per-database or
// per-role override counts too. (full_page_writes=off is refused as well: a torn page after a
// power cut can then corrupt committed data.) Config.Benchmark allows them.
func checkDurable(ctx context.Context, db *sql.DB) error {
	return checkSettings(func(name string) (v string, err error) {
		err = db.QueryRowContext(ctx, "SHOW "+name).Scan(&v)
		return v, err
	})
}

func checkSettings(show func(name string) (string, error)) error {
	for _, s := range []struct{ name, bad string }{{"fsync", "off"}, {"synchronous_commit", "off"}, {"full_page_writes", "off"}} {
		v, err := show(s.name)
		if err != nil {
			return fmt.Errorf("store: read PostgreSQL setting %s: %w", s.name, err)
		}
		if v == s.bad {
			return fmt.Errorf("%w: %s=%s; set it to on, or set ARCADE_BENCHMARK_UNSAFE_DURABILITY=1 if this is a benchmark", ErrNotDurable, s.name, v)
		}
	}
	return nil
}

func (db *DB) closeDBs() error {
	db.readCache.close()
	db.writeCache.close()
	err := db.write.Close()
	if db.wal != nil {
		err = errors.Join(err, db.wal.ckpt.Close())
	}
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// Read runs fn in a read-only transaction: every query fn makes sees one snapshot of the
// database (REPEATABLE READ on PostgreSQL; on SQLite a WAL read transaction, which never blocks
// the writer), so a check that spans several queries, such as the ledger invariant, reads a
// state that some moment of the database really had.
func (db *DB) Read(ctx context.Context, fn func(ctx context.Context, q Q) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.engine == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.read.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("store: begin read: %w", err)
	}
	// A panic in fn (recovered higher up, by the HTTP layer) must not leak the connection and
	// its snapshot: the read pool is small, and an open snapshot holds back checkpoints.
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()
	rq := &readQ{tx: tx, engine: db.engine, cache: db.readCache, db: db.read}
	err = fn(ctx, rq)
	if err != nil {
		_ = tx.Rollback()
	} else if err = tx.Commit(); err != nil { // a read-only transaction: committing only ends it
		err = fmt.Errorf("store: end read: %w", err)
	}
	// Now that this reader holds no connection, prepare what it found missing from the cache.
	for _, q := range rq.miss {
		db.readCache.get(ctx, db.read, q)
	}
	return err
}

// Write runs fn inside a transaction and returns once that transaction is durably committed (or
// fn's error, in which case nothing fn wrote persists). fn may share the transaction with other
// callers' work, isolated by a savepoint; it must not keep q after returning, and must do no
// irreversible work outside the database: an error after fn returns rolls it back, and fn may
// be run more than once (a batch that fails is retried), only the last run counting.
//
// A write gets Config.WriteTimeout (or less, if ctx has an earlier deadline) from this call to
// its verdict, and fails with ErrTimeout past it; a panic in fn fails this write alone
// (*PanicError). Neither stops the committer.
func (db *DB) Write(ctx context.Context, fn func(ctx context.Context, q Q) error) error {
	return db.WriteFor(ctx, "", fn)
}

// WriteFor is Write for work that touches only one account's rows (plus the counterparty
// balances, which are applied at commit): writes for the same key always share a committer, so
// concurrent batches on PostgreSQL never hold each other's rows and cannot deadlock. Work that
// touches several accounts uses Write (key ""), which always goes to the first committer.
func (db *DB) WriteFor(ctx context.Context, key string, fn func(ctx context.Context, q Q) error) error {
	// The caller giving up does not cancel a queued write (so that "acknowledged" always means
	// "durable"), but the write's own deadline does: WriteTimeout, or the caller's deadline if
	// that comes first.
	deadline := time.Now().Add(db.writeTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	wctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
	defer cancel()
	op := &writeOp{ctx: wctx, fn: fn, done: make(chan error, 1), ws: &writeState{now: db.now(), src: db.rand}}
	if db.direct {
		// Holding the read lock for the whole write makes Close wait for it, so its commit is
		// never left waiting for a WAL syncer that has stopped.
		db.sendMu.RLock()
		defer db.sendMu.RUnlock()
		if db.closed {
			return errors.New("store: closed")
		}
		seq, err := db.runAlone(op)
		db.durable(seq)
		return db.verdict(op, err)
	}
	ch := db.batches[0]
	if key != "" && len(db.batches) > 1 {
		h := fnv.New32a()
		h.Write([]byte(key))
		ch = db.batches[1+int(h.Sum32()%uint32(len(db.batches)-1))]
	}
	// The read lock keeps Close from stopping the committer between our check and our send, so a
	// queued op is always answered.
	db.sendMu.RLock()
	if db.closed {
		db.sendMu.RUnlock()
		return errors.New("store: closed")
	}
	select {
	case ch <- op:
		db.sendMu.RUnlock()
	case <-ctx.Done():
		db.sendMu.RUnlock()
		return ctx.Err()
	}
	// Once queued the work will be committed or refused; wait for the verdict even if the caller
	// gives up, so that "acknowledged" always means "durable".
	return <-op.done
}

type writeOp struct {
	ctx  context.Context // the caller's values, without its cancellation, with the write's deadline
	fn   func(ctx context.Context, q Q) error
	done chan error
	ws   *writeState // time, entropy and ids drawn once for every run of fn
}

// verdict is the last word on op: a panic is logged (with the request id) and counted, and a
// failure caused by the write's deadline becomes ErrTimeout. Every write passes here once.
func (db *DB) verdict(op *writeOp, err error) error {
	if err == nil {
		return nil
	}
	var pe *PanicError
	if errors.As(err, &pe) {
		db.nPanics.Add(1)
		db.log.Error("store: write function panicked; the write failed alone", "request_id", db.reqID(op.ctx),
			"panic", fmt.Sprint(pe.Value), "stack", string(pe.Stack))
		return err
	}
	if op.ctx.Err() != nil && !errors.Is(err, ErrTimeout) {
		db.nTimeouts.Add(1)
		db.log.Warn("store: write timed out", "request_id", db.reqID(op.ctx), "err", err)
		return fmt.Errorf("store: write not done by its deadline: %w (%v)", ErrTimeout, err)
	}
	return err
}

func (db *DB) reqID(ctx context.Context) string {
	if db.requestID == nil {
		return ""
	}
	return db.requestID(ctx)
}

// runAlone runs op in a transaction of its own, retrying conflicts, and returns the commit's
// durability ticket. The transaction is bounded by the write's deadline and the batch deadline.
func (db *DB) runAlone(op *writeOp) (uint64, error) {
	ctx, cancel := context.WithTimeout(op.ctx, db.batchTimeout)
	defer cancel()
	for attempt := 0; ; attempt++ {
		seq, err := db.runTx(ctx, func(q *txQ) error {
			return db.call(ctx, op, q)
		})
		if err != nil && attempt < 10 && ctx.Err() == nil && isRetryable(db.engine, err) {
			db.nConflicts.Add(1)
			continue
		}
		return seq, err
	}
}

// runTx runs fn in a transaction and commits it. The commit is not yet durable on SQLite: the
// caller passes the returned ticket to durable or reply before telling anyone it happened.
func (db *DB) runTx(ctx context.Context, fn func(q *txQ) error) (uint64, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: begin: %w", err)
	}
	// Once the transaction has ended, committed or not, the writer is free to prepare statements.
	defer db.prepareWanted(context.WithoutCancel(ctx))
	q := db.txQ(tx)
	err = fn(q)
	if err == nil {
		err = q.flushSafe(ctx) // a failed flush must abort the commit, on SQLite too
	}
	if err == nil && db.beforeCommit != nil {
		err = db.beforeCommit(ctx, q)
	}
	if err != nil {
		_ = tx.Rollback()
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: commit: %w", err)
	}
	return db.noteCommit(), nil
}

// prepareWanted prepares on the writer, now that no transaction holds it, the statements the
// last transactions had to prepare for themselves, so later transactions reuse them. (Preparing
// on the writer pool from inside a transaction would wait for the transaction's own connection.)
func (db *DB) prepareWanted(ctx context.Context) {
	if db.writeCache == nil {
		return
	}
	db.wantMu.Lock()
	qs := db.wanted
	db.wanted = nil
	db.wantMu.Unlock()
	for _, q := range qs {
		db.writeCache.get(ctx, db.write, q)
	}
}

// noteCommit returns the durability ticket of the commit that has just happened (0 when COMMIT
// itself was durable, as on PostgreSQL).
func (db *DB) noteCommit() uint64 {
	if db.wal == nil {
		return 0
	}
	return db.wal.noteCommit()
}

// durable blocks until the commit with ticket seq is on disk.
func (db *DB) durable(seq uint64) {
	if db.wal != nil && seq != 0 {
		db.wal.wait(seq)
	}
}

// reply answers op with its verdict once the commit with ticket seq is on disk, without
// blocking the committer: it goes on with the next batch while the syncer fsyncs. Even errors
// wait, as they may have been decided on state that is not yet durable.
func (db *DB) reply(seq uint64, op *writeOp, err error) {
	err = db.verdict(op, err)
	if db.wal == nil || seq == 0 {
		op.done <- err
		return
	}
	db.wal.answer(seq, op.done, err)
}

// commitLoop is the group committer: it takes the first waiting Write, gathers whatever else is
// already queued (up to MaxBatch), runs them in one transaction with a savepoint each, commits,
// and only then answers every caller. While it commits, new Writes queue up for the next batch.
func (db *DB) commitLoop(batch chan *writeOp) {
	ops := make([]*writeOp, 0, db.maxB)
	errs := make([]error, 0, db.maxB)
	for {
		var first *writeOp
		select {
		case first = <-batch:
		case <-db.stop:
			// Answer anything still queued before stopping.
			for {
				select {
				case op := <-batch:
					db.runBatch([]*writeOp{op}, errs[:0])
				default:
					return
				}
			}
		}
		ops = append(ops[:0], first)
		ops = gather(batch, ops, db.maxB)
		// Unless the queue already fills a batch, let the fsync in flight finish first (SQLite),
		// gathering what arrives meanwhile: each transaction costs a commit and writes its shared
		// pages (the house's balance, the tails of the transfer and round tables) once, so under
		// load a few full batches beat many small ones (measured: more rounds/s and a shorter
		// tail than starting at once). An idle server, with nothing in flight, starts at once.
		if db.wal != nil && len(ops) < db.maxB && db.wal.waitSynced() {
			ops = gather(batch, ops, db.maxB)
		}
		db.runBatch(ops, errs[:0])
	}
}

// gather appends to ops whatever is queued on batch, up to max ops, without waiting.
func gather(batch chan *writeOp, ops []*writeOp, max int) []*writeOp {
	for len(ops) < max {
		select {
		case op := <-batch:
			ops = append(ops, op)
		default:
			return ops
		}
	}
	return ops
}

func (db *DB) runBatch(ops []*writeOp, results []error) {
	db.nBatches.Add(1)
	db.nBatched.Add(int64(len(ops)))
	results = results[:len(ops)]
	// A lone op needs no savepoint: its transaction is its own, and its error its verdict.
	if len(ops) == 1 {
		seq, err := db.runAlone(ops[0])
		db.reply(seq, ops[0], err)
		return
	}
	// The batch's transaction has a deadline of its own; each op's statements also stop at the
	// op's deadline (whichever comes first), so one stalled op cannot hold its neighbours longer
	// than the batch deadline: the batch then fails and each op runs alone.
	ctx, cancel := context.WithTimeout(context.Background(), db.batchTimeout)
	defer cancel()
	deadline, _ := ctx.Deadline()
	// First try the batch without savepoints: when every op succeeds (the common case) that saves
	// two statements per op. The first op to fail aborts this attempt (nothing commits) and the
	// batch runs again with a savepoint around each op, so a failure undoes only its own op.
	conflict := false
	{
		seq, err := db.runTx(ctx, func(q *txQ) error {
			for _, op := range ops {
				octx, ocancel := opCtx(op, deadline)
				err := db.call(octx, op, q)
				ocancel()
				if err != nil {
					conflict = isConflict(err)
					return errOpFailed
				}
			}
			return nil
		})
		if err == nil {
			for _, op := range ops {
				db.reply(seq, op, nil)
			}
			return
		}
		// A deadlock or serialization failure: retrying the batch would take the same locks in
		// the same order; its ops run alone instead (below).
		conflict = conflict || isConflict(err)
	}
	var seq uint64
	var err error
	if conflict {
		db.nConflicts.Add(1)
		err = errOpFailed
	} else {
		seq, err = db.runTx(ctx, func(q *txQ) error {
			for i, op := range ops {
				results[i] = db.runOne(q, op, deadline)
				if errors.Is(results[i], errTxBroken) {
					return results[i]
				}
			}
			return nil
		})
	}
	if err != nil {
		// The batch did not commit: nothing in it persisted. Run each op alone so one bad apple
		// cannot fail its neighbours, and so every caller gets its own true verdict.
		for _, op := range ops {
			seq, err := db.runAlone(op)
			db.reply(seq, op, err)
		}
		return
	}
	for i, op := range ops {
		db.reply(seq, op, results[i])
	}
}

// opCtx is op's context bounded by the batch's deadline too. The write's own deadline
// (WriteTimeout from its call) nearly always comes first, and then op's context serves as it is:
// a context (and its timer) per op per batch attempt was a visible cost of group commit.
func opCtx(op *writeOp, deadline time.Time) (context.Context, context.CancelFunc) {
	if d, ok := op.ctx.Deadline(); ok && !d.After(deadline) {
		return op.ctx, func() {}
	}
	return context.WithDeadline(op.ctx, deadline)
}

// errOpFailed aborts the savepoint-free attempt of a batch.
var errOpFailed = errors.New("store: an op failed; retry the batch with savepoints")

var errTxBroken = errors.New("store: transaction unusable")

// runOne runs one op inside its own savepoint. Retryable conflicts (deadlock, serialization
// failure) are retried a few times from the savepoint.
func (db *DB) runOne(q *txQ, op *writeOp, deadline time.Time) error {
	tx := q.tx
	q.staging = true
	defer func() { q.staging = false }()
	ctx, cancel := opCtx(op, deadline)
	defer cancel()
	// The savepoint statements run without the op's deadline: if the op timed out, its rollback
	// must still happen for its neighbours to commit.
	sctx := context.WithoutCancel(ctx)
	for attempt := 0; ; attempt++ {
		if _, err := tx.ExecContext(sctx, "SAVEPOINT op"); err != nil {
			return fmt.Errorf("%w: savepoint: %v", errTxBroken, err)
		}
		q.clearStaged()
		err := db.call(ctx, op, q)
		if err == nil {
			if _, err := tx.ExecContext(sctx, "RELEASE SAVEPOINT op"); err != nil {
				return fmt.Errorf("%w: release: %v", errTxBroken, err)
			}
			q.commitStaged()
			return nil
		}
		if _, rerr := tx.ExecContext(sctx, "ROLLBACK TO SAVEPOINT op"); rerr != nil {
			return fmt.Errorf("%w: rollback to savepoint: %v (after %v)", errTxBroken, rerr, err)
		}
		if _, rerr := tx.ExecContext(sctx, "RELEASE SAVEPOINT op"); rerr != nil {
			return fmt.Errorf("%w: release after rollback: %v", errTxBroken, rerr)
		}
		if isConflict(err) {
			// A deadlock or serialization failure inside a batch: the batch holds the locks of
			// every op before this one, taken in no global order, so retrying this op inside it
			// can deadlock again. Give the batch up (releasing every lock); its ops then run
			// alone, each taking its locks in one global order (ledger.Post sorts them), with
			// retries.
			db.nConflicts.Add(1)
			return fmt.Errorf("%w: %w", errTxBroken, err)
		}
		if attempt < 3 && ctx.Err() == nil && isRetryable(db.engine, err) {
			db.nConflicts.Add(1)
			continue
		}
		return err
	}
}

func (db *DB) txQ(tx *sql.Tx) *txQ {
	q := &txQ{tx: tx, engine: db.engine, db: db}
	if db.engine == SQLite {
		q.stmts = map[string]*sql.Stmt{}
	}
	return q
}
