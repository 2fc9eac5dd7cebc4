package credits

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/arcadehq/arcade/fairness"
	"github.com/arcadehq/arcade/internal/money"
)

// randomRounds plays n rounds of random valid bets against random rolls with the real rules.
func randomRounds(t testing.TB, rng *rand.Rand, n int) []packedRound {
	t.Helper()
	out := make([]packedRound, 0, n)
	for len(out) < n {
		b := DiceBet{Amount: money.Amount(1+rng.IntN(10_000)) * money.Micro, Target: rng.IntN(10_000), Over: rng.IntN(2) == 0}
		switch rng.IntN(8) { // the extremes too, and repeated bets (maybe on the other side)
		case 4, 5, 6:
			if len(out) > 0 {
				b.Amount, b.Target = out[len(out)-1].Bet.Amount, out[len(out)-1].Bet.Target
			}
		case 0:
			b.Amount = MaxAmount
		case 1:
			b.Target, b.Over = 9999, false
		case 2:
			b.Target, b.Over = 0, true
		case 3:
			b.Target, b.Over = 1, false // W = 1: the largest payout
		}
		if b.Validate() != nil {
			continue
		}
		roll, win, payout, err := Resolve(b, rng.Uint32())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, packedRound{Bet: b, Roll: roll, Win: win, Payout: payout})
	}
	return out
}

func pack(t testing.TB, rs []packedRound) string {
	t.Helper()
	var p roundPacker
	for _, r := range rs {
		if err := p.add(r.Bet, r.Roll, r.Win, r.Payout); err != nil {
			t.Fatal(err)
		}
	}
	return p.encode()
}

func unpackAll(data string, want int) ([]packedRound, error) {
	var out []packedRound
	err := unpackRounds(data, want, func(i int, r packedRound) {
		if i != len(out)+1 {
			panic("out of order")
		}
		out = append(out, r)
	})
	return out, err
}

func TestPackRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 17, 1000, 10_000} {
		rs := randomRounds(t, rng, n)
		s := pack(t, rs)
		got, err := unpackAll(s, n)
		if err != nil {
			t.Fatalf("%d rounds: %v", n, err)
		}
		if !slices.Equal(got, rs) {
			t.Fatalf("%d rounds do not round-trip", n)
		}
		if _, err := unpackAll(s, -1); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			if _, err := unpackAll(s, n-1); !errors.Is(err, errCorruptRounds) {
				t.Fatalf("count mismatch accepted: %v", err)
			}
		}
		if n == 10_000 {
			t.Logf("10,000 rounds: %d characters (%.1f per round)", len(s), float64(len(s))/float64(n))
		}
	}
}

// TestPackRepeatedBetsCompactly: a flat strategy's round takes three bytes (four characters).
func TestPackRepeatedBetsCompactly(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	b := DiceBet{Amount: money.Micro, Target: 5000, Over: true}
	var rs []packedRound
	for range 10_000 {
		roll, win, payout, err := Resolve(b, rng.Uint32())
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, packedRound{Bet: b, Roll: roll, Win: win, Payout: payout})
	}
	s := pack(t, rs)
	if got, err := unpackAll(s, len(rs)); err != nil || !slices.Equal(got, rs) {
		t.Fatalf("does not round-trip: %v", err)
	}
	if len(s) > 41_000 {
		t.Errorf("10,000 flat rounds take %d characters", len(s))
	}
}

// TestPackRefusesWhatItCannotHold: the packer refuses a round it could not read back exactly.
func TestPackRefusesWhatItCannotHold(t *testing.T) {
	ok := DiceBet{Amount: 2 * money.Micro, Target: 5000, Over: true}
	for name, r := range map[string]packedRound{
		"fractional stake": {Bet: DiceBet{Amount: money.Micro + 1, Target: 5000, Over: true}},
		"zero stake":       {Bet: DiceBet{Target: 5000, Over: true}},
		"stake too large":  {Bet: DiceBet{Amount: MaxAmount + money.Micro, Target: 5000}},
		"target 10000":     {Bet: DiceBet{Amount: money.Micro, Target: 10_000}},
		"under 0":          {Bet: DiceBet{Amount: money.Micro, Target: 0}},
		"roll 10000":       {Bet: ok, Roll: 10_000},
		"negative roll":    {Bet: ok, Roll: -1},
		"loss that pays":   {Bet: ok, Roll: 1, Payout: 1},
		"win without pay":  {Bet: ok, Roll: 6000, Win: true},
		"payout too large": {Bet: ok, Roll: 6000, Win: true, Payout: maxPayout + 1},
	} {
		var p roundPacker
		if err := p.add(r.Bet, r.Roll, r.Win, r.Payout); !errors.Is(err, errCorruptRounds) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestUnpackRefusesCorruptData: every kind of damage fails cleanly, naming no round it trusted.
func TestUnpackRefusesCorruptData(t *testing.T) {
	rs := randomRounds(t, rand.New(rand.NewPCG(3, 4)), 50)
	good := pack(t, rs)
	raw, _ := base64.StdEncoding.DecodeString(good)
	enc := base64.StdEncoding.EncodeToString
	// rnd is one hand-built round: its flags, then its fields as uvarints.
	rnd := func(flags byte, fields ...uint64) []byte {
		b := []byte{flags}
		for _, f := range fields {
			b = binary.AppendUvarint(b, f)
		}
		return b
	}
	packed := func(rounds ...[]byte) string {
		b := binary.AppendUvarint([]byte{packVersion}, uint64(len(rounds)))
		for _, r := range rounds {
			b = append(b, r...)
		}
		return enc(b)
	}
	win := rnd(flagOver|flagWin, 1, 5000, 6000, 1_940_000)
	if got, err := unpackAll(packed(win, rnd(flagOver|flagWin|flagSameBet|flagSamePayout, 7000), rnd(flagSameBet, 10)), 3); err != nil ||
		got[1] != (packedRound{Bet: DiceBet{Amount: money.Micro, Target: 5000, Over: true}, Roll: 7000, Win: true, Payout: 1_940_000}) ||
		got[2] != (packedRound{Bet: DiceBet{Amount: money.Micro, Target: 5000}, Roll: 10}) {
		t.Fatalf("the hand-built rounds themselves: %+v %v", got, err)
	}
	cases := map[string]string{
		"empty":                  "",
		"not base64":             "!!!!",
		"bad padding bits":       "AQB=",
		"newline":                good[:4] + "\n" + good[4:],
		"version 0":              enc(append([]byte{0}, raw[1:]...)),
		"version 2":              enc(append([]byte{2}, raw[1:]...)),
		"no count":               enc([]byte{packVersion}),
		"truncated":              enc(raw[:len(raw)-1]),
		"trailing byte":          enc(append(slices.Clone(raw), 0)),
		"count too large":        enc(binary.AppendUvarint([]byte{packVersion}, MaxRunRounds+1)),
		"count beyond data":      enc(binary.AppendUvarint([]byte{packVersion}, 1000)),
		"overlong varint":        enc([]byte{packVersion, 0x81, 0x00, flagOver, 1, 1, 1}),
		"no rounds":              packed(rnd(flagOver, 1, 5000, 1))[:4],
		"stake 0":                packed(rnd(flagOver, 0, 5000, 1)),
		"stake 10001":            packed(rnd(flagOver, 10_001, 5000, 1)),
		"target 10000":           packed(rnd(flagOver, 1, 10_000, 1)),
		"under 0":                packed(rnd(0, 1, 0, 1)),
		"unknown flag":           packed(rnd(16|flagOver, 1, 5000, 1)),
		"roll 10000":             packed(rnd(flagOver, 1, 5000, 10_000)),
		"loss that pays":         packed(rnd(flagOver, 1, 5000, 1, 5)),
		"win without pay":        packed(rnd(flagOver|flagWin, 1, 5000, 6000, 0)),
		"win, payout missing":    packed(rnd(flagOver|flagWin, 1, 5000, 6000)),
		"huge payout":            packed(rnd(flagOver|flagWin, 1, 5000, 6000, 1<<62)),
		"payout beyond 64 bits":  packed(append(rnd(flagOver|flagWin, 1, 5000, 6000), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)),
		"same bet, first round":  packed(rnd(flagOver|flagSameBet, 1)),
		"same payout, none yet":  packed(rnd(flagOver, 1, 5000, 1), rnd(flagOver|flagWin|flagSamePayout, 1, 5000, 6000)),
		"same payout on a loss":  packed(win, rnd(flagOver|flagSameBet|flagSamePayout, 1)),
		"same bet, then under 0": packed(rnd(flagOver|flagWin, 1, 0, 5, 970_000), rnd(flagSameBet, 5)),
		"second round truncated": packed(win, rnd(flagOver)),
		"flags only, no roll":    packed(rnd(flagOver | flagSameBet)),
	}
	for name, s := range cases {
		if _, err := unpackAll(s, -1); !errors.Is(err, errCorruptRounds) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// FuzzUnpack: any input either decodes to rounds within bounds, which pack back to the same
// rounds, or fails with errCorruptRounds; it never panics.
func FuzzUnpack(f *testing.F) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 3, 40} {
		f.Add(pack(f, randomRounds(f, rng, n)))
	}
	f.Add("AQA=")
	f.Add("AQEBAAMAAA==")
	f.Fuzz(func(t *testing.T, s string) {
		rs, err := unpackAll(s, -1)
		if err != nil {
			if !errors.Is(err, errCorruptRounds) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		for _, r := range rs {
			if r.check() != nil || r.Bet.Validate() != nil || r.Roll >= fairness.CreditDiceRolls {
				t.Fatalf("decoded an invalid round %+v", r)
			}
		}
		again, err := unpackAll(pack(t, rs), len(rs))
		if err != nil || !slices.Equal(again, rs) {
			t.Fatalf("decoded rounds do not round-trip: %v", err)
		}
	})
}

func TestRunRoundIDs(t *testing.T) {
	for _, tc := range []struct {
		id  string
		run string
		i   int
		ok  bool
	}{
		{"0197a0b2-0000-7000-8000-000000000000.1", "0197a0b2-0000-7000-8000-000000000000", 1, true},
		{"r.100000", "r", 100_000, true},
		{"r.100001", "", 0, false},
		{"r.0", "", 0, false},
		{"r.01", "", 0, false},
		{"r.+1", "", 0, false},
		{"r.-1", "", 0, false},
		{"r.1.2", "", 0, false},
		{"r.", "", 0, false},
		{".1", "", 0, false},
		{"0197a0b2-0000-7000-8000-000000000000", "", 0, false},
	} {
		run, i, ok := parseRunRoundID(tc.id)
		if run != tc.run || i != tc.i || ok != tc.ok {
			t.Errorf("%q: %q %d %v", tc.id, run, i, ok)
		}
		if ok && RunRoundID(run, i) != tc.id {
			t.Errorf("%q does not round-trip", tc.id)
		}
	}
}

// TestMergerMatchesNaiveMerge: the windowed merge of run blocks and other items equals
// expanding everything, sorting and slicing, for every window.
func TestMergerMatchesNaiveMerge(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	type entry struct {
		created int64
		id      string
		index   int // 0 for an other item
	}
	ids := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	for trial := 0; trial < 200; trial++ {
		var runs []runMeta
		var others, all []entry
		used := map[string]bool{}
		for k := rng.IntN(5); k > 0; k-- {
			r := runMeta{created: int64(rng.IntN(4)), id: ids[rng.IntN(len(ids))], rounds: 1 + rng.IntN(4)}
			if used[r.id] {
				continue
			}
			used[r.id] = true
			runs = append(runs, r)
			for i := 1; i <= r.rounds; i++ {
				all = append(all, entry{r.created, r.id, i})
			}
		}
		for k := rng.IntN(6); k > 0; k-- {
			e := entry{created: int64(rng.IntN(4)), id: ids[rng.IntN(len(ids))]}
			if used[e.id] {
				continue
			}
			used[e.id] = true
			others = append(others, e)
			all = append(all, e)
		}
		desc := func(a, b entry) int {
			switch {
			case a.created != b.created:
				return int(b.created - a.created)
			case a.id != b.id:
				if a.id > b.id {
					return -1
				}
				return 1
			}
			return b.index - a.index
		}
		slices.SortFunc(all, desc)
		slices.SortFunc(others, desc)
		slices.SortFunc(runs, func(a, b runMeta) int { return desc(entry{a.created, a.id, 0}, entry{b.created, b.id, 0}) })
		for offset := 0; offset <= len(all)+1; offset++ {
			for limit := 0; limit <= len(all)+1; limit++ {
				m := merger{runs: runs, lo: offset, hi: offset + limit}
				var kept []entry
				for _, e := range others {
					if m.item(e.created, e.id) {
						kept = append(kept, e)
					}
					if m.complete() {
						break
					}
				}
				m.finish()
				var got []entry
				for _, sl := range m.slots {
					if sl.other >= 0 {
						got = append(got, kept[sl.other])
					} else {
						r := runs[sl.run]
						got = append(got, entry{r.created, r.id, sl.index})
					}
				}
				want := all[min(offset, len(all)):min(offset+limit, len(all))]
				if !slices.Equal(got, want) {
					t.Fatalf("runs %v others %v offset %d limit %d:\n got %v\nwant %v", runs, others, offset, limit, got, want)
				}
			}
		}
	}
}
