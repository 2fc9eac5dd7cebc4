package table

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/seeds"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

func newService(t *testing.T, e store.Engine, tune func(*Config)) *Service {
	t.Helper()
	db, err := store.Open(context.Background(), storetest.Config(t, e))
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.ActionTimeout, cfg.HandDelay, cfg.ReconnectWindow = 40*time.Millisecond, time.Millisecond, 0
	if tune != nil {
		tune(&cfg)
	}
	s := &Service{DB: db, Accounts: &account.Service{DB: db, Now: time.Now, Rand: rand.Reader}, Seeds: seeds.Engine{Rand: rand.Reader},
		Now: time.Now, Rand: rand.Reader, Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})), Cfg: cfg}
	t.Cleanup(func() { s.Close(context.Background()); db.Close() })
	return s
}

type seatP struct {
	p    *Player
	conn *Conn
	id   string
}

func join(t *testing.T, s *Service, name string, buyIn money.Amount) seatP {
	t.Helper()
	su, err := s.Register(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	c := s.Connect(su.Account)
	if _, err := s.JoinLobby(context.Background(), c.Player, buyIn); err != nil {
		t.Fatal(err)
	}
	return seatP{p: c.Player, conn: c, id: su.Account.ID}
}

// await reads updates until one of type typ satisfies ok.
func await(t *testing.T, c *Conn, typ string, ok func(Update) bool) Update {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case u := <-updates(c):
			if u.Type == typ && (ok == nil || ok(u)) {
				return u
			}
		case <-deadline:
			t.Fatalf("no %s", typ)
		}
	}
}

// total is what the players hold in USDC plus the rake: always their sandbox grants.
func checkMoney(t *testing.T, s *Service, ids ...string) {
	t.Helper()
	var sum money.Amount
	err := s.DB.Read(context.Background(), func(ctx context.Context, q store.Q) error {
		for _, id := range ids {
			h, err := ledger.HoldingsOf(ctx, q, id, money.USDC)
			if err != nil {
				return err
			}
			sum += h.Total()
		}
		r, err := ledger.Balance(ctx, q, ledger.SystemAccount(ledger.Rake, money.USDC))
		sum += r
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := money.Amount(len(ids)) * s.Cfg.SandboxGrant; sum != want {
		t.Errorf("players and rake hold %s, want %s", sum, want)
	}
	ledgertest.Check(t, s.DB)
}

// TestTimeouts: players who never act are checked or folded when their clock runs out, and
// removed with their stacks after MaxMissed missed turns.
func TestTimeouts(t *testing.T) {
	s := newService(t, store.SQLite, func(c *Config) { c.MaxMissed = 2 })
	a := join(t, s, "a", 1_000_000)
	b := join(t, s, "b", 2_000_000)
	u := await(t, a.conn, "player_action", func(u Update) bool { return u.Body.(*PlayerAction).Reason == "timeout" })
	if pa := u.Body.(*PlayerAction); pa.Action != "fold" && pa.Action != "check" {
		t.Errorf("timeout action %s", pa.Action)
	}
	// Whoever first misses MaxMissed turns in a row is stood up; the other then leaves.
	var other seatP
	deadline := time.After(10 * time.Second)
	for other.p == nil {
		select {
		case u := <-updates(a.conn):
			if u.Type == "left_table" && u.Body.(*LeftTable).Reason == "missed_hands" {
				other = b
			}
		case u := <-updates(b.conn):
			if u.Type == "left_table" && u.Body.(*LeftTable).Reason == "missed_hands" {
				other = a
			}
		case <-deadline:
			t.Fatal("nobody was removed for missed hands")
		}
	}
	if _, err := s.Leave(context.Background(), other.p); err != nil {
		t.Fatal(err)
	}
	await(t, other.conn, "left_table", nil)
	waitClosed(t, s)
	checkMoney(t, s, a.id, b.id)
}

// waitClosed waits for the last leaver's table to close.
func waitClosed(t *testing.T, s *Service) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(s.Tables()) > 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := len(s.Tables()); n != 0 {
		t.Fatalf("%d tables open", n)
	}
}

// play answers every your_turn of one player with pick, until stop says so; it returns the
// update that stopped it.
func play(t *testing.T, s *Service, p seatP, pick func(*YourTurn) Act, stop func(Update) bool) Update {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case u := <-updates(p.conn):
			if stop(u) {
				return u
			}
			if u.Type == "your_turn" {
				yt := u.Body.(*YourTurn)
				a := pick(yt)
				a.HandID, a.TurnToken = yt.HandID, yt.TurnToken
				go func() { _ = s.Act(context.Background(), p.p, a) }()
			}
		case <-deadline:
			t.Error("timed out")
			return Update{}
		}
	}
}

// TestBustRebuyLeave: an all-in player meets a caller until someone busts; the busted player
// rebuys, then both leave, one in the middle of a hand; chips and the ledger balance throughout.
func TestBustRebuyLeave(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newService(t, e, func(c *Config) { c.ActionTimeout = 5 * time.Second })
		a := join(t, s, "shover", 1_000_000)
		b := join(t, s, "caller", 1_000_000)
		shove := func(yt *YourTurn) Act {
			for _, v := range yt.ValidActions {
				if v.Action == "all_in" {
					return Act{Action: "all_in"}
				}
			}
			return Act{Action: "check"}
		}
		call := func(yt *YourTurn) Act {
			for _, v := range yt.ValidActions {
				if v.Action == "call" {
					return Act{Action: "call"}
				}
			}
			return Act{Action: "check"}
		}
		busted := make(chan seatP, 2)
		done := make(chan struct{})
		for _, x := range []struct {
			p    seatP
			pick func(*YourTurn) Act
		}{{a, shove}, {b, call}} {
			go func() {
				play(t, s, x.p, x.pick, func(u Update) bool {
					if u.Type == "busted" {
						busted <- x.p
						return true
					}
					select {
					case <-done:
						return true
					default:
						return false
					}
				})
			}()
		}
		loser := <-busted
		close(done)
		if err := s.Rebuy(context.Background(), loser.p, 2_000_000); err != nil {
			t.Fatal(err)
		}
		// Both leave now; whoever is in a hand stands up at its end.
		for _, p := range []seatP{a, b} {
			if _, err := s.Leave(context.Background(), p.p); err != nil && !strings.Contains(err.Error(), "not_at_table") {
				t.Fatal(err)
			}
		}
		waitClosed(t, s)
		checkMoney(t, s, a.id, b.id)
		var inPlay money.Amount
		_ = s.DB.Read(context.Background(), func(ctx context.Context, q store.Q) error {
			for _, id := range []string{a.id, b.id} {
				h, _ := ledger.HoldingsOf(ctx, q, id, money.USDC)
				inPlay += h.InPlay
			}
			return nil
		})
		if inPlay != 0 {
			t.Errorf("%s still in play", inPlay)
		}
	})
}

// TestJoinLimits: buy-ins outside the table's range and beyond the balance are refused, and a
// seated player cannot join again.
func TestJoinLimits(t *testing.T) {
	s := newService(t, store.SQLite, nil)
	su, err := s.Register(context.Background(), "limits")
	if err != nil {
		t.Fatal(err)
	}
	p := s.Connect(su.Account).Player
	for _, amt := range []money.Amount{500_000, 6_000_000} {
		if _, err := s.JoinLobby(context.Background(), p, amt); err == nil {
			t.Errorf("buy-in %s accepted", amt)
		}
	}
	if _, err := s.JoinLobby(context.Background(), p, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.JoinLobby(context.Background(), p, 1_000_000); err == nil || !strings.Contains(err.Error(), "already seated") {
		t.Errorf("second join: %v", err)
	}
	checkMoney(t, s, su.Account.ID)
}

// TestMatchmaking: the lobby fills a 6-max table before opening another.
func TestMatchmaking(t *testing.T) {
	s := newService(t, store.SQLite, func(c *Config) { c.HandDelay = time.Hour })
	tables := map[string]int{}
	var ids []string
	for i := range 7 {
		p := join(t, s, fmt.Sprintf("p%d", i), 1_000_000)
		u := await(t, p.conn, "table_joined", nil)
		tables[u.TableID]++
		ids = append(ids, p.id)
		if want := i % 6; u.Body.(*TableJoined).Seat != want {
			t.Errorf("player %d at seat %d, want %d", i, u.Body.(*TableJoined).Seat, want)
		}
	}
	if len(tables) != 2 || len(s.Tables()) != 2 {
		t.Fatalf("tables %v", tables)
	}
	for id, n := range tables {
		if n != 6 && n != 1 {
			t.Errorf("table %s has %d players", id, n)
		}
	}
	s.Close(context.Background())
	checkMoney(t, s, ids...)
}

// TestActionSafety: stale turn tokens and hand ids, acting out of turn, and client_action_id
// retries and conflicts.
func TestActionSafety(t *testing.T) {
	s := newService(t, store.SQLite, func(c *Config) { c.ActionTimeout = time.Minute })
	a := join(t, s, "a", 1_000_000)
	b := join(t, s, "b", 1_000_000)
	ctx := context.Background()
	// Whoever gets your_turn first acts; the other is out of turn.
	var actor, other seatP
	var yt *YourTurn
	deadline := time.After(10 * time.Second)
	for yt == nil {
		select {
		case u := <-updates(a.conn):
			if u.Type == "your_turn" {
				actor, other, yt = a, b, u.Body.(*YourTurn)
			}
		case u := <-updates(b.conn):
			if u.Type == "your_turn" {
				actor, other, yt = b, a, u.Body.(*YourTurn)
			}
		case <-deadline:
			t.Fatal("no your_turn")
		}
	}
	code := func(p seatP, act Act) string {
		t.Helper()
		_ = s.Act(ctx, p.p, act)
		for {
			select {
			case u := <-updates(p.conn):
				switch u.Type {
				case "action_rejected":
					return u.Body.(*ActionRejected).Code
				case "action_ack":
					return "ack"
				}
			case <-time.After(5 * time.Second):
				t.Fatal("no answer")
			}
		}
	}
	for _, tc := range []struct {
		p    seatP
		act  Act
		want string
	}{
		{other, Act{Action: "call"}, "not_your_turn"},
		{actor, Act{Action: "call", TurnToken: "tt-old"}, "stale_turn_token"},
		{actor, Act{Action: "call", HandID: "t-x-h9"}, "stale_hand_action"},
		{actor, Act{Action: "raise", Amount: 1}, "invalid_action"},
		{actor, Act{Action: "call", HandID: yt.HandID, TurnToken: yt.TurnToken, ClientActionID: "c-1"}, "ack"},
		{actor, Act{Action: "call", HandID: yt.HandID, TurnToken: yt.TurnToken, ClientActionID: "c-1"}, "ack"},
		{actor, Act{Action: "fold", HandID: yt.HandID, TurnToken: yt.TurnToken, ClientActionID: "c-1"}, "action_id_conflict"},
	} {
		if got := code(tc.p, tc.act); got != tc.want {
			t.Errorf("%+v: %s, want %s", tc.act, got, tc.want)
		}
	}
	s.Close(ctx)
	checkMoney(t, s, a.id, b.id)
}

// TestRecover: stacks of tables that died with their process go back to the balances, and the
// tables' seeds are retired.
func TestRecover(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newService(t, e, func(c *Config) { c.HandDelay = time.Hour })
		a := join(t, s, "a", 1_500_000)
		await(t, a.conn, "table_joined", nil)
		var tableID string
		for _, ti := range s.Tables() {
			tableID = ti.ID
		}
		// A new process on the same database.
		s2 := &Service{DB: s.DB, Accounts: s.Accounts, Seeds: s.Seeds, Now: time.Now, Rand: rand.Reader, Log: s.Log, Cfg: s.Cfg}
		if err := s2.Recover(context.Background()); err != nil {
			t.Fatal(err)
		}
		err := s.DB.Read(context.Background(), func(ctx context.Context, q store.Q) error {
			h, err := ledger.HoldingsOf(ctx, q, a.id, money.USDC)
			if err != nil {
				return err
			}
			if h.InPlay != 0 || h.Available != 10_000_000 {
				t.Errorf("after recovery: %+v", h)
			}
			var closed *int64
			if err := q.QueryRow(ctx, `SELECT closed_at FROM poker_tables WHERE id = ?`, tableID).Scan(&closed); err != nil {
				return err
			}
			if closed == nil {
				t.Error("table not closed")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		ledgertest.Check(t, s.DB)
	})
}

// TestBustedStandsUp: a busted player who neither rebuys nor leaves is stood up after the action
// time; the table closes when the other leaves.
func TestBustedStandsUp(t *testing.T) {
	s := newService(t, store.SQLite, func(c *Config) { c.ActionTimeout = 300 * time.Millisecond })
	a := join(t, s, "a", 1_000_000)
	b := join(t, s, "b", 1_000_000)
	allIn := func(yt *YourTurn) Act {
		for _, v := range yt.ValidActions {
			if v.Action == "all_in" {
				return Act{Action: "all_in"}
			}
		}
		return Act{Action: "check"}
	}
	results := make(chan [2]string, 2)
	for _, x := range []seatP{a, b} {
		go func() {
			u := play(t, s, x, allIn, func(u Update) bool { return u.Type == "left_table" })
			if lt, ok := u.Body.(*LeftTable); ok {
				results <- [2]string{x.id, lt.Reason}
			} else {
				results <- [2]string{x.id, "none"}
			}
		}()
	}
	first := <-results
	if first[1] != "busted" {
		t.Fatalf("first to leave: %v, want busted", first)
	}
	winner := a
	if first[0] == a.id {
		winner = b
	}
	if _, err := s.Leave(context.Background(), winner.p); err != nil {
		t.Fatal(err)
	}
	if second := <-results; second[1] != "left" {
		t.Errorf("second: %v", second)
	}
	waitClosed(t, s)
	checkMoney(t, s, a.id, b.id)
}

// TestSeedRotation: every RotateEvery hands the table's seed is retired (revealable) and the
// next one continues the nonces, so the nonce is always the hand number.
func TestSeedRotation(t *testing.T) {
	s := newService(t, store.SQLite, func(c *Config) { c.RotateEvery = 2 })
	tb, err := s.open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var deals []Deal
	for range 5 {
		d, err := s.Deal(context.Background(), tb.ID)
		if err != nil {
			t.Fatal(err)
		}
		deals = append(deals, d)
	}
	for i, d := range deals {
		if d.Fairness.Nonce != uint64(i) {
			t.Errorf("deal %d: nonce %d", i, d.Fairness.Nonce)
		}
		if want := deals[i/2*2].SeedID; d.SeedID != want {
			t.Errorf("deal %d: seed %s, want %s", i, d.SeedID, want)
		}
	}
	err = s.DB.Read(context.Background(), func(ctx context.Context, q store.Q) error {
		for i, d := range deals {
			_, err := seeds.Reveal(ctx, q, d.SeedID)
			if (err == nil) != (i < 4) {
				t.Errorf("deal %d: reveal %v", i, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSpectate: a spectator gets a heroless table_state and the public frames, never hole cards
// or turns, and is told when the table closes.
func TestSpectate(t *testing.T) {
	s := newService(t, store.SQLite, func(c *Config) { c.ActionTimeout, c.MaxMissed = 20*time.Millisecond, 0 })
	a := join(t, s, "a", 1_000_000)
	b := join(t, s, "b", 1_000_000)
	su, err := s.Register(context.Background(), "watcher")
	if err != nil {
		t.Fatal(err)
	}
	w := s.Connect(su.Account)
	if err := s.Spectate(context.Background(), w.Player, "t-none"); err == nil {
		t.Error("spectating a missing table")
	}
	if err := s.Spectate(context.Background(), a.p, s.Tables()[0].ID); err == nil {
		t.Error("a seated player spectates")
	}
	if err := s.Spectate(context.Background(), w.Player, s.Tables()[0].ID); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	deadline := time.After(10 * time.Second)
	for seen["hand_result"] < 2 {
		select {
		case u := <-updates(w):
			seen[u.Type]++
			if u.Type == "table_state" && u.Body.(*State).Hero != nil {
				t.Error("spectator's table_state has a hero")
			}
		case <-deadline:
			t.Fatalf("spectator saw %v", seen)
		}
	}
	if seen["hole_cards"]+seen["your_turn"] > 0 || seen["player_action"] == 0 || seen["table_state"] != 1 {
		t.Errorf("spectator saw %v", seen)
	}
	s.Close(context.Background())
	await(t, w, "table_closed", nil)
	checkMoney(t, s, a.id, b.id, su.Account.ID)
}

var pumps sync.Map // *Conn → chan Update

// updates turns a connection's queue into a channel, as the tests read it (one pump per Conn).
func updates(c *Conn) <-chan Update {
	if ch, ok := pumps.Load(c); ok {
		return ch.(chan Update)
	}
	ch := make(chan Update, outboxSize)
	if prev, loaded := pumps.LoadOrStore(c, ch); loaded {
		return prev.(chan Update)
	}
	go func() {
		for range c.Ready {
			for _, u := range c.Take() {
				ch <- u
			}
		}
	}()
	return ch
}
