package engine_test

import (
	"fmt"

	"github.com/arcadehq/arcade/internal/poker/card"
	"github.com/arcadehq/arcade/internal/poker/engine"
)

// A three-handed hand: the button raises, the small blind folds, the big blind calls and the
// two check it down and split the pot (both play kings full of queens); the pot is raked 5%,
// capped at 3 chips, because a flop was dealt. Cards go one at a time from the deck's first
// position, starting left of the button.
func Example() {
	h, err := engine.New(engine.Config{Seats: 3, SmallBlind: 5, BigBlind: 10, RakeBasisPoints: 500, RakeCap: 3})
	if err != nil {
		panic(err)
	}
	var deck [52]card.Card
	for i := range deck {
		deck[i] = card.Card(51 - i) // As Ah Ad Ac Ks ...: a fixed order for the example
	}
	stacks := []int64{1000, 1000, 1000}
	if err := h.Start(stacks, 0, &deck); err != nil {
		panic(err)
	}
	act := func(seat int, a engine.Action) {
		if err := h.Act(seat, a); err != nil {
			panic(err)
		}
	}
	l := h.Legal()
	fmt.Println("to act:", l.Seat, "call", l.CallAmount, "raise", l.MinRaiseTo, "to", l.MaxRaiseTo)
	act(0, engine.Action{Kind: engine.Raise, Amount: 30})
	act(1, engine.Action{Kind: engine.Fold})
	act(2, engine.Action{Kind: engine.Call})
	for h.Phase() == engine.Betting {
		act(h.Legal().Seat, engine.Action{Kind: engine.Check})
	}
	r := h.Result()
	fmt.Println("board:", card.Join(r.Board, " "))
	for seat := range stacks {
		fmt.Printf("seat %d: %v, %+d\n", seat, r.Hole[seat], r.Net(seat))
	}
	fmt.Println("pot:", r.Pots[0].Amount, "rake:", r.Rake)
	// Output:
	// to act: 0 call 10 raise 20 to 1000
	// board: Kd Kc Qs Qh Qd
	// seat 0: [Ad Kh], +1
	// seat 1: [As Ac], -5
	// seat 2: [Ah Ks], +1
	// pot: 65 rake: 3
}
