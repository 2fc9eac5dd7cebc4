package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/arcadehq/arcade/fairness/verify"
	"github.com/arcadehq/arcade/internal/app"
	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/poker/bot"
	"github.com/arcadehq/arcade/internal/poker/engine"
	"github.com/arcadehq/arcade/internal/poker/table"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// pokerConfig is the dollar-era table with test timings. The action clock is long: the bots
// always act, and a bot that answered after a short clock (2 s once: a loaded machine in the
// race run) was timed out and had its late action rejected, which the tests count as errors.
func pokerConfig() table.Config {
	c := table.DefaultConfig()
	c.ActionTimeout, c.HandDelay, c.ReconnectWindow = time.Minute, 100*time.Millisecond, time.Second
	c.RotateEvery = 3 // hands from several seeds get verified
	return c
}

func newPokerServer(t *testing.T, e store.Engine) *server {
	s := newServer(t, e, func(c *app.Config) { c.Poker = pokerConfig() })
	t.Cleanup(func() { s.app.PokerService.Close(context.Background()) })
	return s
}

func wsURL(s *server) string { return "ws" + strings.TrimPrefix(s.URL, "http") + "/poker/ws" }

// handLog keeps what one bot saw of each hand, to check a deck afterwards.
type handLog struct {
	mu     sync.Mutex
	seat   map[string]int
	dealer map[string]int
	hole   map[string][]string
	result map[string]table.HandResult
	last   []string // the latest frames, shown when the bot fails
}

func (h *handLog) on(typ string, raw []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.last = append(h.last, string(raw))
	if len(h.last) > 12 {
		h.last = h.last[1:]
	}
	var f struct {
		HandID     string   `json:"hand_id"`
		Seat       int      `json:"seat"`
		DealerSeat int      `json:"dealer_seat"`
		Cards      []string `json:"cards"`
	}
	_ = json.Unmarshal(raw, &f)
	switch typ {
	case "hand_start":
		h.seat[f.HandID], h.dealer[f.HandID] = f.Seat, f.DealerSeat
	case "hole_cards":
		h.hole[f.HandID] = f.Cards
	case "hand_result":
		var r table.HandResult
		var body map[string]json.RawMessage
		_ = json.Unmarshal(raw, &body)
		_ = json.Unmarshal(body["board"], &r.Board)
		stacks := map[string]json.Number{}
		_ = json.Unmarshal(body["final_stacks"], &stacks)
		r.FinalStacks = map[string]money.Decimal{}
		for k := range stacks {
			r.FinalStacks[k] = 0
		}
		h.result[f.HandID] = r
	}
}

// TestPokerBots: four reference bots register, play hands against each other through /poker/ws
// and leave; then the rake sits in the platform's rake account, chips are conserved, the ledger
// is clean, and a hand's deck recomputes with arcade verify from the table's revealed seed.
func TestPokerBots(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newPokerServer(t, e)
		ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
		defer cancel()
		const n = 4
		var keys, ids []string
		for i := range n {
			su, err := s.app.PokerService.Register(ctx, fmt.Sprintf("bot%d", i))
			if err != nil {
				t.Fatal(err)
			}
			if su.Sandbox != 10*money.Micro {
				t.Fatalf("sandbox grant %s, want 10", su.Sandbox)
			}
			keys, ids = append(keys, su.Key.Secret), append(ids, su.Account.ID)
		}
		logs := make([]*handLog, n)
		stats := make([]*bot.Stats, n)
		errc := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			logs[i] = &handLog{seat: map[string]int{}, dealer: map[string]int{}, hole: map[string][]string{}, result: map[string]table.HandResult{}}
			b := &bot.Bot{URL: wsURL(s), Key: keys[i], BuyIn: []string{"1", "2.00", "1.5", "5"}[i], Hands: 10, Seed: uint64(i + 1),
				Rebuy: "1.00", OnFrame: logs[i].on}
			wg.Add(1)
			go func() { defer wg.Done(); stats[i], errc[i] = b.Play(ctx) }()
		}
		wg.Wait()
		hands := map[string]bool{}
		for i := range n {
			if errc[i] != nil {
				t.Fatalf("bot %d: %v; last frames:\n%s", i, errc[i], strings.Join(logs[i].last, "\n"))
			}
			if len(stats[i].Errors) > 0 {
				t.Errorf("bot %d errors: %v", i, stats[i].Errors)
			}
			if stats[i].Rejected > 0 {
				t.Errorf("bot %d: %d actions rejected", i, stats[i].Rejected)
			}
			for _, h := range stats[i].HandIDs {
				hands[h] = true
			}
		}
		if len(hands) < 5 {
			t.Fatalf("only %d hands played", len(hands))
		}
		// The last leaver closes the table, which retires (reveals) its seed.
		deadline := time.Now().Add(10 * time.Second)
		for len(s.app.PokerService.Tables()) > 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if tl := s.app.PokerService.Tables(); len(tl) > 0 {
			t.Fatalf("tables still open: %v", tl)
		}

		var total, rake money.Amount
		err := s.app.DB.Read(ctx, func(ctx context.Context, q store.Q) error {
			for _, id := range ids {
				h, err := ledger.HoldingsOf(ctx, q, id, money.USDC)
				if err != nil {
					return err
				}
				if h.InPlay != 0 {
					t.Errorf("%s still has %s in play", id, h.InPlay)
				}
				total += h.Total()
			}
			var err error
			rake, err = ledger.Balance(ctx, q, ledger.SystemAccount(ledger.Rake, money.USDC))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if rake <= 0 {
			t.Errorf("no rake reached the platform (rake %s)", rake)
		}
		if total+rake != n*10*money.Micro {
			t.Errorf("chips not conserved: players %s + rake %s != %d.00", total, rake, n*10)
		}
		ledgertest.Check(t, s.app.DB)

		// Recompute every hand's deck with arcade verify and match it to what each bot was dealt.
		checked := 0
		for i := range n {
			l := logs[i]
			for hid, hole := range l.hole {
				res, ok := l.result[hid]
				if !ok {
					continue
				}
				checkDeck(t, s, hid, l.seat[hid], l.dealer[hid], hole, res)
				checked++
			}
		}
		if checked == 0 {
			t.Fatal("no hand to verify")
		}
	})
}

func checkDeck(t *testing.T, s *server, handID string, seat, dealer int, hole []string, res table.HandResult) {
	t.Helper()
	hf, err := s.app.PokerService.Hand(context.Background(), handID)
	if err != nil {
		t.Fatal(err)
	}
	if hf.ServerSeed == "" {
		t.Fatalf("hand %s: seed not revealed after the table closed", handID)
	}
	var out, errb bytes.Buffer
	code := verify.Main(context.Background(), []string{"--game", "deck", "--server-seed", hf.ServerSeed,
		"--client-seed", hf.ClientSeed, "--nonce", strconv.FormatUint(hf.Nonce, 10), "--commitment", hf.Commitment}, &out, &errb)
	if code != 0 {
		t.Fatalf("verify: %d %s", code, errb.String())
	}
	var v struct{ Cards []string }
	if err := json.Unmarshal(out.Bytes(), &v); err != nil || len(v.Cards) != 52 {
		t.Fatalf("verify output %s: %v", out.String(), err)
	}
	// Dealing order: clockwise from the first dealt seat left of the button.
	var dealt []int
	for k := range res.FinalStacks {
		i, _ := strconv.Atoi(k)
		dealt = append(dealt, i)
	}
	slices.Sort(dealt)
	var order []int
	for k := 1; k <= engine.MaxSeats; k++ {
		if i := (dealer + k) % 6; slices.Contains(dealt, i) && !slices.Contains(order, i) {
			order = append(order, i)
		}
	}
	k := slices.Index(order, seat)
	for r := range 2 {
		if got := v.Cards[engine.DeckPosition(len(order), k, r, 0, false)]; got != hole[r] {
			t.Errorf("hand %s: hole card %d is %s, verify's deck says %s", handID, r, hole[r], got)
		}
	}
	for b, c := range res.Board {
		if got := v.Cards[engine.DeckPosition(len(order), -1, 0, b, false)]; got != c {
			t.Errorf("hand %s: board card %d is %s, verify's deck says %s", handID, b, c, got)
		}
	}
}

func dialPoker(t *testing.T, s *server, key string) (*websocket.Conn, error) {
	t.Helper()
	h := http.Header{}
	if key != "" {
		h.Set("Authorization", "Bearer "+key)
	}
	c, _, err := websocket.Dial(context.Background(), wsURL(s), &websocket.DialOptions{HTTPHeader: h})
	return c, err
}

func readFrame(t *testing.T, c *websocket.Conn) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, b, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("frame %s: %v", b, err)
	}
	return m
}

func writeFrame(t *testing.T, c *websocket.Conn, s string) {
	t.Helper()
	if err := c.Write(context.Background(), websocket.MessageText, []byte(s)); err != nil {
		t.Fatal(err)
	}
}

// TestPokerWSAuth: a missing or wrong key gets auth_failed and close code 4001.
func TestPokerWSAuth(t *testing.T) {
	s := newPokerServer(t, store.SQLite)
	for _, key := range []string{"", "op_live_wrong0000000000000000000000000000000000000000"} {
		c, err := dialPoker(t, s, key)
		if err != nil {
			t.Fatal(err)
		}
		if m := readFrame(t, c); m["type"] != "error" || m["code"] != "auth_failed" {
			t.Errorf("key %q: first frame %v", key, m)
		}
		_, _, err = c.Read(context.Background())
		if got := websocket.CloseStatus(err); got != 4001 {
			t.Errorf("key %q: close %v (%v), want 4001", key, got, err)
		}
	}
}

// TestPokerWSBadFrames: malformed, unknown and oversized frames get error frames and the
// connection goes on; an action with no table is rejected.
func TestPokerWSBadFrames(t *testing.T) {
	s := newPokerServer(t, store.SQLite)
	su, err := s.app.PokerService.Register(context.Background(), "frames")
	if err != nil {
		t.Fatal(err)
	}
	c, err := dialPoker(t, s, su.Key.Secret)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	if m := readFrame(t, c); m["type"] != "connected" || m["agent_id"] != su.Account.ID || m["name"] != "frames" {
		t.Fatalf("connected: %v", m)
	}
	for _, tc := range []struct{ in, typ, code string }{
		{`not json`, "error", "invalid_message"},
		{`{"type":"dance"}`, "error", "unknown_message"},
		{`{"type":"join_lobby","buy_in":"1"}`, "error", "invalid_message"},
		{`{"type":"join_lobby","buy_in":1e2}`, "error", "invalid_message"},
		{`{"type":"join_lobby","buy_in":0.5}`, "error", "invalid_message"},
		{`{"type":"join_lobby","buy_in":50}`, "error", "invalid_message"},
		{`{"type":"action","action":"call","client_action_id":7}`, "action_rejected", "invalid_message"},
		{`{"type":"action","action":"call"}`, "action_rejected", "not_at_table"},
		{`{"type":"leave_table"}`, "error", "not_at_table"},
		{`{"type":"` + strings.Repeat("x", 5000) + `"}`, "error", "invalid_message"},
		{`{"type":"ping"}`, "pong", ""},
	} {
		writeFrame(t, c, tc.in)
		m := readFrame(t, c)
		if m["type"] != tc.typ || (tc.code != "" && m["code"] != tc.code) {
			t.Errorf("%.60s: got %v, want %s %s", tc.in, m, tc.typ, tc.code)
		}
	}
	// Still usable: join and see the table.
	writeFrame(t, c, `{"type":"join_lobby","buy_in":1.00}`)
	if m := readFrame(t, c); m["type"] != "lobby_joined" {
		t.Fatalf("join: %v", m)
	}
	if m := readFrame(t, c); m["type"] != "table_joined" || m["seat"] != float64(0) {
		t.Fatalf("table_joined: %v", m)
	}
	if m := readFrame(t, c); m["type"] != "table_state" || m["waiting_reason"] != "insufficient_players" {
		t.Fatalf("table_state: %v", m)
	}
	writeFrame(t, c, `{"type":"resync_request","last_table_seq":0}`)
	if m := readFrame(t, c); m["type"] != "resync_response" || m["role"] != "player" || m["snapshot"] == nil {
		t.Fatalf("resync: %v", m)
	}
	writeFrame(t, c, `{"type":"leave_table"}`)
	if m := readFrame(t, c); m["type"] != "left_table" || m["returned"] != float64(1) {
		t.Fatalf("left: %v", m)
	}
	ledgertest.Check(t, s.app.DB)
}

// TestPokerWSReconnect: a second connection replaces the first (close 4002) and keeps the seat;
// a dropped connection keeps the seat for the reconnection window, then the stack goes home.
func TestPokerWSReconnect(t *testing.T) {
	s := newPokerServer(t, store.SQLite)
	su, err := s.app.PokerService.Register(context.Background(), "again")
	if err != nil {
		t.Fatal(err)
	}
	c1, err := dialPoker(t, s, su.Key.Secret)
	if err != nil {
		t.Fatal(err)
	}
	readFrame(t, c1) // connected
	writeFrame(t, c1, `{"type":"join_lobby","buy_in":3}`)
	for m := readFrame(t, c1); m["type"] != "table_state"; m = readFrame(t, c1) {
	}
	c2, err := dialPoker(t, s, su.Key.Secret)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.CloseNow()
	readFrame(t, c2) // connected
	if _, _, err := c1.Read(context.Background()); websocket.CloseStatus(err) != 4002 {
		t.Errorf("first connection: %v, want close 4002", err)
	}
	writeFrame(t, c2, `{"type":"resync_request","last_table_seq":0}`)
	m := readFrame(t, c2)
	if m["type"] != "resync_response" || m["role"] != "player" {
		t.Fatalf("resync: %v", m)
	}
	if ev, _ := m["replayed_events"].([]any); len(ev) != 0 {
		t.Logf("replayed %d events", len(ev))
	}
	c2.CloseNow()
	// The window is 1 s in these tests; then the seat is given up.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var h ledger.Holdings
		_ = s.app.DB.Read(context.Background(), func(ctx context.Context, q store.Q) (err error) {
			h, err = ledger.HoldingsOf(ctx, q, su.Account.ID, money.USDC)
			return err
		})
		if h.InPlay == 0 && h.Available == 10*money.Micro {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stack not returned after the reconnection window: %+v", h)
		}
		time.Sleep(20 * time.Millisecond)
	}
	ledgertest.Check(t, s.app.DB)
}

// TestPokerWSSharedAccount: any Arcade key opens /poker/ws (one account table for every
// surface); a credits guest holds no USDC, so its buy-in is refused with insufficient_funds and
// nothing moves.
func TestPokerWSSharedAccount(t *testing.T) {
	s := newPokerServer(t, store.SQLite)
	c, err := dialPoker(t, s, s.guest())
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	if m := readFrame(t, c); m["type"] != "connected" {
		t.Fatalf("connected: %v", m)
	}
	writeFrame(t, c, `{"type":"join_lobby","buy_in":1}`)
	if m := readFrame(t, c); m["type"] != "error" || m["code"] != "insufficient_funds" {
		t.Fatalf("join without USDC: %v", m)
	}
	ledgertest.Check(t, s.app.DB)
}
