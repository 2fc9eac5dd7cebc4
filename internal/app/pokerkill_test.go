package app_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/app"
	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// envPokerChild makes TestPokerServeChild run a server on the SQLite data directory it names;
// envPokerChildDB on the PostgreSQL database it names instead.
const (
	envPokerChild   = "ARCADE_TEST_POKER_CHILD_DIR"
	envPokerChildDB = "ARCADE_TEST_POKER_CHILD_DB"
)

// childLease is the poker table lease of TestPokerSIGKILL's servers: short, so that the killed
// instance's tables are recovered within the test, yet long enough that a renewal (every third
// of it) delayed by a loaded machine in the race pass never lets B take A's tables while A lives.
const childLease = 4 * time.Second

// TestPokerServeChild is the server process of TestPokerSIGKILL (skipped otherwise): the app on
// a SQLite directory or a PostgreSQL database, listening on a loopback port it prints as
// "addr <host:port>".
func TestPokerServeChild(t *testing.T) {
	dir, dbURL := os.Getenv(envPokerChild), os.Getenv(envPokerChildDB)
	if dir == "" && dbURL == "" {
		t.Skip("the child of TestPokerSIGKILL")
	}
	c := pokerConfig()
	c.ActionTimeout = time.Minute // a hand waits for its actor: the kill lands mid-hand
	c.Lease = childLease
	cfg := app.Config{DataDir: dir, DatabaseURL: dbURL, Version: "test", DoubleRun: true, Poker: c, AuditEvery: 0, DrainDelay: 0}
	if dir == "" {
		cfg.DataDir = t.TempDir()
	}
	cfg.Conns.Total = 1000
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("addr %s\n", ln.Addr())
	_ = a.Serve(context.Background(), ln) // until killed
}

// startPokerChild starts the server process on the database of sc and returns its base URL.
func startPokerChild(t *testing.T, sc store.Config) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestPokerServeChild$", "-test.count=1")
	if sc.DatabaseURL != "" {
		cmd.Env = append(os.Environ(), envPokerChildDB+"="+sc.DatabaseURL)
	} else {
		cmd.Env = append(os.Environ(), envPokerChild+"="+sc.DataDir)
	}
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := bufio.NewScanner(out)
	var said []string
	for lines.Scan() {
		if addr, ok := strings.CutPrefix(lines.Text(), "addr "); ok {
			go func() { _, _ = io.Copy(io.Discard, out) }()
			return cmd, "http://" + addr
		}
		said = append(said, lines.Text())
	}
	t.Fatalf("the server process printed no address:\n%s", strings.Join(said, "\n"))
	return nil, ""
}

// TestPokerSIGKILL: two agents play a hand through /poker/ws against an `arcade serve` process;
// in the next hand, with the blinds posted and a player to act, the process is killed with
// SIGKILL. It follows the documented rule (docs/poker-ws.md, Money): the hand in progress is
// void, every stack goes back to its balance as the last settled hand left it, nothing of the
// killed process stays in play, its tables are gone, and the ledger invariant holds.
//
// On SQLite the process is restarted on the same database and recovers at start. On PostgreSQL
// (ARCADE_TEST_POSTGRES_URL) a second server B runs on the same database the whole time, with
// two agents of its own seated mid-hand: once the killed instance's lease has expired, B
// recovers its tables, and B's own table and stacks are untouched.
func TestPokerSIGKILL(t *testing.T) {
	storetest.Each(t, pokerSIGKILL)
}

func pokerSIGKILL(t *testing.T, e store.Engine) {
	sc := storetest.Config(t, e)
	admin := platformKeyOn(t, sc)
	cmd, base := startPokerChild(t, sc)
	hc := &http.Client{Timeout: 10 * time.Second}
	call := func(method, base, path, key, body string) map[string]any {
		t.Helper()
		req, _ := http.NewRequest(method, base+"/poker/api"+path, strings.NewReader(body))
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		req.Header.Set("Content-Type", "application/json")
		res, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(res.Body).Decode(&m)
		if res.StatusCode >= 300 {
			t.Fatalf("%s %s: %d %v", method, path, res.StatusCode, m)
		}
		return m
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	dial := func(base, key string) *websocket.Conn {
		t.Helper()
		h := http.Header{}
		h.Set("Authorization", "Bearer "+key)
		c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/poker/ws", &websocket.DialOptions{HTTPHeader: h})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.CloseNow() })
		if err := c.Write(ctx, websocket.MessageText, []byte(`{"type":"join_lobby","buy_in":2}`)); err != nil {
			t.Fatal(err)
		}
		return c
	}
	var keys []string
	for i := range 2 {
		r := call("POST", base, "/register", "", fmt.Sprintf(`{"email":"k%d@example.com","name":"killed%d"}`, i, i))
		keys = append(keys, r["api_key"].(string))
	}
	// On PostgreSQL: server B, and two agents seated at a table of B's, left to wait mid-hand.
	var baseB string
	var keysB []string
	if e == store.Postgres {
		_, baseB = startPokerChild(t, sc)
		for i := range 2 {
			r := call("POST", baseB, "/register", "", fmt.Sprintf(`{"email":"b%d@example.com","name":"survivor%d"}`, i, i))
			keysB = append(keysB, r["api_key"].(string))
		}
		for _, k := range keysB {
			c := dial(baseB, k)
			for {
				_, b, err := c.Read(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(string(b), `"table_joined"`) {
					break
				}
			}
		}
	}
	conns := make([]*websocket.Conn, 2)
	for i, k := range keys {
		conns[i] = dial(base, k)
	}
	// Both play hand 0 (check or call); in hand 1 the first player to act waits: kill then.
	type ev struct {
		who int
		f   map[string]any
	}
	frames := make(chan ev, 256)
	for i, c := range conns {
		go func() {
			for {
				_, b, err := c.Read(ctx)
				if err != nil {
					return
				}
				var f map[string]any
				if json.Unmarshal(b, &f) == nil {
					frames <- ev{i, f}
				}
			}
		}()
	}
	results := 0
	for stop := false; !stop; {
		var e ev
		select {
		case e = <-frames:
		case <-ctx.Done():
			t.Fatal("no second hand")
		}
		switch e.f["type"] {
		case "hand_result":
			if e.who == 0 {
				results++
			}
		case "your_turn":
			if results >= 1 {
				stop = true // a hand in progress, blinds posted, a player to act
				break
			}
			act := "call"
			for _, v := range e.f["valid_actions"].([]any) {
				if v.(map[string]any)["action"] == "check" {
					act = "check"
				}
			}
			if err := conns[e.who].Write(ctx, websocket.MessageText, []byte(`{"type":"action","action":"`+act+`"}`)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, k := range keys {
		if g := call("GET", base, "/me/active-game", k, ""); g["playing"] != true {
			t.Fatalf("not playing before the kill: %v", g)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	if e == store.SQLite {
		_, base = startPokerChild(t, sc)
	} else {
		// B recovers once the lease has expired (within a lease and a renewal period).
		base = baseB
		for _, k := range keys {
			for call("GET", base, "/balance", k, "")["locked_in_play"] != 0.0 {
				select {
				case <-ctx.Done():
					t.Fatal("the killed instance's stacks were never recovered")
				case <-time.After(100 * time.Millisecond):
				}
			}
		}
	}
	var total float64
	for _, k := range keys {
		b := call("GET", base, "/balance", k, "")
		if b["locked_in_play"] != 0.0 {
			t.Errorf("still in play after the recovery: %v", b)
		}
		// The void hand moved nothing: the total is the sandbox grant plus the settled hands' profit.
		var profit float64
		hands := call("GET", base, "/me/hand-history", k, "")["hands"].([]any)
		for _, h := range hands {
			profit += h.(map[string]any)["profit"].(float64)
		}
		if len(hands) != 1 {
			t.Errorf("%d hands in the history, want the 1 settled before the kill", len(hands))
		}
		if d := b["total"].(float64) - 10 - profit; d > 1e-9 || d < -1e-9 {
			t.Errorf("total %v after the recovery, want 10 + %v", b["total"], profit)
		}
		if g := call("GET", base, "/me/active-game", k, ""); g["playing"] != false {
			t.Errorf("playing after the recovery: %v", g)
		}
		total += b["total"].(float64)
	}
	// B's own agents still sit at B's table with their buy-ins in play.
	for _, k := range keysB {
		if b := call("GET", base, "/balance", k, ""); b["locked_in_play"] != 2.0 || b["total"] != 10.0 {
			t.Errorf("B's agent after the recovery: %v", b)
		}
		if g := call("GET", base, "/me/active-game", k, ""); g["playing"] != true {
			t.Errorf("B's agent no longer playing after the recovery: %v", g)
		}
	}
	acc := call("GET", base, "/accounting", admin, "")
	if acc["invariant_holds"] != true || acc["total_in_play_ucents"] != float64(len(keysB))*2*1e4 { // B's two buy-ins of 2.00
		t.Errorf("accounting after the recovery: %v", acc)
	}
	if rake := acc["total_rake_ucents"].(float64) / 1e4; total+rake < 20-1e-9 || total+rake > 20+1e-9 {
		t.Errorf("players %v + rake %v != 20.00", total, rake)
	}
	var tables []any
	res, err := hc.Get(base + "/poker/api/tables")
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(res.Body).Decode(&tables)
	res.Body.Close()
	if want := min(len(keysB), 1); len(tables) != want {
		t.Errorf("tables after the recovery: %v, want %d (B's own)", tables, want)
	}
	db := storetest.OpenWith(t, sc)
	ledgertest.Check(t, db)
}

// platformKeyOn issues a key of the platform account in the database of sc (before a server
// process opens it).
func platformKeyOn(t *testing.T, sc store.Config) string {
	t.Helper()
	db, err := store.Open(context.Background(), sc)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var key string
	if err := db.Write(context.Background(), func(ctx context.Context, q store.Q) error {
		k, err := account.RegenerateKey(ctx, q, t0, randReader(), account.PlatformID, account.PrefixAdmin)
		key = k.Secret
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return key
}
