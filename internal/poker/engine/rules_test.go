package engine

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/arcadehq/arcade/internal/poker/card"
)

// deckFor returns a deck that deals the given hole cards (by seat, "AsKd") and board ("AhKhQh2c3d")
// at a table with these stacks and button; other cards fill the rest in order.
func deckFor(t *testing.T, stacks []int64, button int, holes map[int]string, board string, burn bool) *[52]card.Card {
	t.Helper()
	var order []int
	n := len(stacks)
	for k := 1; k <= n; k++ {
		if i := (button + k) % n; stacks[i] > 0 {
			order = append(order, i)
		}
	}
	var deck [52]card.Card
	var set [52]bool
	var used card.Set
	put := func(pos int, c card.Card) {
		if used.Has(c) {
			t.Fatalf("card %v twice", c)
		}
		used = used.Add(c)
		deck[pos], set[pos] = c, true
	}
	for k, seat := range order {
		if s, ok := holes[seat]; ok {
			cs := card.MustParseMany(s)
			put(DeckPosition(len(order), k, 0, 0, burn), cs[0])
			put(DeckPosition(len(order), k, 1, 0, burn), cs[1])
		}
	}
	for b, c := range card.MustParseMany(board) {
		put(DeckPosition(len(order), -1, 0, b, burn), c)
	}
	next := card.Card(0)
	for pos := range deck {
		if !set[pos] {
			for used.Has(next) {
				next++
			}
			put(pos, next)
		}
	}
	return &deck
}

// step is one scripted action: "3 r 300" (seat 3 raises to 300), "1 c", "2 k" (check),
// "0 f", "4 s" (show), "4 m" (muck); a trailing "!ErrName" expects that error instead.
type step string

var errByName = map[string]error{
	"ErrNotYourTurn": ErrNotYourTurn, "ErrBelowMinRaise": ErrBelowMinRaise, "ErrAboveStack": ErrAboveStack,
	"ErrRaiseNotAllowed": ErrRaiseNotAllowed, "ErrCannotCheck": ErrCannotCheck, "ErrFolded": ErrFolded,
	"ErrNothingToCall": ErrNothingToCall, "ErrHandOver": ErrHandOver, "ErrShowdown": ErrShowdown,
	"ErrNotShowdown": ErrNotShowdown, "ErrAllIn": ErrAllIn,
}

func play(t *testing.T, h *Hand, s step) {
	t.Helper()
	f := strings.Fields(string(s))
	var want error
	if last := f[len(f)-1]; strings.HasPrefix(last, "!") {
		want = errByName[last[1:]]
		if want == nil {
			t.Fatalf("unknown error %s", last)
		}
		f = f[:len(f)-1]
	}
	seat, _ := strconv.Atoi(f[0])
	var a Action
	switch f[1] {
	case "f":
		a.Kind = Fold
	case "k":
		a.Kind = Check
	case "c":
		a.Kind = Call
	case "r":
		a.Kind = Raise
		a.Amount, _ = strconv.ParseInt(f[2], 10, 64)
	case "s":
		a.Kind = Show
	case "m":
		a.Kind = Muck
	}
	err := h.Act(seat, a)
	switch {
	case want == nil && err != nil:
		t.Fatalf("%s: %v", s, err)
	case want != nil && !errors.Is(err, want):
		t.Fatalf("%s: got %v, want %v", s, err, want)
	}
}

type ruleCase struct {
	name    string
	cfg     Config
	stacks  []int64
	button  int
	holes   map[int]string
	board   string
	steps   []step
	legal   *Actions // checked after the steps, if set
	final   []int64  // checked when the hand is complete
	pots    []int64  // pot amounts (before rake)
	rake    int64
	shown   []int // seats in the order they showed
	returns map[int]int64
	check   func(t *testing.T, h *Hand)
}

func TestRules(t *testing.T) {
	blinds := Config{Seats: 6, SmallBlind: 50, BigBlind: 100}
	hu := Config{Seats: 2, SmallBlind: 50, BigBlind: 100}
	six := []int64{10000, 10000, 10000, 10000, 10000, 10000}
	cases := []ruleCase{
		{
			name: "opening raise is at least the big blind over it (TDA 43)", cfg: blinds, stacks: six, button: 0,
			// button 0, SB 1, BB 2, first to act 3
			steps: []step{"3 r 199 !ErrBelowMinRaise", "3 r 200"},
			legal: &Actions{Seat: 4, CanFold: true, CanCall: true, CallAmount: 200, CanRaise: true, MinRaiseTo: 300, MaxRaiseTo: 10000},
		},
		{
			name: "a re-raise is at least the last raise (TDA 43)", cfg: blinds, stacks: six, button: 0,
			steps: []step{"3 r 350", "4 r 599 !ErrBelowMinRaise", "4 r 10001 !ErrAboveStack", "4 r 600"},
			legal: &Actions{Seat: 5, CanFold: true, CanCall: true, CallAmount: 600, CanRaise: true, MinRaiseTo: 850, MaxRaiseTo: 10000},
		},
		{
			name: "acting out of turn is refused", cfg: blinds, stacks: six, button: 0,
			steps: []step{"4 c !ErrNotYourTurn", "3 k !ErrCannotCheck", "3 f", "3 c !ErrFolded"},
		},
		{
			name: "big blind has the option when limped to", cfg: blinds, stacks: six, button: 0,
			steps: []step{"3 c", "4 c", "5 c", "0 c", "1 c"},
			legal: &Actions{Seat: 2, CanFold: true, CanCheck: true, CanRaise: true, MinRaiseTo: 200, MaxRaiseTo: 10000},
		},
		{
			name: "a short all-in does not reopen the betting (TDA 47)", cfg: blinds,
			stacks: []int64{10000, 10000, 10000, 250, 10000, 10000}, button: 0,
			// preflop: 3 raises all in to 250 (a raise of 150 < 100? no: full); use the flop instead
			steps: []step{"3 c", "4 f", "5 f", "0 f", "1 c", "2 k",
				// flop: SB 1 first
				"1 r 100", "2 c", "3 r 150", // 3 is all in for 150: 50 more, not a full raise
				"2 r 250 !ErrNotYourTurn", "1 r 250 !ErrRaiseNotAllowed", "1 c"},
			legal: &Actions{Seat: 2, CanFold: true, CanCall: true, CallAmount: 50},
		},
		{
			name: "short all-ins adding up to a full raise reopen it (TDA 47 example 1)", cfg: blinds,
			stacks: []int64{10000, 225, 10000, 300, 10000, 10000}, button: 5,
			// button 5, SB 0, BB 1. Flop: A=0 bets 100, B=1 all in for 125, C=2 calls, D=3 all in
			// for 200, E=4 calls: A faces 100 more, a full bet, so may raise, to 300 at least.
			steps: []step{"2 c", "3 c", "4 c", "5 f", "0 c", "1 k",
				"0 r 100", "1 r 125", "2 c", "3 r 200", "4 c"},
			legal: &Actions{Seat: 0, CanFold: true, CanCall: true, CallAmount: 100, CanRaise: true, MinRaiseTo: 300, MaxRaiseTo: 9900},
		},
		{
			name: "...but not for a player facing less than a full raise since acting (TDA 47)", cfg: blinds,
			stacks: []int64{10000, 225, 10000, 300, 10000, 10000}, button: 5,
			steps: []step{"2 c", "3 c", "4 c", "5 f", "0 c", "1 k",
				"0 r 100", "1 r 125", "2 c", "3 r 200", "4 c", "0 c"},
			legal: &Actions{Seat: 2, CanFold: true, CanCall: true, CallAmount: 75},
		},
		{
			name: "side pots with three all-ins", cfg: Config{Seats: 4, SmallBlind: 5, BigBlind: 10},
			stacks: []int64{100, 200, 300, 1000}, button: 3,
			// seat 0 SB, 1 BB, 2 UTG, 3 button
			holes: map[int]string{0: "AsAh", 1: "KsKh", 2: "QsQh", 3: "JsJh"}, board: "2c7d9hTc3s",
			steps: []step{"2 r 300", "3 c", "0 c", "1 c"},
			pots:  []int64{400, 300, 200},
			final: []int64{400, 300, 200, 700},
			check: func(t *testing.T, h *Hand) {
				r := h.Result()
				if r.Pots[0].Winners != 1<<0 || r.Pots[1].Winners != 1<<1 || r.Pots[2].Winners != 1<<2 {
					t.Errorf("winners %+v", r.Pots)
				}
			},
		},
		{
			name: "side pot won by a bigger stack, main by the short one", cfg: Config{Seats: 3, SmallBlind: 5, BigBlind: 10},
			stacks: []int64{50, 500, 500}, button: 2,
			holes: map[int]string{0: "AsAh", 1: "KsKh", 2: "2s7h"}, board: "3c8d9hJcQs",
			steps: []step{"2 c", "0 r 50", "1 r 200", "2 c", "1 k", "2 k", "1 k", "2 k", "1 k", "2 k"},
			pots:  []int64{150, 300},
			final: []int64{150, 600, 300},
		},
		{
			name: "odd chip to the first winner left of the button (TDA 20)", cfg: Config{Seats: 3, SmallBlind: 5, BigBlind: 10},
			stacks: []int64{1000, 1000, 1000}, button: 0,
			// SB 1, BB 2; 0 folds? make pot odd: SB 5 folds after calling? SB calls 10, BB, button... use 3 players:
			// button 0 raises to 25, SB 1 folds (5 dead), BB 2 calls: pot 55; 0 and 2 split (board plays).
			holes: map[int]string{0: "2c3d", 1: "4h5s", 2: "2d3c"}, board: "AsKsQsJsTs",
			steps: []step{"0 r 25", "1 f", "2 c", "2 k", "0 k", "2 k", "0 k", "2 k", "0 k"},
			// seat 2 is first clockwise from the button among the winners: it gets 28, seat 0 gets 27
			final: []int64{1002, 995, 1003},
		},
		{
			name: "uncalled bet returned", cfg: blinds, stacks: six, button: 0,
			steps:   []step{"3 r 300", "4 r 900", "5 f", "0 f", "1 f", "2 f", "3 f"},
			returns: map[int]int64{4: 600},
			final:   []int64{10000, 9950, 9900, 9700, 10450, 10000},
			pots:    []int64{750},
		},
		{
			name: "heads-up: button posts the small blind and acts first preflop, last after", cfg: hu,
			stacks: []int64{1000, 1000}, button: 1,
			steps: []step{"0 c !ErrNotYourTurn", "1 c", "0 k", "1 k !ErrNotYourTurn", "0 k"},
			legal: &Actions{Seat: 1, CanFold: true, CanCheck: true, CanRaise: true, MinRaiseTo: 100, MaxRaiseTo: 900},
			check: func(t *testing.T, h *Hand) {
				if sb, bb := h.Blinds(); sb != 1 || bb != 0 {
					t.Errorf("blinds %d %d", sb, bb)
				}
			},
		},
		{
			name: "big-blind ante: dead money the big blind wins back when all fold", cfg: Config{Seats: 5, SmallBlind: 50, BigBlind: 100, BigBlindAnte: 100},
			stacks: []int64{1000, 1000, 1000, 1000, 1000}, button: 4,
			steps: []step{"2 f", "3 f", "4 f", "0 f"},
			// the big blind's unmatched 50 comes back; the pot is 50 + 50 + the 100 ante
			final:   []int64{950, 1050, 1000, 1000, 1000},
			pots:    []int64{200},
			returns: map[int]int64{1: 50},
		},
		{
			name: "big-blind ante: all-in big blind busts (the WSOP 68 shape)", cfg: Config{Seats: 5, SmallBlind: 75, BigBlind: 150, BigBlindAnte: 225},
			stacks: []int64{2275, 3575, 2675, 3125, 18050}, button: 4,
			holes: map[int]string{1: "9d9c", 4: "AcKc"}, board: "2c8cThAh6d",
			steps: []step{"2 f", "3 f", "4 r 300", "0 f", "1 r 3350", "4 c"},
			final: []int64{2200, 0, 2675, 3125, 21700},
		},
		{
			name: "uniform antes with a stack all in on the ante", cfg: Config{Seats: 3, SmallBlind: 5, BigBlind: 10, Ante: 10},
			stacks: []int64{1000, 1000, 4}, button: 2,
			holes: map[int]string{2: "AsAh", 0: "KsKh", 1: "QsQh"}, board: "2c7d9hTc3s",
			// seat 2 (button) is all in on the ante: it can win 4 from each player
			steps: []step{"0 c", "1 k", "0 k", "1 k", "0 k", "1 k", "0 k", "1 k"},
			final: []int64{1000 - 20 + 12 + 20, 1000 - 20, 12},
			pots:  []int64{12, 32},
		},
		{
			name: "no flop, no drop", cfg: Config{Seats: 3, SmallBlind: 5, BigBlind: 10, RakeBasisPoints: 500, RakeCap: 3},
			stacks: []int64{1000, 1000, 1000}, button: 0,
			steps: []step{"0 r 30", "1 c", "2 f"},
			legal: &Actions{Seat: 1, CanFold: true, CanCheck: true, CanRaise: true, MinRaiseTo: 10, MaxRaiseTo: 970},
		},
		{
			name: "rake is a share of each pot up to the cap", cfg: Config{Seats: 3, SmallBlind: 5, BigBlind: 10, RakeBasisPoints: 500, RakeCap: 3},
			stacks: []int64{1000, 1000, 1000}, button: 0,
			holes: map[int]string{0: "AsAh", 1: "KsKh", 2: "QsQh"}, board: "2c7d9hTc3s",
			steps: []step{"0 r 30", "1 c", "2 f", "1 r 10", "0 c", "1 k", "0 k", "1 k", "0 k"},
			// pot 30+30+10 + 10+10 = 90: 5% is 4.5, capped at 3
			final: []int64{1000 - 40 + 87, 960, 990},
			rake:  3,
		},
		{
			name: "rake rounds down", cfg: Config{Seats: 2, SmallBlind: 5, BigBlind: 10, RakeBasisPoints: 450},
			stacks: []int64{1000, 1000}, button: 0,
			holes: map[int]string{0: "AsAh", 1: "KsKh"}, board: "2c7d9hTc3s",
			steps: []step{"0 c", "1 r 20", "0 c", "1 k", "0 k", "1 k", "0 k", "1 k", "0 k"},
			// pot 40: 4.5% = 1.8, rounded down to 1
			final: []int64{1000 - 20 + 39, 980},
			rake:  1,
		},
		{
			name: "showdown order: the river bettor shows first (TDA 17)", cfg: Config{Seats: 3, SmallBlind: 5, BigBlind: 10, ManualShowdown: true},
			stacks: []int64{1000, 1000, 1000}, button: 0,
			holes: map[int]string{0: "AsAh", 1: "KsKh", 2: "QsQh"}, board: "2c7d9hTc3s",
			steps: []step{"0 c", "1 c", "2 k", "1 k", "2 k", "0 k", "1 k", "2 k", "0 k",
				"1 k", "2 r 50", "0 c", "1 c",
				"1 s !ErrNotYourTurn", "2 r 100 !ErrShowdown", "2 s", "0 s", "1 m"},
			shown: []int{2, 0},
			final: []int64{1000 - 60 + 180, 940, 940},
		},
		{
			name: "showdown order: without a river bet, first left of the button", cfg: Config{Seats: 3, SmallBlind: 5, BigBlind: 10, ManualShowdown: true},
			stacks: []int64{1000, 1000, 1000}, button: 0,
			holes: map[int]string{0: "AsAh", 1: "KsKh", 2: "QsQh"}, board: "2c7d9hTc3s",
			steps: []step{"0 c", "1 c", "2 k", "1 k", "2 k", "0 k", "1 k", "2 k", "0 k", "1 k", "2 k", "0 k",
				"2 s !ErrNotYourTurn", "1 s", "2 m", "0 s"},
			shown: []int{1, 0},
			final: []int64{1020, 990, 990},
		},
		{
			name: "automatic showdown mucks a hand that cannot win", cfg: Config{Seats: 3, SmallBlind: 5, BigBlind: 10},
			stacks: []int64{1000, 1000, 1000}, button: 0,
			holes: map[int]string{0: "AsAh", 1: "QsQh", 2: "KsKh"}, board: "2c7d9hTc3s",
			steps: []step{"0 c", "1 c", "2 k", "1 k", "2 k", "0 k", "1 k", "2 k", "0 k", "1 k", "2 k", "0 k"},
			shown: []int{1, 2, 0}, // 1 shows first; 2 beats it and shows; 0 beats both
			final: []int64{1020, 990, 990},
		},
		{
			name: "automatic showdown: a losing hand after a better one is mucked", cfg: Config{Seats: 3, SmallBlind: 5, BigBlind: 10},
			stacks: []int64{1000, 1000, 1000}, button: 0,
			holes: map[int]string{0: "QsQh", 1: "AsAh", 2: "KsKh"}, board: "2c7d9hTc3s",
			steps: []step{"0 c", "1 c", "2 k", "1 k", "2 k", "0 k", "1 k", "2 k", "0 k", "1 k", "2 k", "0 k"},
			shown: []int{1},
			final: []int64{990, 1020, 990},
		},
		{
			name: "all in: every hand is tabled (TDA 16)", cfg: Config{Seats: 3, SmallBlind: 5, BigBlind: 10},
			stacks: []int64{1000, 1000, 100}, button: 0,
			holes: map[int]string{0: "QsQh", 1: "AsAh", 2: "KsKh"}, board: "2c7d9hTc3s",
			steps: []step{"0 c", "1 c", "2 r 100", "0 c", "1 c", "1 k", "0 k", "1 k", "0 k", "1 k", "0 k"},
			// no bet on the river: first left of the button first; all three shown
			shown: []int{1, 2, 0},
			final: []int64{900, 1200, 0},
		},
		{
			name: "no raise that nobody could call", cfg: Config{Seats: 3, SmallBlind: 5, BigBlind: 10},
			stacks: []int64{300, 1000, 1000}, button: 0,
			steps: []step{"0 r 300", "1 f", "2 r 1000 !ErrRaiseNotAllowed"},
			legal: &Actions{Seat: 2, CanFold: true, CanCall: true, CallAmount: 290},
		},
		{
			name: "no turn for a player nobody can answer: the board runs out", cfg: Config{Seats: 2, SmallBlind: 5, BigBlind: 10},
			stacks: []int64{500, 1000}, button: 0,
			holes: map[int]string{0: "AsAh", 1: "KsKh"}, board: "2c7d9hTc3s",
			steps: []step{"0 r 500", "1 c", "1 k !ErrHandOver"},
			final: []int64{1000, 500},
		},
		{
			name: "forced bets put all in: the hand ends inside Start", cfg: Config{Seats: 2, SmallBlind: 5, BigBlind: 10},
			stacks: []int64{3, 1000}, button: 0,
			holes: map[int]string{0: "AsAh", 1: "KsKh"}, board: "2c7d9hTc3s",
			final:   []int64{6, 997},
			returns: map[int]int64{1: 7},
		},
		{
			name: "acting after the hand is over", cfg: blinds, stacks: six, button: 0,
			steps: []step{"3 f", "4 f", "5 f", "0 f", "1 f", "2 k !ErrHandOver"},
			final: []int64{10000, 9950, 10050, 10000, 10000, 10000},
		},
		{
			name: "short big blind: callers still owe the full big blind, the excess comes back", cfg: Config{Seats: 3, SmallBlind: 5, BigBlind: 10},
			stacks: []int64{1000, 1000, 6}, button: 0,
			holes: map[int]string{0: "QsQh", 1: "AsAh", 2: "KsKh"}, board: "2c7d9hTc3s",
			steps: []step{"0 c", "1 c", "1 k", "0 k", "1 k", "0 k", "1 k", "0 k"},
			legal: nil,
			final: []int64{990, 1016, 0},
			pots:  []int64{18, 8},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, err := New(c.cfg)
			if err != nil {
				t.Fatal(err)
			}
			deck := deckFor(t, c.stacks, c.button, c.holes, c.board, c.cfg.BurnCards)
			if err := h.Start(c.stacks, c.button, deck); err != nil {
				t.Fatal(err)
			}
			for _, s := range c.steps {
				play(t, h, s)
			}
			if c.legal != nil {
				if got := h.Legal(); got != *c.legal {
					t.Errorf("legal:\n got %+v\nwant %+v", got, *c.legal)
				}
			}
			if c.final != nil {
				r := h.Result()
				if r == nil {
					t.Fatalf("hand not complete: %+v", h.Legal())
				}
				if got := r.Final[:len(c.stacks)]; !slices.Equal(got, c.final) {
					t.Errorf("final stacks %v, want %v (pots %+v)", got, c.final, r.Pots)
				}
				if r.Rake != c.rake {
					t.Errorf("rake %d, want %d", r.Rake, c.rake)
				}
				var before, after int64
				for i := range c.stacks {
					before += c.stacks[i]
					after += r.Final[i]
				}
				if before != after+r.Rake {
					t.Errorf("chips: %d before, %d + rake %d after", before, after, r.Rake)
				}
			}
			if c.pots != nil {
				var got []int64
				for _, p := range h.Result().Pots {
					got = append(got, p.Amount)
				}
				if !slices.Equal(got, c.pots) {
					t.Errorf("pots %v, want %v", got, c.pots)
				}
			}
			if c.shown != nil {
				var got []int
				for _, e := range h.Events() {
					if e.Kind == EvShow {
						got = append(got, int(e.Seat))
					}
				}
				if !slices.Equal(got, c.shown) {
					t.Errorf("shown %v, want %v", got, c.shown)
				}
			}
			for seat, amt := range c.returns {
				if got := h.Result().Returned[seat]; got != amt {
					t.Errorf("seat %d got %d back, want %d", seat, got, amt)
				}
			}
			if c.check != nil {
				c.check(t, h)
			}
		})
	}
}

func TestRakeLargePot(t *testing.T) {
	h, err := New(Config{Seats: 2, SmallBlind: 1, BigBlind: 2, RakeBasisPoints: 9999})
	if err != nil {
		t.Fatal(err)
	}
	const big = int64(1) << 61 // pot × basis points would overflow int64
	stacks := []int64{big, big}
	deck := deckFor(t, stacks, 0, map[int]string{0: "AsAh", 1: "KsKh"}, "2c7d9hTc3s", false)
	if err := h.Start(stacks, 0, deck); err != nil {
		t.Fatal(err)
	}
	play(t, h, step(fmt.Sprintf("0 r %d", big)))
	play(t, h, "1 c")
	r := h.Result()
	pot := 2 * big
	want := pot/10000*9999 + pot%10000*9999/10000
	if r.Rake != want || r.Final[0] != pot-want || r.Final[1] != 0 {
		t.Fatalf("rake %d final %v, want rake %d", r.Rake, r.Final[:2], want)
	}
}

func TestDefaultAction(t *testing.T) {
	for _, c := range []struct {
		a    Actions
		want ActionKind
	}{
		{Actions{CanFold: true, CanCheck: true}, Check},
		{Actions{CanFold: true, CanCall: true}, Fold},
		{Actions{Showdown: true}, Show},
	} {
		if got := c.a.Default().Kind; got != c.want {
			t.Errorf("%+v: %v, want %v", c.a, got, c.want)
		}
	}
}

func TestNextButton(t *testing.T) {
	cases := []struct {
		stacks []int64
		prev   int
		want   int
	}{
		{[]int64{1, 1, 1}, 0, 1},
		{[]int64{1, 0, 1}, 0, 2},
		{[]int64{1, 0, 1}, 2, 0},
		{[]int64{0, 0, 1}, 2, -1},
		{[]int64{1, 1, 0, 0}, 3, 0},
		{[]int64{1, 1}, -1, 0},
	}
	for _, c := range cases {
		if got := NextButton(c.stacks, c.prev); got != c.want {
			t.Errorf("NextButton(%v, %d) = %d, want %d", c.stacks, c.prev, got, c.want)
		}
	}
}

func TestStartErrors(t *testing.T) {
	h, err := New(Config{Seats: 3, SmallBlind: 1, BigBlind: 2})
	if err != nil {
		t.Fatal(err)
	}
	var deck [52]card.Card
	for i := range deck {
		deck[i] = card.Card(i)
	}
	bad := deck
	bad[5] = bad[6]
	for _, c := range []struct {
		stacks []int64
		button int
		deck   *[52]card.Card
	}{
		{[]int64{10, 10}, 0, &deck},
		{[]int64{10, 10, 0}, 2, &deck},
		{[]int64{10, 0, 0}, 0, &deck},
		{[]int64{10, -1, 10}, 0, &deck},
		{[]int64{10, 10, 10}, 0, &bad},
	} {
		if err := h.Start(c.stacks, c.button, c.deck); !errors.Is(err, ErrStart) {
			t.Errorf("Start(%v, %d): %v, want ErrStart", c.stacks, c.button, err)
		}
	}
	for _, cfg := range []Config{{Seats: 1, BigBlind: 2}, {Seats: 10, BigBlind: 2}, {BigBlind: 0},
		{BigBlind: 2, SmallBlind: 3}, {BigBlind: 2, RakeBasisPoints: 10001}} {
		if _, err := New(cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("New(%+v): %v, want ErrConfig", cfg, err)
		}
	}
}
