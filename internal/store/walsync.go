package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"sync"
	"time"
)

// walSync makes SQLite commits durable off the writer's critical path.
//
// With synchronous=FULL SQLite fsyncs the WAL inside every COMMIT while holding the write lock,
// and every AUTOCHECKPOINT copies up to a thousand pages into the database file inside some
// unlucky COMMIT too. Both stall the single writer, and with it every bet on the server. So the
// writer connection runs synchronous=NORMAL with wal_autocheckpoint=0, and this type does the
// two jobs instead:
//
//   - Sync: after a transaction commits (its frames are in the WAL, not yet on disk), the
//     committer notes it and goes on with the next batch; a syncer goroutine fsyncs the WAL file
//     and only then answers the writers of every batch committed before that fsync began. The
//     WAL is replayed in order and only up to its last valid commit, so what is on disk is
//     always a prefix of the commits: once the fsync returns, every acknowledged write survives
//     a power cut, exactly as with FULL. (Between its COMMIT and the fsync a batch is visible to
//     readers though not yet acknowledged; a crash in that window loses it and anything that
//     read it alike, and no writer was told it succeeded.)
//   - Checkpoint: a separate connection runs PASSIVE checkpoints in the background, which copy
//     the WAL into the database file without blocking the writer. SQLite fsyncs the WAL before
//     and the database after each checkpoint in this mode.
//
// An fsync failure leaves the state of the disk unknown (the kernel may have dropped the dirty
// pages), so the process stops, as PostgreSQL does: a restart recovers from what is on disk.
type walSync struct {
	path string // the -wal file
	ckpt *sql.DB

	mu          sync.Mutex
	wake        *sync.Cond
	committed   uint64 // commits noted so far
	synced      uint64 // commits known durable
	acks        []walAck
	f           *os.File // the WAL, opened by the first sync; used by syncLoop alone
	checkpoints int      // completed
	syncs       int64    // fsyncs done
	syncTime    time.Duration
	stopping    bool
	done        chan struct{}
}

// walAck is one answer held back until its commit is durable.
type walAck struct {
	seq uint64
	ch  chan error
	err error
}

// checkpointEvery is how often the background checkpointer looks for new WAL frames; the WAL
// holds at most this much work beyond what the database file has.
const checkpointEvery = 250 * time.Millisecond

// walTruncateBytes: past this size the checkpointer waits for readers (and the writer) once, so
// the WAL restarts from the beginning and shrinks. Long-lived readers can otherwise keep a
// PASSIVE checkpoint from ever letting it restart.
const walTruncateBytes = 256 << 20

func newWALSync(dbPath string, ckpt *sql.DB) *walSync {
	w := &walSync{path: dbPath + "-wal", ckpt: ckpt, done: make(chan struct{})}
	w.wake = sync.NewCond(&w.mu)
	go w.syncLoop()
	go w.checkpointLoop()
	return w
}

// noteCommit records that a transaction has just committed and returns its ticket.
func (w *walSync) noteCommit() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.committed++
	w.wake.Broadcast()
	return w.committed
}

// answer sends err on ch once commit seq is durable.
func (w *walSync) answer(seq uint64, ch chan error, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.synced >= seq {
		ch <- err
		return
	}
	w.acks = append(w.acks, walAck{seq: seq, ch: ch, err: err})
}

// waitSynced blocks while an fsync is in flight, until everything committed so far is durable,
// and reports whether it waited.
func (w *walSync) waitSynced() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	target := w.committed
	if w.synced >= target {
		return false
	}
	for w.synced < target && !w.stopping {
		w.wake.Wait()
	}
	return true
}

// wait blocks until commit seq is durable.
func (w *walSync) wait(seq uint64) {
	ch := make(chan error, 1)
	w.answer(seq, ch, nil)
	<-ch
}

func (w *walSync) syncLoop() {
	defer close(w.done)
	for {
		w.mu.Lock()
		for w.committed == w.synced && !w.stopping {
			w.wake.Wait()
		}
		if w.committed == w.synced && w.stopping {
			w.mu.Unlock()
			return
		}
		target := w.committed
		w.mu.Unlock()

		t0 := time.Now()
		err := syncWAL(w)
		took := time.Since(t0)
		if err != nil {
			slog.Error("store: fsync of the SQLite WAL failed; stopping so that a restart recovers from disk", "err", err)
			panic(fmt.Sprintf("store: fsync %s: %v", w.path, err))
		}

		w.mu.Lock()
		w.syncs++
		w.syncTime += took
		w.synced = target
		w.wake.Broadcast()
		keep := w.acks[:0]
		for _, a := range w.acks {
			if a.seq <= target {
				a.ch <- a.err
			} else {
				keep = append(keep, a)
			}
		}
		clear(w.acks[len(keep):])
		w.acks = keep
		w.mu.Unlock()
	}
}

// syncWAL flushes the WAL to disk; tests replace it to hold an fsync back.
var syncWAL = (*walSync).syncFile

// syncFile flushes the WAL with fdatasync where there is one (what SQLite itself uses: the data
// and the file size, not the timestamps). The file is opened once and kept: SQLite deletes the WAL
// only when the last connection closes, and the writer stays open as long as this does. It is
// only called after a commit, and a commit in WAL mode always writes the WAL, so a missing WAL is
// an error (the file was removed behind SQLite's back, or the path is wrong), never "nothing to
// flush": reporting success then would acknowledge writes that no fsync covered.
func (w *walSync) syncFile() error {
	if w.f == nil {
		f, err := os.OpenFile(w.path, os.O_RDWR, 0)
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("store: the SQLite WAL %s does not exist after a commit: %w", w.path, err)
		}
		if err != nil {
			return err
		}
		w.f = f
	}
	return datasync(w.f)
}

func (w *walSync) checkpointLoop() {
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	var last uint64
	for {
		select {
		case <-w.done:
			return
		case <-t.C:
		}
		w.mu.Lock()
		n := w.committed
		w.mu.Unlock()
		if n == last {
			continue
		}
		last = n
		if _, _, err := w.checkpoint(context.Background()); err != nil {
			slog.Warn("store: background checkpoint", "err", err)
		}
	}
}

// checkpoint copies the WAL into the database file without blocking the writer (PASSIVE), or,
// once the WAL has grown past walTruncateBytes, waiting for readers so it can start over
// (TRUNCATE). It returns the frames in the WAL and how many of them are now in the database.
func (w *walSync) checkpoint(ctx context.Context) (frames, done int64, err error) {
	mode := "PASSIVE"
	if fi, err := os.Stat(w.path); err == nil && fi.Size() > walTruncateBytes {
		mode = "TRUNCATE"
	}
	var busy int64
	if err := w.ckpt.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &frames, &done); err != nil {
		return 0, 0, fmt.Errorf("store: %s checkpoint: %w", mode, err)
	}
	w.mu.Lock()
	w.checkpoints++
	w.mu.Unlock()
	return frames, done, nil
}

// close waits until everything noted is durable and stops the goroutines. Nothing may commit
// after it is called.
func (w *walSync) close() {
	w.mu.Lock()
	w.stopping = true
	w.wake.Broadcast()
	w.mu.Unlock()
	<-w.done
	if w.f != nil {
		w.f.Close()
	}
}
