package ledger_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/faultfs"
	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// envPowerCutChild tells the test binary, started again by TestPowerCut, to be the process
// under load whose power is cut; its value is the data directory.
const envPowerCutChild = "ARCADE_POWERCUT_CHILD"

// EnvPowerCutLong selects the long form of TestPowerCut: more cuts, more load before each.
const EnvPowerCutLong = "ARCADE_TEST_POWERCUT_LONG"

// TestPowerCut runs the SQLite store under load on a file system that loses, at a simulated
// power cut, everything no fsync covered (internal/faultfs), cuts the power mid-load, and
// checks on what the disk kept that every acknowledged transfer is there and the ledger
// invariant holds. A SIGKILL alone would not do: the page cache survives the process, so a
// missing fsync goes unseen. Short form: one cut after 300 acknowledged transfers; with
// ARCADE_TEST_POWERCUT_LONG=1, five cuts after 3,000 each on the same data, each restart
// recovering the last one's disk.
func TestPowerCut(t *testing.T) {
	if dir := os.Getenv(envPowerCutChild); dir != "" {
		powerCutChild(dir)
		return
	}
	if _, err := os.Stat("/dev/fuse"); err != nil {
		t.Skipf("no /dev/fuse (%v): the power-cut test needs FUSE", err)
	}
	cuts, per := 1, 300
	if os.Getenv(EnvPowerCutLong) == "1" {
		cuts, per = 5, 3000
	}
	backing, mnt := t.TempDir(), t.TempDir()
	want := map[string]bool{}
	for cut := range cuts {
		f, err := faultfs.Mount(mnt, backing)
		if err != nil {
			t.Fatalf("mount the fault-injecting file system: %v", err)
		}
		unmounted := false
		t.Cleanup(func() {
			if !unmounted {
				f.Unmount()
			}
		})
		cmd := exec.Command(os.Args[0], "-test.run=^TestPowerCut$", "-test.count=1")
		cmd.Env = append(os.Environ(), envPowerCutChild+"="+mnt)
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(out)
		acked := 0
		read := func() {
			for lines.Scan() {
				if ref, ok := strings.CutPrefix(lines.Text(), "ack "); ok {
					want[ref] = true
					acked++
					if acked == per {
						return
					}
				}
			}
		}
		read()
		if acked < per {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("cut %d: the loaded process stopped after %d acknowledged transfers", cut, acked)
		}
		// The power goes: the disk keeps what was fsynced, the process dies with it. Whatever the
		// process acknowledged before dying was fsynced before the cut.
		f.Cut()
		cmd.Process.Signal(syscall.SIGKILL)
		read()
		cmd.Wait()
		syncs, undone := f.Stats()
		if err := f.Unmount(); err != nil {
			t.Fatalf("unmount: %v", err)
		}
		unmounted = true
		t.Logf("cut %d: %d transfers acknowledged so far; %d fsyncs, %d unsynced writes lost", cut, len(want), syncs, undone)

		// Restart on what the disk kept.
		db := storetest.OpenWith(t, store.Config{DataDir: backing})
		have := map[string]bool{}
		if err := db.Read(context.Background(), func(ctx context.Context, q store.Q) error {
			rows, err := q.Query(ctx, `SELECT ref FROM ledger_transfers WHERE kind = 'powercut'`)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var ref string
				if err := rows.Scan(&ref); err != nil {
					return err
				}
				have[ref] = true
			}
			return rows.Err()
		}); err != nil {
			t.Fatal(err)
		}
		missing := 0
		for ref := range want {
			if !have[ref] {
				missing++
			}
		}
		if missing > 0 {
			t.Fatalf("cut %d: %d of %d acknowledged transfers lost in the power cut", cut, missing, len(want))
		}
		ledgertest.Check(t, db)
		db.Close()
	}
}

// powerCutChild opens the store in dir and moves money from 16 writers until it is killed,
// printing "ack <ref>" for each transfer whose Write returned success.
func powerCutChild(dir string) {
	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{DataDir: dir})
	if err != nil {
		fmt.Fprintln(os.Stderr, "power-cut child:", err)
		os.Exit(2)
	}
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	ids := make([]string, 16)
	for i := range ids {
		if err := db.Write(ctx, func(ctx context.Context, q store.Q) error {
			a, err := account.Create(ctx, q, t0, account.New{Kind: account.Guest})
			ids[i] = a.ID
			return err
		}); err != nil {
			fmt.Fprintln(os.Stderr, "power-cut child: open accounts:", err)
			os.Exit(2)
		}
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w, id := range ids {
		wg.Go(func() {
			for i := 0; ; i++ {
				ref := fmt.Sprintf("%s-%d-%d", run, w, i)
				if err := db.WriteFor(ctx, id, func(ctx context.Context, q store.Q) error {
					return ledger.Post(ctx, q, t0, ledger.Transfer{Asset: money.Credit, From: ledger.SystemAccount(ledger.Faucet, money.Credit),
						To: ledger.UserAccount(id, money.Credit), Amount: 1, Kind: "powercut", Ref: ref})
				}); err != nil {
					continue
				}
				mu.Lock()
				fmt.Fprintf(os.Stdout, "ack %s\n", ref)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}
