package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arcadehq/arcade/fairness/verify"
	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/poker/bot"
	"github.com/arcadehq/arcade/internal/poker/engine"
	"github.com/arcadehq/arcade/internal/poker/phh"
	"github.com/arcadehq/arcade/internal/poker/table"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// TestPokerPHH: reference bots play hands through /poker/ws; then every hand is fetched as PHH,
// parsed and replayed through the engine (arcade poker replay's code), which must reach the
// recorded finishing stacks; those must equal the ledger's settlement of the hand (each player's
// net and the rake); the deck recomputes with arcade verify from the hand's fairness fields;
// hole cards are hidden but for the viewer's own and those shown; the table's .phhs file and
// the agent's history hold the same hands; and the error answers are {detail}.
func TestPokerPHH(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newPokerServer(t, e)
		ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
		defer cancel()
		const n = 3
		var keys, ids []string
		for i := range n {
			su, err := s.app.PokerService.Register(ctx, fmt.Sprintf("phhbot%d", i))
			if err != nil {
				t.Fatal(err)
			}
			keys, ids = append(keys, su.Key.Secret), append(ids, su.Account.ID)
		}
		logs := make([]*handLog, n)
		stats := make([]*bot.Stats, n)
		errc := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			logs[i] = &handLog{seat: map[string]int{}, dealer: map[string]int{}, hole: map[string][]string{}, result: map[string]table.HandResult{}}
			b := &bot.Bot{URL: wsURL(s), Key: keys[i], BuyIn: []string{"1", "2.00", "1.5"}[i], Hands: 8, Seed: uint64(i + 7),
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
			for _, h := range stats[i].HandIDs {
				hands[h] = true
			}
		}
		// The last leaver closes the table, which reveals its seed.
		deadline := time.Now().Add(10 * time.Second)
		for len(s.app.PokerService.Tables()) > 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		accountOf, settled := handSeats(t, s)
		byTable := map[string][]string{}
		replayed, hidden, shown := 0, 0, 0
		for hid := range hands {
			if _, ok := settled[hid]; !ok {
				continue // a hand dealt but abandoned (nobody left to act)
			}
			r := s.do("GET", "/poker/api/hands/"+hid+".phh", "", nil)
			if r.Status != 200 || r.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
				t.Fatalf("hand %s: %d %q %s", hid, r.Status, r.Header.Get("Content-Type"), r.Raw)
			}
			h, res := replayPHH(t, hid, r.Raw)
			replayed++
			dump(t, hid+".phh", r.Raw)
			byTable[str(h.Get(table.PHHTableID))] = append(byTable[str(h.Get(table.PHHTableID))], hid)
			checkSettlement(t, s, hid, h, res, accountOf[hid])
			checkPHHDeck(t, hid, h)
			// Served to anyone: only the cards shown at the showdown.
			for _, a := range h.Actions {
				st, _ := phh.ParseAction(a)
				if st.Verb != phh.DealHole {
					continue
				}
				if st.Cards[0] == phh.Unknown {
					hidden++
				} else if !showed(h, st.Player) {
					t.Errorf("hand %s: %q served to anyone, and p%d did not show", hid, a, st.Player)
				} else {
					shown++
				}
			}
			// Served to a player of the hand: its own cards too, as the bot was dealt them.
			for i := range n {
				hole, ok := logs[i].hole[hid]
				if !ok {
					continue
				}
				mine := s.do("GET", "/poker/api/hands/"+hid, keys[i], nil)
				if mine.Status != 200 {
					t.Fatalf("hand %s with a key: %d %s", hid, mine.Status, mine.Raw)
				}
				hm, _ := replayPHH(t, hid, mine.Raw)
				p := positionOf(hm, logs[i].seat[hid])
				if got := dealt(hm, p); got != strings.Join(hole, "") {
					t.Errorf("hand %s: p%d (bot %d) sees %q, was dealt %v", hid, p, i, got, hole)
				}
				for q := 1; q <= len(hm.StartingStacks); q++ {
					if q != p && !showed(hm, q) && dealt(hm, q) != "????" {
						t.Errorf("hand %s: bot %d sees p%d's cards %s", hid, i, q, dealt(hm, q))
					}
				}
			}
		}
		if replayed < 5 {
			t.Fatalf("only %d hands replayed", replayed)
		}
		if hidden == 0 {
			t.Errorf("no hole card hidden in %d hands", replayed)
		}
		t.Logf("%d hands replayed from their PHH; %d hole-card pairs hidden from the public, %d shown", replayed, hidden, shown)

		// Per table: one .phhs file with the same hands, newest first, paged.
		for tid, hs := range byTable {
			r := s.do("GET", "/poker/api/tables/"+tid+"/hands.phhs?limit=200", "", nil)
			if r.Status != 200 || r.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
				t.Fatalf("table %s: %d %s", tid, r.Status, r.Raw)
			}
			all, err := phh.ParseAll(bytes.NewReader(r.Raw))
			if err != nil {
				t.Fatal(err)
			}
			dump(t, tid+".phhs", r.Raw)
			if len(all) != len(hs) {
				t.Fatalf("table %s: %d hands in the file, %d played", tid, len(all), len(hs))
			}
			var order []string
			for k, h := range all {
				hid := str(h.Get(table.PHHHandID))
				order = append(order, hid)
				one := s.do("GET", "/poker/api/hands/"+hid, "", nil)
				if h.String() != string(one.Raw) {
					t.Errorf("table file hand %d (%s) differs from the hand's own file", k+1, hid)
				}
				if _, err := phh.ReplayHand(h); err != nil {
					t.Errorf("table file hand %d: %v", k+1, err)
				}
			}
			if !slices.IsSortedFunc(all, func(a, b *phh.Hand) int { return int(b.Get("hand").(int64) - a.Get("hand").(int64)) }) {
				t.Errorf("table file not newest first: %v", order)
			}
			r = s.do("GET", "/poker/api/tables/"+tid+"/hands.phhs?limit=2&offset=1", "", nil)
			page, err := phh.ParseAll(bytes.NewReader(r.Raw))
			if err != nil || len(page) != 2 || str(page[0].Get(table.PHHHandID)) != order[1] || str(page[1].Get(table.PHHHandID)) != order[2] {
				t.Errorf("limit=2&offset=1: %v %s", err, r.Raw)
			}
		}

		// The agent's own history in PHH: every hand it was dealt into, its cards shown.
		for i := range n {
			r := s.do("GET", "/poker/api/me/hand-history?format=phh&limit=200", keys[i], nil)
			if r.Status != 200 || r.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
				t.Fatalf("hand-history?format=phh: %d %s", r.Status, r.Raw)
			}
			all, err := phh.ParseAll(bytes.NewReader(r.Raw))
			if err != nil {
				t.Fatal(err)
			}
			dealtIn := 0
			for hid, acc := range accountOf {
				if slices.Contains(acc, ids[i]) && settled[hid] {
					dealtIn++
				}
			}
			if len(all) != dealtIn || dealtIn == 0 {
				t.Errorf("bot %d: %d hands in its PHH history, %d dealt", i, len(all), dealtIn)
			}
			for _, h := range all {
				hid := str(h.Get(table.PHHHandID))
				p := slices.Index(accountOf[hid], ids[i]) + 1
				if hole, ok := logs[i].hole[hid]; ok && dealt(h, p) != strings.Join(hole, "") {
					t.Errorf("bot %d hand %s: its history shows %q, it was dealt %v", i, hid, dealt(h, p), hole)
				}
			}
		}

		// Errors: {detail} with the spec's statuses.
		api := newPokerAPI(t, s)
		want(t, api.call(t, "GET", "/hands/nope.phh", "", ""), 404, "")
		want(t, api.call(t, "GET", "/tables/nope/hands.phhs", "", ""), 404, "")
		want(t, api.call(t, "GET", "/me/hand-history?format=xml", keys[0], ""), 422, "format")
		want(t, api.call(t, "GET", "/me/hand-history?format=phh", "", ""), 401, "")
		for tid := range byTable {
			want(t, api.call(t, "GET", "/tables/"+tid+"/hands.phhs?limit=0", "", ""), 422, "limit")
			want(t, api.call(t, "GET", "/tables/"+tid+"/hands.phhs?offset=-1", "", ""), 422, "offset")
		}
		ledgertest.Check(t, s.app.DB)
	})
}

// handSeats reads each settled hand's accounts by PHH position (from the hand's seats field)
// and which hands have a record.
func handSeats(t *testing.T, s *server) (map[string][]string, map[string]bool) {
	t.Helper()
	bySeat := map[string]map[int]string{}
	settled := map[string]bool{}
	err := s.app.DB.Read(context.Background(), func(ctx context.Context, q store.Q) error {
		rows, err := q.Query(ctx, `SELECT h.id, s.seat, s.account_id FROM poker_hands h JOIN poker_hand_seats s ON s.hand_id = h.id WHERE h.phh <> ''`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var hid, acct string
			var seat int
			if err := rows.Scan(&hid, &seat, &acct); err != nil {
				return err
			}
			if bySeat[hid] == nil {
				bySeat[hid] = map[int]string{}
			}
			bySeat[hid][seat+1] = acct
			settled[hid] = true
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for hid := range bySeat {
		var text string
		_ = s.app.DB.Read(context.Background(), func(ctx context.Context, q store.Q) error {
			return q.QueryRow(ctx, `SELECT phh FROM poker_hands WHERE id = ?`, hid).Scan(&text)
		})
		h, err := phh.Parse(strings.NewReader(text))
		if err != nil {
			t.Fatal(err)
		}
		seats, _ := h.Get("seats").([]any)
		for _, v := range seats {
			out[hid] = append(out[hid], bySeat[hid][int(v.(int64))])
		}
	}
	return out, settled
}

// replayPHH parses a served hand and replays it through the engine, strictly.
func replayPHH(t *testing.T, hid string, raw []byte) (*phh.Hand, *phh.Result) {
	t.Helper()
	h, err := phh.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("hand %s: %v\n%s", hid, err, raw)
	}
	res, err := phh.ReplayHand(h)
	if err != nil {
		t.Fatalf("hand %s does not replay: %v\n%s", hid, err, raw)
	}
	if got := str(h.Get(table.PHHHandID)); got != hid {
		t.Fatalf("hand %s: %s = %q", hid, table.PHHHandID, got)
	}
	return h, res
}

// checkSettlement: the replay's result per player equals the ledger's transfers of the hand.
func checkSettlement(t *testing.T, s *server, hid string, h *phh.Hand, res *phh.Result, accounts []string) {
	t.Helper()
	net := map[string]int64{}
	var rake int64
	err := s.app.DB.Read(context.Background(), func(ctx context.Context, q store.Q) error {
		rows, err := q.Query(ctx, `SELECT from_account, to_account, amount, kind FROM ledger_transfers WHERE ref = ?`, hid)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var from, to, kind string
			var amt int64
			if err := rows.Scan(&from, &to, &amt, &kind); err != nil {
				return err
			}
			net[from] -= amt
			net[to] += amt
			if kind == "poker_rake" {
				rake += amt
			}
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	start, _ := phh.Ints("starting_stacks", h.StartingStacks)
	if len(accounts) != len(start) {
		t.Fatalf("hand %s: %d accounts for %d players", hid, len(accounts), len(start))
	}
	for p, acct := range accounts {
		got := res.FinishingStacks[p] - start[p]
		if l := net[ledger.OwnedAccount(ledger.InPlay, money.USDC, acct)]; l != got {
			t.Errorf("hand %s: p%d replays to %+d, the ledger moved %+d", hid, p+1, got, l)
		}
	}
	if res.Rake != rake || h.Get(table.PHHRake) != rake {
		t.Errorf("hand %s: replay rake %d, recorded %v, ledger %d", hid, res.Rake, h.Get(table.PHHRake), rake)
	}
}

// checkPHHDeck recomputes the deck with arcade verify from the hand's own fields and checks
// every card the file shows against it.
func checkPHHDeck(t *testing.T, hid string, h *phh.Hand) {
	t.Helper()
	seed := str(h.Get(table.PHHServerSeed))
	if seed == "" {
		t.Fatalf("hand %s: no %s after the table closed", hid, table.PHHServerSeed)
	}
	nonce, _ := h.Get(table.PHHNonce).(int64)
	var out, errb bytes.Buffer
	code := verify.Main(context.Background(), []string{"--game", "deck", "--server-seed", seed,
		"--client-seed", str(h.Get(table.PHHClientSeed)), "--nonce", strconv.FormatInt(nonce, 10),
		"--commitment", str(h.Get(table.PHHSeedHash))}, &out, &errb)
	if code != 0 {
		t.Fatalf("hand %s: verify: %d %s", hid, code, errb.String())
	}
	var v struct{ Cards []string }
	if err := json.Unmarshal(out.Bytes(), &v); err != nil || len(v.Cards) != 52 {
		t.Fatalf("verify output %s: %v", out.String(), err)
	}
	players, board := len(h.StartingStacks), 0
	for _, a := range h.Actions {
		st, _ := phh.ParseAction(a)
		var pos []int
		switch st.Verb {
		case phh.DealHole, phh.ShowMuck:
			for r := range st.Cards {
				pos = append(pos, engine.DeckPosition(players, st.Player-1, r, 0, false))
			}
		case phh.DealBoard:
			for range st.Cards {
				pos = append(pos, engine.DeckPosition(players, -1, 0, board, false))
				board++
			}
		}
		for k, c := range st.Cards {
			if c != phh.Unknown && c.String() != v.Cards[pos[k]] {
				t.Errorf("hand %s: %q: card %s, the verified deck has %s", hid, a, c, v.Cards[pos[k]])
			}
		}
	}
	if board == 0 && len(h.Actions) == 0 {
		t.Errorf("hand %s: no actions", hid)
	}
}

func showed(h *phh.Hand, p int) bool {
	for _, a := range h.Actions {
		if st, _ := phh.ParseAction(a); st.Verb == phh.ShowMuck && st.Player == p && len(st.Cards) == 2 {
			return true
		}
	}
	return false
}

// dealt is player p's hole cards as the file deals them ("????" when hidden).
func dealt(h *phh.Hand, p int) string {
	for _, a := range h.Actions {
		if st, _ := phh.ParseAction(a); st.Verb == phh.DealHole && st.Player == p {
			var b strings.Builder
			for _, c := range st.Cards {
				if c == phh.Unknown {
					b.WriteString("??")
				} else {
					b.WriteString(c.String())
				}
			}
			return b.String()
		}
	}
	return ""
}

// positionOf is the PHH player at table seat (0-based).
func positionOf(h *phh.Hand, seat int) int {
	seats, _ := h.Get("seats").([]any)
	for k, v := range seats {
		if v.(int64) == int64(seat+1) {
			return k + 1
		}
	}
	return 0
}

// dump writes a served file under $ARCADE_PHH_DUMP (if set), for PokerKit to read
// (scripts/poker-phh-check).
func dump(t *testing.T, name string, raw []byte) {
	t.Helper()
	if dir := os.Getenv("ARCADE_PHH_DUMP"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, name), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
