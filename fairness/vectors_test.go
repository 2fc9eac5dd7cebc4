package fairness_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/arcadehq/arcade/fairness"
	"github.com/arcadehq/arcade/internal/casino"
)

var update = flag.Bool("update", false, "rewrite testdata/vectors.json from the package")

const vectorsPath = "testdata/vectors.json"

// vectorFile is the published layout of testdata/vectors.json.
type vectorFile struct {
	Description string   `json:"description"`
	Vectors     []vector `json:"vectors"`
}

// vector is one published test vector. Its inputs are game, server_seed, client_seed, nonce and
// params (the `arcade verify` flags without their dashes); every other field is what
// `arcade verify` prints for them.
type vector struct {
	Name           string            `json:"name"`
	Game           string            `json:"game"`
	ServerSeed     string            `json:"server_seed"`
	ServerSeedHash string            `json:"server_seed_hash"`
	ClientSeed     string            `json:"client_seed"`
	Nonce          uint64            `json:"nonce"`
	Params         map[string]string `json:"params,omitempty"`
	Floats         []float64         `json:"floats"`
	Roll           json.Number       `json:"roll,omitempty"`
	Side           string            `json:"side,omitempty"`
	Pocket         *int              `json:"pocket,omitempty"`
	Color          string            `json:"color,omitempty"`
	Reels          []int             `json:"reels,omitempty"`
	Symbols        []string          `json:"symbols,omitempty"`
	Cards          []string          `json:"cards,omitempty"`
	Win            *bool             `json:"win,omitempty"`
	Multiplier     json.Number       `json:"multiplier,omitempty"`
	MultiplierBP   *int64            `json:"multiplier_bp,omitempty"`
	PayoutMicro    *int64            `json:"payout_micro,omitempty"`
}

// testSeed derives a fixed seed from a label, so the vectors' seeds look random but are fixed.
func testSeed(label string) string {
	s := fairness.Seed(sha256.Sum256([]byte("arcade fairness vector " + label)))
	return s.String()
}

// vectorInputs lists the published cases: inputs only.
func vectorInputs() []vector {
	demo := strings.Repeat("0123456789abcdef", 4)
	zero := strings.Repeat("00", 32)
	ff := strings.Repeat("ff", 32)
	a, b, c := testSeed("a"), testSeed("b"), testSeed("c")
	long128 := strings.Repeat("agent-7/", 16)
	long1000 := strings.Repeat("0123456789", 100)
	uni := "🎲 dé ünïcødé 公平"
	const maxU64 = math.MaxUint64
	p := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	v := func(name, game, seed, client string, nonce uint64, params map[string]string) vector {
		return vector{Name: name, Game: game, ServerSeed: seed, ClientSeed: client, Nonce: nonce, Params: params}
	}
	return []vector{
		v("coinflip, outcome only, nonce 0", "coinflip", demo, "client", 0, nil),
		v("coinflip heads", "coinflip", a, "agent-1", 1, p("choice", "heads")),
		v("coinflip tails with stake", "coinflip", a, "agent-1", 2, p("choice", "tails", "stake-micro", "1000000")),
		v("coinflip heads, micro stake", "coinflip", a, "agent-1", 3, p("choice", "heads", "stake-micro", "100000")),
		v("coinflip, empty client seed", "coinflip", zero, "", 0, p("choice", "tails")),
		v("coinflip, largest nonce", "coinflip", ff, "x", maxU64, p("choice", "heads")),

		v("dice, outcome only, nonce 0", "dice", demo, "client", 0, nil),
		v("dice over 50", "dice", b, "agent-2", 7, p("threshold", "50", "direction", "over", "stake-micro", "1000000")),
		v("dice under 50", "dice", b, "agent-2", 8, p("threshold", "50", "direction", "under", "stake-micro", "1000000")),
		v("dice under 2 (only roll 1 wins, 98x)", "dice", b, "agent-2", 9, p("threshold", "2", "direction", "under")),
		v("dice over 99 (only roll 100 wins)", "dice", b, "agent-2", 10, p("threshold", "99", "direction", "over")),
		v("dice under 99", "dice", b, "agent-2", 11, p("threshold", "99", "direction", "under", "stake-micro", "10000000")),
		v("dice under 2 wins on roll 1 (98x)", "dice", b, "agent-2", 198, p("threshold", "2", "direction", "under", "stake-micro", "100000")),
		v("dice over 10 (lowest RTP, W = 90)", "dice", b, "agent-2", 12, p("threshold", "10", "direction", "over", "stake-micro", "1000000")),
		v("dice, unicode client seed", "dice", c, uni, 4294967296, p("threshold", "33", "direction", "over")),

		v("credit dice, outcome only, nonce 0", "credit-dice", demo, "client", 0, nil),
		v("credit dice over 50", "credit-dice", c, "agent-3", 1, p("target", "50", "condition", "over", "amount", "10")),
		v("credit dice under 49.5", "credit-dice", c, "agent-3", 2, p("target", "49.5", "condition", "under", "amount", "10")),
		v("credit dice over 0 (always wins, 0.97x)", "credit-dice", c, "agent-3", 3, p("target", "0", "condition", "over", "amount", "100")),
		v("credit dice over 99.99", "credit-dice", c, "agent-3", 4, p("target", "99.99", "condition", "over", "amount", "1")),
		v("credit dice under 0.01", "credit-dice", c, "agent-3", 5, p("target", "0.01", "condition", "under", "amount", "1")),
		v("credit dice under 99.99, fractional amount", "credit-dice", c, "agent-3", 6, p("target", "99.99", "condition", "under", "amount", "0.000001")),
		v("credit dice roll 49.50 over 49.5 wins (roll ≥ X)", "credit-dice", c, "agent-3", 13383, p("target", "49.5", "condition", "over", "amount", "10")),
		v("credit dice roll 49.50 under 49.50 loses (roll < X)", "credit-dice", c, "agent-3", 13383, p("target", "49.50", "condition", "under", "amount", "10")),
		v("credit dice roll 0.00 under 0.01 wins 9700x (W = 1, uncapped)", "credit-dice", c, "agent-3", 28697, p("target", "0.01", "condition", "under", "amount", "2.5")),
		v("credit dice roll 99.99 over 99.99 wins 9700x", "credit-dice", c, "agent-3", 15502, p("target", "99.99", "condition", "over", "amount", "10000")),
		v("credit dice under 75.25, no amount", "credit-dice", c, "agent-3", 7, p("target", "75.25", "condition", "under")),
		v("credit dice, empty client seed", "credit-dice", zero, "", 0, p("target", "50", "condition", "under", "amount", "10000")),

		v("roulette, outcome only, nonce 0", "roulette", demo, "client", 0, nil),
		v("roulette straight 17", "roulette", a, "agent-4", 1, p("bet", "17", "stake-micro", "1000000")),
		v("roulette straight 0", "roulette", a, "agent-4", 2, p("bet", "0")),
		v("roulette straight 17 wins 36x", "roulette", a, "agent-4", 106, p("bet", "17", "stake-micro", "1000000")),
		v("roulette straight 0 wins on 0", "roulette", a, "agent-4", 102, p("bet", "0", "stake-micro", "1000000")),
		v("roulette red loses on 0", "roulette", a, "agent-4", 102, p("bet", "red")),
		v("roulette dozen 1 loses on 0", "roulette", a, "agent-4", 102, p("bet", "dozen:1")),
		v("roulette red", "roulette", a, "agent-4", 3, p("bet", "red", "stake-micro", "1000000")),
		v("roulette black", "roulette", a, "agent-4", 4, p("bet", "black")),
		v("roulette even", "roulette", a, "agent-4", 5, p("bet", "even")),
		v("roulette odd", "roulette", a, "agent-4", 6, p("bet", "odd")),
		v("roulette low", "roulette", a, "agent-4", 7, p("bet", "low")),
		v("roulette high", "roulette", a, "agent-4", 8, p("bet", "range:high")),
		v("roulette dozen 1", "roulette", a, "agent-4", 9, p("bet", "dozen:1", "stake-micro", "100000")),
		v("roulette dozen 2", "roulette", a, "agent-4", 10, p("bet", "dozen:2")),
		v("roulette dozen 3", "roulette", a, "agent-4", 11, p("bet", "dozen:3")),
		v("roulette column 1", "roulette", a, "agent-4", 12, p("bet", "column:1")),
		v("roulette column 2", "roulette", a, "agent-4", 13, p("bet", "column:2")),
		v("roulette column 3", "roulette", a, "agent-4", 14, p("bet", "column:3", "stake-micro", "10000000")),

		v("slots, nonce 0", "slots", demo, "client", 0, nil),
		v("slots with stake", "slots", b, "agent-5", 1, p("stake-micro", "1000000")),
		v("slots", "slots", b, "agent-5", 2, nil),
		v("slots", "slots", b, "agent-5", 3, nil),
		v("slots", "slots", b, "agent-5", 4, nil),
		v("slots three sevens (27x)", "slots", b, "agent-5", 103, p("stake-micro", "1000000")),
		v("slots two cherries (3x)", "slots", b, "agent-5", 107, p("stake-micro", "1000000")),
		v("slots three cherries (6x)", "slots", b, "agent-5", 190, nil),
		v("slots three bells (15x)", "slots", b, "agent-5", 136, nil),
		v("slots, 128-character client seed", "slots", c, long128, 5, p("stake-micro", "100000")),

		v("deck, nonce 0", "deck", demo, "client", 0, nil),
		v("deck, empty client seed", "deck", zero, "", 1, nil),
		v("deck, unicode client seed", "deck", a, uni, 2, nil),
		v("deck, 1000-byte client seed (message longer than a SHA-256 block)", "deck", b, long1000, 3, nil),
		v("deck, nonce beyond 2^53", "deck", c, "table-1", 9007199254740993, nil),
		v("deck, largest nonce", "deck", ff, "table-1", maxU64, nil),
	}
}

// implVector fills in the expected fields of in with the package under test.
func implVector(t testing.TB, in vector) vector {
	seed, err := fairness.ParseSeed(in.ServerSeed)
	if err != nil {
		t.Fatalf("%s: %v", in.Name, err)
	}
	out := in
	out.ServerSeedHash = seed.Commitment()
	g := fairness.NewGenerator(seed)
	n := map[string]int{"deck": fairness.DeckDraws, "slots": 3}[in.Game]
	if n == 0 {
		n = 1
	}
	u := make([]uint32, n)
	g.Uint32s(in.ClientSeed, in.Nonce, u)
	for _, x := range u {
		out.Floats = append(out.Floats, fairness.Float(x))
	}
	p := in.Params
	settle := func(win bool, bp int64) {
		out.Win, out.MultiplierBP = &win, &bp
		out.Multiplier = json.Number(decimalString(bp, 4))
		if s, ok := p["stake-micro"]; ok {
			stake, _ := strconv.ParseInt(s, 10, 64)
			pay, err := casino.Payout(stake, bp)
			if err != nil {
				t.Fatalf("%s: %v", in.Name, err)
			}
			out.PayoutMicro = &pay
		}
	}
	switch in.Game {
	case "coinflip":
		out.Side = fairness.CoinflipSide(u[0])
		if c, ok := p["choice"]; ok {
			settle(casino.CoinflipPayout(out.Side, casino.CoinflipBet{Choice: c}))
		}
	case "dice":
		roll := fairness.DiceRoll(u[0])
		out.Roll = json.Number(strconv.Itoa(roll))
		if ts, ok := p["threshold"]; ok {
			th, _ := strconv.Atoi(ts)
			settle(casino.DicePayout(roll, casino.DiceBet{Threshold: th, Direction: p["direction"]}))
		}
	case "credit-dice":
		roll := fairness.CreditDiceRoll(u[0])
		out.Roll = json.Number(decimalString2(int64(roll)))
		if ts, ok := p["target"]; ok {
			target, err := fairness.ParseCreditDiceTarget(ts)
			if err != nil {
				t.Fatalf("%s: %v", in.Name, err)
			}
			over := p["condition"] == "over"
			win := fairness.CreditDiceWins(roll, target, over)
			out.Win = &win
			mult := int64(0)
			if win {
				mult, _ = fairness.CreditDicePayout(1_000_000, target, over)
			}
			out.Multiplier = json.Number(decimalString(mult, 6))
			if as, ok := p["amount"]; ok {
				amount := creditsToMicro(t, as)
				pay := int64(0)
				if win {
					if pay, err = fairness.CreditDicePayout(amount, target, over); err != nil {
						t.Fatalf("%s: %v", in.Name, err)
					}
				}
				out.PayoutMicro = &pay
			}
		}
	case "roulette":
		pocket := fairness.RoulettePocket(u[0])
		out.Pocket = &pocket
		out.Color = casino.RouletteColor(pocket)
		if bs, ok := p["bet"]; ok {
			bet, err := casino.ParseRouletteBet(bs)
			if err != nil {
				t.Fatalf("%s: %v", in.Name, err)
			}
			settle(casino.RoulettePayout(pocket, bet))
		}
	case "slots":
		reels := fairness.SlotsReels(u)
		names := casino.SlotsSymbols()
		for _, r := range reels {
			out.Reels = append(out.Reels, r)
			out.Symbols = append(out.Symbols, names[r])
		}
		settle(casino.SlotsPayout(reels))
	case "deck":
		d := g.Deck(in.ClientSeed, in.Nonce)
		for _, c := range d {
			out.Cards = append(out.Cards, string(c))
		}
	default:
		t.Fatalf("%s: unknown game %q", in.Name, in.Game)
	}
	return out
}

// decimalString writes v / 10^places without trailing fractional zeros.
func decimalString(v int64, places int) string {
	p := int64(1)
	for range places {
		p *= 10
	}
	s := strconv.FormatInt(v/p, 10)
	if frac := v % p; frac != 0 {
		fs := strconv.FormatInt(p+frac, 10)[1:]
		s += "." + strings.TrimRight(fs, "0")
	}
	return s
}

// decimalString2 writes hundredths with exactly two decimals.
func decimalString2(v int64) string {
	return strconv.FormatInt(v/100, 10) + "." + strconv.FormatInt(100+v%100, 10)[1:]
}

// creditsToMicro converts a decimal number of credits (≤ 6 decimals) to micro-units.
func creditsToMicro(t testing.TB, s string) int64 {
	whole, frac, _ := strings.Cut(s, ".")
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || len(frac) > 6 {
		t.Fatalf("bad amount %q", s)
	}
	f, _ := strconv.ParseInt((frac + "000000")[:6], 10, 64)
	return w*1_000_000 + f
}

func marshalVectors(t testing.TB, vs []vector) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	file := vectorFile{
		Description: "Arcade fairness test vectors (DESIGN §5, docs/fairness.md). Inputs: game, " +
			"server_seed, client_seed, nonce and params (the `arcade verify` flags without dashes); " +
			"every other field is what `arcade verify` prints for them. Nonces are unsigned 64-bit " +
			"integers; read them without going through a double.",
		Vectors: vs,
	}
	if err := enc.Encode(file); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readVectors(t testing.TB) []vector {
	data, err := os.ReadFile(vectorsPath)
	if err != nil {
		t.Fatalf("%v (generate it with: go test ./fairness -run TestVectors -update)", err)
	}
	var file vectorFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&file); err != nil {
		t.Fatalf("%s: %v", vectorsPath, err)
	}
	return file.Vectors
}

func jsonOf(t testing.TB, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestVectors checks that the package still produces the published vectors byte for byte, and
// with -update rewrites them.
func TestVectors(t *testing.T) {
	var vs []vector
	for _, in := range vectorInputs() {
		vs = append(vs, implVector(t, in))
	}
	got := marshalVectors(t, vs)
	if *update {
		if err := os.MkdirAll(filepath.Dir(vectorsPath), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(vectorsPath, got, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d vectors)", vectorsPath, len(vs))
	}
	file := readVectors(t)
	if len(file) != len(vs) {
		t.Fatalf("%s holds %d vectors, the package produces %d (run with -update after review)", vectorsPath, len(file), len(vs))
	}
	for i := range vs {
		if g, w := jsonOf(t, vs[i]), jsonOf(t, file[i]); g != w {
			t.Errorf("vector %d (%s):\n package: %s\n    file: %s", i, file[i].Name, g, w)
		}
	}
	data, _ := os.ReadFile(vectorsPath)
	if !bytes.Equal(got, data) {
		t.Errorf("%s differs from the package's output in layout", vectorsPath)
	}
}

// TestVectorsIndependent recomputes every published vector from its inputs with the independent
// reference implementation.
func TestVectorsIndependent(t *testing.T) {
	for i, v := range readVectors(t) {
		want := refVector(v)
		if g, w := jsonOf(t, v), jsonOf(t, want); g != w {
			t.Errorf("vector %d (%s):\n      file: %s\n reference: %s", i, v.Name, g, w)
		}
	}
}

// TestVectorsCoverage keeps the published set useful: every game, wins and losses, edge inputs.
func TestVectorsCoverage(t *testing.T) {
	vs := readVectors(t)
	type tally struct{ n, wins, losses, nonce0 int }
	games := map[string]*tally{}
	var unicode, empty, long, bigNonce bool
	for _, v := range vs {
		g := games[v.Game]
		if g == nil {
			g = &tally{}
			games[v.Game] = g
		}
		g.n++
		if v.Win != nil && *v.Win {
			g.wins++
		}
		if v.Win != nil && !*v.Win {
			g.losses++
		}
		if v.Nonce == 0 {
			g.nonce0++
		}
		unicode = unicode || strings.ContainsFunc(v.ClientSeed, func(r rune) bool { return r > 127 })
		empty = empty || v.ClientSeed == ""
		long = long || len(v.ClientSeed) > 64
		bigNonce = bigNonce || v.Nonce == math.MaxUint64
	}
	for _, name := range []string{"coinflip", "dice", "credit-dice", "roulette", "slots", "deck"} {
		g := games[name]
		if g == nil || g.n < 5 || g.nonce0 == 0 {
			t.Errorf("%s: want at least 5 vectors including nonce 0, got %+v", name, g)
			continue
		}
		if name != "deck" && (g.wins == 0 || g.losses == 0) {
			t.Errorf("%s: want wins and losses among the vectors, got %+v", name, g)
		}
	}
	if !unicode || !empty || !long || !bigNonce {
		t.Errorf("edge inputs missing: unicode %v, empty %v, long %v, max nonce %v", unicode, empty, long, bigNonce)
	}
}

// TestRandomBetsIndependent compares the package with the reference on thousands of random
// (seed, client seed, nonce) triples for every game, with random parameters.
func TestRandomBetsIndependent(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	perGame := 2000
	if testing.Short() {
		perGame = 200
	}
	alphabet := []rune("abcXYZ019:-_ é🎲公")
	randomClient := func() string {
		n := rng.IntN(80)
		var b strings.Builder
		for range n {
			b.WriteRune(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	randomNonce := func() uint64 {
		switch rng.IntN(4) {
		case 0:
			return uint64(rng.IntN(10))
		case 1:
			return rng.Uint64()
		}
		return uint64(rng.IntN(1_000_000))
	}
	rouletteBets := []string{"red", "black", "even", "odd", "low", "high", "range:low", "color:red",
		"parity:even", "dozen:1", "dozen:2", "dozen:3", "column:1", "column:2", "column:3"}
	for _, game := range []string{"coinflip", "dice", "credit-dice", "roulette", "slots", "deck"} {
		for i := range perGame {
			var seed fairness.Seed
			for j := range seed {
				seed[j] = byte(rng.Uint32())
			}
			in := vector{Name: game, Game: game, ServerSeed: seed.String(), ClientSeed: randomClient(), Nonce: randomNonce()}
			stake := strconv.FormatInt(rng.Int64N(100_000_000_000), 10)
			switch game {
			case "coinflip":
				in.Params = map[string]string{"choice": []string{"heads", "tails"}[rng.IntN(2)], "stake-micro": stake}
			case "dice":
				in.Params = map[string]string{"threshold": strconv.Itoa(2 + rng.IntN(98)),
					"direction": []string{"over", "under"}[rng.IntN(2)], "stake-micro": stake}
			case "credit-dice":
				cond := []string{"over", "under"}[rng.IntN(2)]
				target := rng.IntN(10000)
				if cond == "under" && target == 0 {
					target = 1
				}
				in.Params = map[string]string{"target": decimalString(int64(target), 2), "condition": cond,
					"amount": decimalString(rng.Int64N(1e13), 6)}
			case "roulette":
				bet := strconv.Itoa(rng.IntN(37))
				if i%2 == 0 {
					bet = rouletteBets[rng.IntN(len(rouletteBets))]
				}
				in.Params = map[string]string{"bet": bet, "stake-micro": stake}
			case "slots":
				in.Params = map[string]string{"stake-micro": stake}
			}
			got, want := jsonOf(t, implVector(t, in)), jsonOf(t, refVector(in))
			if got != want {
				t.Fatalf("%s disagrees with the reference for %s:\n  package: %s\nreference: %s", game, jsonOf(t, in), got, want)
			}
		}
	}
}
