package fairness_test

// An independent implementation of DESIGN §5 and of the pay tables, written from the text of the
// design and of the pay-table brief rather than from the package: fresh crypto/hmac per block,
// the message built by string concatenation with math/big decimals, every number an exact
// math/big rational, outcome rules spelled out as sets and counts. testdata/vectors.json and
// random bets are checked against it.

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strings"
)

// refStream returns the first n numbers f0, f1, … of the bet as exact rationals: block 0 is
// HMAC-SHA256(seed, "C:N"), block k ≥ 1 HMAC-SHA256(seed, "C:N:k"); each block gives 8 numbers,
// the big-endian uint32 of bytes [4i, 4i+4) over 2^32.
func refStream(seedHex, client string, nonce uint64, n int) []*big.Rat {
	key, err := hex.DecodeString(seedHex)
	if err != nil || len(key) != 32 {
		panic("reference: bad seed " + seedHex)
	}
	two32 := new(big.Int).Lsh(big.NewInt(1), 32)
	var out []*big.Rat
	for k := 0; len(out) < n; k++ {
		msg := client + ":" + new(big.Int).SetUint64(nonce).String()
		if k >= 1 {
			msg += ":" + big.NewInt(int64(k)).String()
		}
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(msg))
		block := mac.Sum(nil)
		for i := 0; i < 8 && len(out) < n; i++ {
			num := new(big.Int).SetBytes(block[4*i : 4*i+4])
			out = append(out, new(big.Rat).SetFrac(num, two32))
		}
	}
	return out
}

// refFloor returns floor(f × n) for a non-negative rational f.
func refFloor(f *big.Rat, n int64) int64 {
	x := new(big.Rat).Mul(f, new(big.Rat).SetInt64(n))
	return new(big.Int).Quo(x.Num(), x.Denom()).Int64()
}

// refDecimal writes the rational r with at most places decimals (r must be exact at that
// precision), trailing zeros and a trailing point removed.
func refDecimal(r *big.Rat, places int) string {
	s := r.FloatString(places)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

func refRat(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic("reference: bad decimal " + s)
	}
	return r
}

// refRed is the standard single-zero wheel's red set.
var refRed = []int{1, 3, 5, 7, 9, 12, 14, 16, 18, 19, 21, 23, 25, 27, 30, 32, 34, 36}

// refRouletteSet returns the pockets a bet written as for `arcade verify --bet` covers and what
// it pays in units of the stake.
func refRouletteSet(bet string) ([]int, int64) {
	var set []int
	add := func(keep func(n int) bool) {
		for n := 1; n <= 36; n++ {
			if keep(n) {
				set = append(set, n)
			}
		}
	}
	typ, val, typed := strings.Cut(bet, ":")
	if !typed {
		typ, val = "", bet
	}
	switch {
	case val == "red":
		add(func(n int) bool { return slices.Contains(refRed, n) })
		return set, 2
	case val == "black":
		add(func(n int) bool { return !slices.Contains(refRed, n) })
		return set, 2
	case val == "even":
		add(func(n int) bool { return n%2 == 0 })
		return set, 2
	case val == "odd":
		add(func(n int) bool { return n%2 == 1 })
		return set, 2
	case val == "low":
		add(func(n int) bool { return n <= 18 })
		return set, 2
	case val == "high":
		add(func(n int) bool { return n >= 19 })
		return set, 2
	case typ == "dozen":
		k := int(refRat(val).Num().Int64())
		for n := 12*(k-1) + 1; n <= 12*k; n++ {
			set = append(set, n)
		}
		return set, 3
	case typ == "column":
		k := int(refRat(val).Num().Int64())
		for n := k; n <= 36; n += 3 {
			set = append(set, n)
		}
		return set, 3
	}
	return []int{int(refRat(val).Num().Int64())}, 36
}

// refSlotsBP returns the slots multiplier in basis points from the pay table: three of a kind
// (seven 27×, bell 15×, plum 11×, orange 9×, lemon 7×, cherry 6×), else exactly two cherries 3×,
// else any two of a kind 1.2×.
func refSlotsBP(symbols []string) int64 {
	count := map[string]int{}
	most := 0
	for _, s := range symbols {
		count[s]++
		most = max(most, count[s])
	}
	three := map[string]int64{"seven": 27, "bell": 15, "plum": 11, "orange": 9, "lemon": 7, "cherry": 6}
	switch {
	case most == 3:
		return three[symbols[0]] * 10000
	case count["cherry"] == 2:
		return 3 * 10000
	case most == 2:
		return 12000
	}
	return 0
}

// refVector computes, from a vector's inputs alone, every expected field of it.
func refVector(in vector) vector {
	out := vector{
		Name: in.Name, Game: in.Game, ServerSeed: in.ServerSeed,
		ClientSeed: in.ClientSeed, Nonce: in.Nonce, Params: in.Params,
	}
	key, _ := hex.DecodeString(in.ServerSeed)
	hash := sha256.Sum256(key)
	out.ServerSeedHash = hex.EncodeToString(hash[:])

	n := map[string]int{"deck": 51, "slots": 3}[in.Game]
	if n == 0 {
		n = 1
	}
	f := refStream(in.ServerSeed, in.ClientSeed, in.Nonce, n)
	for _, x := range f {
		v, exact := x.Float64()
		if !exact {
			panic("reference: inexact float")
		}
		out.Floats = append(out.Floats, v)
	}
	p := in.Params
	settle := func(win bool, bp int64) {
		if !win {
			bp = 0
		}
		out.Win, out.MultiplierBP = &win, &bp
		out.Multiplier = json.Number(refDecimal(big.NewRat(bp, 10000), 4))
		if s, ok := p["stake-micro"]; ok {
			pay := new(big.Rat).Mul(refRat(s), big.NewRat(bp, 10000))
			v := new(big.Int).Quo(pay.Num(), pay.Denom()).Int64()
			out.PayoutMicro = &v
		}
	}
	switch in.Game {
	case "coinflip":
		out.Side = "tails"
		if f[0].Cmp(big.NewRat(1, 2)) < 0 {
			out.Side = "heads"
		}
		if c, ok := p["choice"]; ok {
			settle(c == out.Side, 19600)
		}
	case "dice":
		roll := refFloor(f[0], 100) + 1
		out.Roll = json.Number(fmt.Sprint(roll))
		if ts, ok := p["threshold"]; ok {
			t := refRat(ts).Num().Int64()
			wins := func(r int64) bool {
				if p["direction"] == "over" {
					return r > t
				}
				return r < t
			}
			var w int64
			for r := int64(1); r <= 100; r++ {
				if wins(r) {
					w++
				}
			}
			settle(wins(roll), 980000/w)
		}
	case "credit-dice":
		roll := big.NewRat(refFloor(f[0], 10000), 100)
		out.Roll = json.Number(roll.FloatString(2))
		if ts, ok := p["target"]; ok {
			x := refRat(ts)
			var win bool
			var w *big.Rat // winning rolls out of 10000
			hundred := new(big.Rat).SetInt64(100)
			if p["condition"] == "under" {
				win = roll.Cmp(x) < 0
				w = new(big.Rat).Mul(x, hundred)
			} else {
				win = roll.Cmp(x) >= 0
				w = new(big.Rat).Sub(new(big.Rat).SetInt64(10000), new(big.Rat).Mul(x, hundred))
			}
			out.Win = &win
			// multiplier = 0.97 / p = 9700 / W, rounded down to six decimals; 0 when lost.
			mult := new(big.Rat).Quo(new(big.Rat).SetInt64(9700), w)
			micro := new(big.Rat).Mul(mult, new(big.Rat).SetInt64(1000000))
			m := new(big.Int).Quo(micro.Num(), micro.Denom())
			if !win {
				m.SetInt64(0)
			}
			out.Multiplier = json.Number(refDecimal(new(big.Rat).SetFrac(m, big.NewInt(1000000)), 6))
			if as, ok := p["amount"]; ok {
				pay := new(big.Rat).Mul(refRat(as), micro)
				v := new(big.Int).Quo(pay.Num(), pay.Denom()).Int64()
				if !win {
					v = 0
				}
				out.PayoutMicro = &v
			}
		}
	case "roulette":
		pocket := int(refFloor(f[0], 37))
		out.Pocket = &pocket
		switch {
		case pocket == 0:
			out.Color = "green"
		case slices.Contains(refRed, pocket):
			out.Color = "red"
		default:
			out.Color = "black"
		}
		if b, ok := p["bet"]; ok {
			set, pays := refRouletteSet(b)
			settle(slices.Contains(set, pocket), pays*10000)
		}
	case "slots":
		names := []string{"cherry", "lemon", "orange", "plum", "bell", "seven"}
		for i := 0; i < 3; i++ {
			r := int(refFloor(f[i], 6))
			out.Reels = append(out.Reels, r)
			out.Symbols = append(out.Symbols, names[r])
		}
		bp := refSlotsBP(out.Symbols)
		settle(bp > 0, bp)
	case "deck":
		var deck []string
		for _, rank := range "23456789TJQKA" {
			for _, suit := range "cdhs" {
				deck = append(deck, string(rank)+string(suit))
			}
		}
		for i := 51; i >= 1; i-- {
			j := refFloor(f[51-i], int64(i+1))
			deck[i], deck[j] = deck[j], deck[i]
		}
		out.Cards = deck
	}
	return out
}
