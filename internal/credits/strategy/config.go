package strategy

import (
	"encoding/json"
	"strings"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/money"
)

// Progression names a basic strategy's bet progression.
type Progression string

// The eight progressions of spec 000. Their rules are in docs/strategies.md.
const (
	Flat       Progression = "flat"
	Martingale Progression = "martingale"
	Paroli     Progression = "paroli"
	DAlembert  Progression = "dalembert"
	Fibonacci  Progression = "fibonacci"
	Labouchere Progression = "labouchere"
	Oscar      Progression = "oscar"
	Kelly      Progression = "kelly"
)

// Progressions lists every progression in the order spec 000 names them.
var Progressions = []Progression{Flat, Martingale, Paroli, DAlembert, Fibonacci, Labouchere, Oscar, Kelly}

func (p Progression) valid() bool {
	for _, q := range Progressions {
		if p == q {
			return true
		}
	}
	return false
}

// Defaults and bounds of the basic configuration.
const (
	DefaultMaxConsecutiveLosses = 10 // martingale resets after this many losses in a row
	DefaultMaxConsecutiveWins   = 3  // paroli resets after this many wins in a row
	MaxLineLength               = 64 // longest labouchere line a client may configure
	maxStreakSetting            = 1_000_000
)

// DefaultLabouchereLine is the labouchere line used when none is configured.
var DefaultLabouchereLine = []int64{1, 2, 3, 4}

// Config is a basic strategy: a base bet and one progression. The zero value of every optional
// field means "not set" (its default applies).
type Config struct {
	Amount               money.Amount // base stake: whole credits, 1–10000
	Target               Hundredths   // 0.00–99.99; under needs at least 0.01
	Condition            Condition
	ProgressionType      Progression  // Flat when absent
	MaxPlay              money.Amount // cap on every stake, whole credits ≥ 1 (JSON maxPlay or maxBet)
	MaxConsecutiveLosses int64        // martingale reset; default 10
	MaxConsecutiveWins   int64        // paroli reset; default 3
	UnitStep             Dec          // d'Alembert unit in multiples of the base; default 1
	StopAfterRounds      int64        // stop after this many rounds
	StopIfBalanceBelow   money.Amount // stop before a round when balance < this
	StopIfBalanceAbove   money.Amount // stop before a round when balance ≥ this
	LabouchereLine       []int64      // labouchere line in units of the base; default 1,2,3,4
}

// DecodeConfig reads a basic strategy configuration from JSON with strict types and validates
// it. field is the name the client knows the object by ("config"); every error is an
// errs.Invalid naming the offending member ("config.amount"). Numbers are read exactly. Both the
// document's maxPlay and the real system's maxBet are accepted. Unknown members are ignored, as
// the real system does, so that its clients' extra keys do not break them.
func DecodeConfig(data []byte, field string) (Config, error) {
	o, err := readObject(data, field)
	if err != nil {
		return Config{}, err
	}
	var c Config
	var ok bool
	if c.Amount, ok, err = o.wholeCredits("amount"); err != nil {
		return Config{}, err
	} else if !ok {
		return Config{}, errs.Missing(o.name("amount"))
	}
	if c.Target, ok, err = o.hundredths("target"); err != nil {
		return Config{}, err
	} else if !ok {
		return Config{}, errs.Missing(o.name("target"))
	}
	cond, ok, err := o.str("condition")
	if err != nil {
		return Config{}, err
	} else if !ok {
		return Config{}, errs.Missing(o.name("condition"))
	}
	c.Condition = Condition(cond)
	pt, ok, err := o.str("progressionType")
	if err != nil {
		return Config{}, err
	}
	c.ProgressionType = Flat
	if ok && pt != "" { // the real system treats "" as absent too
		c.ProgressionType = Progression(pt)
	}
	maxPlay, okPlay, err := o.wholeCredits("maxPlay")
	if err != nil {
		return Config{}, err
	}
	maxBet, okBet, err := o.wholeCredits("maxBet")
	if err != nil {
		return Config{}, err
	}
	switch {
	case okPlay && okBet && maxPlay != maxBet:
		return Config{}, errs.Invalid(o.name("maxBet"), "differs from %s; send one of them", o.name("maxPlay"))
	case okPlay:
		c.MaxPlay = maxPlay
	case okBet:
		c.MaxPlay = maxBet
	}
	if c.MaxConsecutiveLosses, _, err = o.integer("maxConsecutiveLosses"); err != nil {
		return Config{}, err
	}
	if c.MaxConsecutiveWins, _, err = o.integer("maxConsecutiveWins"); err != nil {
		return Config{}, err
	}
	if d, err := o.dec("unitStep"); err != nil {
		return Config{}, err
	} else if d != nil {
		c.UnitStep = *d
	}
	if c.StopAfterRounds, _, err = o.integer("stopAfterRounds"); err != nil {
		return Config{}, err
	}
	if c.StopIfBalanceBelow, _, err = o.amount("stopIfBalanceBelow"); err != nil {
		return Config{}, err
	}
	if c.StopIfBalanceAbove, _, err = o.amount("stopIfBalanceAbove"); err != nil {
		return Config{}, err
	}
	line, ok, err := o.array("labouchereLine")
	if err != nil {
		return Config{}, err
	}
	if ok {
		if len(line) > MaxLineLength {
			return Config{}, errs.Invalid(o.name("labouchereLine"), "has more than %d entries", MaxLineLength)
		}
		c.LabouchereLine = make([]int64, len(line))
		for i, r := range line {
			if c.LabouchereLine[i], err = fixedField(r, 0, "a whole number", index(o.name("labouchereLine"), i)); err != nil {
				return Config{}, err
			}
		}
	}
	if err := refuseNonPositive(o, "maxPlay", "maxBet", "maxConsecutiveLosses", "maxConsecutiveWins",
		"unitStep", "stopAfterRounds", "stopIfBalanceAbove"); err != nil {
		return Config{}, err
	}
	if err := c.Validate(field); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Validate checks every rule of a basic configuration; field prefixes the names in its errors.
func (c Config) Validate(field string) error {
	name := func(k string) string { return join(field, k) }
	switch {
	case c.Amount <= 0:
		return errs.Invalid(name("amount"), "must be at least %d credit", MinStakeCredits)
	case c.Amount%money.Micro != 0:
		return errs.Invalid(name("amount"), "must be a whole number of credits")
	case c.Amount > money.Amount(MaxStakeCredits)*money.Micro:
		return errs.Invalid(name("amount"), "must be at most %d credits", MaxStakeCredits)
	}
	if err := checkTarget(c.Target, c.Condition, name("target"), name("condition")); err != nil {
		return err
	}
	if c.ProgressionType != "" && !c.ProgressionType.valid() {
		return errs.Invalid(name("progressionType"), "must be one of %s", progressionList())
	}
	if c.MaxPlay < 0 || c.MaxPlay%money.Micro != 0 || (c.MaxPlay > 0 && c.MaxPlay < money.Micro) {
		return errs.Invalid(name("maxPlay"), "must be a whole number of credits, at least 1")
	}
	if c.MaxConsecutiveLosses < 0 || c.MaxConsecutiveLosses > maxStreakSetting {
		return errs.Invalid(name("maxConsecutiveLosses"), "must be between 1 and %d", maxStreakSetting)
	}
	if c.MaxConsecutiveWins < 0 || c.MaxConsecutiveWins > maxStreakSetting {
		return errs.Invalid(name("maxConsecutiveWins"), "must be between 1 and %d", maxStreakSetting)
	}
	if c.UnitStep < 0 || c.UnitStep > D(MaxStakeCredits) {
		return errs.Invalid(name("unitStep"), "must be greater than 0 and at most %d", MaxStakeCredits)
	}
	if c.StopAfterRounds < 0 {
		return errs.Invalid(name("stopAfterRounds"), "must be a positive whole number")
	}
	if c.StopIfBalanceBelow < 0 {
		return errs.Invalid(name("stopIfBalanceBelow"), "must not be negative")
	}
	if c.StopIfBalanceAbove < 0 {
		return errs.Invalid(name("stopIfBalanceAbove"), "must be greater than 0")
	}
	if c.LabouchereLine != nil {
		if len(c.LabouchereLine) == 0 {
			return errs.Invalid(name("labouchereLine"), "must not be empty")
		}
		if len(c.LabouchereLine) > MaxLineLength {
			return errs.Invalid(name("labouchereLine"), "has more than %d entries", MaxLineLength)
		}
		for i, u := range c.LabouchereLine {
			if u < 1 || u > MaxStakeCredits {
				return errs.Invalid(index(name("labouchereLine"), i), "must be a whole number from 1 to %d", MaxStakeCredits)
			}
		}
	}
	return nil
}

// refuseNonPositive refuses an explicit zero or negative number in the named members. A zero in
// an optional numeric field of the Go types means "not set", so an explicit 0 where 0 is not a
// meaningful setting is refused by the decoder before it can be mistaken for "not set".
func refuseNonPositive(o object, keys ...string) error {
	for _, k := range keys {
		if r, ok := o.raw(k); ok {
			if v, err := parseFixed(r, 6); err == nil && v <= 0 {
				return errs.Invalid(o.name(k), "must be greater than 0")
			}
		}
	}
	return nil
}

// checkTarget validates a target and condition pair.
func checkTarget(t Hundredths, c Condition, targetField, condField string) error {
	if c != Over && c != Under {
		return errs.Invalid(condField, `must be "over" or "under"`)
	}
	if t < 0 || t > MaxTarget {
		return errs.Invalid(targetField, "must be from 0 to 99.99")
	}
	if !validTarget(t, c == Over) {
		return errs.Invalid(targetField, "under 0 can never win; use a target of at least 0.01")
	}
	return nil
}

func progressionList() string {
	s := make([]string, len(Progressions))
	for i, p := range Progressions {
		s[i] = string(p)
	}
	return strings.Join(s, ", ")
}

// configJSON is the wire form of Config. Both maxPlay (spec 000) and maxBet (the real system)
// are written, so that clients of either find the key they read.
type configJSON struct {
	Amount               money.Decimal  `json:"amount"`
	Target               Hundredths     `json:"target"`
	Condition            Condition      `json:"condition"`
	ProgressionType      Progression    `json:"progressionType"`
	MaxPlay              *money.Decimal `json:"maxPlay,omitempty"`
	MaxBet               *money.Decimal `json:"maxBet,omitempty"`
	MaxConsecutiveLosses int64          `json:"maxConsecutiveLosses,omitempty"`
	MaxConsecutiveWins   int64          `json:"maxConsecutiveWins,omitempty"`
	UnitStep             *Dec           `json:"unitStep,omitempty"`
	StopAfterRounds      int64          `json:"stopAfterRounds,omitempty"`
	StopIfBalanceBelow   *money.Decimal `json:"stopIfBalanceBelow,omitempty"`
	StopIfBalanceAbove   *money.Decimal `json:"stopIfBalanceAbove,omitempty"`
	LabouchereLine       []int64        `json:"labouchereLine,omitempty"`
}

// MarshalJSON renders c with the wire names; numbers are exact.
func (c Config) MarshalJSON() ([]byte, error) {
	j := configJSON{
		Amount: c.Amount.Decimal(), Target: c.Target, Condition: c.Condition, ProgressionType: c.ProgressionType,
		MaxConsecutiveLosses: c.MaxConsecutiveLosses, MaxConsecutiveWins: c.MaxConsecutiveWins,
		StopAfterRounds: c.StopAfterRounds, LabouchereLine: c.LabouchereLine,
	}
	if j.ProgressionType == "" {
		j.ProgressionType = Flat
	}
	if c.MaxPlay != 0 {
		j.MaxPlay, j.MaxBet = money.DecimalPtr(&c.MaxPlay), money.DecimalPtr(&c.MaxPlay)
	}
	if c.UnitStep != 0 {
		j.UnitStep = &c.UnitStep
	}
	if c.StopIfBalanceBelow != 0 {
		j.StopIfBalanceBelow = money.DecimalPtr(&c.StopIfBalanceBelow)
	}
	if c.StopIfBalanceAbove != 0 {
		j.StopIfBalanceAbove = money.DecimalPtr(&c.StopIfBalanceAbove)
	}
	return json.Marshal(j)
}

// UnmarshalJSON is DecodeConfig with no field prefix.
func (c *Config) UnmarshalJSON(data []byte) error {
	v, err := DecodeConfig(data, "")
	if err != nil {
		return err
	}
	*c = v
	return nil
}
