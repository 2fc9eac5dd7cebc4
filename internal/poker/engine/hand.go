package engine

import (
	"fmt"

	"github.com/arcadehq/arcade/internal/poker/card"
	"github.com/arcadehq/arcade/internal/poker/eval"
)

// seat states within a hand
const (
	out    uint8 = iota // empty seat or not dealt in
	active              // in the hand, chips behind
	folded
	allIn
)

// Hand is one table's hand in progress, reused from hand to hand. It is not safe for concurrent
// use; a table's runtime owns one.
type Hand struct {
	cfg   Config
	phase Phase

	n               int // table size
	button, sb, bb  int
	deck            [52]card.Card
	next            int // next deck position to deal
	state           [MaxSeats]uint8
	stack           [MaxSeats]int64
	bet             [MaxSeats]int64 // on this street
	total           [MaxSeats]int64 // blinds and bets over the hand (antes apart)
	ante            [MaxSeats]int64 // antes posted
	owedAnte        [MaxSeats]int64 // antes due
	acted           [MaxSeats]bool  // has acted on this street (canRaise applies TDA 47 with it)
	street          Street
	toAct           int
	currentBet      int64 // highest bet on this street (or the big blind before the flop)
	minRaise        int64 // last full bet or raise increment on this street
	aggressor       int   // last bettor or raiser on this street, -1 if none
	numLive, numAct int   // not folded; active (not folded, not all in)
	sdOrder         [MaxSeats]int8
	sdLen, sdPos    int
	rank            [MaxSeats]eval.Rank
	events          []Event
	res             Result
}

// New returns a Hand for a table with the given rules, ready for Start.
func New(cfg Config) (*Hand, error) {
	if err := cfg.normalize(); err != nil {
		return nil, err
	}
	return &Hand{cfg: cfg, toAct: -1, events: make([]Event, 0, 128)}, nil
}

// Config returns the table's rules (with defaults filled in).
func (h *Hand) Config() Config { return h.cfg }

// Phase says where the hand stands.
func (h *Hand) Phase() Phase { return h.phase }

// Street is the current betting round.
func (h *Hand) Street() Street { return h.street }

// Button is the button's seat.
func (h *Hand) Button() int { return h.button }

// Blinds returns the small-blind and big-blind seats.
func (h *Hand) Blinds() (sb, bb int) { return h.sb, h.bb }

// Stack is a seat's chips behind (not yet in the pot).
func (h *Hand) Stack(seat int) int64 { return h.stack[seat] }

// Bet is a seat's bet on the current street.
func (h *Hand) Bet(seat int) int64 { return h.bet[seat] }

// Committed is what a seat has put in the pot this hand, antes included.
func (h *Hand) Committed(seat int) int64 { return h.total[seat] + h.ante[seat] }

// Pot is every chip put in so far, current bets included.
func (h *Hand) Pot() int64 {
	var p int64
	for i := 0; i < h.n; i++ {
		p += h.total[i] + h.ante[i]
	}
	return p
}

// InHand reports whether a seat was dealt in and has not folded.
func (h *Hand) InHand(seat int) bool {
	return seat >= 0 && seat < h.n && (h.state[seat] == active || h.state[seat] == allIn)
}

// Folded reports whether a seat was dealt in and has folded.
func (h *Hand) Folded(seat int) bool { return seat >= 0 && seat < h.n && h.state[seat] == folded }

// AllIn reports whether a seat is in the hand with no chips behind.
func (h *Hand) AllIn(seat int) bool { return seat >= 0 && seat < h.n && h.state[seat] == allIn }

// Hole returns a seat's hole cards (private: the runtime shows them to their owner only).
func (h *Hand) Hole(seat int) [2]card.Card { return h.res.Hole[seat] }

// Board returns the community cards dealt so far.
func (h *Hand) Board() []card.Card { return h.res.Board }

// Events returns everything that happened in this hand so far, in order. The slice is reused by
// the next Start; a runtime broadcasting as it goes remembers how many it has sent.
func (h *Hand) Events() []Event { return h.events }

// Result returns the outcome once Phase is Complete (nil before). It stays valid until the next
// Start.
func (h *Hand) Result() *Result {
	if h.phase != Complete {
		return nil
	}
	return &h.res
}

// NextButton returns the seat the button moves to after prev: the next seat clockwise with
// chips (the simplified moving button; see the package doc). It returns -1 when fewer than two
// seats have chips.
func NextButton(stacks []int64, prev int) int {
	n := len(stacks)
	if n == 0 {
		return -1
	}
	players := 0
	for _, s := range stacks {
		if s > 0 {
			players++
		}
	}
	if players < 2 {
		return -1
	}
	if prev < 0 || prev >= n {
		prev = n - 1
	}
	for k := 1; k <= n; k++ {
		if i := (prev + k) % n; stacks[i] > 0 {
			return i
		}
	}
	return -1
}

// DeckPosition returns where in the deck a card is taken from, so that a recorded hand can be
// turned back into a deck order: hole card r (0 or 1) of the player who is k-th (from 0) in
// dealing order, for a hand of players players; or board card b (0..4) when k < 0.
func DeckPosition(players, k, r, b int, burn bool) int {
	if k >= 0 {
		return r*players + k
	}
	p := 2 * players
	if burn {
		switch {
		case b < 3:
			return p + 1 + b
		case b == 3:
			return p + 5
		default:
			return p + 7
		}
	}
	return p + b
}

func (h *Hand) emit(e Event) {
	e.Street = h.street
	h.events = append(h.events, e)
}

func (h *Hand) nextSeat(i int) int {
	i++
	if i == h.n {
		return 0
	}
	return i
}

// Start begins a hand. stacks has one entry per seat of the table (len Config.Seats); a seat
// with 0 is empty or sitting out and is not dealt in. button is the button's seat (it must hold a
// player). deck is the card order; cards are dealt from position 0 up (see DeckPosition).
// Forced bets are posted and the hole cards dealt before Start returns; when the forced bets
// leave nobody who must act (all in but one, who has matched), the board is dealt and the hand
// is already at its showdown (Complete, or Showdown with Config.ManualShowdown).
func (h *Hand) Start(stacks []int64, button int, deck *[52]card.Card) error {
	if len(stacks) != h.cfg.Seats {
		return fmt.Errorf("%w: %d stacks for a %d-seat table", ErrStart, len(stacks), h.cfg.Seats)
	}
	if button < 0 || button >= len(stacks) || stacks[button] <= 0 {
		return fmt.Errorf("%w: button seat %d holds no player", ErrStart, button)
	}
	var seen, bad uint64
	for _, c := range deck {
		bad |= uint64(c) &^ 63 // a value of 64 or more; 52..63 leave a hole in seen below
		seen |= 1 << (c & 63)
	}
	if bad != 0 || seen != uint64(card.FullDeck) {
		return fmt.Errorf("%w: the deck is not the 52 cards once each", ErrStart)
	}
	players := 0
	for i, s := range stacks {
		if s < 0 {
			return fmt.Errorf("%w: seat %d has a negative stack", ErrStart, i)
		}
		if s > 0 {
			players++
		}
	}
	if players < 2 {
		return fmt.Errorf("%w: %d players, need 2", ErrStart, players)
	}

	n := len(stacks)
	h.n = n
	h.deck = *deck
	h.next = 0
	h.events = h.events[:0]
	h.street = Preflop
	h.phase = Betting
	h.sdLen, h.sdPos = 0, 0
	h.res = Result{Pots: h.res.Pots[:0], Board: h.res.Board[:0], Button: button}
	h.numLive, h.numAct = players, players
	for i := 0; i < MaxSeats; i++ {
		h.bet[i], h.total[i], h.ante[i], h.owedAnte[i] = 0, 0, 0, 0
		h.acted[i] = false
		h.rank[i] = 0
		h.state[i] = out
		h.stack[i] = 0
		if i < n && stacks[i] > 0 {
			h.state[i] = active
			h.stack[i] = stacks[i]
		}
		if i < n {
			h.res.Start[i] = stacks[i]
		}
	}
	h.button = button
	if players == 2 {
		// Heads-up: the button posts the small blind and acts first before the flop.
		h.sb = button
		h.bb = h.nextPlayer(button)
	} else {
		h.sb = h.nextPlayer(button)
		h.bb = h.nextPlayer(h.sb)
	}
	h.emit(Event{Kind: EvStart, Seat: int8(button)})

	// Antes first (dead money), the big-blind ante included, then the blinds.
	for k, i := 0, h.nextPlayer(button); k < players; k, i = k+1, h.nextPlayer(i) {
		owed := h.cfg.Ante
		if i == h.bb {
			owed += h.cfg.BigBlindAnte
		}
		if owed > 0 {
			h.owedAnte[i] = owed
			h.postAnte(i, owed)
		}
	}
	h.postBlind(h.sb, h.cfg.SmallBlind, EvSmallBlind)
	h.postBlind(h.bb, h.cfg.BigBlind, EvBigBlind)

	// Deal: one card at a time clockwise from the first seat left of the button, twice.
	for r := 0; r < 2; r++ {
		for k, i := 0, h.nextPlayer(button); k < players; k, i = k+1, h.nextPlayer(i) {
			h.res.Hole[i][r] = h.deck[h.next]
			h.next++
		}
	}
	for k, i := 0, h.nextPlayer(button); k < players; k, i = k+1, h.nextPlayer(i) {
		e := Event{Kind: EvHole, Seat: int8(i), N: 2}
		e.Cards[0], e.Cards[1] = h.res.Hole[i][0], h.res.Hole[i][1]
		h.emit(e)
	}

	h.currentBet = h.cfg.BigBlind
	for i := 0; i < n; i++ {
		if h.bet[i] > h.currentBet {
			h.currentBet = h.bet[i]
		}
	}
	h.minRaise = h.cfg.BigBlind
	if h.cfg.MinBet > h.minRaise {
		h.minRaise = h.cfg.MinBet
	}
	h.aggressor = -1
	h.toAct = h.bb
	h.advance()
	return nil
}

// nextPlayer is the next seat clockwise after i that was dealt in.
func (h *Hand) nextPlayer(i int) int {
	for k := 0; k < h.n; k++ {
		i = h.nextSeat(i)
		if h.state[i] != out {
			return i
		}
	}
	return i
}

func (h *Hand) take(i int, amount int64) int64 {
	if amount >= h.stack[i] {
		amount = h.stack[i]
	}
	h.stack[i] -= amount
	if h.stack[i] == 0 && h.state[i] == active {
		h.state[i] = allIn
		h.numAct--
	}
	return amount
}

func (h *Hand) postAnte(i int, amount int64) {
	if h.stack[i] == 0 {
		return
	}
	a := h.take(i, amount)
	h.ante[i] += a
	h.emit(Event{Kind: EvAnte, Seat: int8(i), Amount: a, AllIn: h.stack[i] == 0})
}

func (h *Hand) postBlind(i int, amount int64, kind EventKind) {
	if amount == 0 || h.stack[i] == 0 {
		return
	}
	a := h.take(i, amount)
	h.bet[i] += a
	h.total[i] += a
	h.emit(Event{Kind: kind, Seat: int8(i), Amount: a, To: h.bet[i], AllIn: h.stack[i] == 0})
}

// needsAction reports whether seat i must still act on this street.
func (h *Hand) needsAction(i int) bool {
	if h.state[i] != active {
		return false
	}
	if h.bet[i] < h.currentBet {
		return true
	}
	return !h.acted[i] && h.numAct >= 2
}

// advance moves the turn to the next seat, from h.toAct (exclusive), that must act, or ends the
// betting round.
func (h *Hand) advance() {
	for {
		if h.numLive == 1 {
			h.finish()
			return
		}
		i := h.toAct
		for k := 0; k < h.n; k++ {
			i = h.nextSeat(i)
			if h.needsAction(i) {
				h.toAct = i
				return
			}
		}
		// Betting round over.
		if h.street == River || h.numAct < 2 {
			h.returnUncalled()
			for h.street < River {
				h.dealStreet()
			}
			h.startShowdown()
			return
		}
		h.dealStreet()
		for i := 0; i < h.n; i++ {
			h.bet[i] = 0
			h.acted[i] = false
		}
		h.currentBet = 0
		h.minRaise = h.cfg.MinBet
		h.aggressor = -1
		h.toAct = h.button // the search starts left of the button
	}
}

func (h *Hand) dealStreet() {
	h.street++
	cnt := 1
	if h.street == Flop {
		cnt = 3
	}
	if h.cfg.BurnCards {
		h.next++
	}
	e := Event{Kind: EvBoard, Seat: -1, N: uint8(cnt)}
	for k := 0; k < cnt; k++ {
		c := h.deck[h.next]
		h.next++
		e.Cards[k] = c
		h.res.Board = append(h.res.Board, c)
	}
	h.emit(e)
}

// Legal returns what the player to act may do now.
func (h *Hand) Legal() Actions {
	switch h.phase {
	case Betting:
	case Showdown:
		return Actions{Seat: int(h.sdOrder[h.sdPos]), Showdown: true}
	default:
		return Actions{Seat: -1}
	}
	i := h.toAct
	a := Actions{Seat: i, CanFold: true}
	owed := h.currentBet - h.bet[i]
	if owed <= 0 {
		a.CanCheck = true
	} else {
		a.CanCall = true
		a.CallAmount = owed
		if owed > h.stack[i] {
			a.CallAmount = h.stack[i]
		}
	}
	if h.canRaise(i) {
		a.CanRaise = true
		a.MaxRaiseTo = h.bet[i] + h.stack[i]
		a.MinRaiseTo = h.currentBet + h.minRaise
		if a.MinRaiseTo > a.MaxRaiseTo {
			a.MinRaiseTo = a.MaxRaiseTo
		}
	}
	return a
}

// canRaise: chips beyond a call, the betting open to this player (TDA Rule 47: a player who has
// acted may raise again only when facing at least a full raise since, whether one raise or
// several short all-ins together), and someone who could put in more than the current bet (a
// raise nobody can call would only come back as an uncalled bet; PokerKit refuses it too).
func (h *Hand) canRaise(i int) bool {
	if h.stack[i] <= h.currentBet-h.bet[i] {
		return false
	}
	if h.acted[i] && h.currentBet-h.bet[i] < h.minRaise {
		return false
	}
	for j := 0; j < h.n; j++ {
		if j != i && h.state[j] == active && h.bet[j]+h.stack[j] > h.currentBet {
			return true
		}
	}
	return false
}

// Act applies seat's action. A rejected action changes nothing; its error is an *ActionError
// wrapping one of the Err sentinels.
func (h *Hand) Act(seat int, a Action) error {
	if err := h.act(seat, a); err != nil {
		return &ActionError{Seat: seat, Action: a, Err: err}
	}
	return nil
}

func (h *Hand) act(seat int, a Action) error {
	switch h.phase {
	case Betting:
	case Showdown:
		return h.showdownAct(seat, a)
	default:
		return ErrHandOver
	}
	if seat != h.toAct {
		if seat < 0 || seat >= h.n || h.state[seat] == out {
			return ErrNotInHand
		}
		if h.state[seat] == folded {
			return ErrFolded
		}
		if h.state[seat] == allIn {
			return ErrAllIn
		}
		return ErrNotYourTurn
	}
	i := seat
	owed := h.currentBet - h.bet[i]
	switch a.Kind {
	case Fold:
		h.state[i] = folded
		h.numLive--
		h.numAct--
		h.emit(Event{Kind: EvFold, Seat: int8(i)})
	case Check:
		if owed > 0 {
			return ErrCannotCheck
		}
		h.acted[i] = true
		h.emit(Event{Kind: EvCheck, Seat: int8(i)})
	case Call:
		if owed <= 0 {
			return ErrNothingToCall
		}
		add := h.take(i, owed)
		h.bet[i] += add
		h.total[i] += add
		h.acted[i] = true
		h.emit(Event{Kind: EvCall, Seat: int8(i), Amount: add, To: h.bet[i], AllIn: h.stack[i] == 0})
	case Raise:
		if !h.canRaise(i) {
			return ErrRaiseNotAllowed
		}
		maxTo := h.bet[i] + h.stack[i]
		minTo := h.currentBet + h.minRaise
		if minTo > maxTo {
			minTo = maxTo
		}
		if a.Amount > maxTo {
			return ErrAboveStack
		}
		if a.Amount < minTo {
			return ErrBelowMinRaise
		}
		kind := EvRaise
		if h.currentBet == 0 {
			kind = EvBet
		}
		if inc := a.Amount - h.currentBet; inc >= h.minRaise {
			h.minRaise = inc // a full raise: it sets the minimum for the next one (TDA Rule 43)
		}
		add := h.take(i, a.Amount-h.bet[i])
		h.bet[i] = a.Amount
		h.total[i] += add
		h.currentBet = a.Amount
		h.aggressor = i
		h.acted[i] = true
		h.emit(Event{Kind: kind, Seat: int8(i), Amount: add, To: a.Amount, AllIn: h.stack[i] == 0})
	case Show, Muck:
		return ErrNotShowdown
	default:
		return ErrBadAction
	}
	h.advance()
	return nil
}

// returnUncalled gives back the part of the largest bet nobody matched.
func (h *Hand) returnUncalled() {
	top, second := -1, int64(0)
	for i := 0; i < h.n; i++ {
		t := h.total[i]
		if top < 0 || t > h.total[top] {
			if top >= 0 && h.total[top] > second {
				second = h.total[top]
			}
			top = i
		} else if t > second {
			second = t
		}
	}
	if top < 0 {
		return
	}
	if d := h.total[top] - second; d > 0 {
		h.total[top] -= d
		h.stack[top] += d
		if h.bet[top] >= d {
			h.bet[top] -= d
		}
		h.res.Returned[top] += d
		if h.state[top] == allIn {
			h.state[top] = active
			h.numAct++
		}
		h.emit(Event{Kind: EvReturn, Seat: int8(top), Amount: d})
	}
}
