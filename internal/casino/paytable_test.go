package casino_test

import (
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"strconv"
	"strings"
	"testing"

	"github.com/arcadehq/arcade/fairness"
	"github.com/arcadehq/arcade/internal/casino"
)

// rtp returns sum(bp) / (outcomes × 10000) as an exact fraction.
func rtp(sumBP int64, outcomes int64) *big.Rat { return big.NewRat(sumBP, outcomes*casino.BPScale) }

func ratio(r casino.Ratio) *big.Rat { return big.NewRat(r.Num, r.Den) }

func checkRatio(t *testing.T, what string, published casino.Ratio, got *big.Rat) {
	t.Helper()
	if published.Den == 0 || ratio(published).Cmp(got) != 0 {
		t.Errorf("%s: published %s, enumeration gives %s", what, published, got.RatString())
	}
	if g := new(big.Rat).SetFrac(big.NewInt(published.Num), big.NewInt(published.Den)); g.Num().Int64() != published.Num {
		t.Errorf("%s: published %s is not in lowest terms", what, published)
	}
}

// uCounts returns, for each outcome k of floor(f × n), how many of the 2^32 values u map to it:
// ceil((k+1) 2^32 / n) − ceil(k 2^32 / n). It lets a test weigh outcomes exactly as the stream does.
func uCounts(n int64) []*big.Int {
	out := make([]*big.Int, n)
	c := func(k int64) *big.Int {
		x := new(big.Int).Lsh(big.NewInt(k), 32)
		x.Add(x, big.NewInt(n-1))
		return x.Quo(x, big.NewInt(n))
	}
	for k := range n {
		out[k] = new(big.Int).Sub(c(k+1), c(k))
	}
	return out
}

// streamBias checks that weighting outcomes by uCounts instead of uniformly moves the RTP by
// less than 1e-7: the published (uniform) figure is what the 32-bit stream delivers. (Each
// outcome's weight is off by less than 2^-32, times a multiplier of at most 98 for these games.)
func streamBias(t *testing.T, what string, uniform, weighted *big.Rat) {
	t.Helper()
	d := new(big.Rat).Sub(uniform, weighted)
	d.Abs(d)
	if d.Cmp(big.NewRat(1, 10_000_000)) > 0 {
		t.Errorf("%s: stream RTP %s differs from %s by %s", what, weighted.FloatString(12), uniform.FloatString(12), d.FloatString(12))
	}
}

func TestCoinflipRTP(t *testing.T) {
	g := casino.CoinflipGame()
	for _, choice := range g.Choices {
		bet := casino.CoinflipBet{Choice: choice}
		var sum, wins int64
		for _, side := range []string{"heads", "tails"} {
			win, bp := casino.CoinflipPayout(side, bet)
			sum += bp
			if win {
				wins++
			}
		}
		checkRatio(t, "coinflip "+choice+" RTP", g.RTP, rtp(sum, 2))
		checkRatio(t, "coinflip "+choice+" win probability", g.WinProbability, big.NewRat(wins, 2))
	}
	if win, bp := casino.CoinflipPayout("heads", casino.CoinflipBet{Choice: "edge"}); win || bp != 0 {
		t.Error("invalid choice wins")
	}
	// heads covers u < 2^31: exactly half of the stream.
	if fairness.CoinflipSide(1<<31-1) != "heads" || fairness.CoinflipSide(1<<31) != "tails" {
		t.Error("coinflip split is not at 2^31")
	}
}

func TestDiceRTP(t *testing.T) {
	g := casino.DiceGame()
	counts := uCounts(100)
	var lo, hi *big.Rat
	for th := g.ThresholdMin; th <= g.ThresholdMax; th++ {
		for _, dir := range g.Directions {
			bet := casino.DiceBet{Threshold: th, Direction: dir}
			if err := bet.Validate(); err != nil {
				t.Fatal(err)
			}
			var sum, w int64
			weighted := new(big.Int)
			for roll := g.RollMin; roll <= g.RollMax; roll++ {
				win, bp := casino.DicePayout(roll, bet)
				if win != (bp > 0) {
					t.Fatalf("%v roll %d: win %v with %d bp", bet, roll, win, bp)
				}
				if win {
					w++
				}
				sum += bp
				weighted.Add(weighted, new(big.Int).Mul(counts[roll-1], big.NewInt(bp)))
			}
			if w != int64(bet.WinningRolls()) || bet.MultiplierBP() != casino.DiceReturnBP/w {
				t.Fatalf("%v: %d winning rolls, W = %d, multiplier %d", bet, w, bet.WinningRolls(), bet.MultiplierBP())
			}
			r := rtp(sum, 100)
			checkRatio(t, "dice RTP of "+dir+" "+strconv.Itoa(th), bet.RTP(), r)
			streamBias(t, "dice", r, new(big.Rat).SetFrac(weighted, new(big.Int).Lsh(big.NewInt(casino.BPScale), 32)))
			if lo == nil || r.Cmp(lo) < 0 {
				lo = r
			}
			if hi == nil || r.Cmp(hi) > 0 {
				hi = r
			}
		}
	}
	checkRatio(t, "dice lowest RTP", g.RTPMin, lo)
	checkRatio(t, "dice highest RTP", g.RTPMax, hi)
	for _, bad := range []casino.DiceBet{{1, "over"}, {100, "under"}, {50, "up"}, {50, ""}} {
		var pe *casino.ParamError
		if err := bad.Validate(); !errors.As(err, &pe) || !errors.Is(err, casino.ErrInvalidParam) {
			t.Errorf("%v: err = %v", bad, err)
		}
		if win, bp := casino.DicePayout(50, bad); win || bp != 0 {
			t.Errorf("invalid bet %v wins", bad)
		}
	}
}

// allRouletteBets lists every distinct roulette bet.
func allRouletteBets() []casino.RouletteBet {
	var bets []casino.RouletteBet
	for n := 0; n <= 36; n++ {
		bets = append(bets, casino.RouletteBet{Type: "number", Number: n})
	}
	for _, w := range []string{"red", "black", "even", "odd", "low", "high"} {
		b, _ := casino.ParseRouletteBet(w)
		bets = append(bets, b)
	}
	for k := 1; k <= 3; k++ {
		bets = append(bets, casino.RouletteBet{Type: "dozen", Number: k}, casino.RouletteBet{Type: "column", Number: k})
	}
	return bets
}

func TestRouletteRTP(t *testing.T) {
	g := casino.RouletteGame()
	rules := map[string]casino.RouletteBetRule{}
	for _, r := range g.Bets {
		rules[r.Type] = r
	}
	counts := uCounts(37)
	published := map[int]bool{}
	for _, n := range g.RedNumbers {
		published[n] = true
	}
	red := 0
	for n := 0; n <= 36; n++ {
		if casino.RouletteRed(n) != published[n] {
			t.Errorf("%d: RouletteRed %v, published %v", n, casino.RouletteRed(n), published[n])
		}
		if casino.RouletteRed(n) {
			red++
		}
		if c := casino.RouletteColor(n); (n == 0) != (c == "green") || (c == "red") != casino.RouletteRed(n) {
			t.Errorf("RouletteColor(%d) = %s", n, c)
		}
	}
	if red != 18 || len(published) != 18 {
		t.Errorf("%d red numbers, %d published", red, len(published))
	}
	for _, bet := range allRouletteBets() {
		if err := bet.Validate(); err != nil {
			t.Fatal(err)
		}
		rule, ok := rules[bet.Type]
		if !ok {
			t.Fatalf("bet type %s not published", bet.Type)
		}
		var sum, covers int64
		weighted := new(big.Int)
		for pocket := 0; pocket < casino.RoulettePockets; pocket++ {
			win, bp := casino.RoulettePayout(pocket, bet)
			if win != (bp > 0) || win != bet.Covers(pocket) {
				t.Fatalf("%v pocket %d: win %v bp %d", bet, pocket, win, bp)
			}
			if win {
				covers++
				if bp != rule.MultiplierBP {
					t.Fatalf("%v pays %d, published %d", bet, bp, rule.MultiplierBP)
				}
			}
			if pocket == 0 && win && bet.Type != "number" {
				t.Fatalf("%v wins on zero", bet)
			}
			sum += bp
			weighted.Add(weighted, new(big.Int).Mul(counts[pocket], big.NewInt(bp)))
		}
		if covers != int64(rule.Covers) {
			t.Errorf("%v covers %d pockets, published %d", bet, covers, rule.Covers)
		}
		r := rtp(sum, 37)
		checkRatio(t, "roulette "+bet.String()+" RTP", rule.RTP, r)
		checkRatio(t, "roulette "+bet.String()+" RTP", g.RTP, r)
		checkRatio(t, "roulette "+bet.String()+" win probability", rule.WinProbability, big.NewRat(covers, 37))
		streamBias(t, "roulette", r, new(big.Rat).SetFrac(weighted, new(big.Int).Lsh(big.NewInt(casino.BPScale), 32)))
	}
	// Standard layout facts.
	for _, tc := range []struct {
		bet    string
		pocket int
		win    bool
	}{
		{"red", 1, true}, {"red", 2, false}, {"black", 2, true}, {"black", 10, true}, {"red", 19, true},
		{"black", 0, false}, {"even", 0, false}, {"low", 18, true}, {"high", 19, true}, {"low", 19, false},
		{"dozen:1", 12, true}, {"dozen:2", 13, true}, {"dozen:3", 36, true}, {"dozen:3", 0, false},
		{"column:1", 34, true}, {"column:2", 35, true}, {"column:3", 36, true}, {"column:3", 0, false},
		{"0", 0, true}, {"36", 36, true}, {"17", 18, false},
	} {
		b, err := casino.ParseRouletteBet(tc.bet)
		if err != nil {
			t.Fatal(err)
		}
		if win, _ := casino.RoulettePayout(tc.pocket, b); win != tc.win {
			t.Errorf("%s on %d: win %v", tc.bet, tc.pocket, win)
		}
	}
}

func jsonString(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSlotsRTP(t *testing.T) {
	g := casino.SlotsGame()
	names := casino.SlotsSymbols()
	if len(g.Symbols) != casino.SlotsSymbolCount || strings.Join(g.Symbols, ",") != strings.Join(names[:], ",") {
		t.Fatalf("symbols %v vs %v", g.Symbols, names)
	}
	counts := uCounts(6)
	pays := map[int64]int{} // multiplier → combinations
	var sum, hits int64
	weighted := new(big.Int)
	for a := range 6 {
		for b := range 6 {
			for c := range 6 {
				win, bp := casino.SlotsPayout([3]int{a, b, c})
				if win != (bp > 0) {
					t.Fatalf("%d%d%d: win %v bp %d", a, b, c, win, bp)
				}
				if win {
					hits++
					pays[bp]++
					if bp <= casino.BPScale {
						t.Errorf("%d%d%d pays %d bp: every hit should profit", a, b, c, bp)
					}
				}
				sum += bp
				w := new(big.Int).Mul(counts[a], counts[b])
				w.Mul(w, counts[c]).Mul(w, big.NewInt(bp))
				weighted.Add(weighted, w)
			}
		}
	}
	r := rtp(sum, 216)
	checkRatio(t, "slots RTP", g.RTP, r)
	checkRatio(t, "slots hit probability", g.HitProbability, big.NewRat(hits, 216))
	if r.Cmp(big.NewRat(95, 100)) < 0 || r.Cmp(big.NewRat(98, 100)) > 0 {
		t.Errorf("slots RTP %s outside 95%%–98%%", r.FloatString(6))
	}
	denom := new(big.Int).Lsh(big.NewInt(casino.BPScale), 96)
	streamBias(t, "slots", r, new(big.Rat).SetFrac(weighted, denom))
	// The published lines account for every paying combination.
	published := map[int64]int{}
	for _, p := range g.Pays {
		published[p.MultiplierBP] += p.Combinations
	}
	if jsonString(t, published) != jsonString(t, pays) {
		t.Errorf("published pays %v, enumeration %v", published, pays)
	}
	for _, bad := range [][3]int{{-1, 0, 0}, {6, 6, 6}, {0, 0, 7}} {
		if win, bp := casino.SlotsPayout(bad); win || bp != 0 {
			t.Errorf("%v pays", bad)
		}
	}
}

func TestPayout(t *testing.T) {
	for _, tc := range []struct {
		stake, bp, want int64
		err             error
	}{
		{1_000_000, 19600, 1_960_000, nil},
		{100_000, 12000, 120_000, nil},
		{3, 19600, 5, nil}, // 5.88 rounds down
		{7, 0, 0, nil},
		{math.MaxInt64, 10000, math.MaxInt64, nil},
		{math.MaxInt64, 10001, 0, casino.ErrOverflow},
		{math.MaxInt64 / 36, 360000, math.MaxInt64 / 36 * 36, nil}, // the product needs 69 bits
		{math.MaxInt64/36 + 1, 360000, 0, casino.ErrOverflow},
		{-1, 10000, 0, casino.ErrAmount},
	} {
		got, err := casino.Payout(tc.stake, tc.bp)
		if !errors.Is(err, tc.err) || got != tc.want {
			t.Errorf("Payout(%d, %d) = %d, %v", tc.stake, tc.bp, got, err)
		}
	}
}

func TestRatio(t *testing.T) {
	for _, tc := range []struct {
		r    casino.Ratio
		want string
	}{
		{casino.Ratio{36, 37}, "97.2973"}, {casino.Ratio{35, 36}, "97.2222"}, {casino.Ratio{49, 50}, "98.0000"},
		{casino.Ratio{12249, 12500}, "97.9920"}, {casino.Ratio{1, 37}, "2.7027"}, {casino.Ratio{0, 1}, "0.0000"},
		{casino.Ratio{1, 3}, "33.3333"}, {casino.Ratio{2, 3}, "66.6667"},
	} {
		if got := tc.r.Percent(4); got != tc.want {
			t.Errorf("%s.Percent(4) = %s, want %s", tc.r, got, tc.want)
		}
	}
	b, _ := json.Marshal(casino.Ratio{36, 37})
	if string(b) != `{"num":36,"den":37,"percent":97.2973}` {
		t.Errorf("Ratio JSON = %s", b)
	}
}

// TestGamesJSON: the manifest encodes, and every figure in it survives a round trip.
func TestGamesJSON(t *testing.T) {
	b, err := json.Marshal(casino.Games())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, game := range []string{"coinflip", "dice", "roulette", "slots"} {
		if m[game]["game"] != game {
			t.Errorf("%s missing from %s", game, b)
		}
	}
}

// rouletteTextCases feeds TestParseRouletteBet and FuzzParseRouletteBet.
var rouletteTextCases = []struct {
	in, canon string // canon "" means invalid
}{
	{"0", "0"}, {"17", "17"}, {"36", "36"}, {"07", "7"}, {"number:5", "5"},
	{"red", "red"}, {"black", "black"}, {"even", "even"}, {"odd", "odd"}, {"low", "low"}, {"high", "high"},
	{"color:red", "red"}, {"parity:odd", "odd"}, {"range:low", "low"}, {"range:high", "high"},
	{"dozen:1", "dozen:1"}, {"dozen:3", "dozen:3"}, {"column:2", "column:2"},
	{"37", ""}, {"-1", ""}, {"", ""}, {"green", ""}, {"RED", ""}, {"dozen:0", ""}, {"dozen:4", ""},
	{"column:", ""}, {"color:odd", ""}, {"range:red", ""}, {"number:red", ""}, {"foo:1", ""},
	{"dozen:1:2", ""}, {"1.0", ""}, {"+5", ""}, {"100", ""}, {" 5", ""},
}

func TestParseRouletteBet(t *testing.T) {
	for _, tc := range rouletteTextCases {
		b, err := casino.ParseRouletteBet(tc.in)
		if tc.canon == "" {
			if !errors.Is(err, casino.ErrInvalidParam) {
				t.Errorf("ParseRouletteBet(%q) = %v, %v; want an error", tc.in, b, err)
			}
			continue
		}
		if err != nil || b.String() != tc.canon {
			t.Errorf("ParseRouletteBet(%q) = %q, %v; want %q", tc.in, b.String(), err, tc.canon)
		}
	}
}

func FuzzParseRouletteBet(f *testing.F) {
	for _, tc := range rouletteTextCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		b, err := casino.ParseRouletteBet(in)
		if err != nil {
			return
		}
		if b.Validate() != nil {
			t.Fatalf("%q parsed to invalid %+v", in, b)
		}
		// The canonical text and JSON forms round-trip.
		b2, err := casino.ParseRouletteBet(b.String())
		if err != nil || b2 != b {
			t.Fatalf("%q: text round trip %+v -> %q -> %+v, %v", in, b, b.String(), b2, err)
		}
		js, _ := json.Marshal(b)
		var b3 casino.RouletteBet
		if err := json.Unmarshal(js, &b3); err != nil || b3 != b {
			t.Fatalf("%q: JSON round trip %s -> %+v, %v", in, js, b3, err)
		}
	})
}

func TestRouletteBetJSON(t *testing.T) {
	for _, tc := range []struct {
		in, canon string // canon "" means invalid
	}{
		{`17`, "17"}, {`0`, "0"}, {` 36 `, "36"}, {`"red"`, "red"}, {`"high"`, "high"},
		{`{"type":"number","value":17}`, "17"}, {`{"type":"color","value":"black"}`, "black"},
		{`{"type":"parity","value":"even"}`, "even"}, {`{"type":"range","value":"low"}`, "low"},
		{`{"type":"dozen","value":2}`, "dozen:2"}, {`{"type":"column","value":"3"}`, "column:3"},
		{`37`, ""}, {`-1`, ""}, {`17.0`, ""}, {`1e1`, ""}, {`"17"`, ""}, {`"green"`, ""}, {`null`, ""},
		{`true`, ""}, {`[]`, ""}, {`{}`, ""}, {`{"type":"dozen"}`, ""}, {`{"type":"dozen","value":4}`, ""},
		{`{"type":"color","value":1}`, ""}, {`{"type":"number","value":"red"}`, ""},
		{`{"type":"split","value":1}`, ""}, {`{"type":1,"value":1}`, ""},
	} {
		var b casino.RouletteBet
		err := json.Unmarshal([]byte(tc.in), &b)
		if tc.canon == "" {
			if err == nil {
				t.Errorf("%s decoded to %+v", tc.in, b)
			}
			continue
		}
		if err != nil || b.String() != tc.canon {
			t.Errorf("%s = %q, %v; want %q", tc.in, b.String(), err, tc.canon)
		}
	}
	var body struct {
		Bet casino.RouletteBet `json:"bet"`
	}
	err := json.Unmarshal([]byte(`{"bet":"purple"}`), &body)
	var pe *casino.ParamError
	if !errors.As(err, &pe) || pe.Field != "bet" {
		t.Errorf("bad bet in a body: %v", err)
	}
	if b, _ := json.Marshal(casino.RouletteBet{Type: "dozen", Number: 2}); string(b) != `{"type":"dozen","value":2}` {
		t.Errorf("MarshalJSON = %s", b)
	}
}
