package strategy

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/arcadehq/arcade/internal/money"
)

func TestExecutionModes(t *testing.T) {
	rules := []Rule{rl("double", "win", nil, "double_bet", nil), rl("plus5", "win", nil, "increase_bet_absolute", dp(5))}
	seq := mustSession(t, adv(10, 5000, Over, Sequential, rules...), 1000)
	playResult(t, seq, true)
	if seq.bet != 20_000_000 || !slices.Equal(seq.ExecutedRules(nil), []string{"double"}) {
		t.Errorf("sequential: bet %s executed %v; want the first matching rule only", money.Amount(seq.bet), seq.ExecutedRules(nil))
	}
	all := mustSession(t, adv(10, 5000, Over, AllMatching, rules...), 1000)
	playResult(t, all, true)
	if all.bet != 25_000_000 || !slices.Equal(all.ExecutedRules(nil), []string{"double", "plus5"}) {
		t.Errorf("all_matching: bet %s executed %v; want (10×2)+5 = 25", money.Amount(all.bet), all.ExecutedRules(nil))
	}
}

func TestRuleOrder(t *testing.T) {
	// Listed plus5 first but ordered after double: all_matching gives (10×2)+5, not (10+5)×2.
	s := mustSession(t, adv(10, 5000, Over, AllMatching,
		withOrder(rl("plus5", "win", nil, "increase_bet_absolute", dp(5)), 2),
		withOrder(rl("double", "win", nil, "double_bet", nil), 1)), 1000)
	playResult(t, s, true)
	if s.bet != 25_000_000 {
		t.Fatalf("bet %s, want 25", money.Amount(s.bet))
	}
	// Equal orders keep their position in the list.
	s = mustSession(t, adv(10, 5000, Over, AllMatching,
		rl("plus5", "win", nil, "increase_bet_absolute", dp(5)), rl("double", "win", nil, "double_bet", nil)), 1000)
	playResult(t, s, true)
	if s.bet != 30_000_000 {
		t.Fatalf("bet %s, want 30", money.Amount(s.bet))
	}
}

func TestDisabledRuleNeverRuns(t *testing.T) {
	s := mustSession(t, adv(10, 5000, Over, AllMatching, disabled(rl("a", "win", nil, "double_bet", nil))), 1000)
	if got := firePattern(t, s, "a", "WWW"); got != "000" {
		t.Fatal(got)
	}
}

func TestCooldownAndMaxExecutions(t *testing.T) {
	cases := []struct {
		name    string
		r       Rule
		results string
		fires   string
	}{
		{"no cooldown", rl("a", "win", nil, "set_bet_absolute", dp(10)), "WWWW", "1111"},
		{"cooldown 2 skips the next two rounds", withCooldown(rl("a", "win", nil, "set_bet_absolute", dp(10)), 2), "WWWWWWW", "1001001"},
		{"cooldown counts rounds, not matches", withCooldown(rl("a", "win", nil, "set_bet_absolute", dp(10)), 1), "WLWW", "1010"},
		{"a rule never run is not in cooldown", withCooldown(rl("a", "win", nil, "set_bet_absolute", dp(10)), 5), "LLW", "001"},
		{"maxExecutions", withMax(rl("a", "win", nil, "set_bet_absolute", dp(10)), 2), "WWWW", "1100"},
		{"both", withMax(withCooldown(rl("a", "win", nil, "set_bet_absolute", dp(10)), 1), 2), "WWWWWW", "101000"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := mustSession(t, adv(10, 5000, Over, Sequential, tc.r), 1000)
			if got := firePattern(t, s, "a", tc.results); got != tc.fires {
				t.Fatalf("fired %s, want %s", got, tc.fires)
			}
		})
	}
}

// In all_matching mode a stop ends the round's rules; in sequential mode the first match wins
// even when a later rule would stop.
func TestStopActionHaltsRules(t *testing.T) {
	s := mustSession(t, adv(10, 5000, Over, AllMatching, rl("stop", "win", nil, "stop", nil), rl("double", "win", nil, "double_bet", nil)), 1000)
	playResult(t, s, true)
	if s.bet != 10_000_000 || !slices.Equal(s.ExecutedRules(nil), []string{"stop"}) {
		t.Fatalf("bet %s executed %v", money.Amount(s.bet), s.ExecutedRules(nil))
	}
	if _, stop, reason := s.Next(); !stop || reason != ReasonStopAction {
		t.Fatal(reason)
	}
}

// A disable in all_matching mode takes effect for later rules in the same round.
func TestDisableTakesEffectAtOnce(t *testing.T) {
	s := mustSession(t, adv(10, 5000, Over, AllMatching,
		rl("a", "win", nil, "disable_rule", nil, "b"), rl("b", "win", nil, "double_bet", nil)), 1000)
	playResult(t, s, true)
	if s.bet != 10_000_000 {
		t.Fatalf("bet %s; b ran after being disabled", money.Amount(s.bet))
	}
}

func TestExecuteRuleChain(t *testing.T) {
	s := mustSession(t, adv(10, 5000, Over, Sequential,
		rl("a", "win", nil, "execute_rule", nil, "b"),
		disabled(rl("b", "loss", nil, "execute_rule", nil, "c")),
		disabled(rl("c", "loss", nil, "double_bet", nil))), 1000)
	playResult(t, s, true)
	if s.bet != 20_000_000 || !slices.Equal(s.ExecutedRules(nil), []string{"a", "b", "c"}) {
		t.Fatalf("bet %s executed %v", money.Amount(s.bet), s.ExecutedRules(nil))
	}
}

func TestGlobalLimits(t *testing.T) {
	base := func(l Limits, rules ...Rule) *Advanced {
		if len(rules) == 0 {
			rules = []Rule{rl("a", "win", nil, "set_bet_absolute", dp(10))}
		}
		return withLimits(adv(10, 5000, Over, Sequential, rules...), l)
	}
	cases := []struct {
		name    string
		st      *Advanced
		balance int64
		results string
		reason  string
	}{
		{"maxRounds", base(Limits{MaxRounds: 3}), 1000, "WLW", ReasonMaxRounds},
		{"stopIfBalanceBelow", base(Limits{StopIfBalanceBelow: credits(981)}), 1000, "LL", ReasonBalanceBelow},
		{"stopIfBalanceBelow before the first round", base(Limits{StopIfBalanceBelow: credits(2000)}), 1000, "", ReasonBalanceBelow},
		{"stopIfBalanceAbove (≥)", base(Limits{StopIfBalanceAbove: credits(1009) + 400_000}), 1000, "W", ReasonBalanceAbove},
		{"stopOnConsecutiveLosses", base(Limits{StopOnConsecutiveLosses: 3}), 1000, "LWLLL", ReasonMaxConsecutiveLosses},
		{"stopOnConsecutiveWins", base(Limits{StopOnConsecutiveWins: 2}), 1000, "WLWW", ReasonMaxConsecutiveWins},
		{"stopOnProfitAbove (≥)", base(Limits{StopOnProfitAbove: credits(18) + 800_000}), 1000, "WW", ReasonProfitAbove},
		{"stopOnLossAbove (≥)", base(Limits{StopOnLossAbove: credits(20)}), 1000, "LL", ReasonLossAbove},
		{"minBet above the balance", base(Limits{MinBet: credits(50)}), 60, "L", ReasonInsufficientBalance},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := mustSession(t, tc.st, tc.balance)
			for _, r := range tc.results {
				playResult(t, s, r == 'W')
			}
			if _, stop, reason := s.Next(); !stop || reason != tc.reason {
				t.Fatalf("stop=%v reason %q, want %q", stop, reason, tc.reason)
			}
		})
	}
	// minBet and maxBet bound every stake.
	s := mustSession(t, base(Limits{MinBet: credits(5), MaxBet: credits(15)}, rl("a", "win", nil, "double_bet", nil), rl("b", "loss", nil, "set_bet_absolute", dp(1))), 1000)
	stakes, next := playSeq(t, s, "WWL")
	if !eqInts(stakes, []int64{10, 15, 15}) || next != 5 {
		t.Fatalf("stakes %v next %d", stakes, next)
	}
}

func TestRunMaxRoundsOption(t *testing.T) {
	s, err := NewSession(withLimits(adv(10, 5000, Over, Sequential, rl("a", "win", nil, "double_bet", nil)), Limits{MaxRounds: 10}), credits(100), Options{MaxRounds: 2})
	if err != nil {
		t.Fatal(err)
	}
	playSeq(t, s, "W")
	playResult(t, s, false)
	if _, stop, reason := s.Next(); !stop || reason != ReasonMaxRounds {
		t.Fatal(reason)
	}
}

func TestNextIsIdempotentUntilRecord(t *testing.T) {
	s := mustSession(t, adv(10, 5000, Over, Sequential, rl("a", "win", nil, "double_bet", nil)), 100)
	b1, _, _ := s.Next()
	b2, _, _ := s.Next()
	if b1 != b2 || s.Stats().Rounds != 1 {
		t.Fatalf("%+v %+v %+v", b1, b2, s.Stats())
	}
	if err := s.Record(Outcome{Win: false, Payout: 5}); err == nil {
		t.Fatal("a losing outcome with a payout must be refused")
	}
	if err := s.Record(Outcome{Win: true, Payout: -1}); err == nil {
		t.Fatal("a negative payout must be refused")
	}
	if err := s.Record(Outcome{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Record(Outcome{}); err != ErrNoPendingBet {
		t.Fatalf("second Record: %v", err)
	}
}

func TestSessionStats(t *testing.T) {
	s := mustSession(t, adv(10, 5000, Over, Sequential, rl("a", "win", nil, "set_bet_absolute", dp(10))), 1000)
	playSeq(t, s, "WWLLLW")
	st := s.Stats()
	want := Stats{
		Rounds: 7, RoundsPlayed: 6, Wins: 3, Losses: 3,
		StartingBalance: credits(1000).Decimal(), Balance: (credits(998) + 200_000).Decimal(), PnL: (-credits(1) - 800_000).Decimal(),
		PeakBalance: (credits(1018) + 800_000).Decimal(), MinBalance: (credits(988) + 800_000).Decimal(), MaxDrawdown: credits(30).Decimal(),
		Turnover: credits(60).Decimal(), WinStreak: 1, LossStreak: 0, LongestWinStreak: 2, LongestLossStreak: 3,
		Bet: credits(10).Decimal(), Target: 5000, Condition: Over,
	}
	if st != want {
		t.Fatalf("stats\n%+v\nwant\n%+v", st, want)
	}
}

// validAdvancedJSON is a strategy using rule references, a pattern and limits.
const validAdvancedJSON = `{
 "name": "Test strategy", "description": "d",
 "baseConfig": {"amount": 10, "target": 49.5, "condition": "over"},
 "rules": [
  {"id": "a", "order": 0, "enabled": true, "trigger": {"type": "loss"}, "action": {"type": "double_bet"}},
  {"id": "b", "order": 1, "trigger": {"type": "pattern_win_loss", "pattern": "wl"}, "action": {"type": "execute_rule", "targetRuleId": "c"}, "cooldownRounds": 2},
  {"id": "c", "order": 2, "enabled": false, "trigger": {"type": "streak_win", "value": 3}, "action": {"type": "increase_bet_percent", "value": 12.5}, "maxExecutions": 4}
 ],
 "globalLimits": {"maxBet": 1000, "minBet": 2, "maxRounds": 500, "stopIfBalanceBelow": 10.5, "stopOnLossAbove": 200},
 "executionMode": "all_matching", "isPublic": true, "tags": ["x", "y"],
 "id": "ignored", "createdAt": "2026-01-01T00:00:00Z"
}`

func TestDecodeAdvancedValid(t *testing.T) {
	a, err := DecodeAdvanced([]byte(validAdvancedJSON), "")
	if err != nil {
		t.Fatal(err)
	}
	want := &Advanced{
		Name: "Test strategy", Description: "d",
		BaseConfig: BaseConfig{Amount: credits(10), Target: 4950, Condition: Over},
		Rules: []Rule{
			{ID: "a", Order: 0, Enabled: true, Trigger: Trigger{Type: "loss"}, Action: Action{Type: "double_bet"}},
			{ID: "b", Order: 1, Enabled: true, Trigger: Trigger{Type: "pattern_win_loss", Pattern: "WL"}, Action: Action{Type: "execute_rule", TargetRuleID: "c"}, CooldownRounds: 2},
			{ID: "c", Order: 2, Enabled: false, Trigger: Trigger{Type: "streak_win", Value: dp(3)}, Action: Action{Type: "increase_bet_percent", Value: decPtr(12_500_000)}, MaxExecutions: 4},
		},
		GlobalLimits:  Limits{MaxBet: credits(1000), MinBet: credits(2), MaxRounds: 500, StopIfBalanceBelow: credits(10) + 500_000, StopOnLossAbove: credits(200)},
		ExecutionMode: AllMatching, IsPublic: true, Tags: []string{"x", "y"},
	}
	if !reflect.DeepEqual(a, want) {
		t.Fatalf("decoded\n%+v\nwant\n%+v", a, want)
	}
	// Defaults: rule id, order and enabled; execution mode.
	b, err := DecodeAdvanced([]byte(`{"name":"n","baseConfig":{"amount":1,"target":50,"condition":"under"},"rules":[{"trigger":{"type":"win"},"action":{"type":"stop"}},{"trigger":{"type":"loss"},"action":{"type":"stop"}}]}`), "")
	if err != nil {
		t.Fatal(err)
	}
	if b.Rules[1].ID != "rule-1" || b.Rules[1].Order != 1 || !b.Rules[1].Enabled || b.ExecutionMode != Sequential {
		t.Fatalf("defaults: %+v", b)
	}
	// Round trip.
	out, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	c, err := DecodeAdvanced(out, "")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !reflect.DeepEqual(a, c) {
		t.Fatalf("round trip changed the strategy:\n%s", out)
	}
	var viaUnmarshal Advanced
	if err := json.Unmarshal(out, &viaUnmarshal); err != nil || !reflect.DeepEqual(&viaUnmarshal, a) {
		t.Fatalf("json.Unmarshal: %v", err)
	}
}

func TestDecodeAdvancedInvalid(t *testing.T) {
	// Each case edits the valid document (a replacement of one exact substring) and names the
	// field the error must carry.
	cases := []struct {
		old, new string
		field    string
	}{
		{`"name": "Test strategy",`, ``, "name"},
		{`"name": "Test strategy"`, `"name": "  "`, "name"},
		{`"name": "Test strategy"`, `"name": 5`, "name"},
		{`"name": "Test strategy"`, `"name": "` + strings.Repeat("n", 101) + `"`, "name"},
		{`"baseConfig": {"amount": 10, "target": 49.5, "condition": "over"},`, ``, "baseConfig"},
		{`"amount": 10,`, `"amount": 0,`, "baseConfig.amount"},
		{`"amount": 10,`, `"amount": -5,`, "baseConfig.amount"},
		{`"amount": 10,`, `"amount": 10.5,`, "baseConfig.amount"},
		{`"amount": 10,`, `"amount": 10001,`, "baseConfig.amount"},
		{`"amount": 10,`, `"amount": "10",`, "baseConfig.amount"},
		{`"target": 49.5,`, `"target": 100,`, "baseConfig.target"},
		{`"target": 49.5,`, `"target": 49.555,`, "baseConfig.target"},
		{`"condition": "over"},`, `"condition": "sideways"},`, "baseConfig.condition"},
		{`"target": 49.5, "condition": "over"`, `"target": 0, "condition": "under"`, "baseConfig.target"},
		{`"rules": [`, `"rulez": [`, "rules"},
		{`"trigger": {"type": "loss"}`, `"trigger": {"type": "lose"}`, "rules[0].trigger.type"},
		{`"trigger": {"type": "loss"}, `, ``, "rules[0].trigger"},
		{`"trigger": {"type": "loss"}`, `"trigger": {}`, "rules[0].trigger.type"},
		{`"trigger": {"type": "loss"}`, `"trigger": "loss"`, "rules[0].trigger"},
		{`{"type": "streak_win", "value": 3}`, `{"type": "streak_win"}`, "rules[2].trigger.value"},
		{`{"type": "streak_win", "value": 3}`, `{"type": "streak_win", "value": -3}`, "rules[2].trigger.value"},
		{`{"type": "streak_win", "value": 3}`, `{"type": "streak_win", "value": "3"}`, "rules[2].trigger.value"},
		{`{"type": "streak_win", "value": 3}`, `{"type": "streak_win", "value": 2.5}`, "rules[2].trigger.value"},
		{`{"type": "streak_win", "value": 3}`, `{"type": "streak_win", "value": 0}`, "rules[2].trigger.value"},
		{`{"type": "streak_win", "value": 3}`, `{"type": "win_rate_above", "value": 101}`, "rules[2].trigger.value"},
		{`{"type": "streak_win", "value": 3}`, `{"type": "balance_percent_below", "value": -20}`, "rules[2].trigger.value"},
		{`{"type": "streak_win", "value": 3}`, `{"type": "profit_above", "value": 1.0000001}`, "rules[2].trigger.value"},
		{`{"type": "streak_win", "value": 3}`, `{"type": "streak_win", "value": 3, "value2": "x"}`, "rules[2].trigger.value2"},
		{`"pattern": "wl"`, `"pattern": ""`, "rules[1].trigger.pattern"},
		{`"pattern": "wl"`, `"pattern": "WXL"`, "rules[1].trigger.pattern"},
		{`"pattern": "wl"`, `"pattern": "` + strings.Repeat("W", 65) + `"`, "rules[1].trigger.pattern"},
		{`"pattern": "wl"`, `"pattern": 5`, "rules[1].trigger.pattern"},
		{`"action": {"type": "double_bet"}`, `"action": {"type": "quadruple_bet"}`, "rules[0].action.type"},
		{`"action": {"type": "double_bet"}`, `"action": {"type": "multiply_bet"}`, "rules[0].action.value"},
		{`"action": {"type": "double_bet"}`, `"action": {"type": "multiply_bet", "value": 0}`, "rules[0].action.value"},
		{`"action": {"type": "double_bet"}`, `"action": {"type": "increase_bet_absolute", "value": -10}`, "rules[0].action.value"},
		{`"action": {"type": "double_bet"}`, `"action": {"type": "decrease_bet_percent", "value": 150}`, "rules[0].action.value"},
		{`"action": {"type": "double_bet"}`, `"action": {"type": "set_target_absolute", "value": 100}`, "rules[0].action.value"},
		{`"action": {"type": "double_bet"}`, `"action": {"type": "set_target_absolute", "value": 12.345}`, "rules[0].action.value"},
		{`"action": {"type": "double_bet"}`, `"action": {"type": "pause_n_rounds", "value": 1.5}`, "rules[0].action.value"},
		{`"action": {"type": "double_bet"}`, `"action": {"type": "set_bet_absolute", "value": 0.5}`, "rules[0].action.value"},
		{`"action": {"type": "double_bet"}`, `"action": {"type": "enable_rule"}`, "rules[0].action.targetRuleId"},
		{`"targetRuleId": "c"`, `"targetRuleId": "zz"`, "rules[1].action.targetRuleId"},
		{`"targetRuleId": "c"`, `"targetRuleId": "b"`, "rules[1].action.targetRuleId"},
		{`"targetRuleId": "c"`, `"targetRuleId": 3`, "rules[1].action.targetRuleId"},
		{`"action": {"type": "increase_bet_percent", "value": 12.5}`, `"action": {"type": "execute_rule", "targetRuleId": "b"}`, "rules[1].action.targetRuleId"},
		{`{"id": "c"`, `{"id": "a"`, "rules[2].id"},
		{`{"id": "c"`, `{"id": 3`, "rules[2].id"},
		{`"enabled": true,`, `"enabled": "yes",`, "rules[0].enabled"},
		{`"order": 0,`, `"order": "0",`, "rules[0].order"},
		{`"order": 0,`, `"order": 0.5,`, "rules[0].order"},
		{`"cooldownRounds": 2`, `"cooldownRounds": -1`, "rules[1].cooldownRounds"},
		{`"maxExecutions": 4`, `"maxExecutions": 1.5`, "rules[2].maxExecutions"},
		{`"maxBet": 1000`, `"maxBet": 0`, "globalLimits.maxBet"},
		{`"maxBet": 1000`, `"maxBet": 10001`, "globalLimits.maxBet"},
		{`"minBet": 2`, `"minBet": 2000`, "globalLimits.minBet"},
		{`"maxRounds": 500`, `"maxRounds": 1.5`, "globalLimits.maxRounds"},
		{`"stopOnLossAbove": 200`, `"stopOnLossAbove": -1`, "globalLimits.stopOnLossAbove"},
		{`"stopOnLossAbove": 200`, `"stopIfBalanceAbove": 0`, "globalLimits.stopIfBalanceAbove"},
		{`"stopIfBalanceBelow": 10.5`, `"stopIfBalanceBelow": "10.5"`, "globalLimits.stopIfBalanceBelow"},
		{`"globalLimits": {`, `"globalLimits": 5, "x": {`, "globalLimits"},
		{`"executionMode": "all_matching"`, `"executionMode": "priority"`, "executionMode"},
		{`"isPublic": true`, `"isPublic": "true"`, "isPublic"},
		{`"tags": ["x", "y"]`, `"tags": "x"`, "tags"},
		{`"tags": ["x", "y"]`, `"tags": ["x", 1]`, "tags[1]"},
		{`"tags": ["x", "y"]`, `"tags": ["x", ""]`, "tags[1]"},
	}
	for _, tc := range cases {
		if !strings.Contains(validAdvancedJSON, tc.old) {
			t.Fatalf("case %q: substring not found", tc.old)
		}
		doc := strings.Replace(validAdvancedJSON, tc.old, tc.new, 1)
		_, err := DecodeAdvanced([]byte(doc), "")
		if got := fieldOf(t, err); got != tc.field {
			t.Errorf("%s → %s: error %v names %q, want %q", tc.old, tc.new, err, got, tc.field)
		}
		// Nested under "strategy", the same error carries the prefix.
		_, err = DecodeAdvanced([]byte(doc), "strategy")
		if got := fieldOf(t, err); got != "strategy."+tc.field {
			t.Errorf("with prefix: %q", got)
		}
	}
	// An empty rule list, too many rules, a non-object body.
	for doc, field := range map[string]string{
		`{"name":"n","baseConfig":{"amount":1,"target":50,"condition":"under"},"rules":[]}`:  "rules",
		`{"name":"n","baseConfig":{"amount":1,"target":50,"condition":"under"},"rules":[5]}`: "rules[0]",
		`{"name":"n","baseConfig":{"amount":1,"target":50,"condition":"under"},"rules":{}}`:  "rules",
		`[]`:   "body",
		`null`: "body",
		`{"name":"n","baseConfig":{"amount":1,"target":50,"condition":"under"},"rules":[` + strings.Repeat(`{"trigger":{"type":"win"},"action":{"type":"stop"}},`, MaxRules) + `{"trigger":{"type":"win"},"action":{"type":"stop"}}]}`: "rules",
	} {
		_, err := DecodeAdvanced([]byte(doc), "")
		if got := fieldOf(t, err); got != field {
			t.Errorf("%.60s: field %q, want %q", doc, got, field)
		}
	}
}
