package store

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

func openSQLiteForTest(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.write.Exec(`CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestWriteWaitsForWALFsync: on SQLite a write is committed at once but acknowledged only after
// the WAL has been fsynced; while the fsync is held back the write is visible to readers yet its
// caller is still waiting.
func TestWriteWaitsForWALFsync(t *testing.T) {
	db := openSQLiteForTest(t)
	release := make(chan struct{})
	var held atomic.Bool
	syncWAL = func(w *walSync) error {
		if held.Load() {
			<-release
		}
		return w.syncFile()
	}
	t.Cleanup(func() { syncWAL = (*walSync).syncFile })
	held.Store(true)

	done := make(chan error, 1)
	go func() {
		done <- db.Write(context.Background(), func(ctx context.Context, q Q) error {
			_, err := q.Exec(ctx, `INSERT INTO kv (k, v) VALUES (1, 'one')`)
			return err
		})
	}()
	// Wait until the row is committed (visible to a reader)...
	for {
		var n int
		if err := db.read.QueryRow(`SELECT COUNT(*) FROM kv`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	// ...and check that its writer has not been answered while the fsync is held.
	select {
	case err := <-done:
		t.Fatalf("write acknowledged before its fsync (err %v)", err)
	case <-time.After(50 * time.Millisecond):
	}
	held.Store(false)
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	db.wal.mu.Lock()
	synced, committed := db.wal.synced, db.wal.committed
	db.wal.mu.Unlock()
	if synced < committed {
		t.Fatalf("answered with synced %d < committed %d", synced, committed)
	}
}

// TestBackgroundCheckpoint: the writer never checkpoints (wal_autocheckpoint=0); the background
// checkpointer copies every committed frame into the database file.
func TestBackgroundCheckpoint(t *testing.T) {
	db := openSQLiteForTest(t)
	ctx := context.Background()
	for i := range 200 {
		if err := db.Write(ctx, func(ctx context.Context, q Q) error {
			_, err := q.Exec(ctx, `INSERT INTO kv (k, v) VALUES (?, ?)`, i, "some value to fill a page a little")
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	frames, done, err := db.wal.checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if frames == 0 || done != frames {
		t.Fatalf("checkpoint: %d of %d frames copied", done, frames)
	}
	// The loop runs by itself too.
	if err := db.Write(ctx, func(ctx context.Context, q Q) error {
		_, err := q.Exec(ctx, `INSERT INTO kv (k, v) VALUES (1000, 'x')`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	db.wal.mu.Lock()
	before := db.wal.checkpoints
	db.wal.mu.Unlock()
	deadline := time.Now().Add(30 * time.Second)
	for {
		db.wal.mu.Lock()
		n := db.wal.checkpoints
		db.wal.mu.Unlock()
		if n > before {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the background checkpointer never ran")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestWriterReusesStatements: a statement a transaction had to prepare is prepared on the writer
// once the transaction ends, and later transactions bind that one instead of parsing again.
func TestWriterReusesStatements(t *testing.T) {
	db := openSQLiteForTest(t)
	ctx := context.Background()
	const q = `INSERT INTO kv (k, v) VALUES (?, 'x')`
	for i := range 3 {
		if err := db.Write(ctx, func(ctx context.Context, tq Q) error {
			_, err := tq.Exec(ctx, q, i)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if _, ok := db.writeCache.m.Load(q); !ok {
			t.Fatalf("after write %d the statement is not in the writer's cache", i)
		}
	}
	var n int
	if err := db.read.QueryRow(`SELECT COUNT(*) FROM kv`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("%d rows, %v", n, err)
	}
}
