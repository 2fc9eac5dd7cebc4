package engine

import (
	"errors"
	"fmt"

	"github.com/arcadehq/arcade/internal/poker/card"
	"github.com/arcadehq/arcade/internal/poker/eval"
)

// Table sizes the engine plays.
const (
	MinSeats     = 2
	MaxSeats     = 9
	DefaultSeats = 6
)

// Config is a table's fixed rules. The zero value of each optional field means "off".
type Config struct {
	Seats        int   // table size, MinSeats..MaxSeats; 0 means DefaultSeats
	SmallBlind   int64 // may be 0
	BigBlind     int64 // > 0
	Ante         int64 // posted by every player dealt in
	BigBlindAnte int64 // posted by the big blind only (dead money)
	MinBet       int64 // smallest opening bet on every street; 0 means BigBlind

	RakeBasisPoints int64 // rake per pot, in 1/10000 of the pot (500 = 5%)
	RakeCap         int64 // most rake taken in one hand; 0 means no cap

	// UntrimmedAntes lets a player who posted a short ante win every ante in full (PHH's
	// ante_trimming_status = false, its default). Off, the standard side-pot rule holds: a short
	// ante wins from each player only as much as it put in.
	UntrimmedAntes bool

	BurnCards      bool // burn one card before the flop, the turn and the river
	ManualShowdown bool // the players Show or Muck in turn; otherwise the engine decides
}

func (c *Config) normalize() error {
	if c.Seats == 0 {
		c.Seats = DefaultSeats
	}
	if c.MinBet == 0 {
		c.MinBet = c.BigBlind
	}
	switch {
	case c.Seats < MinSeats || c.Seats > MaxSeats:
		return fmt.Errorf("%w: %d seats, want %d to %d", ErrConfig, c.Seats, MinSeats, MaxSeats)
	case c.BigBlind <= 0:
		return fmt.Errorf("%w: big blind %d must be positive", ErrConfig, c.BigBlind)
	case c.SmallBlind < 0 || c.SmallBlind > c.BigBlind:
		return fmt.Errorf("%w: small blind %d outside 0..big blind", ErrConfig, c.SmallBlind)
	case c.Ante < 0 || c.BigBlindAnte < 0:
		return fmt.Errorf("%w: negative ante", ErrConfig)
	case c.MinBet < 0:
		return fmt.Errorf("%w: negative minimum bet", ErrConfig)
	case c.RakeBasisPoints < 0 || c.RakeBasisPoints > 10000:
		return fmt.Errorf("%w: rake %d basis points outside 0..10000", ErrConfig, c.RakeBasisPoints)
	case c.RakeCap < 0:
		return fmt.Errorf("%w: negative rake cap", ErrConfig)
	}
	return nil
}

// Street is a betting round.
type Street uint8

// Streets, in order.
const (
	Preflop Street = iota
	Flop
	Turn
	River
)

var streetNames = [...]string{"preflop", "flop", "turn", "river"}

func (s Street) String() string {
	if int(s) < len(streetNames) {
		return streetNames[s]
	}
	return fmt.Sprintf("street(%d)", s)
}

// Phase is where a hand stands.
type Phase uint8

// Phases, in order.
const (
	Idle     Phase = iota // no hand started
	Betting               // a player must Fold, Check, Call or Raise
	Showdown              // a player must Show or Muck (Config.ManualShowdown only)
	Complete              // the pots are paid; Result is final
)

// ActionKind is what a player does.
type ActionKind uint8

// Action kinds. Raise also opens the betting (a bet is a raise from zero).
const (
	Fold ActionKind = iota + 1
	Check
	Call
	Raise // Amount is the raise-to total of the player's bet on this street
	Show
	Muck
)

var actionNames = [...]string{"", "fold", "check", "call", "raise", "show", "muck"}

func (k ActionKind) String() string {
	if int(k) < len(actionNames) && k != 0 {
		return actionNames[k]
	}
	return fmt.Sprintf("action(%d)", k)
}

// Action is one player decision.
type Action struct {
	Kind   ActionKind
	Amount int64 // Raise only: the total the player's bet on this street is raised to
}

// Actions is what the player to act may do now.
type Actions struct {
	Seat       int  // whose turn it is; -1 when nobody's (hand over)
	Showdown   bool // the seat must Show or Muck
	CanFold    bool
	CanCheck   bool
	CanCall    bool
	CanRaise   bool
	CallAmount int64 // chips a call adds (less than owed when it puts the player all in)
	MinRaiseTo int64 // smallest legal raise-to total (equals MaxRaiseTo for a short all-in)
	MaxRaiseTo int64 // largest legal raise-to total: the player's whole stack
}

// Default is the action a runtime takes for a player whose time ran out: check if free, else
// fold; at the showdown, show (the cards speak).
func (a Actions) Default() Action {
	switch {
	case a.Showdown:
		return Action{Kind: Show}
	case a.CanCheck:
		return Action{Kind: Check}
	}
	return Action{Kind: Fold}
}

// Errors Act returns, wrapped in an *ActionError. Match them with errors.Is.
var (
	ErrConfig          = errors.New("engine: bad configuration")
	ErrStart           = errors.New("engine: bad hand start")
	ErrHandOver        = errors.New("engine: no hand in progress")
	ErrNotYourTurn     = errors.New("engine: not your turn")
	ErrNotInHand       = errors.New("engine: seat is not in the hand")
	ErrFolded          = errors.New("engine: seat has folded")
	ErrAllIn           = errors.New("engine: seat is all in")
	ErrCannotCheck     = errors.New("engine: cannot check facing a bet")
	ErrNothingToCall   = errors.New("engine: nothing to call")
	ErrRaiseNotAllowed = errors.New("engine: raising is closed")
	ErrBelowMinRaise   = errors.New("engine: raise below the minimum")
	ErrAboveStack      = errors.New("engine: raise above the stack")
	ErrNotShowdown     = errors.New("engine: not at showdown")
	ErrShowdown        = errors.New("engine: at showdown: show or muck")
	ErrBadAction       = errors.New("engine: unknown action")
)

// ActionError is a rejected action: which seat tried what, and why (Err is one of the sentinels).
type ActionError struct {
	Seat   int
	Action Action
	Err    error
}

func (e *ActionError) Error() string {
	if e.Action.Kind == Raise {
		return fmt.Sprintf("seat %d %s to %d: %v", e.Seat, e.Action.Kind, e.Action.Amount, e.Err)
	}
	return fmt.Sprintf("seat %d %s: %v", e.Seat, e.Action.Kind, e.Err)
}

func (e *ActionError) Unwrap() error { return e.Err }

// EventKind says what happened.
type EventKind uint8

// Event kinds.
const (
	EvStart      EventKind = iota + 1 // Seat: the button
	EvAnte                            // Seat posts Amount
	EvSmallBlind                      // Seat posts Amount
	EvBigBlind                        // Seat posts Amount
	EvHole                            // Seat is dealt Cards[0:2]
	EvFold                            // Seat folds
	EvCheck                           // Seat checks
	EvCall                            // Seat adds Amount; To is its bet now
	EvBet                             // Seat bets: adds Amount; To is its bet now
	EvRaise                           // Seat raises: adds Amount; To is its bet now
	EvBoard                           // Cards[0:N] dealt to the board on Street
	EvShow                            // Seat shows Cards[0:2]
	EvMuck                            // Seat mucks
	EvReturn                          // Amount of Seat's uncalled bet goes back to it
	EvRake                            // Amount taken from pot Pot
	EvWin                             // Seat collects Amount from pot Pot
	EvEnd                             // the hand is complete
)

var eventNames = [...]string{"", "start", "ante", "small_blind", "big_blind", "hole", "fold",
	"check", "call", "bet", "raise", "board", "show", "muck", "return", "rake", "win", "end"}

func (k EventKind) String() string {
	if int(k) < len(eventNames) && k != 0 {
		return eventNames[k]
	}
	return fmt.Sprintf("event(%d)", k)
}

// Event is one thing that happened in a hand, for the runtime to broadcast (hole cards are
// private to their seat: the runtime decides who sees what).
type Event struct {
	Kind   EventKind
	Seat   int8 // -1 when no seat is concerned
	Street Street
	AllIn  bool  // the action put Seat all in
	N      uint8 // number of Cards
	Pot    uint8 // pot index for EvRake and EvWin (0 is the main pot)
	Cards  [5]card.Card
	Amount int64 // chips moved
	To     int64 // for EvCall, EvBet, EvRaise: the seat's bet on this street afterwards
}

// Pot is one pot at the end of a hand.
type Pot struct {
	Amount   int64     // chips in the pot, before rake
	Rake     int64     // taken from it
	Eligible uint16    // seats that could win it (bit i = seat i)
	Winners  uint16    // seats that shared it
	Best     eval.Rank // the winning rank (0 when won without a showdown)
}

// Result is the outcome of a complete hand. Arrays are indexed by seat.
type Result struct {
	Button   int
	Start    [MaxSeats]int64 // stacks before the hand
	Final    [MaxSeats]int64 // stacks after it
	Won      [MaxSeats]int64 // collected from pots (after rake)
	Returned [MaxSeats]int64 // uncalled bets given back
	Pots     []Pot
	Rake     int64 // total taken: the platform's
	Showdown bool  // two or more players reached the end of the betting
	Shown    [MaxSeats]bool
	Mucked   [MaxSeats]bool
	Hole     [MaxSeats][2]card.Card
	Ranks    [MaxSeats]eval.Rank // for shown hands
	Board    []card.Card
}

// Net is a seat's gain (negative for a loss) over the hand.
func (r *Result) Net(seat int) int64 { return r.Final[seat] - r.Start[seat] }
