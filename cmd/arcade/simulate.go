package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/arcadehq/arcade/internal/credits/strategy"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/simreport"
)

const simulateUsage = `Usage: arcade simulate (--preset ID | --strategy FILE.json | --config FILE.json) [flags]

Runs a Monte Carlo simulation of a betting strategy on the credit dice, on every core, with the
same simulator as the API. Rolls follow the public fairness algorithm: session i uses the server
seed SHA-256(seed ‖ uint64be(i)), client seed "sim" and nonce = round index, so the same --seed
prints the same result (only the speed line and the "timing" JSON member differ).

A strategy file holds either a basic config {"amount", "target", "condition",
"progressionType", ...} or an advanced strategy {"name", "baseConfig", "rules", ...}; a file with
"rules" or "baseConfig" is read as an advanced strategy. --config is another name for --strategy.

Presets: %s

Flags:
`

// simulateOptions are the parsed flags of arcade simulate.
type simulateOptions struct {
	preset, file, fileFlag string
	rounds                 int64
	sessions, workers      int
	buckets                int
	balance                money.Amount
	seed                   []byte
	json, quiet, progress  bool
	plot                   string
}

// usageError is a bad flag or input: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// simulateCmd runs `arcade simulate`.
func simulateCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	opt, err := parseSimulateFlags(args, stdout)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "arcade simulate: %v (see arcade simulate -h)\n", err)
		return 2
	}
	st, name, source, err := loadStrategy(opt)
	if err != nil {
		fmt.Fprintln(stderr, "arcade simulate:", err)
		return 2
	}
	workers := opt.workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	spec := strategy.SimSpec{Strategy: st, Rounds: opt.rounds, Sessions: opt.sessions, StartingBalance: opt.balance,
		Seed: opt.seed, Workers: workers, Buckets: opt.buckets}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	var progress func(done, total int64)
	var bar *simreport.Bar
	if !opt.quiet && (opt.progress || simreport.IsTerminal(stderr)) {
		bar = &simreport.Bar{W: stderr, Label: "simulating", Unit: "rounds"}
		progress = bar.Update
	}
	start := time.Now()
	res, err := strategy.Simulate(ctx, spec, progress)
	elapsed := time.Since(start)
	if bar != nil {
		bar.Finish()
	}
	if err != nil {
		if e := errs.As(err); e != nil && e.Kind == errs.Validation {
			fmt.Fprintln(stderr, "arcade simulate:", flagName(e))
			return 2
		}
		if ctx.Err() != nil {
			fmt.Fprintln(stderr, "arcade simulate: interrupted")
			return 1
		}
		fmt.Fprintln(stderr, "arcade simulate:", err)
		return 1
	}
	run := simreport.Run{Strategy: name, Source: source, Workers: min(workers, opt.sessions), Elapsed: elapsed}
	if opt.plot != "" {
		if err := writePlot(opt.plot, &res, name); err != nil {
			fmt.Fprintln(stderr, "arcade simulate: --plot:", err)
			return 1
		}
		if !opt.quiet {
			fmt.Fprintf(stderr, "wrote %s\n", opt.plot)
		}
	}
	if opt.json {
		err = simreport.WriteJSON(stdout, &res, run)
	} else {
		err = simreport.WriteSummary(stdout, &res, run)
	}
	if err != nil {
		fmt.Fprintln(stderr, "arcade simulate:", err)
		return 1
	}
	return 0
}

// parseSimulateFlags parses the flags; -h prints the usage on stdout and returns flag.ErrHelp.
// Errors name the flag and are left to the caller to print.
func parseSimulateFlags(args []string, stdout io.Writer) (simulateOptions, error) {
	opt := simulateOptions{rounds: 1000, sessions: 1000, buckets: strategy.DefaultBuckets}
	var balance, seed, config string
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(&opt.preset, "preset", "", "simulate the preset with this id")
	fs.StringVar(&opt.file, "strategy", "", "simulate the strategy in this JSON `file` (basic config or advanced strategy)")
	fs.StringVar(&config, "config", "", "same as --strategy")
	fs.Int64Var(&opt.rounds, "rounds", opt.rounds, fmt.Sprintf("rounds per session, 1–%d", strategy.MaxSimRounds))
	fs.IntVar(&opt.sessions, "sessions", opt.sessions, fmt.Sprintf("independent sessions, 1–%d", strategy.MaxSimSessions))
	fs.StringVar(&balance, "balance", "1000", "starting balance of each session, in `credits`")
	fs.StringVar(&seed, "seed", "", "master seed: a decimal number, or hex bytes (0x-prefixed, or containing a–f); random if absent")
	fs.IntVar(&opt.workers, "workers", 0, "parallel workers (0: GOMAXPROCS)")
	fs.IntVar(&opt.buckets, "buckets", opt.buckets, fmt.Sprintf("histogram buckets, 1–%d", strategy.MaxBuckets))
	fs.BoolVar(&opt.json, "json", false, "print the full result as JSON on stdout instead of the table")
	fs.StringVar(&opt.plot, "plot", "", "write an SVG histogram of the final PnL to this `file`")
	fs.BoolVar(&opt.quiet, "quiet", false, "no progress bar and no notes on stderr")
	fs.BoolVar(&opt.progress, "progress", false, "draw the progress bar on stderr even when it is not a terminal")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			ids := []string{}
			for _, p := range strategy.Presets() {
				ids = append(ids, p.ID)
			}
			fmt.Fprintf(stdout, simulateUsage, strings.Join(ids, ", "))
			fs.SetOutput(stdout)
			fs.PrintDefaults()
		}
		return opt, err // the flag package's message names the flag
	}
	if fs.NArg() > 0 {
		return opt, usagef("unexpected argument %q (flags come as --name value)", fs.Arg(0))
	}
	opt.fileFlag = "--strategy"
	if config != "" {
		if opt.file != "" {
			return opt, usagef("--strategy and --config are the same; give one")
		}
		opt.file, opt.fileFlag = config, "--config"
	}
	switch {
	case opt.preset == "" && opt.file == "":
		return opt, usagef("give one of --preset ID, --strategy FILE.json or --config FILE.json (see arcade simulate -h)")
	case opt.preset != "" && opt.file != "":
		return opt, usagef("--preset and %s exclude each other; give one", opt.fileFlag)
	case opt.rounds < 1 || opt.rounds > strategy.MaxSimRounds:
		return opt, usagef("--rounds: must be from 1 to %d", strategy.MaxSimRounds)
	case opt.sessions < 1 || opt.sessions > strategy.MaxSimSessions:
		return opt, usagef("--sessions: must be from 1 to %d", strategy.MaxSimSessions)
	case opt.rounds*int64(opt.sessions) > strategy.MaxSimTotalRounds:
		return opt, usagef("--rounds × --sessions must be at most %d", strategy.MaxSimTotalRounds)
	case opt.workers < 0 || opt.workers > 4096:
		return opt, usagef("--workers: must be from 0 (GOMAXPROCS) to 4096")
	case opt.buckets < 1 || opt.buckets > strategy.MaxBuckets:
		return opt, usagef("--buckets: must be from 1 to %d", strategy.MaxBuckets)
	case opt.quiet && opt.progress:
		return opt, usagef("--quiet and --progress contradict each other; give one")
	}
	b, err := money.Parse(balance)
	if err != nil || b <= 0 {
		return opt, usagef("--balance: want a positive number of credits with at most 6 decimals, got %q", balance)
	}
	opt.balance = b
	if opt.seed, err = parseSeed(seed); err != nil {
		return opt, err
	}
	return opt, nil
}

// maxSeedBytes bounds a master seed given on the command line.
const maxSeedBytes = 64

// parseSeed reads --seed: empty means 16 random bytes; a decimal number N (up to 2^64−1) is the
// 8 bytes of N big-endian; anything else is hex bytes, with or without a 0x prefix. A run prints
// its seed as 0x-prefixed hex, which always reads back as the same bytes.
func parseSeed(s string) ([]byte, error) {
	if s == "" {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("--seed: no entropy for a random seed: %w", err)
		}
		return b, nil
	}
	bad := func(why string) error {
		return usagef("--seed: %s; want a decimal number or hex bytes such as 0x2a or 0xdeadbeef, got %q", why, s)
	}
	h, prefixed := strings.CutPrefix(strings.ToLower(s), "0x")
	if !prefixed && strings.Trim(s, "0123456789") == "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return nil, bad("decimal seeds must be below 2^64")
		}
		return binary.BigEndian.AppendUint64(nil, n), nil
	}
	switch {
	case h == "":
		return nil, bad("empty hex")
	case len(h)%2 != 0:
		return nil, bad("hex needs an even number of digits")
	case len(h)/2 > maxSeedBytes:
		return nil, bad(fmt.Sprintf("longer than %d bytes", maxSeedBytes))
	}
	b, err := hex.DecodeString(h)
	if err != nil {
		return nil, bad("not hex")
	}
	return b, nil
}

// loadStrategy returns the strategy to simulate with its display name and source.
func loadStrategy(opt simulateOptions) (st strategy.Strategy, name, source string, err error) {
	if opt.preset != "" {
		p, ok := strategy.PresetByID(opt.preset)
		if !ok {
			ids := []string{}
			for _, p := range strategy.Presets() {
				ids = append(ids, p.ID)
			}
			return nil, "", "", usagef("--preset: unknown preset %q; want one of %s", opt.preset, strings.Join(ids, ", "))
		}
		return &p.Strategy, p.Strategy.Name, "preset " + p.ID, nil
	}
	const maxFile = 1 << 20
	f, err := os.Open(opt.file)
	if err != nil {
		return nil, "", "", usagef("%s: %v", opt.fileFlag, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFile+1))
	if err != nil {
		return nil, "", "", usagef("%s: %v", opt.fileFlag, err)
	}
	if len(data) > maxFile {
		return nil, "", "", usagef("%s: %s is larger than %d bytes", opt.fileFlag, opt.file, maxFile)
	}
	st, name, err = decodeStrategy(data)
	if err != nil {
		return nil, "", "", usagef("%s %s: %v", opt.fileFlag, opt.file, err)
	}
	return st, name, "file " + opt.file, nil
}

// decodeStrategy reads a basic config or an advanced strategy; errors name the field at fault
// as the file spells it ("baseConfig.amount", "rules[2].trigger.type").
func decodeStrategy(data []byte) (strategy.Strategy, string, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return nil, "", fmt.Errorf("not valid JSON at byte %d: %v", syn.Offset, err)
		}
		return nil, "", errors.New("must hold one JSON object (a basic config or an advanced strategy)")
	}
	if top == nil {
		return nil, "", errors.New("must hold one JSON object (a basic config or an advanced strategy), not null")
	}
	_, hasRules := top["rules"]
	_, hasBase := top["baseConfig"]
	if hasRules || hasBase {
		a, err := strategy.DecodeAdvanced(data, "")
		if err != nil {
			return nil, "", fieldError(err)
		}
		return a, a.Name, nil
	}
	c, err := strategy.DecodeConfig(data, "")
	if err != nil {
		return nil, "", fieldError(err)
	}
	name := fmt.Sprintf("basic %s, %s credits %s %s", c.ProgressionType, c.Amount, c.Condition, c.Target)
	return c, name, nil
}

// fieldError renders a validation error as `field "x.y": message`.
func fieldError(err error) error {
	if e := errs.As(err); e != nil && e.Field != "" {
		return fmt.Errorf("field %q: %s", e.Field, e.Message)
	}
	return err
}

// flagName renders a validation error from Simulate with the flag that feeds the field.
func flagName(e *errs.Error) string {
	flags := map[string]string{"rounds": "--rounds", "sessions": "--sessions", "startingBalance": "--balance",
		"workers": "--workers", "buckets": "--buckets"}
	if fl, ok := flags[e.Field]; ok {
		return fl + ": " + e.Message
	}
	return e.Error()
}

func writePlot(path string, res *strategy.SimResult, name string) error {
	var buf bytes.Buffer
	if err := simreport.WriteSVG(&buf, res, "Final PnL — "+name); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
