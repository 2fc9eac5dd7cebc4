package strategy

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"testing"
)

func TestPresetsValidateAndRoundTrip(t *testing.T) {
	ids := []string{}
	for _, p := range Presets() {
		ids = append(ids, p.ID)
		if err := p.Strategy.Validate(""); err != nil {
			t.Errorf("preset %s: %v", p.ID, err)
			continue
		}
		out, err := json.Marshal(p.Strategy)
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodeAdvanced(out, "")
		if err != nil {
			t.Errorf("preset %s does not decode: %v\n%s", p.ID, err, out)
			continue
		}
		if !reflect.DeepEqual(*back, p.Strategy) {
			t.Errorf("preset %s changes in a round trip:\n%s", p.ID, out)
		}
	}
	if want := []string{"adaptive-kelly", "martingale-plus", "oscar-grind", "trend-follower", "risk-manager"}; !slices.Equal(ids, want) {
		t.Fatalf("preset ids %v, want %v", ids, want)
	}
	if _, ok := PresetByID("oscar-grind"); !ok {
		t.Fatal("PresetByID")
	}
	if _, ok := PresetByID("nope"); ok {
		t.Fatal("PresetByID found an unknown id")
	}
}

func TestPresetsRun(t *testing.T) {
	for _, p := range Presets() {
		res, err := Simulate(context.Background(), SimSpec{
			Strategy: &p.Strategy, Rounds: 2000, Sessions: 4, StartingBalance: credits(5000), Seed: []byte(p.ID),
		}, nil)
		if err != nil {
			t.Fatalf("%s: %v", p.ID, err)
		}
		if res.RoundsPlayed == 0 {
			t.Errorf("%s played no round", p.ID)
		}
	}
}

// The repaired martingale-plus preset resets after six losses in a row (the reference's rule
// order made that rule unreachable) and stops after eight.
func TestMartingalePlusSafetyNet(t *testing.T) {
	p, _ := PresetByID("martingale-plus")
	s := mustSession(t, &p.Strategy, 100000)
	stakes, next := playSeq(t, s, "LLLLLLL")
	if want := []int64{10, 20, 40, 80, 160, 320, 10}; !eqInts(stakes, want) || next != 10 {
		t.Fatalf("stakes %v next %d, want %v next 10", stakes, next, want)
	}
	playResult(t, s, false)
	if _, stop, reason := s.Next(); !stop || reason != ReasonMaxConsecutiveLosses {
		t.Fatal(reason)
	}
}

// Oscar's grind preset: +1 unit after a win, the bet kept after a loss, capped at maxBet.
func TestOscarGrindPreset(t *testing.T) {
	p, _ := PresetByID("oscar-grind")
	s := mustSession(t, &p.Strategy, 100000)
	stakes, next := playSeq(t, s, "WLWLL")
	if want := []int64{10, 20, 20, 30, 30}; !eqInts(stakes, want) || next != 30 {
		t.Fatalf("stakes %v next %d, want %v next 30", stakes, next, want)
	}
}
