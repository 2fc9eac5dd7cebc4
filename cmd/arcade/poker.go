package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/arcadehq/arcade/internal/poker/phh"
)

const pokerUsage = `arcade poker replay FILE.phh|FILE.phhs [...]

Replays No-Limit Hold'em hands in the PHH format (blinds, antes, starting stacks, dealt cards,
every action) through Arcade's engine. For each file it prints the finishing stacks and the
completed hand as PHH; the first illegal action is refused with its line. A .phhs file (several
hands under [1], [2], ...: what /poker/api serves per table) replays every hand. "-" reads
standard input (one hand). Exit status: 0 all replayed, 1 a hand was refused or its recorded finishing stacks differ,
2 bad arguments.
`

// pokerCmd runs `arcade poker SUBCOMMAND`.
func pokerCmd(_ context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, pokerUsage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	if args[0] != "replay" || len(args) < 2 {
		fmt.Fprintf(stderr, "arcade poker: want replay FILE.phh\n\n%s", pokerUsage)
		return 2
	}
	code := 0
	for _, name := range args[1:] {
		if err := replayFile(name, stdout); err != nil {
			fmt.Fprintf(stderr, "arcade poker replay: %s: %v\n", name, err)
			code = 1
		}
	}
	return code
}

func replayFile(name string, stdout io.Writer) error {
	var r io.Reader = os.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	if !strings.HasSuffix(name, ".phhs") {
		h, err := phh.Parse(r)
		if err != nil {
			return err
		}
		return replayHand(name, h, stdout)
	}
	// A multi-hand file (the tables' hands.phhs, the hand-history's format=phh): every hand.
	hands, err := phh.ParseAll(r)
	if err != nil {
		return err
	}
	var errs []error
	for k, h := range hands {
		if err := replayHand(fmt.Sprintf("%s [%d]", name, k+1), h, stdout); err != nil {
			errs = append(errs, fmt.Errorf("hand [%d]: %w", k+1, err))
		}
	}
	return errors.Join(errs...)
}

func replayHand(name string, h *phh.Hand, stdout io.Writer) error {
	res, err := phh.ReplayHand(h)
	if res == nil {
		return err
	}
	stacks := make([]string, len(res.FinishingStacks))
	for i, s := range res.FinishingStacks {
		stacks[i] = fmt.Sprint(s)
	}
	fmt.Fprintf(stdout, "# %s\n# finishing stacks: %s   rake: %d\n", name, strings.Join(stacks, " "), res.Rake)
	if werr := phh.Write(stdout, res.Completed); werr != nil {
		return errors.Join(err, werr)
	}
	fmt.Fprintln(stdout)
	return err
}
