package casino_test

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/arcadehq/arcade/fairness"
	"github.com/arcadehq/arcade/internal/casino"
	"github.com/arcadehq/arcade/internal/deptest"
)

func TestPrices(t *testing.T) {
	want := map[casino.Item]struct {
		micro int64
		usd   string
	}{
		casino.ItemBetMicro: {100_000, "0.10"}, casino.ItemBetStandard: {1_000_000, "1.00"},
		casino.ItemBetWhale: {10_000_000, "10.00"}, casino.ItemManifest: {10_000, "0.01"},
		casino.ItemBalance: {10_000, "0.01"}, casino.ItemBetStatus: {10_000, "0.01"},
		casino.ItemWithdrawFee: {50_000, "0.05"},
	}
	ps := casino.Prices()
	if len(ps) != len(want) {
		t.Fatalf("%d prices, want %d", len(ps), len(want))
	}
	for _, p := range ps {
		w, ok := want[p.Item]
		if !ok || p.Micro != w.micro || p.USD != w.usd || p.What == "" {
			t.Errorf("%+v, want %+v", p, w)
		}
		if m, ok := casino.PriceOf(p.Item); !ok || m != p.Micro {
			t.Errorf("PriceOf(%s) = %d %v", p.Item, m, ok)
		}
	}
	for _, s := range casino.Stakes() {
		got, err := casino.ParseStake(string(s))
		if err != nil || got != s || s.Micro() != want[s.Item()].micro {
			t.Errorf("stake %s: %v %d", s, err, s.Micro())
		}
	}
	for _, bad := range []string{"", "Micro", "huge", "micro "} {
		var pe *casino.ParamError
		if _, err := casino.ParseStake(bad); !errors.As(err, &pe) || pe.Field != "stake" {
			t.Errorf("ParseStake(%q) = %v", bad, err)
		}
	}
	for m, s := range map[int64]string{0: "0.00", 1: "0.000001", 10: "0.00001", 123_456_789: "123.456789", 1_500_000: "1.50"} {
		if got := casino.USD(m); got != s {
			t.Errorf("USD(%d) = %s, want %s", m, got, s)
		}
	}
}

// playBets returns one bet of every kind the schema allows.
func playBets() []casino.Bet {
	bets := []casino.Bet{
		{Game: casino.Coinflip, Coinflip: casino.CoinflipBet{Choice: "heads"}},
		{Game: casino.Coinflip, Coinflip: casino.CoinflipBet{Choice: "tails"}},
		{Game: casino.Slots},
	}
	for _, th := range []int{2, 10, 50, 51, 91, 99} {
		for _, d := range []string{"over", "under"} {
			bets = append(bets, casino.Bet{Game: casino.Dice, Dice: casino.DiceBet{Threshold: th, Direction: d}})
		}
	}
	for _, s := range []string{"0", "17", "36", "red", "black", "even", "odd", "low", "high",
		"dozen:1", "dozen:3", "column:1", "column:2", "column:3"} {
		b, err := casino.ParseRouletteBet(s)
		if err != nil {
			panic(err)
		}
		bets = append(bets, casino.Bet{Game: casino.Roulette, Roulette: b})
	}
	return bets
}

// publishedRTP returns the RTP the pay tables publish for a bet.
func publishedRTP(b casino.Bet) float64 {
	g := casino.Games()
	switch b.Game {
	case casino.Coinflip:
		return float64(g.Coinflip.RTP.Num) / float64(g.Coinflip.RTP.Den)
	case casino.Dice:
		r := b.Dice.RTP()
		return float64(r.Num) / float64(r.Den)
	case casino.Roulette:
		return float64(g.Roulette.RTP.Num) / float64(g.Roulette.RTP.Den)
	}
	return float64(g.Slots.RTP.Num) / float64(g.Slots.RTP.Den)
}

// TestPlayRTP plays every kind of bet on a fixed seed and checks the realised return to player
// against the published figure, within five standard errors (the exhaustive check of the
// published figures is in paytable_test.go; this one checks Play wires stream, mapper and pay
// table together). Only the test's statistics use floats; payouts are integers.
func TestPlayRTP(t *testing.T) {
	seed, err := fairness.ParseSeed(strings.Repeat("ab", 32))
	if err != nil {
		t.Fatal(err)
	}
	g := fairness.NewGenerator(seed)
	const n = 40_000
	const stake = casino.StakeMicro
	for _, b := range playBets() {
		var sum, sumSq float64
		for nonce := uint64(0); nonce < n; nonce++ {
			o, err := casino.Play(g, "rtp-"+b.Roulette.String(), nonce, b, stake.Micro())
			if err != nil {
				t.Fatal(err)
			}
			if want, _ := casino.Payout(stake.Micro(), o.MultiplierBP); o.PayoutMicro != want || o.Win != (o.MultiplierBP > 0) {
				t.Fatalf("%+v: payout %d, want %d", o, o.PayoutMicro, want)
			}
			x := float64(o.PayoutMicro) / float64(stake.Micro())
			sum += x
			sumSq += x * x
		}
		mean := sum / n
		se := math.Sqrt((sumSq/n - mean*mean) / n)
		if want := publishedRTP(b); math.Abs(mean-want) > 5*se+1e-9 {
			t.Errorf("%s %+v: realised RTP %.4f, published %.4f (se %.4f)", b.Game, b, mean, want, se)
		}
	}
}

// TestPlayMatchesMappers checks Play against fairness's mappers and the pay tables directly.
func TestPlayMatchesMappers(t *testing.T) {
	seed, _ := fairness.ParseSeed(strings.Repeat("01", 32))
	g := fairness.NewGenerator(seed)
	for nonce := uint64(0); nonce < 500; nonce++ {
		c := "client-" + strconv.FormatUint(nonce%7, 10)
		u0 := g.First(c, nonce)
		o, _ := casino.Play(g, c, nonce, casino.Bet{Game: casino.Dice, Dice: casino.DiceBet{Threshold: 50, Direction: "over"}}, 1_000_000)
		if o.Roll != fairness.DiceRoll(u0) {
			t.Fatalf("dice roll %d, mapper %d", o.Roll, fairness.DiceRoll(u0))
		}
		o, _ = casino.Play(g, c, nonce, casino.Bet{Game: casino.Roulette, Roulette: casino.RouletteBet{Type: "color", Choice: "red"}}, 1_000_000)
		if *o.Pocket != fairness.RoulettePocket(u0) || o.Color != casino.RouletteColor(*o.Pocket) {
			t.Fatalf("pocket %d, mapper %d", *o.Pocket, fairness.RoulettePocket(u0))
		}
		o, _ = casino.Play(g, c, nonce, casino.Bet{Game: casino.Slots}, 1_000_000)
		if r := g.Slots(c, nonce); o.Reels[0] != r[0] || o.Reels[1] != r[1] || o.Reels[2] != r[2] {
			t.Fatalf("reels %v, mapper %v", o.Reels, r)
		}
		o, _ = casino.Play(g, c, nonce, casino.Bet{Game: casino.Coinflip, Coinflip: casino.CoinflipBet{Choice: "tails"}}, 1_000_000)
		if o.Side != fairness.CoinflipSide(u0) {
			t.Fatalf("side %s", o.Side)
		}
	}
}

func TestPlayRefuses(t *testing.T) {
	g := fairness.NewGenerator(fairness.Seed{})
	for _, c := range []struct {
		bet   casino.Bet
		stake int64
		field string
	}{
		{casino.Bet{Game: "blackjack"}, 1, "game"},
		{casino.Bet{Game: casino.Coinflip, Coinflip: casino.CoinflipBet{Choice: "edge"}}, 1, "choice"},
		{casino.Bet{Game: casino.Dice, Dice: casino.DiceBet{Threshold: 1, Direction: "over"}}, 1, "threshold"},
		{casino.Bet{Game: casino.Dice, Dice: casino.DiceBet{Threshold: 100, Direction: "under"}}, 1, "threshold"},
		{casino.Bet{Game: casino.Roulette, Roulette: casino.RouletteBet{Type: "number", Number: 37}}, 1, "bet"},
		{casino.Bet{Game: casino.Slots}, 0, ""},
		{casino.Bet{Game: casino.Slots}, -1, ""},
	} {
		_, err := casino.Play(g, "c", 1, c.bet, c.stake)
		var pe *casino.ParamError
		switch {
		case c.field == "" && !errors.Is(err, casino.ErrAmount):
			t.Errorf("%+v stake %d: %v", c.bet, c.stake, err)
		case c.field != "" && (!errors.As(err, &pe) || pe.Field != c.field):
			t.Errorf("%+v: %v, want field %s", c.bet, err, c.field)
		}
	}
}

// TestDependencies keeps the casino's rules importable by fairness/verify: the standard
// library and fairness only, never net/http or a database.
func TestDependencies(t *testing.T) {
	deptest.Check(t, ".", deptest.NoNetNoDB("github.com/arcadehq/arcade/fairness"))
}
