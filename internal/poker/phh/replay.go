package phh

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/arcadehq/arcade/internal/poker/card"
	"github.com/arcadehq/arcade/internal/poker/engine"
)

// Replay errors, matched with errors.Is.
var (
	ErrIllegal         = errors.New("phh: illegal action")
	ErrIncomplete      = errors.New("phh: hand incomplete: the actions stop while a player must act")
	ErrFinishingStacks = errors.New("phh: finishing stacks differ from the record")
)

// ActionError is the first action the replay rejected.
type ActionError struct {
	Index  int    // 1-based position in the actions array
	Line   int    // line of the file (0 if unknown)
	Action string // as written
	Err    error
}

func (e *ActionError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: action %d %q: %v", e.Line, e.Index, e.Action, e.Err)
	}
	return fmt.Sprintf("action %d %q: %v", e.Index, e.Action, e.Err)
}

func (e *ActionError) Unwrap() error { return e.Err }

// Result is a replayed hand.
type Result struct {
	Hand            *Hand          // as read
	Config          engine.Config  // the table the hand was played at
	Engine          *engine.Result // seats are players: seat i is p(i+1)
	Events          []engine.Event
	FinishingStacks []int64 // per player, as the engine paid them
	Rake            int64
	// Completed is the hand as PHH with the engine's finishing stacks and any showdown the
	// record left out appended to the actions.
	Completed *Hand
}

// Replay reads a PHH hand and plays it through the engine: see ReplayHand.
func Replay(r io.Reader) (*Result, error) {
	h, err := Parse(r)
	if err != nil {
		return nil, err
	}
	return ReplayHand(h)
}

// ReplayHand plays a parsed hand through the engine, strictly: the first action the engine
// refuses is returned as an *ActionError with its line. When the record ends at a showdown that
// is not finished, the engine finishes it (every remaining hand shown or mucked by its rules).
// If the file records finishing stacks and they differ from the engine's by a chip or more, the
// result comes back with an error wrapping ErrFinishingStacks (half chips, which some records
// hold for an odd chip, are within the tolerance; the engine gives the whole chip to one player).
func ReplayHand(h *Hand) (*Result, error) {
	cfg, stacks, err := Table(h)
	if err != nil {
		return nil, err
	}
	n := len(stacks)
	steps := make([]Step, len(h.Actions))
	for i, a := range h.Actions {
		if steps[i], err = ParseAction(a); err != nil {
			return nil, h.actionError(i, err)
		}
		if p := steps[i].Player; p > n {
			return nil, h.actionError(i, fmt.Errorf("%w: p%d in a %d-player hand", ErrAction, p, n))
		}
	}
	deck, err := deckOf(n, steps)
	if err != nil {
		return nil, err
	}
	eng, err := engine.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("phh: %w", err)
	}
	if err := eng.Start(stacks, n-1, &deck); err != nil {
		return nil, fmt.Errorf("phh: %w", err)
	}
	board := 0
	for i, st := range steps {
		seat := st.Player - 1
		var act engine.Action
		switch st.Verb {
		case NoOp:
			continue
		case DealHole:
			hole := eng.Hole(seat)
			for k, c := range st.Cards {
				if c != Unknown && c != hole[k] {
					return nil, h.actionError(i, fmt.Errorf("%w: dealt %v, not %v", ErrIllegal, hole, st.Cards))
				}
			}
			continue
		case DealBoard:
			board += len(st.Cards)
			if len(eng.Board()) < board {
				return nil, h.actionError(i, fmt.Errorf("%w: board card before the betting round is over", ErrIllegal))
			}
			continue
		case Fold:
			act.Kind = engine.Fold
		case CheckCall:
			act.Kind = engine.Call
			if l := eng.Legal(); l.Seat == seat && l.CanCheck {
				act.Kind = engine.Check
			}
		case BetRaise:
			act = engine.Action{Kind: engine.Raise, Amount: st.Amount}
		case ShowMuck:
			if eng.Phase() == engine.Complete {
				continue // shown or mucked after the hand (an uncontested winner): no effect
			}
			act.Kind = engine.Muck
			if st.Known {
				act.Kind = engine.Show
				hole := eng.Hole(seat)
				for k, c := range st.Cards {
					if c != Unknown && c != hole[k] {
						return nil, h.actionError(i, fmt.Errorf("%w: shows %v, holds %v", ErrIllegal, st.Cards, hole))
					}
				}
			}
		}
		if err := eng.Act(seat, act); err != nil {
			return nil, h.actionError(i, fmt.Errorf("%w: %w", ErrIllegal, err))
		}
	}
	recorded := len(eng.Events())
	switch eng.Phase() {
	case engine.Showdown:
		eng.FinishShowdown()
	case engine.Betting:
		return nil, fmt.Errorf("%w (seat p%d to act after %d actions)", ErrIncomplete, eng.Legal().Seat+1, len(steps))
	}
	res := &Result{Hand: h, Config: cfg, Events: slices.Clone(eng.Events())}
	er := *eng.Result()
	er.Pots = slices.Clone(er.Pots)
	er.Board = slices.Clone(er.Board)
	res.Engine = &er
	res.Rake = er.Rake
	res.FinishingStacks = make([]int64, n)
	copy(res.FinishingStacks, er.Final[:n])

	done := *h
	done.Fields = slices.Clone(h.Fields)
	done.Actions = slices.Clone(h.Actions)
	for _, e := range res.Events[recorded:] {
		switch e.Kind {
		case engine.EvShow:
			done.Actions = append(done.Actions, Step{Verb: ShowMuck, Player: int(e.Seat) + 1, Cards: e.Cards[:2], Known: true}.String())
		case engine.EvMuck:
			done.Actions = append(done.Actions, Step{Verb: ShowMuck, Player: int(e.Seat) + 1}.String())
		}
	}
	done.FinishingStacks = make([]Number, n)
	for i, s := range res.FinishingStacks {
		done.FinishingStacks[i] = Number{Int: s}
	}
	res.Completed = &done

	if h.FinishingStacks != nil {
		if err := compareStacks(h.FinishingStacks, res.FinishingStacks); err != nil {
			return res, err
		}
	}
	return res, nil
}

func compareStacks(rec []Number, got []int64) error {
	if len(rec) != len(got) {
		return fmt.Errorf("%w: %d recorded for %d players", ErrFinishingStacks, len(rec), len(got))
	}
	for i, r := range rec {
		if math.Abs(r.Value()-float64(got[i])) >= 1 {
			return fmt.Errorf("%w: p%d: recorded %v, engine %d", ErrFinishingStacks, i+1, r.Value(), got[i])
		}
	}
	return nil
}

func (h *Hand) actionError(i int, err error) error {
	line := 0
	if i < len(h.ActionLines) {
		line = h.ActionLines[i]
	}
	return &ActionError{Index: i + 1, Line: line, Action: h.Actions[i], Err: err}
}

// Table derives the engine configuration and the stacks (seat i = player p(i+1)) of a hand.
func Table(h *Hand) (engine.Config, []int64, error) {
	var cfg engine.Config
	if h.Variant != "NT" {
		return cfg, nil, fmt.Errorf("%w: variant %q (only NT, no-limit Texas hold'em)", ErrUnsupported, h.Variant)
	}
	stacks, err := Ints("starting_stacks", h.StartingStacks)
	if err != nil {
		return cfg, nil, err
	}
	n := len(stacks)
	if n < engine.MinSeats || n > engine.MaxSeats {
		return cfg, nil, fmt.Errorf("%w: %d players (the engine seats %d to %d)", ErrUnsupported, n, engine.MinSeats, engine.MaxSeats)
	}
	for i, s := range stacks {
		if s <= 0 {
			return cfg, nil, fmt.Errorf("%w: starting_stacks[%d] = %d is not positive", ErrField, i, s)
		}
	}
	blinds, err := Ints("blinds_or_straddles", h.Blinds)
	if err != nil {
		return cfg, nil, err
	}
	antes, err := Ints("antes", h.Antes)
	if err != nil {
		return cfg, nil, err
	}
	if len(blinds) != n || len(antes) != n {
		return cfg, nil, fmt.Errorf("%w: antes and blinds_or_straddles need one entry per player (%d)", ErrField, n)
	}
	for i, b := range blinds {
		if b < 0 || (i >= 2 && b != 0) {
			return cfg, nil, fmt.Errorf("%w: blinds_or_straddles %v (straddles or negative blinds)", ErrUnsupported, blinds)
		}
	}
	cfg.Seats = n
	cfg.SmallBlind, cfg.BigBlind = blinds[0], blinds[1]
	if cfg.SmallBlind > cfg.BigBlind {
		return cfg, nil, fmt.Errorf("%w: small blind %d above big blind %d", ErrUnsupported, cfg.SmallBlind, cfg.BigBlind)
	}
	uniform := true
	for _, a := range antes {
		if a < 0 {
			return cfg, nil, fmt.Errorf("%w: negative ante", ErrField)
		}
		uniform = uniform && a == antes[0]
	}
	switch {
	case uniform:
		cfg.Ante = antes[0]
	case bigBlindAnte(antes):
		cfg.Ante = antes[0]
		cfg.BigBlindAnte = antes[1] - antes[0]
	default:
		return cfg, nil, fmt.Errorf("%w: antes %v (only uniform antes, a big-blind ante, or both)", ErrUnsupported, antes)
	}
	if mb, ok := h.MinBet.Integer(); ok && mb > 0 {
		cfg.MinBet = mb
	} else {
		return cfg, nil, fmt.Errorf("%w: min_bet must be a positive whole number", ErrField)
	}
	// ante_trimming_status (default false): false lets a short ante win every ante in full.
	trim := false
	for _, f := range h.Fields {
		if f.Key == "ante_trimming_status" {
			b, ok := f.Value.(bool)
			if !ok {
				return cfg, nil, fmt.Errorf("%w: ante_trimming_status is not a Boolean", ErrField)
			}
			trim = b
		}
	}
	cfg.UntrimmedAntes = !trim
	// Arcade's tables rake each pot; PHH has no field for it, so the hands they publish carry
	// the table's rule as user-defined fields (absent elsewhere: no rake).
	if cfg.RakeBasisPoints, err = intField(h, RakeBasisPointsField); err != nil {
		return cfg, nil, err
	}
	if cfg.RakeCap, err = intField(h, RakeCapField); err != nil {
		return cfg, nil, err
	}
	cfg.ManualShowdown = true
	return cfg, stacks, nil
}

// bigBlindAnte: every ante the same but the big blind's (position 2), which is larger: a
// big-blind ante, with or without a uniform ante under it.
func bigBlindAnte(antes []int64) bool {
	if antes[1] <= antes[0] {
		return false
	}
	for i, a := range antes {
		if i != 1 && a != antes[0] {
			return false
		}
	}
	return true
}

// deckOf builds the deck order that makes the engine deal the recorded cards: hole cards and
// board at the positions engine.DeckPosition gives (hidden hole cards that are shown later take
// the shown cards), other hidden and undealt cards from the rest in order.
func deckOf(n int, steps []Step) ([52]card.Card, error) {
	var deck [52]card.Card
	var set [52]bool
	var used card.Set
	place := func(pos int, c card.Card) error {
		if c == Unknown {
			return nil
		}
		if used.Has(c) {
			return fmt.Errorf("%w: %v dealt twice", ErrIllegal, c)
		}
		used = used.Add(c)
		deck[pos], set[pos] = c, true
		return nil
	}
	board := 0
	for _, st := range steps {
		switch st.Verb {
		case DealHole:
			for r, c := range st.Cards {
				if err := place(engine.DeckPosition(n, st.Player-1, r, 0, false), c); err != nil {
					return deck, err
				}
			}
		case DealBoard:
			for _, c := range st.Cards {
				if board >= 5 {
					return deck, fmt.Errorf("%w: more than five board cards", ErrIllegal)
				}
				if err := place(engine.DeckPosition(n, -1, 0, board, false), c); err != nil {
					return deck, err
				}
				board++
			}
		}
	}
	// Hole cards dealt face down ("????") and shown at the showdown take the shown cards.
	for _, st := range steps {
		if st.Verb != ShowMuck || len(st.Cards) != 2 {
			continue
		}
		for r, c := range st.Cards {
			if pos := engine.DeckPosition(n, st.Player-1, r, 0, false); !set[pos] {
				if err := place(pos, c); err != nil {
					return deck, err
				}
			}
		}
	}
	next := card.Card(0)
	for pos := range deck {
		if set[pos] {
			continue
		}
		for used.Has(next) {
			next++
		}
		deck[pos] = next
		used = used.Add(next)
	}
	return deck, nil
}

// User-defined fields (phh-std: keys starting with "_") with which Arcade records a table's rake.
const (
	RakeBasisPointsField = "_arcade_rake_basis_points" // of each pot (no flop, no drop)
	RakeCapField         = "_arcade_rake_cap"          // per hand, in chips; 0: no cap
)

func intField(h *Hand, key string) (int64, error) {
	v := h.Get(key)
	if v == nil {
		return 0, nil
	}
	n, ok := v.(int64)
	if !ok || n < 0 {
		return 0, fmt.Errorf("%w: %s = %v is not a whole number >= 0", ErrField, key, v)
	}
	return n, nil
}
