package faultfs_test

import (
	"os"
	"testing"

	"github.com/arcadehq/arcade/internal/faultfs"
)

// TestCutKeepsOnlySynced: a cut leaves each file as of its last fsync.
func TestCutKeepsOnlySynced(t *testing.T) {
	if _, err := os.Stat("/dev/fuse"); err != nil {
		t.Skipf("no /dev/fuse (%v)", err)
	}
	backing, mnt := t.TempDir(), t.TempDir()
	f, err := faultfs.Mount(mnt, backing)
	if err != nil {
		t.Fatal(err)
	}
	fh, err := os.Create(mnt + "/x")
	if err != nil {
		f.Unmount()
		t.Fatal(err)
	}
	_, err1 := fh.Write([]byte("hello"))
	_, err2 := fh.WriteAt([]byte("HE"), 0)
	err3 := fh.Sync()
	_, err4 := fh.Write([]byte(" world"))
	_, err5 := fh.WriteAt([]byte("J"), 0)
	fh.Close()
	before, _ := os.ReadFile(mnt + "/x")
	f.Cut()
	if err := f.Unmount(); err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{err1, err2, err3, err4, err5} {
		if err != nil {
			t.Fatal(err)
		}
	}
	after, _ := os.ReadFile(backing + "/x")
	if string(before) != "JEllo world" || string(after) != "HEllo" {
		t.Fatalf("before the cut %q, after %q; want \"JEllo world\", \"HEllo\"", before, after)
	}
}
