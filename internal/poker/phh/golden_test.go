package phh

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/arcadehq/arcade/internal/poker/card"
	"github.com/arcadehq/arcade/internal/poker/engine"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestRecordGolden records one scripted hand (5 seats, one empty, a big-blind ante, the big
// blind all in, a side pot, a manual showdown where a muck forfeits a tie) and compares the PHH
// text with testdata/record.golden.phh (go test -update rewrites it; review the diff). The
// golden file replays to the hand's stacks.
func TestRecordGolden(t *testing.T) {
	h, err := engine.New(engine.Config{Seats: 5, SmallBlind: 50, BigBlind: 100, BigBlindAnte: 100,
		ManualShowdown: true})
	if err != nil {
		t.Fatal(err)
	}
	var deck [52]card.Card
	for i := range deck {
		deck[i] = card.Card(51 - i)
	}
	stacks := []int64{5000, 0, 700, 5000, 5000}
	// button 4; SB 0, BB 2, then 3.
	if err := h.Start(stacks, 4, &deck); err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct {
		seat int
		a    engine.Action
	}{
		{3, engine.Action{Kind: engine.Raise, Amount: 300}},
		{4, engine.Action{Kind: engine.Call}},
		{0, engine.Action{Kind: engine.Fold}},
		{2, engine.Action{Kind: engine.Raise, Amount: 600}}, // all in after the ante: a full raise
		{3, engine.Action{Kind: engine.Call}},
		{4, engine.Action{Kind: engine.Call}},
		{3, engine.Action{Kind: engine.Raise, Amount: 1000}}, // flop
		{4, engine.Action{Kind: engine.Call}},
		{3, engine.Action{Kind: engine.Check}}, // turn
		{4, engine.Action{Kind: engine.Check}},
		{3, engine.Action{Kind: engine.Check}}, // river
		{4, engine.Action{Kind: engine.Check}},
	} {
		if err := h.Act(s.seat, s.a); err != nil {
			t.Fatal(err)
		}
	}
	for h.Phase() == engine.Showdown {
		a := h.Legal()
		kind := engine.Show
		if a.Seat == 4 {
			kind = engine.Muck
		}
		if err := h.Act(a.Seat, engine.Action{Kind: kind}); err != nil {
			t.Fatal(err)
		}
	}
	rec, err := Record(h)
	if err != nil {
		t.Fatal(err)
	}
	got := rec.String()
	path := filepath.Join("testdata", "record.golden.phh")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Fatalf("recorded hand differs from %s (go test -update to accept):\n%s", path, got)
	}
	res, err := Replay(strings.NewReader(got))
	if err != nil {
		t.Fatal(err)
	}
	r := h.Result()
	if !slices.Equal(res.FinishingStacks, []int64{r.Final[0], r.Final[2], r.Final[3], r.Final[4]}) {
		t.Fatalf("golden replays to %v, hand ended %v", res.FinishingStacks, r.Final)
	}
}
