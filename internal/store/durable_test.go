package store

import (
	"errors"
	"testing"
)

// TestCheckSettings: each setting that lets PostgreSQL acknowledge a commit it may lose is
// refused; the safe values pass.
func TestCheckSettings(t *testing.T) {
	safe := map[string]string{"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}
	show := func(m map[string]string) func(string) (string, error) {
		return func(name string) (string, error) { return m[name], nil }
	}
	if err := checkSettings(show(safe)); err != nil {
		t.Fatalf("safe settings refused: %v", err)
	}
	for _, v := range []string{"local", "remote_write", "remote_apply"} {
		m := map[string]string{"fsync": "on", "synchronous_commit": v, "full_page_writes": "on"}
		if err := checkSettings(show(m)); err != nil {
			t.Fatalf("synchronous_commit=%s refused: %v", v, err)
		}
	}
	for name := range safe {
		m := map[string]string{}
		for k, v := range safe {
			m[k] = v
		}
		m[name] = "off"
		if err := checkSettings(show(m)); !errors.Is(err, ErrNotDurable) {
			t.Fatalf("%s=off: %v, want ErrNotDurable", name, err)
		}
	}
}

// TestSyncFileNeedsTheWAL: syncFile runs only after a commit, so a missing WAL is an error; it
// once reported success, which would acknowledge writes no fsync covered.
func TestSyncFileNeedsTheWAL(t *testing.T) {
	w := &walSync{path: t.TempDir() + "/missing.db-wal"}
	if err := w.syncFile(); err == nil {
		t.Fatal("syncFile succeeded on a WAL that does not exist")
	}
}
