package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/arcadehq/arcade/internal/app"
	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/mcpapi/mcptest"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

func TestMCPCommandErrors(t *testing.T) {
	if code, _, errOut := runCmd(t, noEnv, "mcp"); code != 2 || !strings.Contains(errOut, "ARCADE_BASE_URL") {
		t.Errorf("no base URL: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runCmd(t, noEnv, "mcp", "--nope"); code != 2 || !strings.Contains(errOut, "-nope") {
		t.Errorf("bad flag: exit %d, %q", code, errOut)
	}
	if code, out, _ := runCmd(t, noEnv, "mcp", "-h"); code != 0 || !strings.Contains(out, "ARCADE_API_KEY") || !strings.Contains(out, "-base-url") {
		t.Errorf("mcp -h: exit %d, %q", code, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close()
	if code, out, errOut := runCmd(t, noEnv, "mcp", "--base-url", url); code != 1 || out != "" || !strings.Contains(errOut, url) {
		t.Errorf("unreachable server: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// TestMCPStdio builds the binary and drives `arcade mcp` with the SDK's client over stdio against
// an Arcade in this process: the tool list, a guest created without a key (whose key the proxy
// then uses), the three calls to a played round, bad arguments as tool errors, a retried round
// with an idempotency key, both resources;
// then a second process given the key through the xpersona variables sees the same balance.
func TestMCPStdio(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "arcade")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	sc := storetest.Config(t, store.SQLite)
	a, err := app.New(context.Background(), app.Config{DataDir: sc.DataDir, Version: "test"},
		slog.New(slog.NewTextHandler(io.Discard, nil)), app.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(a.Handler())
	t.Cleanup(func() { ts.Close(); a.DB.Close() })

	connect := func(env ...string) *mcp.ClientSession {
		t.Helper()
		cmd := exec.Command(bin, "mcp")
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "ARCADE_") && !strings.HasPrefix(kv, "XPERSONA_") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.Env = append(cmd.Env, env...)
		cmd.Stderr = &testWriter{t}
		cs, err := mcptest.Client().Connect(context.Background(), &mcp.CommandTransport{Command: cmd}, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cs.Close() })
		return cs
	}

	cs := connect("ARCADE_BASE_URL=" + ts.URL)
	names := mcptest.ToolNames(t, cs)
	want := a.Tools.Names()
	slices.Sort(want)
	if len(names) != 42 || !slices.Equal(names, want) {
		t.Fatalf("tools %v\nwant %v", names, want)
	}
	if m, res := mcptest.Call(t, cs, "xpersona_get_balance", map[string]any{}); !res.IsError || m["code"] != "UNAUTHORIZED" {
		t.Fatalf("balance without a key: %v", m)
	}
	key := mcptest.Guest(t, cs)
	mcptest.Play(t, cs)
	bal := mcptest.Idempotent(t, cs)
	mcptest.Resources(t, cs)
	_ = cs.Close()

	again := connect("XPERSONA_BASE_URL="+ts.URL, "XPERSONA_API_KEY="+key)
	if got := mcptest.OK(t, again, "xpersona_get_balance", map[string]any{})["balance"]; got != bal {
		t.Fatalf("balance with the key from the environment: %v, want %v", got, bal)
	}
	// A second claim within the hour is the real executor's cooldown answer, not a failure.
	if f := mcptest.OK(t, again, "xpersona_claim_faucet", map[string]any{}); f["success"] != false || f["error"] != "FAUCET_COOLDOWN" {
		t.Fatalf("second claim: %v", f)
	}
	ledgertest.Check(t, a.DB)
}

// testWriter sends a child's stderr to the test log.
type testWriter struct{ t *testing.T }

func (w *testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
