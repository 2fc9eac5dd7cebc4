package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrationFS embed.FS

// Migration is one numbered schema step of one engine.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations lists the embedded migrations of an engine in order. Files are named
// NNNN_name.sql in migrations/, shared by both engines; a file of the same name in
// migrations/<engine>/ replaces the shared one for that engine (only where the dialects differ).
// Numbers are never reused, and a migration is never edited once released.
func Migrations(e Engine) ([]Migration, error) {
	shared, err := readMigrations("migrations")
	if err != nil {
		return nil, err
	}
	override, err := readMigrations("migrations/" + string(e))
	if err != nil {
		return nil, err
	}
	byVersion := map[int]Migration{}
	for _, m := range shared {
		byVersion[m.Version] = m
	}
	for _, m := range override {
		if _, ok := byVersion[m.Version]; !ok {
			return nil, fmt.Errorf("store: %s migration %04d_%s overrides no shared migration", e, m.Version, m.Name)
		}
		byVersion[m.Version] = m
	}
	out := make([]Migration, 0, len(byVersion))
	for _, m := range byVersion {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("store: migration numbers must run 1..n without gaps, found %d at %d", m.Version, i+1)
		}
	}
	return out, nil
}

func readMigrations(dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFS, dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil // an engine with no overrides
	}
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	var out []Migration
	for _, ent := range entries {
		name := ent.Name()
		if ent.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, rest, ok := strings.Cut(name, "_")
		if !ok {
			continue
		}
		v, err := strconv.Atoi(num)
		if err != nil {
			return nil, fmt.Errorf("store: migration %s: bad number", name)
		}
		body, err := fs.ReadFile(migrationFS, dir+"/"+name)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: strings.TrimSuffix(rest, ".sql"), SQL: string(body)})
	}
	return out, nil
}

// Migrate applies every embedded migration not yet applied, each in its own transaction together
// with its row in schema_migrations. On PostgreSQL an advisory lock serialises instances that
// start at once.
func (db *DB) Migrate(ctx context.Context) error {
	ms, err := Migrations(db.engine)
	if err != nil {
		return err
	}
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("store: create schema_migrations: %w", err)
	}
	for _, m := range ms {
		seq, err := db.runTx(ctx, func(q *txQ) error {
			tx := q.tx
			if db.engine == Postgres {
				if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(4242001)"); err != nil {
					return err
				}
			}
			var n int
			if err := tx.QueryRowContext(ctx, rebind(db.engine, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?"), m.Version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("apply: %w", err)
			}
			_, err := tx.ExecContext(ctx, rebind(db.engine, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"),
				m.Version, m.Name, time.Now().UnixMicro())
			return err
		})
		if err != nil {
			return fmt.Errorf("store: migration %04d_%s: %w", m.Version, m.Name, err)
		}
		db.durable(seq)
	}
	return nil
}

// Version returns the highest applied migration.
func (db *DB) Version(ctx context.Context) (int, error) {
	var v sql.NullInt64
	err := db.read.QueryRowContext(ctx, "SELECT MAX(version) FROM schema_migrations").Scan(&v)
	return int(v.Int64), err
}
