package phh

import (
	"fmt"

	"github.com/arcadehq/arcade/internal/poker/engine"
)

// Record writes a complete engine hand as PHH: players in position order (p1 the first seat
// left of the button, the button last), a "seats" field with their table seats (1-based), the
// actions from the hand's events and the finishing stacks. The rake, which PHH has no field for,
// is not recorded (a raked hand's finishing stacks do not add up to its starting stacks).
func Record(h *engine.Hand) (*Hand, error) {
	r := h.Result()
	if r == nil {
		return nil, fmt.Errorf("phh: record: %w", engine.ErrHandOver)
	}
	cfg := h.Config()
	var order []int // table seats in position order
	pos := map[int]int{}
	for k := 1; k <= cfg.Seats; k++ {
		i := (r.Button + k) % cfg.Seats
		if r.Start[i] > 0 {
			pos[i] = len(order) + 1
			order = append(order, i)
		}
	}
	n := len(order)
	out := &Hand{Variant: "NT", MinBet: Number{Int: cfg.MinBet}}
	out.Antes = make([]Number, n)
	out.Blinds = make([]Number, n)
	out.StartingStacks = make([]Number, n)
	out.FinishingStacks = make([]Number, n)
	seats := make([]any, n)
	for p, i := range order {
		out.Antes[p] = Number{Int: cfg.Ante}
		out.StartingStacks[p] = Number{Int: r.Start[i]}
		out.FinishingStacks[p] = Number{Int: r.Final[i]}
		seats[p] = int64(i + 1)
	}
	// Position 1 is the small blind and 2 the big blind (heads-up too: phh-std writes the
	// heads-up blinds in that order and reverses them by rule).
	out.Blinds[0] = Number{Int: cfg.SmallBlind}
	out.Blinds[1] = Number{Int: cfg.BigBlind}
	out.Antes[1].Int += cfg.BigBlindAnte
	for _, e := range h.Events() {
		var st Step
		switch e.Kind {
		case engine.EvHole:
			st = Step{Verb: DealHole, Player: pos[int(e.Seat)], Cards: e.Cards[:2]}
		case engine.EvBoard:
			st = Step{Verb: DealBoard, Cards: e.Cards[:e.N]}
		case engine.EvFold:
			st = Step{Verb: Fold, Player: pos[int(e.Seat)]}
		case engine.EvCheck, engine.EvCall:
			st = Step{Verb: CheckCall, Player: pos[int(e.Seat)]}
		case engine.EvBet, engine.EvRaise:
			st = Step{Verb: BetRaise, Player: pos[int(e.Seat)], Amount: e.To}
		case engine.EvShow:
			st = Step{Verb: ShowMuck, Player: pos[int(e.Seat)], Cards: e.Cards[:2], Known: true}
		case engine.EvMuck:
			st = Step{Verb: ShowMuck, Player: pos[int(e.Seat)]}
		default:
			continue
		}
		out.Actions = append(out.Actions, st.String())
	}
	out.Fields = []Field{
		{Key: "variant"}, {Key: "ante_trimming_status", Value: trimming(cfg)}, {Key: "antes"}, {Key: "blinds_or_straddles"}, {Key: "min_bet"},
		{Key: "starting_stacks"}, {Key: "actions"}, {Key: "seats", Value: seats},
		{Key: "seat_count", Value: int64(cfg.Seats)}, {Key: "finishing_stacks"},
	}
	return out, nil
}

// trimming is the ante_trimming_status that says what the engine did. PHH's true is plain
// side-pot layering of the antes, the engine's rule for uniform antes; under a big-blind ante
// alone the engine lets every player win the whole ante, which is PHH's false. (With both a
// uniform and a big-blind ante and trimming on, PHH has no exact equivalent: the engine lets
// every player win the big blind's extra ante, PHH's true would return it.)
func trimming(cfg engine.Config) bool {
	if cfg.UntrimmedAntes || (cfg.BigBlindAnte > 0 && cfg.Ante == 0) {
		return false
	}
	return true
}
