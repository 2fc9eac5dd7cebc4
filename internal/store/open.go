package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// SQLite durability: the WAL is fsynced after every commit and before any writer is answered,
// so an acknowledged write survives a power cut. The writer itself runs synchronous=NORMAL
// without automatic checkpoints; walSync does the fsync and the checkpoints off its path (see
// there). The single writer connection takes its write lock at BEGIN (IMMEDIATE), so writers
// never deadlock on lock upgrades; readers use a separate read-only pool and never block it.
func openSQLite(ctx context.Context, dir string) (*DB, error) {
	if dir == "" {
		dir = "arcade-data"
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: create data dir: %w", err)
	}
	path, err := filepath.Abs(filepath.Join(dir, "arcade.db"))
	if err != nil {
		return nil, fmt.Errorf("store: data dir: %w", err)
	}
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_pragma=temp_store(MEMORY)&_pragma=cache_size(-32000)"
	writer := strings.Replace(pragmas, "synchronous(FULL)", "synchronous(NORMAL)", 1) +
		"&_pragma=wal_autocheckpoint(0)&_pragma=journal_size_limit(67108864)&_txlock=immediate"
	w, err := sql.Open("sqlite", "file:"+path+"?"+writer)
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite reader: %w", err)
	}
	n := max(4, 2*runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	ck, err := sql.Open("sqlite", "file:"+path+"?"+pragmas)
	if err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("store: open sqlite checkpointer: %w", err)
	}
	ck.SetMaxOpenConns(1)
	return &DB{engine: SQLite, write: w, read: r, readCache: &stmtCache{}, writeCache: &stmtCache{}, wal: newWALSync(path, ck)}, nil
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, fmt.Errorf("store: ARCADE_DATABASE_URL must be a postgres:// URL")
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	db.SetMaxOpenConns(64)
	db.SetMaxIdleConns(64)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: connect postgres %s: %w", u.Redacted(), err)
	}
	return &DB{engine: Postgres, write: db, read: db}, nil
}

// IsConstraint reports whether err is a violation of the named CHECK or UNIQUE constraint (or,
// with name "", of any constraint).
func IsConstraint(err error, name string) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return strings.HasPrefix(pe.Code, "23") && (name == "" || pe.ConstraintName == name)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		if se.Code()&0xff != sqlite3.SQLITE_CONSTRAINT {
			return false
		}
		return name == "" || strings.Contains(se.Error(), name)
	}
	return false
}

// IsUnique reports whether err is a unique-key violation.
func IsUnique(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// ErrRetry marks an error after which the write should simply run again (see Retry).
var ErrRetry = errors.New("store: retry")

// Retry wraps err so that Write runs the op again instead of failing: for races that a second
// run resolves, such as two writes creating the same row at once.
func Retry(err error) error { return fmt.Errorf("%w: %w", ErrRetry, err) }

// isConflict reports a PostgreSQL deadlock or serialization failure: the transaction lost a race
// for locks or a snapshot and must start over.
func isConflict(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

func isRetryable(e Engine, err error) bool {
	if errors.Is(err, ErrRetry) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()&0xff == sqlite3.SQLITE_BUSY
	}
	return false
}
