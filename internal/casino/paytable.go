package casino

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/bits"
	"strconv"
	"strings"

	"github.com/arcadehq/arcade/fairness"
)

// This file holds the pay tables of the /api/v1 games: the single source that GET /api/v1/games
// publishes, that settles bets and that `arcade verify` uses. Multipliers are exact integers in
// basis points (×10000) of the stake, and include the stake: a bet of s micro-units with
// multiplier m pays floor(s × m / 10000) micro-units back. A bet wins when its multiplier is
// positive. The published probabilities and returns to player are literals; paytable_test.go
// recomputes every one of them by enumerating all outcomes.

// BPScale is the basis-point scale of multipliers: 10000 bp = 1×.
const BPScale = 10000

// ErrInvalidParam is matched (errors.Is) by every *ParamError.
var ErrInvalidParam = errors.New("casino: invalid game parameter")

// ParamError reports a bad game parameter. Field is the request field at fault (choice,
// threshold, direction, bet), so surfaces can name it.
type ParamError struct {
	Field string
	Msg   string
}

func (e *ParamError) Error() string { return "casino: " + e.Field + ": " + e.Msg }

// Is makes errors.Is(err, ErrInvalidParam) true.
func (e *ParamError) Is(target error) bool { return target == ErrInvalidParam }

// Errors of Payout.
var (
	// ErrAmount reports a negative stake or multiplier.
	ErrAmount = errors.New("casino: negative amount")
	// ErrOverflow reports a payout that does not fit in an int64 count of micro-units.
	ErrOverflow = errors.New("casino: payout overflows int64 micro-units")
)

// Payout returns floor(stakeMicro × multiplierBP / 10000), the micro-units a bet pays back, with
// an exact 128-bit intermediate product. It fails with ErrAmount on a negative input and with
// ErrOverflow when the payout does not fit in an int64.
func Payout(stakeMicro, multiplierBP int64) (int64, error) {
	if stakeMicro < 0 || multiplierBP < 0 {
		return 0, ErrAmount
	}
	hi, lo := bits.Mul64(uint64(stakeMicro), uint64(multiplierBP))
	if hi >= BPScale {
		return 0, ErrOverflow
	}
	q, _ := bits.Div64(hi, lo, BPScale)
	if q > math.MaxInt64 {
		return 0, ErrOverflow
	}
	return int64(q), nil
}

// ---- coinflip ----

// CoinflipMultiplierBP is what a winning coinflip pays: 1.96×, an RTP of 98%.
const CoinflipMultiplierBP = 19600

// CoinflipBet is a coinflip wager: Choice is "heads" or "tails".
type CoinflipBet struct {
	Choice string `json:"choice"`
}

// Validate reports a choice other than heads or tails.
func (b CoinflipBet) Validate() error {
	if b.Choice != "heads" && b.Choice != "tails" {
		return &ParamError{"choice", `must be "heads" or "tails"`}
	}
	return nil
}

// CoinflipPayout settles a coinflip: the bet wins 1.96× when side (CoinflipSide) is its choice.
// An invalid bet never wins.
func CoinflipPayout(side string, bet CoinflipBet) (win bool, multiplierBP int64) {
	if bet.Validate() != nil || side != bet.Choice {
		return false, 0
	}
	return true, CoinflipMultiplierBP
}

// CoinflipRules is the published description of the coinflip.
type CoinflipRules struct {
	Game           string   `json:"game"`
	Outcome        string   `json:"outcome"`
	Choices        []string `json:"choices"`
	WinProbability Ratio    `json:"win_probability"`
	MultiplierBP   int64    `json:"multiplier_bp"`
	RTP            Ratio    `json:"rtp"`
}

// CoinflipGame returns the coinflip's rules, odds and return to player.
func CoinflipGame() CoinflipRules {
	return CoinflipRules{
		Game:           "coinflip",
		Outcome:        "heads if f0 < 0.5, else tails",
		Choices:        []string{"heads", "tails"},
		WinProbability: Ratio{1, 2},
		MultiplierBP:   CoinflipMultiplierBP,
		RTP:            Ratio{49, 50},
	}
}

// ---- dice (1–100) ----

// DiceReturnBP is the numerator of the dice multiplier: multiplierBP = floor(DiceReturnBP / W)
// for W winning rolls out of 100, i.e. 98% RTP before rounding down.
const DiceReturnBP = 980000

// DiceBet is a /api/v1 dice wager: Threshold 2–99 and Direction "over" (wins iff roll >
// Threshold) or "under" (wins iff roll < Threshold).
type DiceBet struct {
	Threshold int    `json:"threshold"`
	Direction string `json:"direction"`
}

// Validate reports a threshold outside 2–99 or a direction other than over or under.
func (b DiceBet) Validate() error {
	if b.Threshold < 2 || b.Threshold > 99 {
		return &ParamError{"threshold", "must be an integer from 2 to 99"}
	}
	if b.Direction != "over" && b.Direction != "under" {
		return &ParamError{"direction", `must be "over" or "under"`}
	}
	return nil
}

// WinningRolls returns W, how many of the rolls 1–100 win: 100 − T over T, T − 1 under T.
// It is 0 for an invalid bet.
func (b DiceBet) WinningRolls() int {
	if b.Validate() != nil {
		return 0
	}
	if b.Direction == "over" {
		return 100 - b.Threshold
	}
	return b.Threshold - 1
}

// MultiplierBP returns floor(980000 / W) for a valid bet, and 0 for an invalid one.
func (b DiceBet) MultiplierBP() int64 {
	w := b.WinningRolls()
	if w == 0 {
		return 0
	}
	return DiceReturnBP / int64(w)
}

// RTP returns the bet's exact return to player, W × MultiplierBP / (100 × 10000).
func (b DiceBet) RTP() Ratio {
	return newRatio(int64(b.WinningRolls())*b.MultiplierBP(), 100*BPScale)
}

// DicePayout settles a dice roll (DiceRoll, 1–100) against bet. An invalid bet never wins.
func DicePayout(roll int, bet DiceBet) (win bool, multiplierBP int64) {
	if bet.Validate() != nil || roll < 1 || roll > 100 {
		return false, 0
	}
	if bet.Direction == "over" {
		win = roll > bet.Threshold
	} else {
		win = roll < bet.Threshold
	}
	if !win {
		return false, 0
	}
	return true, bet.MultiplierBP()
}

// DiceRules is the published description of the /api/v1 dice.
type DiceRules struct {
	Game           string   `json:"game"`
	Outcome        string   `json:"outcome"`
	RollMin        int      `json:"roll_min"`
	RollMax        int      `json:"roll_max"`
	ThresholdMin   int      `json:"threshold_min"`
	ThresholdMax   int      `json:"threshold_max"`
	Directions     []string `json:"directions"`
	WinRule        string   `json:"win_rule"`
	MultiplierRule string   `json:"multiplier_rule"`
	ReturnBP       int64    `json:"return_bp"`
	// RTPMax is reached when W divides 980000 (e.g. over 50); RTPMin is the lowest RTP of any
	// bet, over 10 or under 91 (W = 90).
	RTPMax Ratio `json:"rtp_max"`
	RTPMin Ratio `json:"rtp_min"`
}

// DiceGame returns the dice's rules, odds and returns to player.
func DiceGame() DiceRules {
	return DiceRules{
		Game:           "dice",
		Outcome:        "roll = floor(f0 × 100) + 1, from 1 to 100",
		RollMin:        1,
		RollMax:        100,
		ThresholdMin:   2,
		ThresholdMax:   99,
		Directions:     []string{"over", "under"},
		WinRule:        "over T wins iff roll > T (W = 100 − T winning rolls); under T wins iff roll < T (W = T − 1)",
		MultiplierRule: "multiplier_bp = floor(980000 / W); win probability W/100",
		ReturnBP:       DiceReturnBP,
		RTPMax:         Ratio{49, 50},
		RTPMin:         Ratio{12249, 12500},
	}
}

// ---- roulette ----

// RoulettePockets is the number of pockets of the single-zero wheel, 0 to 36.
const RoulettePockets = fairness.RoulettePockets

// Roulette multipliers, stake included.
const (
	RouletteStraightBP  = 360000 // a single number: 35 to 1
	RouletteEvenMoneyBP = 20000  // red/black, even/odd, low/high: 1 to 1
	RouletteDozenBP     = 30000  // dozen or column: 2 to 1
)

// RouletteRed reports whether pocket n is red on the standard wheel: 1 3 5 7 9 12 14 16 18 19 21
// 23 25 27 30 32 34 36. Zero is green, the others black.
func RouletteRed(n int) bool {
	switch n {
	case 1, 3, 5, 7, 9, 12, 14, 16, 18, 19, 21, 23, 25, 27, 30, 32, 34, 36:
		return true
	}
	return false
}

// RouletteColor returns "green" for 0, "red" or "black" for 1–36 and "" otherwise.
func RouletteColor(n int) string {
	switch {
	case n == 0:
		return "green"
	case n < 0 || n > 36:
		return ""
	case RouletteRed(n):
		return "red"
	}
	return "black"
}

// RouletteBet is a roulette wager. Type is one of number, color, parity, range, dozen, column.
// Number holds the value of number (0–36), dozen and column (1–3) bets; Choice that of color
// (red, black), parity (even, odd) and range (low = 1–18, high = 19–36) bets. Zero loses every
// bet except a straight bet on 0. Column k holds the numbers n with n mod 3 = k mod 3.
type RouletteBet struct {
	Type   string
	Number int
	Choice string
}

// rouletteChoiceType maps each outside-bet word to its bet type.
func rouletteChoiceType(word string) string {
	switch word {
	case "red", "black":
		return "color"
	case "even", "odd":
		return "parity"
	case "low", "high":
		return "range"
	}
	return ""
}

// Validate reports an unknown type or a value outside its range.
func (b RouletteBet) Validate() error {
	switch b.Type {
	case "number":
		if b.Number < 0 || b.Number > 36 || b.Choice != "" {
			return &ParamError{"bet", "a number bet must be an integer from 0 to 36"}
		}
	case "dozen", "column":
		if b.Number < 1 || b.Number > 3 || b.Choice != "" {
			return &ParamError{"bet", "a " + b.Type + " bet must be 1, 2 or 3"}
		}
	case "color", "parity", "range":
		if rouletteChoiceType(b.Choice) != b.Type || b.Number != 0 {
			return &ParamError{"bet", "a " + b.Type + " bet must be " + rouletteWords(b.Type)}
		}
	default:
		return &ParamError{"bet", "type must be number, color, parity, range, dozen or column"}
	}
	return nil
}

func rouletteWords(typ string) string {
	switch typ {
	case "color":
		return `"red" or "black"`
	case "parity":
		return `"even" or "odd"`
	}
	return `"low" or "high"`
}

// Covers reports whether the bet wins on pocket n.
func (b RouletteBet) Covers(n int) bool {
	if n < 0 || n > 36 || b.Validate() != nil {
		return false
	}
	if b.Type == "number" {
		return n == b.Number
	}
	if n == 0 {
		return false
	}
	switch b.Type {
	case "dozen":
		return (n-1)/12+1 == b.Number
	case "column":
		return n%3 == b.Number%3
	case "color":
		return RouletteRed(n) == (b.Choice == "red")
	case "parity":
		return (n%2 == 0) == (b.Choice == "even")
	case "range":
		return (n <= 18) == (b.Choice == "low")
	}
	return false
}

// MultiplierBP returns what the bet pays when it wins, or 0 for an invalid bet.
func (b RouletteBet) MultiplierBP() int64 {
	if b.Validate() != nil {
		return 0
	}
	switch b.Type {
	case "number":
		return RouletteStraightBP
	case "dozen", "column":
		return RouletteDozenBP
	}
	return RouletteEvenMoneyBP
}

// RoulettePayout settles a pocket (RoulettePocket, 0–36) against bet. An invalid bet never wins.
func RoulettePayout(pocket int, bet RouletteBet) (win bool, multiplierBP int64) {
	if !bet.Covers(pocket) {
		return false, 0
	}
	return true, bet.MultiplierBP()
}

// ParseRouletteBet parses the text form of a bet: a number "0"–"36"; "red", "black", "even",
// "odd", "low", "high"; or "type:value" with type number, color, parity, range, dozen or column
// ("dozen:2", "column:1", "range:low", "number:17"). Errors are *ParamError for field bet.
func ParseRouletteBet(s string) (RouletteBet, error) {
	typ, val, typed := strings.Cut(s, ":")
	if !typed {
		if t := rouletteChoiceType(s); t != "" {
			return RouletteBet{Type: t, Choice: s}, nil
		}
		typ, val = "number", s
	}
	var b RouletteBet
	switch typ {
	case "number", "dozen", "column":
		n, ok := smallUint(val)
		if !ok {
			return RouletteBet{}, &ParamError{"bet", "want 0–36, red, black, even, odd, low, high, dozen:1–3 or column:1–3"}
		}
		b = RouletteBet{Type: typ, Number: n}
	default:
		b = RouletteBet{Type: typ, Choice: val}
	}
	if err := b.Validate(); err != nil {
		return RouletteBet{}, err
	}
	return b, nil
}

// smallUint parses 1 or 2 decimal digits without sign.
func smallUint(s string) (int, bool) {
	if len(s) == 0 || len(s) > 2 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// String returns the text form ParseRouletteBet reads: "17", "red", "dozen:2", "column:3".
func (b RouletteBet) String() string {
	switch b.Type {
	case "number":
		return strconv.Itoa(b.Number)
	case "dozen", "column":
		return b.Type + ":" + strconv.Itoa(b.Number)
	}
	return b.Choice
}

// UnmarshalJSON reads the three forms of RouletteBody.bet: an integer 0–36; one of the strings
// red, black, even, odd, low, high; or {"type": …, "value": …} where value is an integer (number,
// dozen, column; a string of digits is accepted too) or a string (color, parity, range).
func (b *RouletteBet) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	bad := &ParamError{"bet", "want an integer 0–36, red, black, even, odd, low, high, or {type, value}"}
	var nb RouletteBet
	switch {
	case len(data) == 0:
		return bad
	case data[0] == '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return bad
		}
		t := rouletteChoiceType(s)
		if t == "" {
			return bad
		}
		nb = RouletteBet{Type: t, Choice: s}
	case data[0] == '{':
		var obj struct {
			Type  *string         `json:"type"`
			Value json.RawMessage `json:"value"`
		}
		if err := json.Unmarshal(data, &obj); err != nil || obj.Type == nil || len(obj.Value) == 0 {
			return &ParamError{"bet", "an object bet needs a string type and a value"}
		}
		nb.Type = *obj.Type
		switch nb.Type {
		case "number", "dozen", "column":
			n, ok := jsonSmallInt(obj.Value)
			if !ok {
				return &ParamError{"bet.value", "must be an integer"}
			}
			nb.Number = n
		case "color", "parity", "range":
			if err := json.Unmarshal(obj.Value, &nb.Choice); err != nil {
				return &ParamError{"bet.value", "must be a string"}
			}
		}
	default:
		n, ok := jsonSmallInt(data)
		if !ok {
			return bad
		}
		nb = RouletteBet{Type: "number", Number: n}
	}
	if err := nb.Validate(); err != nil {
		return err
	}
	*b = nb
	return nil
}

// jsonSmallInt reads a JSON integer of at most two digits, or a JSON string of such digits.
func jsonSmallInt(raw json.RawMessage) (int, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' {
		raw = raw[1 : len(raw)-1]
	}
	return smallUint(string(raw))
}

// MarshalJSON writes the canonical object form {"type": …, "value": …}.
func (b RouletteBet) MarshalJSON() ([]byte, error) {
	var v any = b.Choice
	switch b.Type {
	case "number", "dozen", "column":
		v = b.Number
	}
	return json.Marshal(struct {
		Type  string `json:"type"`
		Value any    `json:"value"`
	}{b.Type, v})
}

// RouletteBetRule describes one kind of roulette bet for publication.
type RouletteBetRule struct {
	Type           string `json:"type"`
	Values         string `json:"values"`
	Covers         int    `json:"covers"`
	MultiplierBP   int64  `json:"multiplier_bp"`
	WinProbability Ratio  `json:"win_probability"`
	RTP            Ratio  `json:"rtp"`
}

// RouletteRules is the published description of the roulette.
type RouletteRules struct {
	Game       string            `json:"game"`
	Outcome    string            `json:"outcome"`
	Pockets    int               `json:"pockets"`
	RedNumbers []int             `json:"red_numbers"`
	ZeroRule   string            `json:"zero_rule"`
	Bets       []RouletteBetRule `json:"bets"`
	RTP        Ratio             `json:"rtp"`
}

// RouletteGame returns the roulette's rules, odds and return to player.
func RouletteGame() RouletteRules {
	even := func(typ, values string) RouletteBetRule {
		return RouletteBetRule{typ, values, 18, RouletteEvenMoneyBP, Ratio{18, 37}, Ratio{36, 37}}
	}
	return RouletteRules{
		Game:       "roulette",
		Outcome:    "pocket = floor(f0 × 37), single zero, 0 to 36",
		Pockets:    RoulettePockets,
		RedNumbers: []int{1, 3, 5, 7, 9, 12, 14, 16, 18, 19, 21, 23, 25, 27, 30, 32, 34, 36},
		ZeroRule:   "0 loses every bet except a straight bet on 0",
		Bets: []RouletteBetRule{
			{"number", "an integer 0–36", 1, RouletteStraightBP, Ratio{1, 37}, Ratio{36, 37}},
			even("color", "red | black"),
			even("parity", "even | odd"),
			even("range", "low (1–18) | high (19–36)"),
			{"dozen", "1 (1–12) | 2 (13–24) | 3 (25–36)", 12, RouletteDozenBP, Ratio{12, 37}, Ratio{36, 37}},
			{"column", "1 (1, 4, …, 34) | 2 (2, 5, …, 35) | 3 (3, 6, …, 36)", 12, RouletteDozenBP, Ratio{12, 37}, Ratio{36, 37}},
		},
		RTP: Ratio{36, 37},
	}
}

// ---- slots ----

// SlotsSymbolCount is the number of symbols on each of the three reels.
const SlotsSymbolCount = fairness.SlotsSymbolCount

// The slots symbols, by reel index.
const (
	SlotsCherry = iota
	SlotsLemon
	SlotsOrange
	SlotsPlum
	SlotsBell
	SlotsSeven
)

// SlotsSymbols returns the symbol names by index, as GET /api/v1/games publishes them.
func SlotsSymbols() [SlotsSymbolCount]string {
	return [SlotsSymbolCount]string{"cherry", "lemon", "orange", "plum", "bell", "seven"}
}

// Slots multipliers, stake included.
const (
	SlotsTwoCherriesBP = 30000 // exactly two cherries: 3×
	SlotsPairBP        = 12000 // any other two of a kind: 1.2×
)

// SlotsThreeBP returns what three of symbol sym pays: cherry 6×, lemon 7×, orange 9×, plum 11×,
// bell 15×, seven 27×; 0 for an unknown symbol.
func SlotsThreeBP(sym int) int64 {
	switch sym {
	case SlotsCherry:
		return 60000
	case SlotsLemon:
		return 70000
	case SlotsOrange:
		return 90000
	case SlotsPlum:
		return 110000
	case SlotsBell:
		return 150000
	case SlotsSeven:
		return 270000
	}
	return 0
}

// SlotsPayout settles three reels (SlotsReels). The first matching rule pays: three of a kind
// (SlotsThreeBP); exactly two cherries, 3×; any other two of a kind, 1.2×. Anything else, and
// any reel outside 0–5, loses. Order on the reels does not matter.
func SlotsPayout(reels [3]int) (win bool, multiplierBP int64) {
	a, b, c := reels[0], reels[1], reels[2]
	for _, r := range reels {
		if r < 0 || r >= SlotsSymbolCount {
			return false, 0
		}
	}
	switch {
	case a == b && b == c:
		return true, SlotsThreeBP(a)
	case a == b && a == SlotsCherry, a == c && a == SlotsCherry, b == c && b == SlotsCherry:
		return true, SlotsTwoCherriesBP
	case a == b, b == c, a == c:
		return true, SlotsPairBP
	}
	return false, 0
}

// SlotsPay is one line of the published slots pay table.
type SlotsPay struct {
	Rule         string `json:"rule"`
	Combinations int    `json:"combinations"` // of the 216 equally likely reel combinations
	MultiplierBP int64  `json:"multiplier_bp"`
}

// SlotsRules is the published description of the slots.
type SlotsRules struct {
	Game           string     `json:"game"`
	Outcome        string     `json:"outcome"`
	Reels          int        `json:"reels"`
	Symbols        []string   `json:"symbols"`
	Pays           []SlotsPay `json:"pays"`
	HitProbability Ratio      `json:"hit_probability"`
	RTP            Ratio      `json:"rtp"`
}

// SlotsGame returns the slots' rules, pay table, odds and return to player.
func SlotsGame() SlotsRules {
	sym := SlotsSymbols()
	three := func(s int) SlotsPay { return SlotsPay{"three " + sym[s], 1, SlotsThreeBP(s)} }
	return SlotsRules{
		Game:    "slots",
		Outcome: "reel i shows symbol floor(f_i × 6), i = 0, 1, 2; the first matching rule pays",
		Reels:   3,
		Symbols: sym[:],
		Pays: []SlotsPay{
			three(SlotsSeven), three(SlotsBell), three(SlotsPlum),
			three(SlotsOrange), three(SlotsLemon), three(SlotsCherry),
			{"exactly two cherries", 15, SlotsTwoCherriesBP},
			{"any other two of a kind", 75, SlotsPairBP},
		},
		HitProbability: Ratio{4, 9},
		RTP:            Ratio{35, 36},
	}
}

// ---- all games ----

// PayTables gathers the published rules of the four /api/v1 games.
type PayTables struct {
	Coinflip CoinflipRules `json:"coinflip"`
	Dice     DiceRules     `json:"dice"`
	Roulette RouletteRules `json:"roulette"`
	Slots    SlotsRules    `json:"slots"`
}

// Games returns the pay tables of the /api/v1 games, for GET /api/v1/games.
func Games() PayTables {
	return PayTables{CoinflipGame(), DiceGame(), RouletteGame(), SlotsGame()}
}
