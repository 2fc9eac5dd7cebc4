package strategy

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/money"
)

// Mode is an advanced strategy's execution mode.
type Mode string

// Execution modes: sequential runs the first matching rule (by order) after each round;
// all_matching runs every matching rule in order, each action seeing the previous ones' effect.
const (
	Sequential  Mode = "sequential"
	AllMatching Mode = "all_matching"
)

// Bounds of an advanced strategy, so that validation and every loop over it stay bounded.
const (
	MaxRules          = 100
	MaxNameLength     = 100
	MaxDescription    = 1000
	MaxTags           = 20
	MaxTagLength      = 50
	MaxRuleIDLength   = 64
	MaxPatternLength  = HistoryWindow
	maxCooldownRounds = 1_000_000
)

// Advanced is a rule-based strategy: a base bet changed by rules after each round.
type Advanced struct {
	Name          string
	Description   string
	BaseConfig    BaseConfig
	Rules         []Rule
	GlobalLimits  Limits
	ExecutionMode Mode
	IsPublic      bool
	Tags          []string
}

// BaseConfig is the bet an advanced strategy starts from.
type BaseConfig struct {
	Amount    money.Amount // whole credits, 1–10000
	Target    Hundredths
	Condition Condition
}

// Limits are an advanced strategy's global limits. A zero field is not set.
type Limits struct {
	MaxBet                  money.Amount // whole credits: cap on every stake
	MinBet                  money.Amount // whole credits: floor on every stake
	MaxRounds               int64        // stop after this many rounds
	StopIfBalanceBelow      money.Amount // stop before a round when balance < this
	StopIfBalanceAbove      money.Amount // stop before a round when balance ≥ this
	StopOnConsecutiveLosses int64        // stop when the loss streak reaches this
	StopOnConsecutiveWins   int64        // stop when the win streak reaches this
	StopOnProfitAbove       money.Amount // stop when balance − start ≥ this
	StopOnLossAbove         money.Amount // stop when start − balance ≥ this
}

// Rule is one trigger → action rule.
type Rule struct {
	ID             string  `json:"id"`
	Name           string  `json:"name,omitempty"`
	Order          int64   `json:"order"`
	Enabled        bool    `json:"enabled"`
	Trigger        Trigger `json:"trigger"`
	Action         Action  `json:"action"`
	CooldownRounds int64   `json:"cooldownRounds,omitempty"` // after executing, skip this many rounds
	MaxExecutions  int64   `json:"maxExecutions,omitempty"`  // at most this many executions (0: no cap)
}

// Trigger is a rule's condition. Value2 is accepted and kept but no trigger reads it.
type Trigger struct {
	Type    TriggerType `json:"type"`
	Value   *Dec        `json:"value,omitempty"`
	Value2  *Dec        `json:"value2,omitempty"`
	Pattern string      `json:"pattern,omitempty"`
}

// Action is what a rule does when its trigger matches.
type Action struct {
	Type         ActionType `json:"type"`
	Value        *Dec       `json:"value,omitempty"`
	TargetRuleID string     `json:"targetRuleId,omitempty"`
}

// DecodeAdvanced reads an advanced strategy from JSON with strict types and validates it. field
// prefixes the names in errors ("" for a request body that is the strategy itself, "strategy"
// when it is nested), so a bad trigger is reported as "rules[2].trigger.type". Members the
// real system returns but that are not part of the strategy (id, userId, createdAt, …) are
// ignored, so a client may send back what it read.
func DecodeAdvanced(data []byte, field string) (*Advanced, error) {
	o, err := readObject(data, field)
	if err != nil {
		return nil, err
	}
	a := &Advanced{ExecutionMode: Sequential}
	var ok bool
	if a.Name, ok, err = o.str("name"); err != nil {
		return nil, err
	} else if !ok {
		return nil, errs.Missing(o.name("name"))
	}
	if a.Description, _, err = o.str("description"); err != nil {
		return nil, err
	}
	bc, ok := o.raw("baseConfig")
	if !ok {
		return nil, errs.Missing(o.name("baseConfig"))
	}
	if a.BaseConfig, err = decodeBase(bc, o.name("baseConfig")); err != nil {
		return nil, err
	}
	rules, ok, err := o.array("rules")
	if err != nil {
		return nil, err
	} else if !ok {
		return nil, errs.Missing(o.name("rules"))
	}
	if len(rules) > MaxRules {
		return nil, errs.Invalid(o.name("rules"), "has more than %d rules", MaxRules)
	}
	a.Rules = make([]Rule, len(rules))
	for i, r := range rules {
		if a.Rules[i], err = decodeRule(r, index(o.name("rules"), i), i); err != nil {
			return nil, err
		}
	}
	if gl, ok := o.raw("globalLimits"); ok {
		if a.GlobalLimits, err = decodeLimits(gl, o.name("globalLimits")); err != nil {
			return nil, err
		}
	}
	mode, ok, err := o.str("executionMode")
	if err != nil {
		return nil, err
	} else if ok {
		a.ExecutionMode = Mode(mode)
	}
	if a.IsPublic, _, err = o.boolean("isPublic"); err != nil {
		return nil, err
	}
	if a.Tags, err = o.stringsOf("tags"); err != nil {
		return nil, err
	}
	if err := a.Validate(field); err != nil {
		return nil, err
	}
	return a, nil
}

func decodeBase(data []byte, field string) (BaseConfig, error) {
	o, err := readObject(data, field)
	if err != nil {
		return BaseConfig{}, err
	}
	var b BaseConfig
	var ok bool
	if b.Amount, ok, err = o.wholeCredits("amount"); err != nil {
		return BaseConfig{}, err
	} else if !ok {
		return BaseConfig{}, errs.Missing(o.name("amount"))
	}
	if b.Target, ok, err = o.hundredths("target"); err != nil {
		return BaseConfig{}, err
	} else if !ok {
		return BaseConfig{}, errs.Missing(o.name("target"))
	}
	c, ok, err := o.str("condition")
	if err != nil {
		return BaseConfig{}, err
	} else if !ok {
		return BaseConfig{}, errs.Missing(o.name("condition"))
	}
	b.Condition = Condition(c)
	return b, nil
}

func decodeLimits(data []byte, field string) (Limits, error) {
	o, err := readObject(data, field)
	if err != nil {
		return Limits{}, err
	}
	var l Limits
	for _, f := range []struct {
		key string
		dst *money.Amount
	}{{"maxBet", &l.MaxBet}, {"minBet", &l.MinBet}} {
		if *f.dst, _, err = o.wholeCredits(f.key); err != nil {
			return Limits{}, err
		}
	}
	for _, f := range []struct {
		key string
		dst *money.Amount
	}{{"stopIfBalanceBelow", &l.StopIfBalanceBelow}, {"stopIfBalanceAbove", &l.StopIfBalanceAbove},
		{"stopOnProfitAbove", &l.StopOnProfitAbove}, {"stopOnLossAbove", &l.StopOnLossAbove}} {
		if *f.dst, _, err = o.amount(f.key); err != nil {
			return Limits{}, err
		}
	}
	for _, f := range []struct {
		key string
		dst *int64
	}{{"maxRounds", &l.MaxRounds}, {"stopOnConsecutiveLosses", &l.StopOnConsecutiveLosses},
		{"stopOnConsecutiveWins", &l.StopOnConsecutiveWins}} {
		if *f.dst, _, err = o.integer(f.key); err != nil {
			return Limits{}, err
		}
	}
	// Zero means "not set" in Limits; an explicit zero (or less) is not a meaningful limit
	// except for stopIfBalanceBelow (balance < 0 never happens).
	if err := refuseNonPositive(o, "maxBet", "minBet", "maxRounds", "stopIfBalanceAbove",
		"stopOnConsecutiveLosses", "stopOnConsecutiveWins", "stopOnProfitAbove", "stopOnLossAbove"); err != nil {
		return Limits{}, err
	}
	return l, nil
}

// decodeRule reads rule i; field is its name ("rules[2]").
func decodeRule(data []byte, field string, i int) (Rule, error) {
	o, err := readObject(data, field)
	if err != nil {
		return Rule{}, err
	}
	r := Rule{ID: "rule-" + strconv.Itoa(i), Order: int64(i), Enabled: true}
	if id, ok, err := o.str("id"); err != nil {
		return Rule{}, err
	} else if ok {
		r.ID = id
	}
	if r.Name, _, err = o.str("name"); err != nil {
		return Rule{}, err
	}
	if v, ok, err := o.integer("order"); err != nil {
		return Rule{}, err
	} else if ok {
		r.Order = v
	}
	if v, ok, err := o.boolean("enabled"); err != nil {
		return Rule{}, err
	} else if ok {
		r.Enabled = v
	}
	if r.CooldownRounds, _, err = o.integer("cooldownRounds"); err != nil {
		return Rule{}, err
	}
	if r.MaxExecutions, _, err = o.integer("maxExecutions"); err != nil {
		return Rule{}, err
	}
	tr, ok := o.raw("trigger")
	if !ok {
		return Rule{}, errs.Missing(o.name("trigger"))
	}
	to, err := readObject(tr, o.name("trigger"))
	if err != nil {
		return Rule{}, err
	}
	tt, ok, err := to.str("type")
	if err != nil {
		return Rule{}, err
	} else if !ok {
		return Rule{}, errs.Missing(to.name("type"))
	}
	r.Trigger.Type = TriggerType(tt)
	spec := ValueSpec{}
	if c, ok := triggerCode(r.Trigger.Type); ok {
		spec = Triggers[c].Value
	}
	if r.Trigger.Value, err = readValue(to, FieldValue, spec); err != nil {
		return Rule{}, err
	}
	if r.Trigger.Value2, err = to.dec("value2"); err != nil {
		return Rule{}, err
	}
	if p, ok, err := to.str("pattern"); err != nil {
		return Rule{}, err
	} else if ok {
		// The real system upper-cases patterns; accept "wwl" as "WWL".
		r.Trigger.Pattern = strings.ToUpper(p)
	}
	ar, ok := o.raw("action")
	if !ok {
		return Rule{}, errs.Missing(o.name("action"))
	}
	ao, err := readObject(ar, o.name("action"))
	if err != nil {
		return Rule{}, err
	}
	at, ok, err := ao.str("type")
	if err != nil {
		return Rule{}, err
	} else if !ok {
		return Rule{}, errs.Missing(ao.name("type"))
	}
	r.Action.Type = ActionType(at)
	spec = ValueSpec{}
	if c, ok := actionCode(r.Action.Type); ok {
		spec = Actions[c].Value
	}
	if r.Action.Value, err = readValue(ao, FieldValue, spec); err != nil {
		return Rule{}, err
	}
	if r.Action.TargetRuleID, _, err = ao.str("targetRuleId"); err != nil {
		return Rule{}, err
	}
	return r, nil
}

// readValue reads a numeric member with the precision its kind allows.
func readValue(o object, key string, spec ValueSpec) (*Dec, error) {
	scale, precision := 6, "a number with at most 6 decimals"
	if spec.Field == key {
		switch spec.Kind {
		case KindCount:
			scale, precision = 0, "a whole number"
		case KindTarget:
			scale, precision = 2, "a number with at most two decimals"
		}
	}
	v, ok, err := o.fixed(key, scale, precision)
	if err != nil || !ok {
		return nil, err
	}
	for s := scale; s < 6; s++ {
		if v > 1<<62/10 || v < -(1<<62)/10 {
			return nil, errs.Invalid(o.name(key), "is out of range")
		}
		v *= 10
	}
	d := Dec(v)
	return &d, nil
}

// Validate checks every rule of an advanced strategy; field prefixes the names in its errors.
// It refuses unknown triggers and actions, missing or out-of-range values, patterns with other
// characters than W and L, duplicate rule ids, references to rules that do not exist and
// execute_rule chains that loop.
func (a *Advanced) Validate(field string) error {
	name := func(k string) string { return join(field, k) }
	if strings.TrimSpace(a.Name) == "" {
		return errs.Missing(name("name"))
	}
	if utf8.RuneCountInString(a.Name) > MaxNameLength {
		return errs.Invalid(name("name"), "must be at most %d characters", MaxNameLength)
	}
	if utf8.RuneCountInString(a.Description) > MaxDescription {
		return errs.Invalid(name("description"), "must be at most %d characters", MaxDescription)
	}
	if err := a.BaseConfig.validate(name("baseConfig")); err != nil {
		return err
	}
	if len(a.Rules) == 0 {
		return errs.Invalid(name("rules"), "must hold at least one rule")
	}
	if len(a.Rules) > MaxRules {
		return errs.Invalid(name("rules"), "has more than %d rules", MaxRules)
	}
	ids := make(map[string]int, len(a.Rules))
	for i, r := range a.Rules {
		rf := index(name("rules"), i)
		if r.ID == "" {
			return errs.Missing(rf + ".id")
		}
		if len(r.ID) > MaxRuleIDLength {
			return errs.Invalid(rf+".id", "must be at most %d bytes", MaxRuleIDLength)
		}
		if j, dup := ids[r.ID]; dup {
			return errs.Invalid(rf+".id", "repeats the id of rules[%d]", j)
		}
		ids[r.ID] = i
	}
	for i := range a.Rules {
		if err := a.Rules[i].validate(index(name("rules"), i), ids); err != nil {
			return err
		}
	}
	if err := a.checkExecuteChains(name("rules"), ids); err != nil {
		return err
	}
	if err := a.GlobalLimits.validate(name("globalLimits")); err != nil {
		return err
	}
	if a.ExecutionMode != Sequential && a.ExecutionMode != AllMatching {
		return errs.Invalid(name("executionMode"), `must be "sequential" or "all_matching"`)
	}
	if len(a.Tags) > MaxTags {
		return errs.Invalid(name("tags"), "has more than %d tags", MaxTags)
	}
	for i, t := range a.Tags {
		if strings.TrimSpace(t) == "" || utf8.RuneCountInString(t) > MaxTagLength {
			return errs.Invalid(index(name("tags"), i), "must be 1 to %d characters", MaxTagLength)
		}
	}
	return nil
}

func (b BaseConfig) validate(field string) error {
	amount := join(field, "amount")
	switch {
	case b.Amount <= 0:
		return errs.Invalid(amount, "must be at least %d credit", MinStakeCredits)
	case b.Amount%money.Micro != 0:
		return errs.Invalid(amount, "must be a whole number of credits")
	case b.Amount > money.Amount(MaxStakeCredits)*money.Micro:
		return errs.Invalid(amount, "must be at most %d credits", MaxStakeCredits)
	}
	return checkTarget(b.Target, b.Condition, join(field, "target"), join(field, "condition"))
}

func (l Limits) validate(field string) error {
	name := func(k string) string { return join(field, k) }
	maxStake := money.Amount(MaxStakeCredits) * money.Micro
	for _, f := range []struct {
		key string
		v   money.Amount
	}{{"maxBet", l.MaxBet}, {"minBet", l.MinBet}} {
		if f.v < 0 || f.v%money.Micro != 0 || f.v > maxStake {
			return errs.Invalid(name(f.key), "must be a whole number of credits from 1 to %d", MaxStakeCredits)
		}
	}
	if l.MaxBet > 0 && l.MinBet > l.MaxBet {
		return errs.Invalid(name("minBet"), "must not exceed %s", name("maxBet"))
	}
	for _, f := range []struct {
		key string
		v   int64
	}{{"maxRounds", l.MaxRounds}, {"stopOnConsecutiveLosses", l.StopOnConsecutiveLosses},
		{"stopOnConsecutiveWins", l.StopOnConsecutiveWins}} {
		if f.v < 0 {
			return errs.Invalid(name(f.key), "must be a positive whole number")
		}
	}
	for _, f := range []struct {
		key string
		v   money.Amount
	}{{"stopIfBalanceBelow", l.StopIfBalanceBelow}, {"stopIfBalanceAbove", l.StopIfBalanceAbove},
		{"stopOnProfitAbove", l.StopOnProfitAbove}, {"stopOnLossAbove", l.StopOnLossAbove}} {
		if f.v < 0 {
			return errs.Invalid(name(f.key), "must not be negative")
		}
	}
	return nil
}

func (r Rule) validate(field string, ids map[string]int) error {
	if utf8.RuneCountInString(r.Name) > MaxNameLength {
		return errs.Invalid(field+".name", "must be at most %d characters", MaxNameLength)
	}
	if r.CooldownRounds < 0 || r.CooldownRounds > maxCooldownRounds {
		return errs.Invalid(field+".cooldownRounds", "must be a whole number from 0 to %d", maxCooldownRounds)
	}
	if r.MaxExecutions < 0 {
		return errs.Invalid(field+".maxExecutions", "must not be negative")
	}
	tc, ok := triggerCode(r.Trigger.Type)
	if !ok {
		if r.Trigger.Type == "" {
			return errs.Missing(field + ".trigger.type")
		}
		return errs.Invalid(field+".trigger.type", "unknown trigger %q; GET /api/discovery lists the %d triggers", truncate(string(r.Trigger.Type)), len(Triggers))
	}
	ts := Triggers[tc].Value
	switch ts.Field {
	case FieldValue:
		if err := checkValue(r.Trigger.Value, ts, field+".trigger.value"); err != nil {
			return err
		}
	case FieldPattern:
		p := r.Trigger.Pattern
		if p == "" {
			return errs.Missing(field + ".trigger.pattern")
		}
		if len(p) > MaxPatternLength {
			return errs.Invalid(field+".trigger.pattern", "must be at most %d results long", MaxPatternLength)
		}
		for i := 0; i < len(p); i++ {
			if p[i] != 'W' && p[i] != 'L' {
				return errs.Invalid(field+".trigger.pattern", "must hold only W (win) and L (loss)")
			}
		}
	}
	ac, ok := actionCode(r.Action.Type)
	if !ok {
		if r.Action.Type == "" {
			return errs.Missing(field + ".action.type")
		}
		return errs.Invalid(field+".action.type", "unknown action %q; GET /api/discovery lists the %d actions", truncate(string(r.Action.Type)), len(Actions))
	}
	as := Actions[ac].Value
	switch as.Field {
	case FieldValue:
		if err := checkValue(r.Action.Value, as, field+".action.value"); err != nil {
			return err
		}
	case FieldTargetRuleID:
		f := field + ".action.targetRuleId"
		if r.Action.TargetRuleID == "" {
			return errs.Missing(f)
		}
		if _, ok := ids[r.Action.TargetRuleID]; !ok {
			return errs.Invalid(f, "no rule has the id %q", truncate(r.Action.TargetRuleID))
		}
		if ac == aExecuteRule && r.Action.TargetRuleID == r.ID {
			return errs.Invalid(f, "execute_rule cannot execute its own rule")
		}
	}
	return nil
}

// checkValue checks a numeric value against its spec.
func checkValue(v *Dec, s ValueSpec, field string) error {
	if v == nil {
		if s.Optional {
			return nil
		}
		return errs.Missing(field)
	}
	d := *v
	switch {
	case d < 0:
		return errs.Invalid(field, "must not be negative")
	case s.Kind == KindCount && !d.Whole():
		return errs.Invalid(field, "must be a whole number")
	case s.Kind == KindTarget && d%(DecScale/100) != 0:
		return errs.Invalid(field, "must have at most two decimals")
	case s.Positive && d == 0:
		return errs.Invalid(field, "must be greater than 0")
	case d < s.Min:
		return errs.Invalid(field, "must be at least %s", s.Min)
	case s.Max > 0 && d > s.Max:
		return errs.Invalid(field, "must be at most %s", s.Max)
	}
	return nil
}

// checkExecuteChains refuses execute_rule chains that come back to a rule already in the chain:
// they would never end.
func (a *Advanced) checkExecuteChains(field string, ids map[string]int) error {
	for i := range a.Rules {
		seen := 0
		for j := i; a.Rules[j].Action.Type == "execute_rule"; {
			next, ok := ids[a.Rules[j].Action.TargetRuleID]
			if !ok {
				break
			}
			seen++
			if next == i || seen > len(a.Rules) {
				return errs.Invalid(index(field, i)+".action.targetRuleId", "execute_rule chain loops back to rule %q", truncate(a.Rules[i].ID))
			}
			j = next
		}
	}
	return nil
}

func truncate(s string) string {
	if len(s) <= 40 {
		return s
	}
	return s[:40] + "…"
}

// Wire forms. Limits and BaseConfig carry money.Amount, which renders as credits.

type baseJSON struct {
	Amount    money.Decimal `json:"amount"`
	Target    Hundredths    `json:"target"`
	Condition Condition     `json:"condition"`
}

type limitsJSON struct {
	MaxBet                  *money.Decimal `json:"maxBet,omitempty"`
	MinBet                  *money.Decimal `json:"minBet,omitempty"`
	MaxRounds               int64          `json:"maxRounds,omitempty"`
	StopIfBalanceBelow      *money.Decimal `json:"stopIfBalanceBelow,omitempty"`
	StopIfBalanceAbove      *money.Decimal `json:"stopIfBalanceAbove,omitempty"`
	StopOnConsecutiveLosses int64          `json:"stopOnConsecutiveLosses,omitempty"`
	StopOnConsecutiveWins   int64          `json:"stopOnConsecutiveWins,omitempty"`
	StopOnProfitAbove       *money.Decimal `json:"stopOnProfitAbove,omitempty"`
	StopOnLossAbove         *money.Decimal `json:"stopOnLossAbove,omitempty"`
}

type advancedJSON struct {
	Name          string   `json:"name"`
	Description   string   `json:"description,omitempty"`
	BaseConfig    baseJSON `json:"baseConfig"`
	Rules         []Rule   `json:"rules"`
	GlobalLimits  *Limits  `json:"globalLimits,omitempty"`
	ExecutionMode Mode     `json:"executionMode"`
	IsPublic      bool     `json:"isPublic"`
	Tags          []string `json:"tags,omitempty"`
}

func nonZero(a money.Amount) *money.Amount {
	if a == 0 {
		return nil
	}
	return &a
}

// MarshalJSON renders the limits that are set.
func (l Limits) MarshalJSON() ([]byte, error) {
	return json.Marshal(limitsJSON{
		MaxBet: money.DecimalPtr(nonZero(l.MaxBet)), MinBet: money.DecimalPtr(nonZero(l.MinBet)), MaxRounds: l.MaxRounds,
		StopIfBalanceBelow: money.DecimalPtr(nonZero(l.StopIfBalanceBelow)), StopIfBalanceAbove: money.DecimalPtr(nonZero(l.StopIfBalanceAbove)),
		StopOnConsecutiveLosses: l.StopOnConsecutiveLosses, StopOnConsecutiveWins: l.StopOnConsecutiveWins,
		StopOnProfitAbove: money.DecimalPtr(nonZero(l.StopOnProfitAbove)), StopOnLossAbove: money.DecimalPtr(nonZero(l.StopOnLossAbove)),
	})
}

// UnmarshalJSON reads limits with the strict decoder.
func (l *Limits) UnmarshalJSON(data []byte) error {
	v, err := decodeLimits(data, "globalLimits")
	if err != nil {
		return err
	}
	if err := v.validate("globalLimits"); err != nil {
		return err
	}
	*l = v
	return nil
}

func (b BaseConfig) wire() baseJSON {
	return baseJSON{Amount: b.Amount.Decimal(), Target: b.Target, Condition: b.Condition}
}

// MarshalJSON renders the base bet in credits.
func (b BaseConfig) MarshalJSON() ([]byte, error) {
	return json.Marshal(b.wire())
}

// UnmarshalJSON reads the base bet with the strict decoder.
func (b *BaseConfig) UnmarshalJSON(data []byte) error {
	v, err := decodeBase(data, "baseConfig")
	if err != nil {
		return err
	}
	if err := v.validate("baseConfig"); err != nil {
		return err
	}
	*b = v
	return nil
}

// UnmarshalJSON reads a rule with the strict decoder (as rule 0 for its defaults).
func (r *Rule) UnmarshalJSON(data []byte) error {
	v, err := decodeRule(data, "rule", 0)
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// MarshalJSON renders a with the wire names; numbers are exact.
func (a Advanced) MarshalJSON() ([]byte, error) {
	j := advancedJSON{
		Name: a.Name, Description: a.Description, BaseConfig: a.BaseConfig.wire(), Rules: a.Rules,
		ExecutionMode: a.ExecutionMode, IsPublic: a.IsPublic, Tags: a.Tags,
	}
	if j.Rules == nil {
		j.Rules = []Rule{}
	}
	if a.GlobalLimits != (Limits{}) {
		j.GlobalLimits = &a.GlobalLimits
	}
	return json.Marshal(j)
}

// UnmarshalJSON is DecodeAdvanced with no field prefix.
func (a *Advanced) UnmarshalJSON(data []byte) error {
	v, err := DecodeAdvanced(data, "")
	if err != nil {
		return err
	}
	*a = *v
	return nil
}

// UnmarshalJSON reads an exact decimal with at most six decimals; strings are refused.
func (d *Dec) UnmarshalJSON(data []byte) error {
	if isNull(data) {
		return nil
	}
	v, err := fixedField(data, 6, "a number with at most 6 decimals", "value")
	if err != nil {
		return err
	}
	*d = Dec(v)
	return nil
}

// UnmarshalJSON reads an exact decimal with at most two decimals; strings are refused.
func (h *Hundredths) UnmarshalJSON(data []byte) error {
	if isNull(data) {
		return nil
	}
	v, err := fixedField(data, 2, "a number with at most two decimals", "target")
	if err != nil {
		return err
	}
	if v < -1<<31 || v > 1<<31 {
		return errs.Invalid("target", "is out of range")
	}
	*h = Hundredths(v)
	return nil
}
