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

const pokerUsage = `arcade poker replay FILE.phh [FILE.phh ...]

Replays No-Limit Hold'em hands in the PHH format (blinds, antes, starting stacks, dealt cards,
every action) through Arcade's engine. For each file it prints the finishing stacks and the
completed hand as PHH; the first illegal action is refused with its line. "-" reads standard
input. Exit status: 0 all replayed, 1 a hand was refused or its recorded finishing stacks differ,
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
	res, err := phh.Replay(r)
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
