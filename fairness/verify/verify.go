package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/arcadehq/arcade/fairness"
	"github.com/arcadehq/arcade/internal/casino"
)

// Exit codes of Main.
const (
	ExitOK      = 0 // the outcome was printed
	ExitFailure = 1 // --commitment does not match the seed (the outcome is still printed), or output failed
	ExitUsage   = 2 // bad arguments: a message on stderr, nothing on stdout
)

const usage = `usage: arcade verify --game G --server-seed HEX --client-seed C --nonce N [parameters]

Recomputes a bet with Arcade's public fairness algorithm and prints one JSON object.

  --game         coinflip | dice | credit-dice | roulette | slots | deck
  --server-seed  the revealed server seed, 64 hex characters
  --client-seed  the client seed, exactly as used in the bet (may be empty)
  --nonce        the bet's nonce, a decimal integer
  --commitment   optional: the SHA-256 commitment published before the bet; exit 1 if it
                 does not match the seed

Game parameters (optional; with them the output says whether the bet won):
  coinflip     --choice heads|tails                 [--stake-micro N]
  dice         --threshold 2..99 --direction over|under  [--stake-micro N]
  credit-dice  --target X (0–99.99, two decimals at most) --condition over|under
               [--amount CREDITS (up to six decimals)]
  roulette     --bet 0..36 | red | black | even | odd | low | high |
                     dozen:1..3 | column:1..3 | range:low|high  [--stake-micro N]
  slots        no parameters; win and multiplier are always shown  [--stake-micro N]
  deck         no parameters

Exit status: 0 printed, 1 commitment mismatch (still printed), 2 bad arguments.
`

// gameFloats returns how many stream values game reads, and false for an unknown game.
func gameFloats(game string) (int, bool) {
	switch game {
	case "coinflip", "dice", "credit-dice", "roulette":
		return 1, true
	case "slots":
		return 3, true
	case "deck":
		return fairness.DeckDraws, true
	}
	return 0, false
}

// paramFlags returns the parameter flags game accepts.
func paramFlags(game string) []string {
	switch game {
	case "coinflip":
		return []string{"choice", "stake-micro"}
	case "dice":
		return []string{"threshold", "direction", "stake-micro"}
	case "credit-dice":
		return []string{"target", "condition", "amount"}
	case "roulette":
		return []string{"bet", "stake-micro"}
	case "slots":
		return []string{"stake-micro"}
	}
	return nil
}

// paramNames returns every game-parameter flag, in the order they are checked.
func paramNames() []string {
	return []string{"choice", "threshold", "direction", "target", "condition", "amount", "bet", "stake-micro"}
}

// stringFlag is a string flag that remembers whether it was given and refuses a second value,
// so that a mistyped repeated flag cannot silently override the first.
type stringFlag struct {
	val string
	set bool
}

func (f *stringFlag) String() string { return f.val }

func (f *stringFlag) Set(s string) error {
	if f.set {
		return errors.New("given more than once")
	}
	f.val, f.set = s, true
	return nil
}

// usageError is a bad-argument error; Main prints it and exits 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func flagErr(name, format string, a ...any) error {
	return &usageError{"--" + name + ": " + fmt.Sprintf(format, a...)}
}

// Result is the JSON object printed by `arcade verify`. Outcome and parameter fields appear only
// for the games they belong to.
type Result struct {
	Game           string    `json:"game"`
	ServerSeedHash string    `json:"server_seed_hash"`
	CommitmentOK   *bool     `json:"commitment_ok,omitempty"`
	ClientSeed     string    `json:"client_seed"`
	Nonce          uint64    `json:"nonce"`
	Floats         []float64 `json:"floats"`

	// Outcome.
	Roll    json.Number     `json:"roll,omitempty"` // dice: 1–100; credit-dice: 0.00–99.99
	Side    string          `json:"side,omitempty"`
	Pocket  *int            `json:"pocket,omitempty"`
	Color   string          `json:"color,omitempty"` // roulette pocket colour
	Reels   []int           `json:"reels,omitempty"`
	Symbols []string        `json:"symbols,omitempty"`
	Cards   []fairness.Card `json:"cards,omitempty"`

	// Parameters, echoed in canonical form.
	Choice      string      `json:"choice,omitempty"`
	Threshold   *int        `json:"threshold,omitempty"`
	Direction   string      `json:"direction,omitempty"`
	Target      json.Number `json:"target,omitempty"`
	Condition   string      `json:"condition,omitempty"`
	Bet         string      `json:"bet,omitempty"`
	AmountMicro *int64      `json:"amount_micro,omitempty"`
	StakeMicro  *int64      `json:"stake_micro,omitempty"`

	// Evaluation, when the parameters were given.
	Win          *bool       `json:"win,omitempty"`
	Multiplier   json.Number `json:"multiplier,omitempty"`
	MultiplierBP *int64      `json:"multiplier_bp,omitempty"`
	PayoutMicro  *int64      `json:"payout_micro,omitempty"`
}

// Main runs `arcade verify` with args (without the subcommand name) and returns the exit code.
// It never panics on any input.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if err := ctx.Err(); err != nil {
		fmt.Fprintln(stderr, "arcade verify:", err)
		return ExitFailure
	}
	res, err := Run(args)
	if errors.Is(err, flag.ErrHelp) {
		io.WriteString(stderr, usage)
		return ExitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "arcade verify: %v\nrun 'arcade verify -h' for usage\n", err)
		return ExitUsage
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(res); err != nil {
		fmt.Fprintln(stderr, "arcade verify: encoding the result:", err)
		return ExitFailure
	}
	if _, err := stdout.Write(buf.Bytes()); err != nil {
		fmt.Fprintln(stderr, "arcade verify: writing the result:", err)
		return ExitFailure
	}
	if res.CommitmentOK != nil && !*res.CommitmentOK {
		fmt.Fprintln(stderr, "arcade verify: --commitment does not match SHA-256 of --server-seed")
		return ExitFailure
	}
	return ExitOK
}

// Run parses args and evaluates the bet. Bad arguments give an error naming the flag;
// -h or -help gives flag.ErrHelp.
func Run(args []string) (*Result, error) {
	fs := flag.NewFlagSet("arcade verify", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	flags := map[string]*stringFlag{}
	for _, name := range append([]string{"game", "server-seed", "client-seed", "nonce", "commitment"}, paramNames()...) {
		f := &stringFlag{}
		flags[name] = f
		fs.Var(f, name, "")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, &usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return nil, &usageError{fmt.Sprintf("unexpected argument %q (flags take the form --name value)", truncate(fs.Arg(0)))}
	}

	for _, name := range []string{"game", "server-seed", "client-seed", "nonce"} {
		if !flags[name].set {
			return nil, flagErr(name, "is required")
		}
	}
	game := flags["game"].val
	nFloats, ok := gameFloats(game)
	if !ok {
		return nil, flagErr("game", "unknown game %q (want coinflip, dice, credit-dice, roulette, slots or deck)", truncate(game))
	}
	seed, err := fairness.ParseSeed(flags["server-seed"].val)
	if err != nil {
		return nil, flagErr("server-seed", "must be 64 hexadecimal characters (the revealed seed)")
	}
	nonce, err := strconv.ParseUint(flags["nonce"].val, 10, 64)
	if err != nil {
		return nil, flagErr("nonce", "must be a decimal integer from 0 to 18446744073709551615")
	}
	res := &Result{
		Game:           game,
		ServerSeedHash: seed.Commitment(),
		ClientSeed:     flags["client-seed"].val,
		Nonce:          nonce,
	}
	if f := flags["commitment"]; f.set {
		if _, err := fairness.ParseSeed(f.val); err != nil { // same shape: 64 hex characters
			return nil, flagErr("commitment", "must be 64 hexadecimal characters (a SHA-256)")
		}
		ok := fairness.VerifyCommitment(seed, f.val)
		res.CommitmentOK = &ok
	}

	allowed := map[string]bool{}
	for _, name := range paramFlags(game) {
		allowed[name] = true
	}
	for _, name := range paramNames() {
		if flags[name].set && !allowed[name] {
			return nil, flagErr(name, "does not apply to --game %s", game)
		}
	}
	param := func(name string) (string, bool) { return flags[name].val, flags[name].set }

	u := make([]uint32, nFloats)
	fairness.NewGenerator(seed).Uint32s(res.ClientSeed, nonce, u)
	res.Floats = make([]float64, nFloats)
	for i, v := range u {
		res.Floats[i] = fairness.Float(v)
	}

	switch game {
	case "coinflip":
		err = coinflip(res, u[0], param)
	case "dice":
		err = dice(res, u[0], param)
	case "credit-dice":
		err = creditDice(res, u[0], param)
	case "roulette":
		err = roulette(res, u[0], param)
	case "slots":
		err = slots(res, u, param)
	case "deck":
		d, _ := fairness.ShuffleDeck(u)
		res.Cards = d[:]
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

type paramFunc func(name string) (string, bool)

func coinflip(res *Result, u0 uint32, param paramFunc) error {
	res.Side = fairness.CoinflipSide(u0)
	choice, ok := param("choice")
	if !ok {
		return requireFor("choice", param, "stake-micro")
	}
	bet := casino.CoinflipBet{Choice: choice}
	if err := bet.Validate(); err != nil {
		return flagErr("choice", "must be heads or tails")
	}
	res.Choice = choice
	return settleBP(res, param, casino.CoinflipMultiplierBP)(casino.CoinflipPayout(res.Side, bet))
}

func dice(res *Result, u0 uint32, param paramFunc) error {
	roll := fairness.DiceRoll(u0)
	res.Roll = json.Number(strconv.Itoa(roll))
	ts, tok := param("threshold")
	dir, dok := param("direction")
	if !tok && !dok {
		return requireFor("threshold", param, "stake-micro")
	}
	if !tok {
		return flagErr("threshold", "is required with --direction")
	}
	if !dok {
		return flagErr("direction", "is required with --threshold")
	}
	t, err := strconv.Atoi(ts)
	if err != nil || t < 2 || t > 99 {
		return flagErr("threshold", "must be an integer from 2 to 99")
	}
	if dir != "over" && dir != "under" {
		return flagErr("direction", "must be over or under")
	}
	bet := casino.DiceBet{Threshold: t, Direction: dir}
	res.Threshold, res.Direction = &t, dir
	return settleBP(res, param, bet.MultiplierBP())(casino.DicePayout(roll, bet))
}

func roulette(res *Result, u0 uint32, param paramFunc) error {
	pocket := fairness.RoulettePocket(u0)
	res.Pocket = &pocket
	res.Color = casino.RouletteColor(pocket)
	s, ok := param("bet")
	if !ok {
		return requireFor("bet", param, "stake-micro")
	}
	bet, err := casino.ParseRouletteBet(s)
	if err != nil {
		return flagErr("bet", "want 0–36, red, black, even, odd, low, high, dozen:1–3, column:1–3 or range:low|high")
	}
	res.Bet = bet.String()
	return settleBP(res, param, bet.MultiplierBP())(casino.RoulettePayout(pocket, bet))
}

func slots(res *Result, u []uint32, param paramFunc) error {
	reels := fairness.SlotsReels(u)
	names := casino.SlotsSymbols()
	res.Reels = reels[:]
	for _, r := range reels {
		res.Symbols = append(res.Symbols, names[r])
	}
	return settleBP(res, param, casino.SlotsThreeBP(casino.SlotsSeven))(casino.SlotsPayout(reels))
}

// requireFor fails when a dependent flag (such as --stake-micro) is given without the main
// parameter it needs.
func requireFor(main string, param paramFunc, dependents ...string) error {
	for _, d := range dependents {
		if _, ok := param(d); ok {
			return flagErr(main, "is required with --%s", d)
		}
	}
	return nil
}

// settleBP returns a function that records an /api/v1 settlement and, given --stake-micro, the
// payout floor(stake × bp / 10000). maxBP is the most the bet can pay: a stake whose best payout
// overflows is refused whatever the outcome.
func settleBP(res *Result, param paramFunc, maxBP int64) func(bool, int64) error {
	return func(win bool, bp int64) error {
		res.Win = &win
		res.MultiplierBP = &bp
		res.Multiplier = json.Number(formatFixed(bp, 4))
		s, ok := param("stake-micro")
		if !ok {
			return nil
		}
		stake, err := strconv.ParseInt(s, 10, 64)
		if err != nil || stake < 0 {
			return flagErr("stake-micro", "must be a non-negative integer number of micro-units")
		}
		if _, err := casino.Payout(stake, maxBP); err != nil {
			return flagErr("stake-micro", "too large: the payout would not fit in 64 bits")
		}
		payout, _ := casino.Payout(stake, bp) // bp ≤ maxBP

		res.StakeMicro, res.PayoutMicro = &stake, &payout
		return nil
	}
}

func creditDice(res *Result, u0 uint32, param paramFunc) error {
	roll := fairness.CreditDiceRoll(u0)
	res.Roll = json.Number(formatFixed(int64(roll), 2))
	ts, tok := param("target")
	cond, cok := param("condition")
	if !tok && !cok {
		return requireFor("target", param, "amount")
	}
	if !tok {
		return flagErr("target", "is required with --condition")
	}
	if !cok {
		return flagErr("condition", "is required with --target")
	}
	target, err := fairness.ParseCreditDiceTarget(ts)
	if err != nil {
		return flagErr("target", "must be a decimal from 0 to 99.99 with at most two decimals")
	}
	if cond != "over" && cond != "under" {
		return flagErr("condition", "must be over or under")
	}
	over := cond == "over"
	if fairness.CreditDiceWinningRolls(target, over) == 0 {
		return flagErr("target", "under 0 can never win")
	}
	res.Target, res.Condition = json.Number(formatFixed(int64(target), 2)), cond
	win := fairness.CreditDiceWins(roll, target, over)
	res.Win = &win
	mult, err := fairness.CreditDicePayout(1_000_000, target, over) // the multiplier, rounded down to 6 places
	if err != nil {
		return flagErr("target", "%v", err)
	}
	if !win {
		mult = 0
	}
	res.Multiplier = json.Number(formatFixed(mult, 6))
	as, ok := param("amount")
	if !ok {
		return nil
	}
	amount, err := parseMicro(as)
	if err != nil {
		return flagErr("amount", "must be a non-negative number of credits with at most six decimals")
	}
	payout, err := fairness.CreditDicePayout(amount, target, over)
	if err != nil {
		return flagErr("amount", "too large: the payout would not fit in 64 bits")
	}
	if !win {
		payout = 0
	}
	res.AmountMicro, res.PayoutMicro = &amount, &payout
	return nil
}

// formatFixed writes v / 10^places in decimal with trailing fractional zeros removed, except that
// places = 2 keeps both decimals (rolls and targets are shown as 27.62, 49.50). v must be ≥ 0.
func formatFixed(v int64, places int) string {
	s := strconv.FormatInt(v, 10)
	for len(s) <= places {
		s = "0" + s
	}
	whole, frac := s[:len(s)-places], s[len(s)-places:]
	if places != 2 {
		frac = strings.TrimRight(frac, "0")
	}
	if frac == "" {
		return whole
	}
	return whole + "." + frac
}

// parseMicro parses a non-negative decimal with at most six decimals into micro-units, exactly.
func parseMicro(s string) (int64, error) {
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || (dot && frac == "") || len(frac) > 6 {
		return 0, errors.New("bad amount")
	}
	for _, part := range []string{whole, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return 0, errors.New("bad amount")
			}
		}
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > (1<<63-1)/1_000_000-1 {
		return 0, errors.New("bad amount")
	}
	f := int64(0)
	if frac != "" {
		frac += strings.Repeat("0", 6-len(frac))
		f, _ = strconv.ParseInt(frac, 10, 64)
	}
	return w*1_000_000 + f, nil
}

func truncate(s string) string {
	if len(s) <= 40 {
		return s
	}
	return s[:40] + "…"
}
