package strategy

import "github.com/arcadehq/arcade/internal/money"

// Preset is a ready-made advanced strategy published by discovery.
type Preset struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Strategy    Advanced `json:"strategy"`
}

func credits(n int64) money.Amount { return money.Amount(n) * money.Micro }

func rule(id string, order int64, tt TriggerType, tv *Dec, at ActionType, av *Dec) Rule {
	return Rule{ID: id, Order: order, Enabled: true, Trigger: Trigger{Type: tt, Value: tv}, Action: Action{Type: at, Value: av}}
}

// Presets returns the five presets of the real system, by id: adaptive-kelly, martingale-plus,
// oscar-grind, trend-follower, risk-manager. Each call returns fresh values the caller may
// change. Where a reference preset could not do what its description says (a rule that can never
// run in sequential mode, a negative percentage) it is repaired; docs/strategies.md lists how.
func Presets() []Preset {
	return []Preset{
		{
			ID: "adaptive-kelly", Name: "Adaptive Kelly", Description: "Adjusts bet size based on win rate",
			Strategy: Advanced{
				Name:       "Adaptive Kelly",
				BaseConfig: BaseConfig{Amount: credits(100), Target: 3300, Condition: Under},
				Rules: []Rule{
					rule("1", 0, "win_rate_above", dp(55), "set_bet_percent_of_balance", dp(5)),
					rule("2", 1, "win_rate_below", dp(45), "set_bet_percent_of_balance", dp(1)),
					rule("3", 2, "streak_loss_at_least", dp(3), "decrease_bet_percent", dp(50)),
					rule("4", 3, "balance_percent_above", dp(50), "stop", nil),
				},
				ExecutionMode: Sequential,
				GlobalLimits:  Limits{MaxBet: credits(10000), MinBet: credits(10), MaxRounds: 1000},
			},
		},
		{
			ID: "martingale-plus", Name: "Martingale++", Description: "Classic martingale with safety nets",
			Strategy: Advanced{
				Name:       "Martingale Plus",
				BaseConfig: BaseConfig{Amount: credits(10), Target: 4900, Condition: Over},
				Rules: []Rule{
					// The reset after six losses comes first: behind "loss" it could never run.
					rule("3", 0, "streak_loss_at_least", dp(6), "reset_bet", nil),
					rule("1", 1, "loss", nil, "double_bet", nil),
					rule("2", 2, "win", nil, "reset_bet", nil),
				},
				ExecutionMode: Sequential,
				GlobalLimits:  Limits{MaxBet: credits(1000), StopOnConsecutiveLosses: 8},
			},
		},
		{
			ID: "oscar-grind", Name: "Oscar's Grind Advanced", Description: "Conservative progression with pattern recognition",
			Strategy: Advanced{
				Name:       "Oscar's Grind",
				BaseConfig: BaseConfig{Amount: credits(10), Target: 4900, Condition: Over},
				Rules: []Rule{
					// Grind goal first, so that it can run at all in sequential mode.
					rule("3", 0, "profit_above", dp(100), "stop", nil),
					// A run of losses drops back to one unit: the "pattern" safety net.
					rule("4", 1, "streak_loss_at_least", dp(5), "reset_bet", nil),
					// After a win, one unit more; after a loss the bet stays (no rule).
					rule("1", 2, "win", nil, "increase_bet_absolute", dp(10)),
				},
				ExecutionMode: Sequential,
				GlobalLimits:  Limits{MaxBet: credits(100)},
			},
		},
		{
			ID: "trend-follower", Name: "Trend Follower", Description: "Switches condition based on recent patterns",
			Strategy: Advanced{
				Name:       "Trend Follower",
				BaseConfig: BaseConfig{Amount: credits(20), Target: 5000, Condition: Over},
				Rules: []Rule{
					rule("1", 0, "streak_loss_at_least", dp(3), "switch_over_under", nil),
					rule("2", 1, "streak_win_at_least", dp(3), "increase_bet_percent", dp(20)),
					rule("3", 2, "loss", nil, "reset_bet", nil),
				},
				ExecutionMode: AllMatching,
			},
		},
		{
			ID: "risk-manager", Name: "Risk Manager", Description: "Aggressive on wins, conservative on losses",
			Strategy: Advanced{
				Name:       "Risk Manager",
				BaseConfig: BaseConfig{Amount: credits(50), Target: 4000, Condition: Under},
				Rules: []Rule{
					rule("1", 0, "win_rate_above", dp(60), "set_bet_percent_of_balance", dp(10)),
					// The reference writes -20 here, which fires whenever the balance is not
					// 20% up; the description means "20% below the start".
					rule("2", 1, "balance_percent_below", dp(20), "set_bet_absolute", dp(10)),
					rule("3", 2, "streak_loss_at_least", dp(5), "stop", nil),
					rule("4", 3, "balance_percent_above", dp(100), "stop", nil),
				},
				ExecutionMode: Sequential,
				GlobalLimits:  Limits{StopIfBalanceBelow: credits(100)},
			},
		},
	}
}

// PresetByID returns the preset with the given id.
func PresetByID(id string) (Preset, bool) {
	for _, p := range Presets() {
		if p.ID == id {
			return p, true
		}
	}
	return Preset{}, false
}
