package strategy

import (
	"testing"
)

// The worked sequences of docs/strategies.md: for a configuration and a run of wins (W) and
// losses (L), the exact stakes placed and the stake that follows.
var progressionCases = []struct {
	name    string
	cfg     Config
	balance int64 // credits; 0 means 100000
	results string
	stakes  []int64
	next    int64
}{
	{"flat", Config{Amount: credits(10), Target: 5000, Condition: Over, ProgressionType: Flat}, 0,
		"WLWL", []int64{10, 10, 10, 10}, 10},
	{"flat default type", Config{Amount: credits(7), Target: 5000, Condition: Under}, 0,
		"LL", []int64{7, 7}, 7},

	{"martingale doubles after a loss, resets on a win", Config{Amount: credits(1), Target: 5000, Condition: Over, ProgressionType: Martingale}, 0,
		"LLLWL", []int64{1, 2, 4, 8, 1}, 2},
	{"martingale resets after maxConsecutiveLosses", Config{Amount: credits(1), Target: 5000, Condition: Over, ProgressionType: Martingale, MaxConsecutiveLosses: 3}, 0,
		"LLLL", []int64{1, 2, 4, 1}, 2},
	{"martingale default cap of 10 losses", Config{Amount: credits(1), Target: 5000, Condition: Over, ProgressionType: Martingale}, 0,
		"LLLLLLLLLL", []int64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512}, 1},
	{"martingale capped by maxPlay", Config{Amount: credits(1), Target: 5000, Condition: Over, ProgressionType: Martingale, MaxPlay: credits(5)}, 0,
		"LLLL", []int64{1, 2, 4, 5}, 5},
	{"martingale capped at 10000", Config{Amount: credits(5000), Target: 5000, Condition: Over, ProgressionType: Martingale}, 0,
		"LL", []int64{5000, 10000}, 10000},
	{"martingale limited by the balance", Config{Amount: credits(1), Target: 5000, Condition: Over, ProgressionType: Martingale}, 10,
		"LLL", []int64{1, 2, 4}, 3},

	{"paroli doubles after a win for up to 3 wins", Config{Amount: credits(1), Target: 5000, Condition: Over, ProgressionType: Paroli}, 0,
		"WWWW", []int64{1, 2, 4, 1}, 2},
	{"paroli resets on a loss", Config{Amount: credits(1), Target: 5000, Condition: Over, ProgressionType: Paroli}, 0,
		"WWL", []int64{1, 2, 4}, 1},
	{"paroli maxConsecutiveWins 2", Config{Amount: credits(3), Target: 5000, Condition: Over, ProgressionType: Paroli, MaxConsecutiveWins: 2}, 0,
		"WWW", []int64{3, 6, 3}, 6},

	{"dalembert plus and minus one unit", Config{Amount: credits(10), Target: 5000, Condition: Over, ProgressionType: DAlembert}, 0,
		"LLWLWW", []int64{10, 20, 30, 20, 30, 20}, 10},
	{"dalembert never below the base", Config{Amount: credits(10), Target: 5000, Condition: Over, ProgressionType: DAlembert}, 0,
		"WW", []int64{10, 10}, 10},
	{"dalembert unitStep 0.5", Config{Amount: credits(10), Target: 5000, Condition: Over, ProgressionType: DAlembert, UnitStep: 500_000}, 0,
		"LLW", []int64{10, 15, 20}, 15},

	{"fibonacci loss +1, win -2", Config{Amount: credits(1), Target: 5000, Condition: Over, ProgressionType: Fibonacci}, 0,
		"LLLLWW", []int64{1, 1, 2, 3, 5, 2}, 1},
	{"fibonacci base 10", Config{Amount: credits(10), Target: 5000, Condition: Over, ProgressionType: Fibonacci}, 0,
		"LLLLLLW", []int64{10, 10, 20, 30, 50, 80, 130}, 50},

	{"labouchere default line", Config{Amount: credits(1), Target: 5000, Condition: Over, ProgressionType: Labouchere}, 0,
		"LWWW", []int64{5, 6, 6, 3}, 5},
	{"labouchere custom line", Config{Amount: credits(2), Target: 5000, Condition: Over, ProgressionType: Labouchere, LabouchereLine: []int64{2}}, 0,
		"LW", []int64{4, 8}, 4},
	{"labouchere losses append", Config{Amount: credits(1), Target: 5000, Condition: Over, ProgressionType: Labouchere, LabouchereLine: []int64{1, 1}}, 0,
		"LLW", []int64{2, 3, 4}, 3},

	{"oscar's grind", Config{Amount: credits(10), Target: 5000, Condition: Over, ProgressionType: Oscar}, 0,
		"LLWWW", []int64{10, 10, 10, 20, 2}, 10},
	{"oscar keeps the bet after a loss, +1 unit capped by the cycle goal", Config{Amount: credits(10), Target: 5000, Condition: Over, ProgressionType: Oscar}, 0,
		"LWLL", []int64{10, 10, 12, 12}, 12},
	{"oscar win from the start ends the cycle", Config{Amount: credits(10), Target: 5000, Condition: Under, ProgressionType: Oscar}, 0,
		"LWW", []int64{10, 10, 12}, 10},

	{"kelly waits for 5 results", Config{Amount: credits(10), Target: 5000, Condition: Under, ProgressionType: Kelly}, 1000,
		"WWWW", []int64{10, 10, 10, 10}, 10},
	{"kelly quarter fraction", Config{Amount: credits(10), Target: 5000, Condition: Under, ProgressionType: Kelly}, 1000,
		"WWWWW", []int64{10, 10, 10, 10, 10}, 261},
	{"kelly after a loss", Config{Amount: credits(10), Target: 5000, Condition: Under, ProgressionType: Kelly}, 1000,
		"WWWWWL", []int64{10, 10, 10, 10, 10, 261}, 128},
	{"kelly no edge bets the base", Config{Amount: credits(10), Target: 5000, Condition: Under, ProgressionType: Kelly}, 1000,
		"LLLLLW", []int64{10, 10, 10, 10, 10, 10}, 10},
	{"kelly never below the base", Config{Amount: credits(10), Target: 5000, Condition: Under, ProgressionType: Kelly}, 20,
		"WWWLW", []int64{10, 10, 10, 10, 10}, 10},
	{"kelly capped by maxPlay", Config{Amount: credits(10), Target: 5000, Condition: Under, ProgressionType: Kelly, MaxPlay: credits(50)}, 1000,
		"WWWWW", []int64{10, 10, 10, 10, 10}, 50},
	{"kelly at a multiplier below 1 bets the base", Config{Amount: credits(10), Target: 200, Condition: Over, ProgressionType: Kelly}, 1000,
		"WWWWWW", []int64{10, 10, 10, 10, 10, 10}, 10},
}

func TestProgressions(t *testing.T) {
	for _, tc := range progressionCases {
		t.Run(tc.name, func(t *testing.T) {
			bal := tc.balance
			if bal == 0 {
				bal = 100000
			}
			s := mustSession(t, tc.cfg, bal)
			stakes, next := playSeq(t, s, tc.results)
			if !eqInts(stakes, tc.stakes) || next != tc.next {
				t.Errorf("%s: stakes %v next %d, want %v next %d", tc.results, stakes, next, tc.stakes, tc.next)
			}
		})
	}
}

// Every progression has a worked case.
func TestProgressionCasesCoverEveryType(t *testing.T) {
	seen := map[Progression]bool{}
	for _, tc := range progressionCases {
		p := tc.cfg.ProgressionType
		if p == "" {
			p = Flat
		}
		seen[p] = true
	}
	for _, p := range Progressions {
		if !seen[p] {
			t.Errorf("no test case for progression %q", p)
		}
	}
}

// The labouchere line is bounded: a line that grows past maxRunningLine restarts.
func TestLabouchereLineBounded(t *testing.T) {
	cfg := Config{Amount: credits(1), Target: 5000, Condition: Over, ProgressionType: Labouchere}
	s := mustSession(t, cfg, 1_000_000_000)
	for range maxRunningLine + 10 {
		playResult(t, s, false)
	}
	if n := len(s.line) - s.lineHead; n > maxRunningLine {
		t.Fatalf("line length %d", n)
	}
	if cap(s.line) != 4*maxRunningLine {
		t.Fatalf("line buffer grew to %d", cap(s.line))
	}
}

// A progression bet never exceeds the balance and stops when the balance cannot cover 1 credit.
func TestInsufficientBalanceStops(t *testing.T) {
	s := mustSession(t, Config{Amount: credits(4), Target: 5000, Condition: Over, ProgressionType: Martingale}, 10)
	stakes := []int64{}
	for {
		bet, stop, reason := s.Next()
		if stop {
			if reason != ReasonInsufficientBalance {
				t.Fatalf("reason %q", reason)
			}
			break
		}
		o, _ := bet.Resolve(rollFor(t, bet, false))
		s.Record(o)
		stakes = append(stakes, bet.Credits())
	}
	if !eqInts(stakes, []int64{4, 6}) {
		t.Fatalf("stakes %v", stakes)
	}
}

func TestBasicStops(t *testing.T) {
	base := Config{Amount: credits(10), Target: 5000, Condition: Over}
	cases := []struct {
		name    string
		mod     func(*Config)
		opts    Options
		results string
		reason  string
	}{
		{"stopAfterRounds", func(c *Config) { c.StopAfterRounds = 3 }, Options{}, "WLW", ReasonMaxRounds},
		{"run maxRounds", func(c *Config) {}, Options{MaxRounds: 2}, "LL", ReasonMaxRounds},
		{"smaller of the two", func(c *Config) { c.StopAfterRounds = 5 }, Options{MaxRounds: 1}, "W", ReasonMaxRounds},
		{"balance below", func(c *Config) { c.StopIfBalanceBelow = credits(985) }, Options{}, "LL", ReasonBalanceBelow},
		{"balance above (≥)", func(c *Config) { c.StopIfBalanceAbove = credits(1009) + 400_000 }, Options{}, "W", ReasonBalanceAbove},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := base
			tc.mod(&c)
			s, err := NewSession(c, credits(1000), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range tc.results {
				playResult(t, s, r == 'W')
			}
			_, stop, reason := s.Next()
			if !stop || reason != tc.reason {
				t.Fatalf("stop=%v reason=%q, want %q", stop, reason, tc.reason)
			}
			if _, stop2, reason2 := s.Next(); !stop2 || reason2 != reason {
				t.Fatal("a stopped session must stay stopped")
			}
		})
	}
}
