package strategy

// The advanced-strategy vocabulary: every trigger and every action, in one table each. The
// validator (Advanced.Validate) and the discovery document (Discovery) both read these tables,
// so a type cannot be accepted without being published, nor published without being checked.
// The engine's behaviour for each entry is in rules.go and docs/strategies.md.

// TriggerType names a rule trigger.
type TriggerType string

// ActionType names a rule action.
type ActionType string

// ValueKind says what a trigger's or action's value means, which fixes its precision.
type ValueKind string

// Value kinds.
const (
	KindNone    ValueKind = ""
	KindCount   ValueKind = "count"   // a whole number of rounds, wins, losses or results
	KindCredits ValueKind = "credits" // credits, up to six decimals (micro-units)
	KindPercent ValueKind = "percent" // a percentage, up to six decimals
	KindFactor  ValueKind = "factor"  // a multiplier or divisor, up to six decimals
	KindTarget  ValueKind = "target"  // a dice target or target step, up to two decimals
	KindPattern ValueKind = "pattern" // a string of W (win) and L (loss), oldest first
	KindRuleID  ValueKind = "ruleId"  // the id of another rule of the same strategy
)

// Member names of a rule's trigger and action that a vocabulary entry may need.
const (
	FieldValue        = "value"
	FieldPattern      = "pattern"
	FieldTargetRuleID = "targetRuleId"
)

// ValueSpec describes the member a trigger or action needs and the values it accepts.
type ValueSpec struct {
	Field    string    // FieldValue, FieldPattern or FieldTargetRuleID; "" when none is needed
	Kind     ValueKind // meaning and precision
	Optional bool      // Field is read when present but may be omitted
	Min      Dec       // inclusive lower bound (numbers)
	Max      Dec       // inclusive upper bound; 0 means unbounded
	Positive bool      // must be greater than 0 (Min is then 0)
}

// TriggerInfo is one row of the trigger table.
type TriggerInfo struct {
	Type        TriggerType
	Label       string
	Description string
	ValueLabel  string
	Value       ValueSpec
}

// NeedsValue reports whether the trigger requires a member beyond its type.
func (t TriggerInfo) NeedsValue() bool { return t.Value.Field != "" && !t.Value.Optional }

// ActionInfo is one row of the action table.
type ActionInfo struct {
	Type         ActionType
	Label        string
	Description  string
	ValueLabel   string
	Value        ValueSpec
	DefaultValue *Dec // suggested value for builders; never applied silently
}

// NeedsValue reports whether the action requires a member beyond its type.
func (a ActionInfo) NeedsValue() bool { return a.Value.Field != "" && !a.Value.Optional }

// Limits on values, so that every loop and counter stays bounded.
const (
	HistoryWindow  = 64        // results remembered for patterns (bit window)
	maxPauseRounds = 1_000_000 // longest pause
	maxFactor      = 10_000    // largest multiplier or divisor
	maxPercent     = 1_000_000 // largest percentage of a bet or of the base
)

var (
	count1      = ValueSpec{Field: FieldValue, Kind: KindCount, Min: D(1)}
	count0      = ValueSpec{Field: FieldValue, Kind: KindCount}
	credits0    = ValueSpec{Field: FieldValue, Kind: KindCredits}
	percent0    = ValueSpec{Field: FieldValue, Kind: KindPercent}
	percent100  = ValueSpec{Field: FieldValue, Kind: KindPercent, Max: D(100)}
	noValue     = ValueSpec{}
	ruleRef     = ValueSpec{Field: FieldTargetRuleID, Kind: KindRuleID}
	targetValue = ValueSpec{Field: FieldValue, Kind: KindTarget, Max: D(int64(MaxTarget)) / 100}
)

// Trigger codes index the trigger table.
type trigCode uint8

const (
	tWin trigCode = iota
	tLoss
	tStreakWin
	tStreakLoss
	tStreakWinAtLeast
	tStreakLossAtLeast
	tStreakWinExactly
	tStreakLossExactly
	tEveryNWins
	tEveryNLosses
	tEveryNRounds
	tProfitAbove
	tProfitBelow
	tLossAbove
	tLossBelow
	tBalanceAbove
	tBalanceBelow
	tBalancePercentAbove
	tBalancePercentBelow
	tBalancePercentChange
	tWinRateAbove
	tWinRateBelow
	tWinRateExactly
	tPatternWinLoss
	tPatternLastN
	tAlternating
	tNoWinForN
	tNoLossForN
	tTotalWinsEquals
	tTotalLossesEquals
	tRoundsEquals
	tLastNWereWins
	tLastNWereLosses
	tLastResultWasWin
	tLastResultWasLoss
	numTriggers
)

// Triggers is the trigger table, in the order the discovery document lists it. All triggers are
// evaluated after a settled round, on the session's state including that round.
var Triggers = [numTriggers]TriggerInfo{
	tWin:                  {"win", "On Win", "The round just played was won", "", noValue},
	tLoss:                 {"loss", "On Loss", "The round just played was lost", "", noValue},
	tStreakWin:            {"streak_win", "On Win Streak", "The current win streak is N or longer", "Consecutive Wins", count1},
	tStreakLoss:           {"streak_loss", "On Loss Streak", "The current loss streak is N or longer", "Consecutive Losses", count1},
	tStreakWinAtLeast:     {"streak_win_at_least", "Win Streak ≥ N", "The current win streak is at least N", "Minimum Streak", count1},
	tStreakLossAtLeast:    {"streak_loss_at_least", "Loss Streak ≥ N", "The current loss streak is at least N", "Minimum Streak", count1},
	tStreakWinExactly:     {"streak_win_exactly", "Win Streak = N", "The current win streak is exactly N", "Exact Streak", count1},
	tStreakLossExactly:    {"streak_loss_exactly", "Loss Streak = N", "The current loss streak is exactly N", "Exact Streak", count1},
	tEveryNWins:           {"every_n_wins", "Every N Wins", "The round just played was a win and total wins is a multiple of N", "N Wins", count1},
	tEveryNLosses:         {"every_n_losses", "Every N Losses", "The round just played was a loss and total losses is a multiple of N", "N Losses", count1},
	tEveryNRounds:         {"every_n_rounds", "Every N Rounds", "Rounds played is a multiple of N", "N Rounds", count1},
	tProfitAbove:          {"profit_above", "Profit Above", "Session profit (balance minus starting balance) is above N credits", "Profit Amount", credits0},
	tProfitBelow:          {"profit_below", "Profit Below", "Session profit is below N credits (negative while losing)", "Profit Amount", credits0},
	tLossAbove:            {"loss_above", "Loss Above", "Session loss (starting balance minus balance) is above N credits", "Loss Amount", credits0},
	tLossBelow:            {"loss_below", "Loss Below", "Session loss is below N credits (negative while winning)", "Loss Amount", credits0},
	tBalanceAbove:         {"balance_above", "Balance Above", "The balance is above N credits", "Balance", credits0},
	tBalanceBelow:         {"balance_below", "Balance Below", "The balance is below N credits", "Balance", credits0},
	tBalancePercentAbove:  {"balance_percent_above", "Balance % Above", "The balance is more than N% above the starting balance", "Percent", percent0},
	tBalancePercentBelow:  {"balance_percent_below", "Balance % Below", "The balance is more than N% below the starting balance", "Percent", percent100},
	tBalancePercentChange: {"balance_percent_change", "Balance Changed %", "The balance differs from the starting balance by N% or more, either way", "Percent Change", percent0},
	tWinRateAbove:         {"win_rate_above", "Win Rate Above", "The session win rate is above N%", "Win Rate %", percent100},
	tWinRateBelow:         {"win_rate_below", "Win Rate Below", "The session win rate is below N%", "Win Rate %", percent100},
	tWinRateExactly:       {"win_rate_exactly", "Win Rate = N%", "The session win rate is within 0.01 percentage points of N%", "Win Rate %", percent100},
	tPatternWinLoss:       {"pattern_win_loss", "Pattern Match", "The latest results match the pattern, oldest first (W=win, L=loss; up to 64)", "Pattern (e.g., WWL)", ValueSpec{Field: FieldPattern, Kind: KindPattern}},
	tPatternLastN:         {"pattern_last_n", "Last N Match", "The last N results are all the same (all wins or all losses)", "N Results", count1},
	tAlternating:          {"alternating_wins_losses", "Alternating", "The last N results alternate win/loss (N = value, default 4, 2–64)", "N Results", ValueSpec{Field: FieldValue, Kind: KindCount, Optional: true, Min: D(2), Max: D(HistoryWindow)}},
	tNoWinForN:            {"no_win_for_n", "No Win For N", "None of the last N results was a win", "N Rounds", count1},
	tNoLossForN:           {"no_loss_for_n", "No Loss For N", "None of the last N results was a loss", "N Rounds", count1},
	tTotalWinsEquals:      {"total_wins_equals", "Total Wins = N", "Total wins this session is exactly N", "N Wins", count0},
	tTotalLossesEquals:    {"total_losses_equals", "Total Losses = N", "Total losses this session is exactly N", "N Losses", count0},
	tRoundsEquals:         {"rounds_equals", "Round N", "Exactly N rounds have been played", "Round Number", count1},
	tLastNWereWins:        {"last_n_were_wins", "Last N Were Wins", "The last N results were all wins", "N", count1},
	tLastNWereLosses:      {"last_n_were_losses", "Last N Were Losses", "The last N results were all losses", "N", count1},
	tLastResultWasWin:     {"last_result_was_win", "Last Was Win", "The last result was a win", "", noValue},
	tLastResultWasLoss:    {"last_result_was_loss", "Last Was Loss", "The last result was a loss", "", noValue},
}

// Action codes index the action table.
type actCode uint8

const (
	aIncreaseBetPercent actCode = iota
	aDecreaseBetPercent
	aMultiplyBet
	aDivideBet
	aIncreaseBetAbsolute
	aDecreaseBetAbsolute
	aSetBetAbsolute
	aSetBetPercentOfBalance
	aSetBetPercentOfBase
	aResetBet
	aDoubleBet
	aHalveBet
	aTripleBet
	aMaxBet
	aMinBet
	aSwitchOverUnder
	aSetOver
	aSetUnder
	aInvertTarget
	aSetTargetAbsolute
	aIncreaseTarget
	aDecreaseTarget
	aDoubleTarget
	aHalveTarget
	aStop
	aPauseNRounds
	aSkipNextBet
	aResetAllRules
	aExecuteRule
	aEnableRule
	aDisableRule
	numActions
)

func dp(n int64) *Dec { return decPtr(D(n)) }

// Actions is the action table, in the order the discovery document lists it. Bet actions work
// on the exact working bet (micro-credits); the stake placed is that bet rounded down to whole
// credits and kept within the limits.
var Actions = [numActions]ActionInfo{
	aIncreaseBetPercent:     {"increase_bet_percent", "Increase Bet %", "Increase the current bet by N%", "Percent", ValueSpec{Field: FieldValue, Kind: KindPercent, Max: D(maxPercent)}, dp(5)},
	aDecreaseBetPercent:     {"decrease_bet_percent", "Decrease Bet %", "Decrease the current bet by N% (0–100)", "Percent", percent100, dp(5)},
	aMultiplyBet:            {"multiply_bet", "Multiply Bet", "Multiply the current bet by N", "Multiplier", ValueSpec{Field: FieldValue, Kind: KindFactor, Positive: true, Max: D(maxFactor)}, dp(2)},
	aDivideBet:              {"divide_bet", "Divide Bet", "Divide the current bet by N", "Divisor", ValueSpec{Field: FieldValue, Kind: KindFactor, Positive: true, Max: D(maxFactor)}, dp(2)},
	aIncreaseBetAbsolute:    {"increase_bet_absolute", "Increase Bet +", "Add N credits to the current bet", "Amount", credits0, dp(10)},
	aDecreaseBetAbsolute:    {"decrease_bet_absolute", "Decrease Bet -", "Subtract N credits from the current bet", "Amount", credits0, dp(10)},
	aSetBetAbsolute:         {"set_bet_absolute", "Set Bet To", "Set the bet to N credits", "Amount", ValueSpec{Field: FieldValue, Kind: KindCredits, Min: D(1)}, dp(10)},
	aSetBetPercentOfBalance: {"set_bet_percent_of_balance", "Bet % of Balance", "Set the bet to N% of the current balance", "Percent", ValueSpec{Field: FieldValue, Kind: KindPercent, Positive: true, Max: D(100)}, dp(1)},
	aSetBetPercentOfBase:    {"set_bet_percent_of_base", "Bet % of Base", "Set the bet to N% of the base amount", "Percent", ValueSpec{Field: FieldValue, Kind: KindPercent, Positive: true, Max: D(maxPercent)}, dp(100)},
	aResetBet:               {"reset_bet", "Reset Bet", "Reset the bet to the base amount", "", noValue, nil},
	aDoubleBet:              {"double_bet", "Double Bet", "Double the current bet", "", noValue, nil},
	aHalveBet:               {"halve_bet", "Halve Bet", "Halve the current bet", "", noValue, nil},
	aTripleBet:              {"triple_bet", "Triple Bet", "Triple the current bet", "", noValue, nil},
	aMaxBet:                 {"max_bet", "Max Bet", "Set the bet to the maximum allowed (10000 or globalLimits.maxBet)", "", noValue, nil},
	aMinBet:                 {"min_bet", "Min Bet", "Set the bet to the minimum allowed (1 or globalLimits.minBet)", "", noValue, nil},
	aSwitchOverUnder:        {"switch_over_under", "Switch Over/Under", "Switch side keeping the win chance: over X becomes under 100−X and back", "", noValue, nil},
	aSetOver:                {"set_over", "Set Over", "Bet over the current target", "", noValue, nil},
	aSetUnder:               {"set_under", "Set Under", "Bet under the current target", "", noValue, nil},
	aInvertTarget:           {"invert_target", "Invert Target", "Mirror the target, X becomes 100−X (25→75), so a win chance p becomes 1−p", "", noValue, nil},
	aSetTargetAbsolute:      {"set_target_absolute", "Set Target", "Set the target to N (0–99.99, two decimals)", "Target (0-99.99)", targetValue, dp(50)},
	aIncreaseTarget:         {"increase_target", "Increase Target", "Increase the target by N (two decimals)", "Amount", targetValue, dp(5)},
	aDecreaseTarget:         {"decrease_target", "Decrease Target", "Decrease the target by N (two decimals)", "Amount", targetValue, dp(5)},
	aDoubleTarget:           {"double_target", "Double Target", "Double the target value", "", noValue, nil},
	aHalveTarget:            {"halve_target", "Halve Target", "Halve the target value (rounded down to the hundredth)", "", noValue, nil},
	aStop:                   {"stop", "Stop", "Stop the session (stop reason stop_action)", "", noValue, nil},
	aPauseNRounds:           {"pause_n_rounds", "Pause", "Place no bet for the next N rounds", "Rounds", ValueSpec{Field: FieldValue, Kind: KindCount, Min: D(1), Max: D(maxPauseRounds)}, dp(1)},
	aSkipNextBet:            {"skip_next_bet", "Skip Next", "Place no bet in the next round", "", noValue, nil},
	aResetAllRules:          {"reset_all_rules", "Reset Rules", "Reset every rule's execution count, cooldown and enabled state to the start", "", noValue, nil},
	aExecuteRule:            {"execute_rule", "Execute Rule", "Apply the action of the rule targetRuleId once, now", "Rule ID", ruleRef, nil},
	aEnableRule:             {"enable_rule", "Enable Rule", "Enable the rule targetRuleId for the rest of the session", "Rule ID", ruleRef, nil},
	aDisableRule:            {"disable_rule", "Disable Rule", "Disable the rule targetRuleId for the rest of the session", "Rule ID", ruleRef, nil},
}

// triggerCode returns the table index of t.
func triggerCode(t TriggerType) (trigCode, bool) {
	for i := range Triggers {
		if Triggers[i].Type == t {
			return trigCode(i), true
		}
	}
	return 0, false
}

// actionCode returns the table index of a.
func actionCode(a ActionType) (actCode, bool) {
	for i := range Actions {
		if Actions[i].Type == a {
			return actCode(i), true
		}
	}
	return 0, false
}
