package strategy

import (
	"slices"
	"strings"
	"testing"

	"github.com/arcadehq/arcade/internal/money"
)

// adv builds a valid advanced strategy from a base bet and rules.
func adv(amount int64, target Hundredths, cond Condition, mode Mode, rules ...Rule) *Advanced {
	return &Advanced{
		Name: "test", BaseConfig: BaseConfig{Amount: credits(amount), Target: target, Condition: cond},
		Rules: rules, ExecutionMode: mode,
	}
}

// fires plays results and returns, per round, '1' when rule id ran after it and '0' otherwise.
func firePattern(t *testing.T, s *Session, id, results string) string {
	t.Helper()
	var b strings.Builder
	for _, c := range results {
		playResult(t, s, c == 'W')
		if slices.Contains(s.ExecutedRules(nil), id) {
			b.WriteByte('1')
		} else {
			b.WriteByte('0')
		}
	}
	return b.String()
}

// triggerCases: a one-rule strategy (base 10 credits, over 50, balance 1000; a win pays 19.4)
// with the trigger under test and a neutral action; fires says after which rounds it ran.
var triggerCases = map[TriggerType][]struct {
	value   *Dec
	pattern string
	results string
	fires   string
}{
	"win":                     {{nil, "", "WLW", "101"}},
	"loss":                    {{nil, "", "WLW", "010"}},
	"last_result_was_win":     {{nil, "", "LWW", "011"}},
	"last_result_was_loss":    {{nil, "", "LWW", "100"}},
	"streak_win":              {{dp(2), "", "WWWLW", "01100"}},
	"streak_loss":             {{dp(2), "", "LLLWL", "01100"}},
	"streak_win_at_least":     {{dp(3), "", "WWWWL", "00110"}},
	"streak_loss_at_least":    {{dp(1), "", "WLL", "011"}},
	"streak_win_exactly":      {{dp(2), "", "WWWLWW", "010001"}},
	"streak_loss_exactly":     {{dp(2), "", "LLLWLL", "010001"}},
	"every_n_wins":            {{dp(2), "", "WWLWW", "01001"}},
	"every_n_losses":          {{dp(2), "", "LLWLL", "01001"}},
	"every_n_rounds":          {{dp(3), "", "WLWLWL", "001001"}},
	"profit_above":            {{dp(5), "", "WLW", "101"}},
	"profit_below":            {{dp(0), "", "WLL", "011"}},
	"loss_above":              {{dp(5), "", "LWL", "101"}},
	"loss_below":              {{dp(5), "", "LWL", "010"}},
	"balance_above":           {{dp(1005), "", "WLW", "101"}},
	"balance_below":           {{dp(995), "", "LWL", "101"}},
	"balance_percent_above":   {{decPtr(900_000), "", "WWL", "110"}},   // 0.9% of 1000 = 9
	"balance_percent_below":   {{decPtr(1_500_000), "", "LLW", "010"}}, // 1.5% = 15
	"balance_percent_change":  {{dp(1), "", "LWWW", "1001"}},           // |change| ≥ 10
	"win_rate_above":          {{dp(50), "", "WLWL", "1010"}},
	"win_rate_below":          {{dp(50), "", "WLLW", "0010"}},
	"win_rate_exactly":        {{dp(50), "", "WLLW", "0101"}, {decPtr(33_330_000), "", "WLL", "001"}},
	"pattern_win_loss":        {{nil, "WL", "WLWLL", "01010"}, {nil, "LLW", "LLWLLW", "001001"}},
	"pattern_last_n":          {{dp(3), "", "WWWLLL", "001001"}},
	"alternating_wins_losses": {{nil, "", "WLWLW", "00011"}, {dp(2), "", "WWL", "001"}},
	"no_win_for_n":            {{dp(2), "", "LLLW", "0110"}},
	"no_loss_for_n":           {{dp(2), "", "WWWL", "0110"}},
	"total_wins_equals":       {{dp(2), "", "WLWLW", "00110"}, {dp(0), "", "LLW", "110"}},
	"total_losses_equals":     {{dp(1), "", "LWLW", "1100"}},
	"rounds_equals":           {{dp(3), "", "WLWL", "0010"}},
	"last_n_were_wins":        {{dp(2), "", "WWWL", "0110"}},
	"last_n_were_losses":      {{dp(3), "", "LLLLW", "00110"}},
}

func TestTriggers(t *testing.T) {
	for tt, cases := range triggerCases {
		for _, tc := range cases {
			t.Run(string(tt)+"/"+tc.results, func(t *testing.T) {
				r := Rule{ID: "t", Enabled: true, Trigger: Trigger{Type: tt, Value: tc.value, Pattern: tc.pattern},
					Action: Action{Type: "set_bet_absolute", Value: dp(10)}}
				s := mustSession(t, adv(10, 5000, Over, Sequential, r), 1000)
				if got := firePattern(t, s, "t", tc.results); got != tc.fires {
					t.Errorf("%s: fired %s, want %s", tc.results, got, tc.fires)
				}
			})
		}
	}
}

// actionCases: a strategy whose rules run the action under test; check inspects the session
// after results.
var actionCases = map[ActionType][]struct {
	name    string
	st      *Advanced
	results string
	check   func(t *testing.T, s *Session)
}{
	"increase_bet_percent": {
		{"5% of 10 is kept exactly", adv(10, 5000, Over, Sequential, rl("a", "win", nil, "increase_bet_percent", dp(5))), "W", wantBet(10_500_000)},
		{"compounds, stake rounds down", adv(10, 5000, Over, Sequential, rl("a", "win", nil, "increase_bet_percent", dp(5))), "WW", wantStake(11)},
	},
	"decrease_bet_percent": {
		{"25%", adv(10, 5000, Over, Sequential, rl("a", "win", nil, "decrease_bet_percent", dp(25))), "W", wantBet(7_500_000)},
		{"never below 1 credit", adv(1, 5000, Over, Sequential, rl("a", "win", nil, "decrease_bet_percent", dp(100))), "W", wantBet(1_000_000)},
	},
	"multiply_bet": {{"x1.5", adv(10, 5000, Over, Sequential, rl("a", "win", nil, "multiply_bet", decPtr(1_500_000))), "W", wantBet(15_000_000)}},
	"divide_bet":   {{"/4", adv(10, 5000, Over, Sequential, rl("a", "win", nil, "divide_bet", dp(4))), "W", wantBet(2_500_000)}},
	"increase_bet_absolute": {
		{"+2.5", adv(10, 5000, Over, Sequential, rl("a", "win", nil, "increase_bet_absolute", decPtr(2_500_000))), "W", wantBet(12_500_000)},
		{"capped at 10000", adv(9999, 5000, Over, Sequential, rl("a", "win", nil, "increase_bet_absolute", dp(50))), "W", wantBet(10_000_000_000)},
	},
	"decrease_bet_absolute": {
		{"-3", adv(10, 5000, Over, Sequential, rl("a", "win", nil, "decrease_bet_absolute", dp(3))), "W", wantBet(7_000_000)},
		{"floor 1 credit", adv(10, 5000, Over, Sequential, rl("a", "win", nil, "decrease_bet_absolute", dp(20))), "W", wantBet(1_000_000)},
	},
	"set_bet_absolute":           {{"42", adv(10, 5000, Over, Sequential, rl("a", "win", nil, "set_bet_absolute", dp(42))), "W", wantBet(42_000_000)}},
	"set_bet_percent_of_balance": {{"10% of 1009.4", adv(10, 5000, Over, Sequential, rl("a", "win", nil, "set_bet_percent_of_balance", dp(10))), "W", wantBet(100_940_000)}},
	"set_bet_percent_of_base":    {{"250% of 10", adv(10, 5000, Over, Sequential, rl("a", "win", nil, "set_bet_percent_of_base", dp(250))), "W", wantBet(25_000_000)}},
	"reset_bet": {{"after two doublings", adv(10, 5000, Over, Sequential,
		rl("a", "loss", nil, "double_bet", nil), rl("b", "win", nil, "reset_bet", nil)), "LLW", wantBet(10_000_000)}},
	"double_bet": {{"", adv(10, 5000, Over, Sequential, rl("a", "win", nil, "double_bet", nil)), "W", wantBet(20_000_000)}},
	"halve_bet":  {{"", adv(15, 5000, Over, Sequential, rl("a", "win", nil, "halve_bet", nil)), "W", wantBet(7_500_000)}},
	"triple_bet": {{"", adv(10, 5000, Over, Sequential, rl("a", "win", nil, "triple_bet", nil)), "W", wantBet(30_000_000)}},
	"max_bet": {
		{"10000", adv(10, 5000, Over, Sequential, rl("a", "win", nil, "max_bet", nil)), "W", wantBet(10_000_000_000)},
		{"globalLimits.maxBet", withLimits(adv(10, 5000, Over, Sequential, rl("a", "win", nil, "max_bet", nil)), Limits{MaxBet: credits(500)}), "W", wantBet(500_000_000)},
		{"stake limited by balance", adv(10, 5000, Over, Sequential, rl("a", "win", nil, "max_bet", nil)), "W", wantStake(1009)},
	},
	"min_bet": {
		{"1", adv(10, 5000, Over, Sequential, rl("a", "win", nil, "min_bet", nil)), "W", wantBet(1_000_000)},
		{"globalLimits.minBet", withLimits(adv(10, 5000, Over, Sequential, rl("a", "win", nil, "min_bet", nil)), Limits{MinBet: credits(5)}), "W", wantBet(5_000_000)},
	},
	"switch_over_under": {
		{"over 30 → under 70", adv(10, 3000, Over, Sequential, rl("a", "win", nil, "switch_over_under", nil)), "W", wantTarget(7000, Under)},
		{"under 25 → over 75", adv(10, 2500, Under, Sequential, rl("a", "win", nil, "switch_over_under", nil)), "W", wantTarget(7500, Over)},
		{"over 0 → under 99.99", adv(10, 0, Over, Sequential, rl("a", "win", nil, "switch_over_under", nil)), "W", wantTarget(9999, Under)},
	},
	"set_over":  {{"", adv(10, 4000, Under, Sequential, rl("a", "win", nil, "set_over", nil)), "W", wantTarget(4000, Over)}},
	"set_under": {{"over 0 → under 0.01", adv(10, 0, Over, Sequential, rl("a", "win", nil, "set_under", nil)), "W", wantTarget(1, Under)}},
	"invert_target": {
		{"over 30 → over 70", adv(10, 3000, Over, Sequential, rl("a", "win", nil, "invert_target", nil)), "W", wantTarget(7000, Over)},
		{"under 25 → under 75", adv(10, 2500, Under, Sequential, rl("a", "win", nil, "invert_target", nil)), "W", wantTarget(7500, Under)},
	},
	"set_target_absolute": {{"12.34", adv(10, 5000, Over, Sequential, rl("a", "win", nil, "set_target_absolute", decPtr(12_340_000))), "W", wantTarget(1234, Over)}},
	"increase_target": {
		{"+5", adv(10, 5000, Over, Sequential, rl("a", "win", nil, "increase_target", dp(5))), "W", wantTarget(5500, Over)},
		{"clamped at 99.99", adv(10, 9700, Over, Sequential, rl("a", "win", nil, "increase_target", dp(5))), "W", wantTarget(9999, Over)},
	},
	"decrease_target": {
		{"-5", adv(10, 5000, Over, Sequential, rl("a", "win", nil, "decrease_target", dp(5))), "W", wantTarget(4500, Over)},
		{"under keeps a winning roll", adv(10, 300, Under, Sequential, rl("a", "win", nil, "decrease_target", dp(5))), "W", wantTarget(1, Under)},
	},
	"double_target": {
		{"30 → 60", adv(10, 3000, Under, Sequential, rl("a", "win", nil, "double_target", nil)), "W", wantTarget(6000, Under)},
		{"60 → 99.99", adv(10, 6000, Under, Sequential, rl("a", "win", nil, "double_target", nil)), "W", wantTarget(9999, Under)},
	},
	"halve_target": {{"33.33 → 16.66", adv(10, 3333, Under, Sequential, rl("a", "win", nil, "halve_target", nil)), "W", wantTarget(1666, Under)}},
	"stop": {{"", adv(10, 5000, Over, Sequential, rl("a", "win", nil, "stop", nil)), "W", func(t *testing.T, s *Session) {
		if _, stop, reason := s.Next(); !stop || reason != ReasonStopAction {
			t.Fatalf("stop=%v reason=%q", stop, reason)
		}
	}}},
	"pause_n_rounds": {{"2 rounds", adv(10, 5000, Over, Sequential, rl("a", "win", nil, "pause_n_rounds", dp(2))), "W", wantSkips(2)}},
	"skip_next_bet":  {{"", adv(10, 5000, Over, Sequential, rl("a", "win", nil, "skip_next_bet", nil)), "W", wantSkips(1)}},
	"reset_all_rules": {{"revives an exhausted rule", adv(10, 5000, Over, Sequential,
		withMax(rl("a", "win", nil, "double_bet", nil), 1), rl("b", "loss", nil, "reset_all_rules", nil)), "WWLW", wantBet(40_000_000)}},
	"execute_rule": {{"runs a disabled rule's action once", adv(10, 5000, Over, Sequential,
		rl("a", "win", nil, "execute_rule", nil, "b"), disabled(rl("b", "loss", nil, "multiply_bet", dp(3)))), "W",
		func(t *testing.T, s *Session) {
			wantBet(30_000_000)(t, s)
			if got := s.ExecutedRules(nil); !slices.Equal(got, []string{"a", "b"}) {
				t.Fatalf("executed %v", got)
			}
			if s.rules[1].enabled || s.rules[1].execs != 0 {
				t.Fatal("execute_rule must not enable the target or count as its execution")
			}
		}}},
	"enable_rule": {{"", adv(10, 5000, Over, Sequential,
		rl("a", "win", nil, "enable_rule", nil, "b"), disabled(rl("b", "loss", nil, "double_bet", nil))), "LWL", wantBet(20_000_000)}},
	"disable_rule": {{"", adv(10, 5000, Over, Sequential,
		rl("a", "win", nil, "disable_rule", nil, "b"), rl("b", "loss", nil, "double_bet", nil)), "LWL", wantBet(20_000_000)}},
}

func TestActions(t *testing.T) {
	for at, cases := range actionCases {
		for _, tc := range cases {
			t.Run(string(at)+"/"+tc.name, func(t *testing.T) {
				s := mustSession(t, tc.st, 1000)
				for _, c := range tc.results {
					playResult(t, s, c == 'W')
				}
				tc.check(t, s)
			})
		}
	}
}

// The vocabulary tables are the contract: every trigger and action has a test case, and the
// counts are those of the real system.
func TestVocabularyCoverage(t *testing.T) {
	if len(Triggers) != 35 || len(Actions) != 31 {
		t.Fatalf("%d triggers, %d actions; the real system has 35 and 31", len(Triggers), len(Actions))
	}
	seen := map[string]bool{}
	for _, tr := range Triggers {
		if seen[string(tr.Type)] {
			t.Errorf("trigger %q listed twice", tr.Type)
		}
		seen[string(tr.Type)] = true
		if len(triggerCases[tr.Type]) == 0 {
			t.Errorf("trigger %q has no test case", tr.Type)
		}
		if tr.Label == "" || tr.Description == "" || (tr.NeedsValue() && tr.ValueLabel == "") {
			t.Errorf("trigger %q lacks a label, description or value label", tr.Type)
		}
	}
	for _, a := range Actions {
		if seen[string(a.Type)] {
			t.Errorf("action %q listed twice", a.Type)
		}
		seen[string(a.Type)] = true
		if len(actionCases[a.Type]) == 0 {
			t.Errorf("action %q has no test case", a.Type)
		}
		if a.Label == "" || a.Description == "" || (a.NeedsValue() && a.ValueLabel == "") {
			t.Errorf("action %q lacks a label, description or value label", a.Type)
		}
		if a.DefaultValue != nil {
			if err := checkValue(a.DefaultValue, a.Value, "defaultValue"); err != nil {
				t.Errorf("action %q: default value %s is not valid: %v", a.Type, a.DefaultValue, err)
			}
		}
	}
	for tt := range triggerCases {
		if _, ok := triggerCode(tt); !ok {
			t.Errorf("test case for unknown trigger %q", tt)
		}
	}
	for at := range actionCases {
		if _, ok := actionCode(at); !ok {
			t.Errorf("test case for unknown action %q", at)
		}
	}
}

// Helpers building rules and checks.

func rl(id string, tt TriggerType, tv *Dec, at ActionType, av *Dec, ref ...string) Rule {
	r := Rule{ID: id, Enabled: true, Trigger: Trigger{Type: tt, Value: tv}, Action: Action{Type: at, Value: av}}
	if len(ref) > 0 {
		r.Action.TargetRuleID = ref[0]
	}
	return r
}

func withMax(r Rule, n int64) Rule               { r.MaxExecutions = n; return r }
func withCooldown(r Rule, n int64) Rule          { r.CooldownRounds = n; return r }
func withOrder(r Rule, n int64) Rule             { r.Order = n; return r }
func disabled(r Rule) Rule                       { r.Enabled = false; return r }
func withPattern(r Rule, p string) Rule          { r.Trigger.Pattern = p; return r }
func withLimits(a *Advanced, l Limits) *Advanced { a.GlobalLimits = l; return a }

func wantBet(micro int64) func(*testing.T, *Session) {
	return func(t *testing.T, s *Session) {
		t.Helper()
		if s.bet != micro {
			t.Fatalf("working bet %s, want %s", money.Amount(s.bet), money.Amount(micro))
		}
	}
}

func wantStake(credits int64) func(*testing.T, *Session) {
	return func(t *testing.T, s *Session) {
		t.Helper()
		bet, stop, reason := s.Next()
		if stop || bet.Credits() != credits {
			t.Fatalf("next stake %d (stop=%v %s), want %d", bet.Credits(), stop, reason, credits)
		}
	}
}

func wantTarget(target Hundredths, c Condition) func(*testing.T, *Session) {
	return func(t *testing.T, s *Session) {
		t.Helper()
		bet, _, _ := s.Next()
		if bet.Target != target || bet.Condition != c {
			t.Fatalf("next bet %s %s, want %s %s", bet.Condition, bet.Target, c, target)
		}
	}
}

func wantSkips(n int) func(*testing.T, *Session) {
	return func(t *testing.T, s *Session) {
		t.Helper()
		for i := range n {
			bet, stop, _ := s.Next()
			if stop || !bet.Skip {
				t.Fatalf("round %d after the action: want a skipped round, got %+v", i+1, bet)
			}
		}
		if bet, stop, _ := s.Next(); stop || bet.Skip {
			t.Fatalf("want a bet after %d skipped rounds, got %+v", n, bet)
		}
		if st := s.Stats(); st.Rounds != st.RoundsPlayed+int64(n)+1 {
			t.Fatalf("skipped rounds must count as rounds: %+v", st)
		}
	}
}
