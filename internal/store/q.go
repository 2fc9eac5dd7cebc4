package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// readQ and txQ adapt a read-only *sql.Tx and a write *sql.Tx to Q, rebinding placeholders for
// PostgreSQL.
type readQ struct {
	tx     *sql.Tx
	engine Engine
	cache  *stmtCache // SQLite: statements prepared on the read pool, bound to tx per use
	db     *sql.DB
	miss   []string // queries to prepare on the pool once the transaction has ended
}

func (p *readQ) Engine() Engine { return p.engine }

// Accumulate is refused outside a write.
func (p *readQ) Accumulate(string, string, int64, FlushFunc) error {
	return errors.New("store: Accumulate outside a write transaction")
}

// InsertLater is refused outside a write.
func (p *readQ) InsertLater(context.Context, string, string, int, ...any) error {
	return errors.New("store: InsertLater outside a write transaction")
}

// stmt binds the pool's prepared statement for q to the read transaction (database/sql reuses
// the one already prepared on the transaction's connection); nil when q is not cached yet. It
// never prepares on the pool itself: that needs a second connection while the transaction holds
// one, and readers that all do so at once exhaust the pool and wait on each other forever. A
// query not yet cached is noted and prepared after the transaction (see Read).
func (p *readQ) stmt(ctx context.Context, q string) *sql.Stmt {
	if p.cache == nil || len(q) > maxCachedQueryLen {
		return nil
	}
	if v, ok := p.cache.m.Load(q); ok {
		return p.tx.StmtContext(ctx, v.(*sql.Stmt))
	}
	p.miss = append(p.miss, q)
	return nil
}

func (p *readQ) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := p.stmt(ctx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return p.tx.ExecContext(ctx, rebind(p.engine, q), args...)
}
func (p *readQ) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := p.stmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.tx.QueryContext(ctx, rebind(p.engine, q), args...)
}
func (p *readQ) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if st := p.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.tx.QueryRowContext(ctx, rebind(p.engine, q), args...)
}

type txQ struct {
	tx     *sql.Tx
	engine Engine
	db     *DB
	stmts  map[string]*sql.Stmt // SQLite only; closed by the transaction's end

	acc     map[string]*accGroup // Accumulate: what the transaction will flush
	staged  map[accKey]int64     // deltas of the op running under a savepoint
	staging bool

	rows       map[string]*rowGroup // InsertLater (PostgreSQL): rows the transaction will insert
	stagedRows map[string]*rowGroup // rows of the op running under a savepoint
}

// rowGroup is the queued rows of one table and column list.
type rowGroup struct {
	table, columns string
	ncols          int
	args           []any // ncols values per row
}

type accGroup struct {
	flush  FlushFunc
	deltas map[string]int64
}

type accKey struct{ group, key string }

func (t *txQ) Accumulate(group, key string, delta int64, flush FlushFunc) error {
	if t.acc == nil {
		t.acc, t.staged = map[string]*accGroup{}, map[accKey]int64{}
	}
	g := t.acc[group]
	if g == nil {
		g = &accGroup{flush: flush, deltas: map[string]int64{}}
		t.acc[group] = g
	}
	if t.staging {
		t.staged[accKey{group, key}] += delta
	} else {
		g.deltas[key] += delta
	}
	return nil
}

func (t *txQ) commitStaged() {
	for k, d := range t.staged {
		t.acc[k.group].deltas[k.key] += d
	}
	clear(t.staged)
	for k, g := range t.stagedRows {
		dst := t.queue(t.rows, k, g.table, g.columns, g.ncols)
		dst.args = append(dst.args, g.args...)
	}
	clear(t.stagedRows)
}

// clearStaged forgets what the op running under a savepoint queued.
func (t *txQ) clearStaged() {
	clear(t.staged)
	clear(t.stagedRows)
}

func (t *txQ) InsertLater(ctx context.Context, table, columns string, rows int, args ...any) error {
	ncols := strings.Count(columns, ",") + 1
	if rows < 1 || len(args) != rows*ncols {
		return fmt.Errorf("store: InsertLater into %s: %d values for %d rows of %d columns", table, len(args), rows, ncols)
	}
	if t.engine == SQLite {
		// One row per statement: SQLite runs a multi-row VALUES as a compound SELECT, which
		// measured slower per row than a prepared single-row INSERT executed once per row.
		q := insertSQL(table, columns, ncols, 1)
		for r := range rows {
			if _, err := t.Exec(ctx, q, args[r*ncols:(r+1)*ncols]...); err != nil {
				return err
			}
		}
		return nil
	}
	if t.rows == nil {
		t.rows, t.stagedRows = map[string]*rowGroup{}, map[string]*rowGroup{}
	}
	m := t.rows
	if t.staging {
		m = t.stagedRows
	}
	g := t.queue(m, table+"("+columns+")", table, columns, ncols)
	g.args = append(g.args, args...)
	return nil
}

func (t *txQ) queue(m map[string]*rowGroup, key, table, columns string, ncols int) *rowGroup {
	g := m[key]
	if g == nil {
		g = &rowGroup{table: table, columns: columns, ncols: ncols}
		m[key] = g
	}
	return g
}

// maxParams keeps a multi-row INSERT under PostgreSQL's limit of 65535 bind parameters.
const maxParams = 65535

// insertRows writes the queued rows, tables in sorted order, in INSERTs of as many rows as the
// parameter limit allows.
func (t *txQ) insertRows(ctx context.Context) error {
	keys := make([]string, 0, len(t.rows))
	for k, g := range t.rows {
		if len(g.args) > 0 {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		g := t.rows[k]
		per := maxParams / g.ncols
		for args := g.args; len(args) > 0; {
			n := min(len(args)/g.ncols, per)
			if _, err := t.tx.ExecContext(t.stmtCtx(ctx), rebind(t.engine, insertSQL(g.table, g.columns, g.ncols, n)), args[:n*g.ncols]...); err != nil {
				return fmt.Errorf("store: insert queued %s rows: %w", g.table, err)
			}
			args = args[n*g.ncols:]
		}
	}
	return nil
}

// insertSQL is INSERT INTO table (columns) VALUES (?, …), … with rows rows of ncols values.
func insertSQL(table, columns string, ncols, rows int) string {
	var b strings.Builder
	b.Grow(len(table) + len(columns) + 32 + rows*(3*ncols+3))
	b.WriteString("INSERT INTO ")
	b.WriteString(table)
	b.WriteString(" (")
	b.WriteString(columns)
	b.WriteString(") VALUES ")
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range ncols {
			if c > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('?')
		}
		b.WriteByte(')')
	}
	return b.String()
}

// flushSafe is flush with a panic in a FlushFunc turned into an error: it runs on the committer.
func (t *txQ) flushSafe(ctx context.Context) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &PanicError{Value: p, Stack: stack()}
		}
	}()
	return t.flush(ctx)
}

// flush applies every accumulated group, groups and keys in sorted order.
func (t *txQ) flush(ctx context.Context) error {
	if err := t.insertRows(ctx); err != nil {
		return err
	}
	groups := make([]string, 0, len(t.acc))
	for g := range t.acc {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	for _, name := range groups {
		g := t.acc[name]
		keys := make([]string, 0, len(g.deltas))
		for k, d := range g.deltas {
			if d != 0 {
				keys = append(keys, k)
			}
		}
		if len(keys) == 0 {
			continue
		}
		sort.Strings(keys)
		deltas := make([]int64, len(keys))
		for i, k := range keys {
			deltas[i] = g.deltas[k]
		}
		if err := g.flush(ctx, t, keys, deltas); err != nil {
			return fmt.Errorf("store: flush %s: %w", name, err)
		}
	}
	return nil
}

// stmt returns q prepared for this transaction (SQLite only), where parsing a statement costs as
// much as running it. A statement already in the writer's cache is bound to the transaction
// without parsing (the writer has one connection, on which it is prepared once); otherwise it is
// prepared for this transaction alone and queued for the writer's cache, which can only be filled
// between transactions (see prepareWanted).
func (t *txQ) stmt(ctx context.Context, q string) *sql.Stmt {
	if t.stmts == nil || len(q) > maxTxCachedQueryLen {
		return nil
	}
	if st, ok := t.stmts[q]; ok {
		return st
	}
	if c := t.db.writeCache; c != nil {
		if v, ok := c.m.Load(q); ok {
			st := t.tx.StmtContext(ctx, v.(*sql.Stmt))
			t.stmts[q] = st
			return st
		}
	}
	st, err := t.tx.PrepareContext(ctx, q)
	if err != nil {
		return nil // let the unprepared path report the error
	}
	t.stmts[q] = st
	if t.db.writeCache != nil && len(q) <= maxCachedQueryLen {
		t.db.wantMu.Lock()
		t.db.wanted = append(t.db.wanted, q)
		t.db.wantMu.Unlock()
	}
	return st
}

// stmtCtx is the context a statement of the write transaction runs with. On SQLite a statement
// given a cancellable context costs a goroutine and a progress handler in the driver
// (interruptOnDone), which on the single writer cost a fifth of group commit's throughput. There,
// once BEGIN IMMEDIATE holds the write lock (BEGIN keeps the write's context, so a stalled lock
// still fails at the deadline), statements wait for no lock in WAL mode, so each statement only
// checks the deadline before it starts: past it, the cancelled context makes database/sql
// refuse the statement at once. PostgreSQL statements can wait for row locks: they keep it.
func (t *txQ) stmtCtx(ctx context.Context) context.Context {
	if t.engine != SQLite || ctx.Err() != nil {
		return ctx
	}
	return context.Background()
}

func (t *txQ) Engine() Engine { return t.engine }
func (t *txQ) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	ctx = t.stmtCtx(ctx)
	if st := t.stmt(ctx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, rebind(t.engine, q), args...)
}
func (t *txQ) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	ctx = t.stmtCtx(ctx)
	if st := t.stmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, rebind(t.engine, q), args...)
}
func (t *txQ) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	ctx = t.stmtCtx(ctx)
	if st := t.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, rebind(t.engine, q), args...)
}

// stmtCache keeps prepared statements for SQLite, where parsing a statement costs as much as
// running it. (pgx caches prepared statements per connection by itself.) A nil cache is off.
type stmtCache struct {
	m sync.Map // query text -> *sql.Stmt
}

// maxTxCachedQueryLen admits the multi-row INSERTs a batch repeats (a strategy run's chunks);
// the per-transaction cache dies with the transaction, so size is no concern there.
const maxTxCachedQueryLen = 64 << 10

// maxCachedQueryLen keeps one-off generated queries (IN lists, ad-hoc reports) out of the cache.
const maxCachedQueryLen = 2048

func (c *stmtCache) get(ctx context.Context, db *sql.DB, q string) *sql.Stmt {
	if c == nil || len(q) > maxCachedQueryLen {
		return nil
	}
	if v, ok := c.m.Load(q); ok {
		return v.(*sql.Stmt)
	}
	st, err := db.PrepareContext(ctx, q)
	if err != nil {
		return nil // let the unprepared path report the error
	}
	if v, loaded := c.m.LoadOrStore(q, st); loaded {
		st.Close()
		return v.(*sql.Stmt)
	}
	return st
}

func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.m.Range(func(_, v any) bool { v.(*sql.Stmt).Close(); return true })
}

var rebound sync.Map // query text -> PostgreSQL form

// rebind turns '?' placeholders into $1, $2, … for PostgreSQL. Queries must not contain '?' in
// string literals; none of Arcade's do.
func rebind(e Engine, q string) string {
	if e != Postgres || !strings.Contains(q, "?") {
		return q
	}
	if v, ok := rebound.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteByte(q[i])
	}
	out := b.String()
	rebound.Store(q, out)
	return out
}
