// Package e2e runs the arcade binary as a black box on both engines.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "arcade-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "arcade")
	out, err := exec.Command("go", "build", "-o", binary, "../../cmd/arcade").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build arcade: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type proc struct {
	cmd  *exec.Cmd
	base string
	logs *bytes.Buffer
}

var listening = regexp.MustCompile(`listening on (http://\S+)`)

// start runs `arcade serve` on a free loopback port and waits until it prints its address.
func start(t *testing.T, cfg store.Config) *proc {
	t.Helper()
	cmd := exec.Command(binary, "serve")
	cmd.Env = append(os.Environ(), "ARCADE_ADDR=127.0.0.1:0", "ARCADE_DATA_DIR="+cfg.DataDir,
		"ARCADE_DATABASE_URL="+cfg.DatabaseURL, "ARCADE_DRAIN_SECONDS=0", "ARCADE_LOG_LEVEL=warn", "ARCADE_SIGNUP_RATE=0", "ARCADE_RATE_LIMIT=0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	logs := &bytes.Buffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, logs: logs}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	sc := bufio.NewScanner(stdout)
	found := make(chan string, 1)
	go func() {
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case p.base = <-found:
	case <-time.After(30 * time.Second):
		t.Fatalf("server did not start:\n%s", logs)
	}
	return p
}

func call(ctx context.Context, method, url, key, idemKey string) (int, map[string]any, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return 0, nil, err
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if idemKey != "" {
		req.Header.Set("Idempotency-Key", idemKey)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, nil, err
	}
	var body map[string]any
	_ = json.Unmarshal(raw, &body)
	return res.StatusCode, body, nil
}

type ack struct{ key, claim string }

// TestKillMidLoad: agents sign up and claim Free Credits as fast as they can; the server is
// killed with SIGKILL in the middle; after a restart on the same data every acknowledged claim
// is there, and the ledger invariant holds.
func TestKillMidLoad(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		cfg := storetest.Config(t, e)
		p := start(t, cfg)
		var mu sync.Mutex
		var acks []ack
		var n atomic.Int64
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for w := 0; w < 16; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; ctx.Err() == nil && i < 10_000; i++ {
					code, body, err := call(ctx, "POST", p.base+"/api/auth/guest", "", "")
					if err != nil || code != 201 {
						return
					}
					key := body["data"].(map[string]any)["apiKey"].(string)
					code, body, err = call(ctx, "POST", p.base+"/api/faucet", key, fmt.Sprintf("w%d-%d", w, i))
					if err != nil {
						return
					}
					if code != 200 {
						t.Errorf("faucet: %d %v", code, body)
						return
					}
					mu.Lock()
					acks = append(acks, ack{key, body["data"].(map[string]any)["claimId"].(string)})
					mu.Unlock()
					n.Add(1)
				}
			}(w)
		}
		// Kill once a good number of claims were acknowledged, while requests are in flight.
		deadline := time.Now().Add(20 * time.Second)
		for n.Load() < 300 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = p.cmd.Wait()
		cancel()
		wg.Wait()
		if len(acks) < 50 {
			t.Fatalf("only %d claims acknowledged before the kill", len(acks))
		}
		q := start(t, cfg)
		for _, a := range acks {
			code, body, err := call(context.Background(), "GET", q.base+"/api/me", a.key, "")
			if err != nil || code != 200 {
				t.Fatalf("after restart, key of acknowledged claim %s: %d %v %v", a.claim, code, body, err)
			}
			if c := body["data"].(map[string]any)["credits"]; c != 100.0 {
				t.Fatalf("after restart, claim %s: credits %v, want 100", a.claim, c)
			}
		}
		code, h, err := call(context.Background(), "GET", q.base+"/health", "", "")
		if err != nil || code != 200 {
			t.Fatalf("health after restart: %d %v", code, err)
		}
		fr := h["financial_reconciliation"].(map[string]any)
		if fr["invariant_holds"] != true {
			t.Fatalf("invariant after crash: %v", h)
		}
		credit := fr["assets"].(map[string]any)["CREDIT"].(map[string]any)
		if got := credit["available_micro"].(float64); got < float64(len(acks))*100e6 {
			t.Fatalf("available credits %v below the %d acknowledged claims", got, len(acks))
		}
		t.Logf("%s: %d claims acknowledged before SIGKILL, all present after restart", e, len(acks))
	})
}
