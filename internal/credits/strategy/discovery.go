package strategy

import (
	"encoding/json"
)

// Platform constants published by discovery (spec 000 and the real system's constants).
const (
	FaucetCredits         = 100
	FaucetCooldownSeconds = 3600
	DepositAlertLow       = 100
	DepositAlertCritical  = 10
	WithdrawMinCredits    = 10000
	MaxRoundsPerRun       = 100_000 // run-strategy and run-advanced-strategy maxRounds cap
	DefaultRunRounds      = 20      // run-strategy maxRounds default
	// MaxMultiplier is the largest payout multiplier: over 99.99 wins on one roll in 10000 and
	// pays 0.97 × 10000 = 9700×. Arcade does not cap the multiplier (DESIGN §5).
	MaxMultiplier = returnBP
)

// BalanceMilestones are the balances at which an agent may congratulate its player.
var BalanceMilestones = []int64{1000, 2000, 5000, 10000, 25000, 50000}

// Discovery sections, as ?section= names them.
const (
	SectionStrategyBuilder = "strategy_builder"
	SectionGameMechanics   = "game_mechanics"
	SectionPlatform        = "platform"
)

// DiscoveryDoc is the machine-readable document of GET /api/discovery: the strategy builder's
// vocabulary and presets, the dice mechanics and the platform's constants, with the real
// system's field names. The vocabulary comes from the same tables the validator uses.
type DiscoveryDoc struct {
	StrategyBuilder *StrategyBuilder `json:"strategyBuilder,omitempty"`
	GameMechanics   *GameMechanics   `json:"gameMechanics,omitempty"`
	Platform        *Platform        `json:"platform,omitempty"`
}

// Section returns the document with only the named section ("" or "all" for all of it), or false
// for an unknown name.
func (d DiscoveryDoc) Section(name string) (DiscoveryDoc, bool) {
	switch name {
	case "", "all":
		return d, true
	case SectionStrategyBuilder:
		return DiscoveryDoc{StrategyBuilder: d.StrategyBuilder}, true
	case SectionGameMechanics:
		return DiscoveryDoc{GameMechanics: d.GameMechanics}, true
	case SectionPlatform:
		return DiscoveryDoc{Platform: d.Platform}, true
	}
	return DiscoveryDoc{}, false
}

// StrategyBuilder is the strategyBuilder section.
type StrategyBuilder struct {
	Triggers       []TriggerDoc        `json:"triggers"`
	Actions        []ActionDoc         `json:"actions"`
	GlobalLimits   map[string]LimitDoc `json:"globalLimits"`
	RuleSchema     RuleSchema          `json:"ruleSchema"`
	ExecutionModes []Mode              `json:"executionModes"`
	Presets        []Preset            `json:"presets"`
	Progressions   []Progression       `json:"progressionTypes"`
}

// TriggerDoc describes one trigger.
type TriggerDoc struct {
	Type        TriggerType `json:"type"`
	Label       string      `json:"label"`
	Description string      `json:"description"`
	NeedsValue  bool        `json:"needsValue"`
	ValueLabel  string      `json:"valueLabel,omitempty"`
	ValueType   string      `json:"valueType"` // "number" or "pattern", as the real system says
	ValueKind   ValueKind   `json:"valueKind,omitempty"`
	Field       string      `json:"field,omitempty"` // the member that holds the value
	Min         *Dec        `json:"min,omitempty"`
	Max         *Dec        `json:"max,omitempty"`
	Integer     bool        `json:"integer,omitempty"`
}

// ActionDoc describes one action.
type ActionDoc struct {
	Type         ActionType `json:"type"`
	Label        string     `json:"label"`
	Description  string     `json:"description"`
	NeedsValue   bool       `json:"needsValue"`
	ValueLabel   string     `json:"valueLabel,omitempty"`
	DefaultValue *Dec       `json:"defaultValue,omitempty"`
	ValueType    string     `json:"valueType,omitempty"` // "number" or "ruleId"
	ValueKind    ValueKind  `json:"valueKind,omitempty"`
	Field        string     `json:"field,omitempty"`
	Min          *Dec       `json:"min,omitempty"`
	Max          *Dec       `json:"max,omitempty"`
	Integer      bool       `json:"integer,omitempty"`
}

// LimitDoc describes one global limit.
type LimitDoc struct {
	Type        string `json:"type"`
	Description string `json:"description"`
	Min         *int64 `json:"min,omitempty"`
	Max         *int64 `json:"max,omitempty"`
}

// RuleSchema is the shape of a rule.
type RuleSchema struct {
	ID             FieldDoc  `json:"id"`
	Order          FieldDoc  `json:"order"`
	Enabled        FieldDoc  `json:"enabled"`
	Trigger        ObjectDoc `json:"trigger"`
	Action         ObjectDoc `json:"action"`
	CooldownRounds FieldDoc  `json:"cooldownRounds"`
	MaxExecutions  FieldDoc  `json:"maxExecutions"`
}

// FieldDoc describes one member.
type FieldDoc struct {
	Type        string `json:"type"`
	Description string `json:"description"`
}

// ObjectDoc describes an object member: its properties' types.
type ObjectDoc struct {
	Type       string            `json:"type"`
	Properties map[string]string `json:"properties"`
}

// GameMechanics is the gameMechanics section.
type GameMechanics struct {
	Dice DiceDoc `json:"dice"`
}

// DiceDoc describes spec 000's dice as Arcade plays it.
type DiceDoc struct {
	HouseEdge             json.Number          `json:"houseEdge"`
	ReturnToPlayer        json.Number          `json:"returnToPlayer"`
	MinBet                int64                `json:"minBet"`
	MaxBet                int64                `json:"maxBet"`
	MinAmount             int64                `json:"minAmount"`
	MaxAmount             int64                `json:"maxAmount"`
	MaxMultiplier         json.Number          `json:"maxMultiplier"`
	MultiplierCapped      bool                 `json:"multiplierCapped"`
	TargetRange           [2]json.Number       `json:"targetRange"`
	TargetDecimals        int                  `json:"targetDecimals"`
	RollRange             [2]json.Number       `json:"rollRange"`
	Conditions            []Condition          `json:"conditions"`
	WinRule               string               `json:"winRule"`
	WinProbabilityFormula string               `json:"winProbabilityFormula"`
	WinProbability        map[Condition]string `json:"winProbability"`
	MultiplierFormula     string               `json:"multiplierFormula"`
	PayoutFormula         string               `json:"payoutFormula"`
	ProvablyFair          FairnessDoc          `json:"provablyFair"`
}

// FairnessDoc describes how a roll is derived.
type FairnessDoc struct {
	Formula     string `json:"formula"`
	Description string `json:"description"`
	Commitment  string `json:"commitment"`
}

// Platform is the platform section.
type Platform struct {
	Faucet            FaucetDoc        `json:"faucet"`
	DepositAlerts     DepositAlertsDoc `json:"depositAlerts"`
	BalanceMilestones []int64          `json:"balanceMilestones"`
	Withdrawal        WithdrawalDoc    `json:"withdrawal"`
	Limits            PlatformLimits   `json:"limits"`
	// RateLimits is filled in by the serving surface, which knows its configuration.
	RateLimits any `json:"rateLimits,omitempty"`
}

// FaucetDoc is the Free Credits faucet.
type FaucetDoc struct {
	Amount          int64 `json:"amount"`
	CooldownSeconds int64 `json:"cooldownSeconds"`
}

// DepositAlertsDoc are the balance thresholds agents use to suggest a deposit.
type DepositAlertsDoc struct {
	Low      int64 `json:"low"`
	Critical int64 `json:"critical"`
	MinBet   int64 `json:"minBet"`
}

// WithdrawalDoc describes withdrawals.
type WithdrawalDoc struct {
	MinCredits   int64       `json:"minCredits"`
	CreditsToUsd json.Number `json:"creditsToUsd"`
}

// PlatformLimits are the per-request limits.
type PlatformLimits struct {
	MaxRoundsPerRun       int64 `json:"maxRoundsPerRun"`
	MaxBet                int64 `json:"maxBet"`
	MinBet                int64 `json:"minBet"`
	MaxSimulationRounds   int64 `json:"maxSimulationRounds"`
	MaxSimulationSessions int64 `json:"maxSimulationSessions"`
	MaxRules              int64 `json:"maxRules"`
	MaxPatternLength      int64 `json:"maxPatternLength"`
	MaxLabouchereLine     int64 `json:"maxLabouchereLine"`
}

// Discovery builds the discovery document. It is derived from the vocabulary tables, the presets
// and the dice constants, so it cannot drift from what the validator and the engine do.
func Discovery() DiscoveryDoc {
	sb := &StrategyBuilder{
		ExecutionModes: []Mode{Sequential, AllMatching},
		Presets:        Presets(),
		Progressions:   append([]Progression(nil), Progressions...),
	}
	for _, t := range Triggers {
		d := TriggerDoc{
			Type: t.Type, Label: t.Label, Description: t.Description, NeedsValue: t.NeedsValue(),
			ValueLabel: t.ValueLabel, ValueType: "number", ValueKind: t.Value.Kind, Field: t.Value.Field,
		}
		if t.Value.Kind == KindPattern {
			d.ValueType = "pattern"
		}
		d.Min, d.Max, d.Integer = bounds(t.Value)
		sb.Triggers = append(sb.Triggers, d)
	}
	for _, a := range Actions {
		d := ActionDoc{
			Type: a.Type, Label: a.Label, Description: a.Description, NeedsValue: a.NeedsValue(),
			ValueLabel: a.ValueLabel, DefaultValue: a.DefaultValue, ValueKind: a.Value.Kind, Field: a.Value.Field,
		}
		switch a.Value.Kind {
		case KindNone:
		case KindRuleID:
			d.ValueType = "ruleId"
		default:
			d.ValueType = "number"
		}
		d.Min, d.Max, d.Integer = bounds(a.Value)
		sb.Actions = append(sb.Actions, d)
	}
	one, maxStake := int64(MinStakeCredits), int64(MaxStakeCredits)
	sb.GlobalLimits = map[string]LimitDoc{
		"maxBet":                  {Type: "number", Description: "Maximum bet amount (whole credits)", Min: &one, Max: &maxStake},
		"minBet":                  {Type: "number", Description: "Minimum bet amount (whole credits); the session stops with insufficient_balance when the balance cannot cover it", Min: &one, Max: &maxStake},
		"maxRounds":               {Type: "number", Description: "Maximum rounds before stop (max_rounds)", Min: &one},
		"stopIfBalanceBelow":      {Type: "number", Description: "Stop before a round when the balance is below this (balance_below)"},
		"stopIfBalanceAbove":      {Type: "number", Description: "Stop before a round when the balance is at or above this (balance_above)"},
		"stopOnConsecutiveLosses": {Type: "number", Description: "Stop after N consecutive losses (max_consecutive_losses)", Min: &one},
		"stopOnConsecutiveWins":   {Type: "number", Description: "Stop after N consecutive wins (max_consecutive_wins)", Min: &one},
		"stopOnProfitAbove":       {Type: "number", Description: "Stop when balance − starting balance reaches this (profit_above)"},
		"stopOnLossAbove":         {Type: "number", Description: "Stop when starting balance − balance reaches this (loss_above)"},
	}
	sb.RuleSchema = RuleSchema{
		ID:             FieldDoc{"string", "Unique within the strategy; default rule-<index>; targetRuleId refers to it"},
		Order:          FieldDoc{"number", "Rules are tried by ascending order (default: position in the list)"},
		Enabled:        FieldDoc{"boolean", "Default true; enable_rule and disable_rule change it for the session"},
		Trigger:        ObjectDoc{"object", map[string]string{"type": "string", "value": "number", "value2": "number", "pattern": "string"}},
		Action:         ObjectDoc{"object", map[string]string{"type": "string", "value": "number", "targetRuleId": "string"}},
		CooldownRounds: FieldDoc{"number", "After executing, the rule is skipped for this many rounds"},
		MaxExecutions:  FieldDoc{"number", "Max times rule can execute per run (0: no limit; reset_all_rules resets the count)"},
	}

	gm := &GameMechanics{Dice: DiceDoc{
		HouseEdge:             "0.03",
		ReturnToPlayer:        "0.97",
		MinBet:                MinStakeCredits,
		MaxBet:                MaxStakeCredits,
		MinAmount:             MinStakeCredits,
		MaxAmount:             MaxStakeCredits,
		MaxMultiplier:         json.Number(itoa(MaxMultiplier)),
		MultiplierCapped:      false,
		TargetRange:           [2]json.Number{"0", "99.99"},
		TargetDecimals:        2,
		RollRange:             [2]json.Number{"0", "99.99"},
		Conditions:            []Condition{Over, Under},
		WinRule:               "under X wins iff roll < X; over X wins iff roll ≥ X (over and under X are complementary)",
		WinProbabilityFormula: "over X → (100-X)/100; under X → X/100. Example: over 50 = 50% win chance.",
		WinProbability: map[Condition]string{
			Over:  "(100 - X) / 100",
			Under: "X / 100",
		},
		MultiplierFormula: "(1 - houseEdge) / winProbability = 0.97 / winProbability, uncapped. Example: over 50 = 1.94x payout.",
		PayoutFormula:     "payout = floor(amount × 9700 / W) micro-credits on a win, 0 on a loss, where W = 100·X (under) or 10000 − 100·X (over) is the number of winning rolls out of 10000; W must be > 0 (under 0 is refused)",
		ProvablyFair: FairnessDoc{
			Formula:     "roll = floor(uint32_be(HMAC-SHA256(key = serverSeed bytes, message = clientSeed + ':' + nonce)[0:4]) / 2^32 × 10000) / 100",
			Description: "Dice value in [0, 99.99] from the committed server seed; verify offline with arcade verify --game credit-dice.",
			Commitment:  "serverSeedHash = lowercase hex SHA-256 of the 32 seed bytes, published before the seed is used",
		},
	}}

	pf := &Platform{
		Faucet:            FaucetDoc{Amount: FaucetCredits, CooldownSeconds: FaucetCooldownSeconds},
		DepositAlerts:     DepositAlertsDoc{Low: DepositAlertLow, Critical: DepositAlertCritical, MinBet: MinStakeCredits},
		BalanceMilestones: append([]int64(nil), BalanceMilestones...),
		Withdrawal:        WithdrawalDoc{MinCredits: WithdrawMinCredits, CreditsToUsd: "0.01"},
		Limits: PlatformLimits{
			MaxRoundsPerRun: MaxRoundsPerRun, MaxBet: MaxStakeCredits, MinBet: MinStakeCredits,
			MaxSimulationRounds: MaxSimRounds, MaxSimulationSessions: MaxSimSessions,
			MaxRules: MaxRules, MaxPatternLength: MaxPatternLength, MaxLabouchereLine: MaxLineLength,
		},
	}
	return DiscoveryDoc{StrategyBuilder: sb, GameMechanics: gm, Platform: pf}
}

// bounds renders a value spec's bounds for discovery.
func bounds(s ValueSpec) (lo, hi *Dec, integer bool) {
	switch s.Kind {
	case KindNone, KindPattern, KindRuleID:
		return nil, nil, false
	}
	lo = decPtr(s.Min)
	if s.Max > 0 {
		hi = decPtr(s.Max)
	}
	return lo, hi, s.Kind == KindCount
}

func itoa(n int64) string { return Dec(n * DecScale).String() }
