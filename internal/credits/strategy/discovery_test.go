package strategy

import (
	"encoding/json"
	"testing"
)

func TestDiscoveryShape(t *testing.T) {
	raw, err := json.Marshal(Discovery())
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		StrategyBuilder struct {
			Triggers       []map[string]any          `json:"triggers"`
			Actions        []map[string]any          `json:"actions"`
			GlobalLimits   map[string]map[string]any `json:"globalLimits"`
			RuleSchema     map[string]any            `json:"ruleSchema"`
			ExecutionModes []string                  `json:"executionModes"`
			Presets        []struct {
				ID       string          `json:"id"`
				Name     string          `json:"name"`
				Strategy json.RawMessage `json:"strategy"`
			} `json:"presets"`
		} `json:"strategyBuilder"`
		GameMechanics struct {
			Dice map[string]any `json:"dice"`
		} `json:"gameMechanics"`
		Platform struct {
			Faucet map[string]any `json:"faucet"`
			Limits map[string]any `json:"limits"`
		} `json:"platform"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	sb := doc.StrategyBuilder
	if len(sb.Triggers) != 35 || len(sb.Actions) != 31 || len(sb.Presets) != 5 {
		t.Fatalf("%d triggers, %d actions, %d presets", len(sb.Triggers), len(sb.Actions), len(sb.Presets))
	}
	for _, tr := range sb.Triggers {
		for _, k := range []string{"type", "label", "description", "needsValue", "valueType"} {
			if _, ok := tr[k]; !ok {
				t.Errorf("trigger %v lacks %q", tr["type"], k)
			}
		}
		if tr["type"] == "pattern_win_loss" && tr["valueType"] != "pattern" {
			t.Errorf("pattern_win_loss valueType %v", tr["valueType"])
		}
	}
	for _, a := range sb.Actions {
		for _, k := range []string{"type", "label", "description", "needsValue"} {
			if _, ok := a[k]; !ok {
				t.Errorf("action %v lacks %q", a["type"], k)
			}
		}
	}
	if len(sb.GlobalLimits) != 9 || sb.RuleSchema["trigger"] == nil || len(sb.ExecutionModes) != 2 {
		t.Errorf("globalLimits %d, ruleSchema %v, modes %v", len(sb.GlobalLimits), sb.RuleSchema, sb.ExecutionModes)
	}
	for _, p := range sb.Presets {
		if _, err := DecodeAdvanced(p.Strategy, "strategy"); err != nil {
			t.Errorf("published preset %s is not accepted: %v", p.ID, err)
		}
	}
	d := doc.GameMechanics.Dice
	for k, want := range map[string]any{"houseEdge": 0.03, "minAmount": 1.0, "maxAmount": 10000.0, "minBet": 1.0, "maxBet": 10000.0, "maxMultiplier": 9700.0, "multiplierCapped": false} {
		if d[k] != want {
			t.Errorf("gameMechanics.dice.%s = %v, want %v", k, d[k], want)
		}
	}
	if r, _ := d["targetRange"].([]any); len(r) != 2 || r[0] != 0.0 || r[1] != 99.99 {
		t.Errorf("targetRange %v", d["targetRange"])
	}
	for _, k := range []string{"winProbabilityFormula", "multiplierFormula", "payoutFormula", "provablyFair", "conditions"} {
		if d[k] == nil {
			t.Errorf("gameMechanics.dice lacks %s", k)
		}
	}
	if f := doc.Platform.Faucet; f["amount"] != 100.0 || f["cooldownSeconds"] != 3600.0 {
		t.Errorf("faucet %v", f)
	}
	if doc.Platform.Limits["maxRoundsPerRun"] != 100000.0 {
		t.Errorf("limits %v", doc.Platform.Limits)
	}
}

func TestDiscoverySections(t *testing.T) {
	d := Discovery()
	for name, check := range map[string]func(DiscoveryDoc) bool{
		"": func(x DiscoveryDoc) bool {
			return x.StrategyBuilder != nil && x.GameMechanics != nil && x.Platform != nil
		},
		"strategy_builder": func(x DiscoveryDoc) bool {
			return x.StrategyBuilder != nil && x.GameMechanics == nil && x.Platform == nil
		},
		"game_mechanics": func(x DiscoveryDoc) bool {
			return x.StrategyBuilder == nil && x.GameMechanics != nil && x.Platform == nil
		},
		"platform": func(x DiscoveryDoc) bool {
			return x.StrategyBuilder == nil && x.GameMechanics == nil && x.Platform != nil
		},
	} {
		s, ok := d.Section(name)
		if !ok || !check(s) {
			t.Errorf("section %q", name)
		}
	}
	if _, ok := d.Section("nope"); ok {
		t.Error("unknown section accepted")
	}
}

// The published vocabulary is what the validator accepts: every trigger and action, given the
// member the document says it needs (at its published minimum), makes a valid rule; without
// that member it is refused.
func TestDiscoveryMatchesValidator(t *testing.T) {
	d := Discovery()
	for _, tr := range d.StrategyBuilder.Triggers {
		r := Rule{ID: "r", Enabled: true, Trigger: Trigger{Type: tr.Type}, Action: Action{Type: "reset_bet"}}
		switch tr.Field {
		case FieldValue:
			v := D(1)
			if tr.Min != nil && *tr.Min > v {
				v = *tr.Min
			}
			r.Trigger.Value = &v
		case FieldPattern:
			r.Trigger.Pattern = "WL"
		}
		a := adv(1, 5000, Over, Sequential, r)
		if err := a.Validate(""); err != nil {
			t.Errorf("trigger %s: %v", tr.Type, err)
		}
		if tr.NeedsValue {
			r.Trigger.Value, r.Trigger.Pattern = nil, ""
			if err := adv(1, 5000, Over, Sequential, r).Validate(""); err == nil {
				t.Errorf("trigger %s accepted without its %s", tr.Type, tr.Field)
			}
		}
	}
	for _, ac := range d.StrategyBuilder.Actions {
		r := Rule{ID: "r", Enabled: true, Trigger: Trigger{Type: "win"}, Action: Action{Type: ac.Type, Value: ac.DefaultValue}}
		other := Rule{ID: "o", Enabled: true, Trigger: Trigger{Type: "loss"}, Action: Action{Type: "reset_bet"}}
		if ac.Field == FieldTargetRuleID {
			r.Action.TargetRuleID = "o"
		}
		if ac.Field == FieldValue && ac.DefaultValue == nil {
			t.Errorf("action %s needs a value but publishes no default", ac.Type)
		}
		if err := adv(1, 5000, Over, Sequential, r, other).Validate(""); err != nil {
			t.Errorf("action %s: %v", ac.Type, err)
		}
		if ac.NeedsValue {
			r.Action.Value, r.Action.TargetRuleID = nil, ""
			if err := adv(1, 5000, Over, Sequential, r, other).Validate(""); err == nil {
				t.Errorf("action %s accepted without its %s", ac.Type, ac.Field)
			}
		}
	}
}
