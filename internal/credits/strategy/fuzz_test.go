package strategy

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/arcadehq/arcade/fairness"
	"github.com/arcadehq/arcade/internal/errs"
)

// exercise runs a decoded strategy for a few rounds on a fixed roll stream: no input the decoder
// accepts may make the engine panic or break its limits.
func exercise(t *testing.T, st Strategy) {
	s, err := NewSession(st, credits(500), Options{MaxRounds: 60})
	if err != nil {
		t.Fatalf("decoded strategy refused by NewSession: %v", err)
	}
	g := fairness.NewGenerator(SessionSeed([]byte("fuzz"), 0))
	for n := uint64(0); ; n++ {
		bet, stop, _ := s.Next()
		if stop {
			return
		}
		if bet.Skip {
			continue
		}
		if c := bet.Credits(); c < 1 || c > MaxStakeCredits || bet.Amount > s.Stats().Balance.Amount() {
			t.Fatalf("stake %s with balance %s", bet.Amount, s.Stats().Balance)
		}
		o, err := bet.Resolve(fairness.CreditDiceRoll(g.First("sim", n)))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Record(o); err != nil {
			t.Fatal(err)
		}
	}
}

// decodeError checks that a refusal is a validation error naming a field.
func decodeError(t *testing.T, err error) {
	e := errs.As(err)
	if e == nil || e.Kind != errs.Validation || e.Field == "" {
		t.Fatalf("decoder failed without a validation error naming a field: %#v", err)
	}
}

func FuzzDecodeConfig(f *testing.F) {
	for _, s := range []string{
		`{"amount":10,"target":50,"condition":"over"}`,
		`{"amount":10.0,"target":4.95e1,"condition":"under","progressionType":"martingale","maxPlay":100,"maxConsecutiveLosses":5}`,
		`{"amount":1,"target":99.99,"condition":"over","maxBet":7,"unitStep":0.5,"stopAfterRounds":20,"stopIfBalanceBelow":0.5,"stopIfBalanceAbove":2000}`,
		`{"amount":3,"target":12.5,"condition":"under","progressionType":"labouchere","labouchereLine":[1,2,3]}`,
		`{"amount":3,"target":12.5,"condition":"under","progressionType":"oscar"}`,
		`{"amount":3,"target":12.5,"condition":"under","progressionType":"kelly","maxPlay":50}`,
		`{"amount":"10","target":50,"condition":"over"}`,
		`{"amount":10,"target":49.555,"condition":"over"}`,
		`{"amount":10,"target":0,"condition":"under"}`,
		`{"amount":1e400}`, `[]`, `null`, `{`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := DecodeConfig(data, "config")
		if err != nil {
			decodeError(t, err)
			return
		}
		out, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		again, err := DecodeConfig(out, "config")
		if err != nil {
			t.Fatalf("re-encoded config %s refused: %v", out, err)
		}
		if !reflect.DeepEqual(c, again) {
			t.Fatalf("round trip changed the config:\n%+v\n%+v\n%s", c, again, out)
		}
		exercise(t, c)
	})
}

func FuzzDecodeAdvanced(f *testing.F) {
	f.Add([]byte(validAdvancedJSON))
	for _, p := range Presets() {
		out, _ := json.Marshal(p.Strategy)
		f.Add(out)
	}
	for _, tr := range Triggers {
		v := `,"value":2`
		if tr.Value.Kind == KindPattern {
			v = `,"pattern":"WLW"`
		}
		f.Add([]byte(`{"name":"t","baseConfig":{"amount":5,"target":50,"condition":"over"},"executionMode":"all_matching","rules":[{"id":"a","trigger":{"type":"` + string(tr.Type) + `"` + v + `},"action":{"type":"double_bet"}},{"id":"b","trigger":{"type":"loss"},"action":{"type":"reset_bet"}}]}`))
	}
	for _, ac := range Actions {
		v := `,"value":3`
		if ac.Value.Kind == KindRuleID {
			v = `,"targetRuleId":"b"`
		}
		f.Add([]byte(`{"name":"a","baseConfig":{"amount":5,"target":50,"condition":"under"},"rules":[{"id":"a","trigger":{"type":"win"},"action":{"type":"` + string(ac.Type) + `"` + v + `},"cooldownRounds":1},{"id":"b","enabled":false,"trigger":{"type":"loss"},"action":{"type":"halve_bet"}}]}`))
	}
	f.Add([]byte(strings.Replace(validAdvancedJSON, `"wl"`, `"wxl"`, 1)))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := DecodeAdvanced(data, "")
		if err != nil {
			decodeError(t, err)
			return
		}
		out, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		again, err := DecodeAdvanced(out, "")
		if err != nil {
			t.Fatalf("re-encoded strategy %s refused: %v", out, err)
		}
		if !reflect.DeepEqual(a, again) {
			t.Fatalf("round trip changed the strategy:\n%s", out)
		}
		exercise(t, a)
	})
}
