package engine

import (
	"errors"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/arcadehq/arcade/internal/poker/card"
	"github.com/arcadehq/arcade/internal/poker/eval"
)

// shuffle sets d to a random order of the 52 cards.
func shuffle(rng *rand.Rand, d *[52]card.Card) {
	for i := range d {
		d[i] = card.Card(i)
	}
	for i := 51; i > 0; i-- {
		j := rng.IntN(i + 1)
		d[i], d[j] = d[j], d[i]
	}
}

// randomAction picks uniformly among the legal kinds (fold, check/call, raise), a raise to a
// uniform amount in [min, max]: the action mix of the PokerKit bench.
func randomAction(rng *rand.Rand, a Actions) Action {
	if a.Showdown {
		if rng.IntN(4) == 0 {
			return Action{Kind: Muck}
		}
		return Action{Kind: Show}
	}
	var kinds [3]ActionKind
	n := 0
	if a.CanFold {
		kinds[n] = Fold
		n++
	}
	if a.CanCheck {
		kinds[n] = Check
		n++
	} else if a.CanCall {
		kinds[n] = Call
		n++
	}
	if a.CanRaise {
		kinds[n] = Raise
		n++
	}
	k := kinds[rng.IntN(n)]
	if k == Raise {
		return Action{Kind: Raise, Amount: a.MinRaiseTo + rng.Int64N(a.MaxRaiseTo-a.MinRaiseTo+1)}
	}
	return Action{Kind: k}
}

// propertyHands is how many random hands TestRandomHands plays: 100,000 by default (about a
// second), 10,000 with -short, 5,000,000 with ARCADE_POKER_LONG=1.
func propertyHands() int {
	if os.Getenv("ARCADE_POKER_LONG") == "1" {
		return 5_000_000
	}
	if testing.Short() {
		return 10_000
	}
	return 100_000
}

// TestRandomHands plays random hands at random tables (2 to 9 seats, some empty, random stacks,
// blinds, antes, big-blind antes, rake, manual or automatic showdown) with random legal actions
// and an occasional illegal one, and checks after every action that chips are conserved and no
// stack is negative, that illegal actions change nothing, and at the end that every pot is paid
// exactly and stacks plus rake equal the stacks before. A failure names its seed.
func TestRandomHands(t *testing.T) {
	hands := propertyHands()
	start := time.Now()
	actions := 0
	for seed := 0; seed < hands; seed++ {
		n, err := playRandomHand(uint64(seed))
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		actions += n
	}
	t.Logf("%d random hands, %d actions in %v", hands, actions, time.Since(start).Round(time.Millisecond))
}

type propError string

func (e propError) Error() string { return string(e) }

func playRandomHand(seed uint64) (int, error) {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	seats := 2 + rng.IntN(8)
	bb := int64(1 + rng.IntN(200))
	cfg := Config{
		Seats:          seats,
		BigBlind:       bb,
		SmallBlind:     rng.Int64N(bb + 1),
		ManualShowdown: rng.IntN(2) == 0,
		BurnCards:      rng.IntN(2) == 0,
	}
	switch rng.IntN(4) {
	case 1:
		cfg.Ante = 1 + rng.Int64N(bb)
	case 2:
		cfg.BigBlindAnte = 1 + rng.Int64N(2*bb)
	}
	if rng.IntN(2) == 0 {
		cfg.RakeBasisPoints = rng.Int64N(1001)
		cfg.RakeCap = rng.Int64N(10 * bb)
	}
	h, err := New(cfg)
	if err != nil {
		return 0, err
	}
	stacks := make([]int64, seats)
	players := 0
	for i := range stacks {
		if rng.IntN(6) == 0 {
			continue // empty seat
		}
		switch rng.IntN(3) {
		case 0:
			stacks[i] = 1 + rng.Int64N(3*bb) // short: all-ins on the blinds and antes
		default:
			stacks[i] = 1 + rng.Int64N(200*bb)
		}
		players++
	}
	for players < 2 {
		i := rng.IntN(seats)
		if stacks[i] == 0 {
			stacks[i] = 1 + rng.Int64N(100*bb)
			players++
		}
	}
	button := NextButton(stacks, rng.IntN(seats))
	var deck [52]card.Card
	shuffle(rng, &deck)
	var before int64
	for _, s := range stacks {
		before += s
	}
	if err := h.Start(stacks, button, &deck); err != nil {
		return 0, err
	}
	check := func() error {
		var sum int64
		for i := 0; i < seats; i++ {
			if h.Stack(i) < 0 {
				return propError("negative stack")
			}
			sum += h.Stack(i)
		}
		if sum+h.Pot() != before {
			return propError("chips not conserved during the hand")
		}
		return nil
	}
	acts := 0
	for h.Phase() != Complete {
		if err := check(); err != nil {
			return acts, err
		}
		if acts > 500 {
			return acts, propError("hand does not end")
		}
		a := h.Legal()
		if a.Seat < 0 {
			return acts, propError("no seat to act in a live hand")
		}
		if err := checkLegal(h, a); err != nil {
			return acts, err
		}
		if rng.IntN(8) == 0 {
			if err := tryIllegal(h, rng, a); err != nil {
				return acts, err
			}
		}
		act := randomAction(rng, a)
		if err := h.Act(a.Seat, act); err != nil {
			return acts, err
		}
		acts++
	}
	r := h.Result()
	var after, won int64
	for i := 0; i < seats; i++ {
		if r.Final[i] < 0 {
			return acts, propError("negative final stack")
		}
		after += r.Final[i]
		won += r.Won[i]
		if r.Final[i] != h.Stack(i) {
			return acts, propError("result and stack disagree")
		}
	}
	if after+r.Rake != before {
		return acts, propError("stacks plus rake differ from the stacks before")
	}
	// Every pot paid exactly: what the events say each pot paid, plus its rake, is its amount.
	paid := make([]int64, len(r.Pots))
	var committed int64
	for i := 0; i < seats; i++ {
		committed += h.Committed(i)
	}
	for _, e := range h.Events() {
		if e.Kind == EvWin {
			paid[e.Pot] += e.Amount
		}
	}
	if err := auditWinners(h, r); err != nil {
		return acts, err
	}
	var pots, rake int64
	for p, pot := range r.Pots {
		if paid[p]+pot.Rake != pot.Amount {
			return acts, propError("pot not paid exactly")
		}
		if pot.Winners == 0 || pot.Winners&^pot.Eligible != 0 {
			return acts, propError("pot won by a seat not eligible")
		}
		pots += pot.Amount
		rake += pot.Rake
	}
	if rake != r.Rake || won+rake != pots {
		return acts, propError("rake or winnings do not add up")
	}
	if cfg.RakeCap > 0 && rake > cfg.RakeCap {
		return acts, propError("rake above the cap")
	}
	if len(r.Board) < 3 && rake != 0 {
		return acts, propError("rake without a flop")
	}
	// Committed counts what stayed in: uncalled bets and unwinnable antes came back.
	if committed != pots {
		return acts, propError("pots do not hold what was committed")
	}
	return acts, nil
}

// tryIllegal makes one action that must be refused and checks that it changed nothing.
func tryIllegal(h *Hand, rng *rand.Rand, a Actions) error {
	pot, stack, n := h.Pot(), h.Stack(a.Seat), len(h.Events())
	var act Action
	seat := a.Seat
	want := error(nil)
	switch rng.IntN(4) {
	case 0:
		seat = (a.Seat + 1 + rng.IntN(h.cfg.Seats-1)) % h.cfg.Seats
		act = Action{Kind: Check}
	case 1:
		if a.Showdown || !a.CanRaise || a.MinRaiseTo == a.MaxRaiseTo {
			return nil
		}
		act, want = Action{Kind: Raise, Amount: a.MinRaiseTo - 1}, ErrBelowMinRaise
	case 2:
		if a.Showdown || !a.CanRaise {
			return nil
		}
		act, want = Action{Kind: Raise, Amount: a.MaxRaiseTo + 1}, ErrAboveStack
	default:
		if a.Showdown {
			act, want = Action{Kind: Call}, ErrShowdown
		} else if a.CanCall {
			act, want = Action{Kind: Check}, ErrCannotCheck
		} else {
			act, want = Action{Kind: Call}, ErrNothingToCall
		}
	}
	err := h.Act(seat, act)
	if err == nil {
		return propError("illegal action accepted: " + act.Kind.String())
	}
	var ae *ActionError
	if !errors.As(err, &ae) {
		return propError("error is not an *ActionError")
	}
	if want != nil && !errors.Is(err, want) {
		return propError("wrong error: " + err.Error())
	}
	if h.Pot() != pot || h.Stack(a.Seat) != stack || len(h.Events()) != n {
		return propError("illegal action changed the hand")
	}
	return nil
}

// FuzzHand plays the random hand of a seed with every check of TestRandomHands.
func FuzzHand(f *testing.F) {
	for s := uint64(0); s < 16; s++ {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, seed uint64) {
		if _, err := playRandomHand(seed); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
	})
}

// checkLegal checks the legal set against the rules it must satisfy whatever the history.
func checkLegal(h *Hand, a Actions) error {
	if a.Showdown {
		if a.CanFold || a.CanCheck || a.CanCall || a.CanRaise || !h.InHand(a.Seat) {
			return propError("showdown turn offers betting")
		}
		return nil
	}
	i := a.Seat
	switch {
	case h.state[i] != active:
		return propError("seat to act is not active")
	case !a.CanFold || a.CanCheck == a.CanCall:
		return propError("fold, and exactly one of check and call, must be offered")
	case a.CanCall && (a.CallAmount <= 0 || a.CallAmount > h.Stack(i) || a.CallAmount > h.currentBet-h.Bet(i)):
		return propError("call amount out of range")
	case a.CanRaise && (a.MaxRaiseTo != h.Bet(i)+h.Stack(i) || a.MinRaiseTo > a.MaxRaiseTo || a.MinRaiseTo <= h.currentBet):
		return propError("raise range wrong")
	case a.CanRaise && a.MinRaiseTo < a.MaxRaiseTo && a.MinRaiseTo-h.currentBet < h.cfg.MinBet:
		return propError("minimum raise below the minimum bet")
	case !a.CanRaise && !h.acted[i] && h.Stack(i) > h.currentBet-h.Bet(i) && canAnswer(h, i):
		return propError("raise refused to a player who has not acted")
	}
	return nil
}

// canAnswer reports whether another player could put in more than the current bet.
func canAnswer(h *Hand, i int) bool {
	for j := 0; j < h.n; j++ {
		if j != i && h.state[j] == active && h.Bet(j)+h.Stack(j) > h.currentBet {
			return true
		}
	}
	return false
}

// auditWinners recomputes, independently of the engine's bookkeeping, who should win each pot:
// the best hand (eval.Best over hole and board) among the eligible seats that did not muck, all
// of them if every one mucked; and checks the split: equal shares, the odd chips one each to the
// first winners clockwise from the button.
func auditWinners(h *Hand, r *Result) error {
	won := make([][MaxSeats]int64, len(r.Pots))
	for _, e := range h.Events() {
		if e.Kind == EvWin {
			won[e.Pot][e.Seat] += e.Amount
		}
	}
	for p, pot := range r.Pots {
		contenders := pot.Eligible
		for i := 0; i < h.n; i++ {
			if r.Mucked[i] {
				contenders &^= 1 << i
			}
		}
		if contenders == 0 {
			contenders = pot.Eligible
		}
		var want uint16
		if contenders&(contenders-1) == 0 {
			want = contenders
		} else {
			var best eval.Rank
			for i := 0; i < h.n; i++ {
				if contenders&(1<<i) == 0 {
					continue
				}
				cards := append([]card.Card{r.Hole[i][0], r.Hole[i][1]}, r.Board...)
				switch rk := eval.Best(cards...); {
				case rk > best:
					best, want = rk, 1<<i
				case rk == best:
					want |= 1 << i
				}
			}
		}
		if want != pot.Winners {
			return propError("pot won by the wrong seats")
		}
		k := int64(0)
		for w := want; w != 0; w &= w - 1 {
			k++
		}
		net := pot.Amount - pot.Rake
		odd := net % k
		for j, i := 0, h.button; j < h.n; j++ {
			i = h.nextSeat(i)
			if want&(1<<i) == 0 {
				continue
			}
			share := net / k
			if odd > 0 {
				share++
				odd--
			}
			if won[p][i] != share {
				return propError("pot split wrongly")
			}
		}
	}
	return nil
}
