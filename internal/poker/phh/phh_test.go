package phh

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/arcadehq/arcade/internal/poker/card"
	"github.com/arcadehq/arcade/internal/poker/engine"
)

var actionCases = []struct {
	in   string
	ok   bool
	want string // String() of the parsed step ("" = same as in)
}{
	{"d dh p1 AsKd", true, ""},
	{"d dh p3 ????", true, ""},
	{"d db AhKhQh", true, ""},
	{"d db 2c", true, ""},
	{"p1 f", true, ""},
	{"p2 cc", true, ""},
	{"p3 cbr 200", true, ""},
	{"p1 sm AsKd", true, ""},
	{"p1 sm", true, ""},
	{"p1 sm -", true, ""},
	{"p4 cc # a comment", true, ""},
	{"# only a comment", true, ""},
	{"p12 cbr 1000000", true, ""},
	{"", true, ""},
	{"p0 f", false, ""},
	{"p1 cbr", false, ""},
	{"p1 cbr -5", false, ""},
	{"p1 cbr 1.5", false, ""},
	{"p1 pb", false, ""},
	{"p1 sd", false, ""},
	{"d dh p1 AsK", false, ""},
	{"d dh p1 AsKsQs", false, ""},
	{"d db", false, ""},
	{"d db AhKhQhJhTh9h", false, ""},
	{"d xx", false, ""},
	{"x1 f", false, ""},
	{"p1 f extra", false, ""},
	{"p1 sm AsKd extra", false, ""},
	{"d dh p1 1sKd", false, ""},
}

func TestParseAction(t *testing.T) {
	for _, c := range actionCases {
		st, err := ParseAction(c.in)
		if (err == nil) != c.ok {
			t.Errorf("ParseAction(%q): err %v, want ok=%v", c.in, err, c.ok)
			continue
		}
		if err != nil {
			if !errors.Is(err, ErrAction) {
				t.Errorf("ParseAction(%q): %v is not ErrAction", c.in, err)
			}
			continue
		}
		want := c.want
		if want == "" {
			want = strings.TrimSpace(c.in)
		}
		if got := st.String(); got != want {
			t.Errorf("ParseAction(%q).String() = %q", c.in, got)
		}
	}
}

const sample = `variant = 'NT'
ante_trimming_status = true
antes = [0, 0, 0]
blinds_or_straddles = [1, 2, 0]
min_bet = 2
starting_stacks = [200, 200, 200]
actions = [
  'd dh p1 AsAh',
  'd dh p2 KsKh',
  'd dh p3 7c2d',
  'p3 f',
  'p1 cbr 10',
  'p2 cbr 30',
  'p1 cc',
  'd db 2c3d4h',
  'p1 cc',
  'p2 cbr 400',
]
hand = 7
finishing_stacks = [170, 230, 200]
`

func TestReplayRejectsWithLine(t *testing.T) {
	_, err := Replay(strings.NewReader(sample))
	var ae *ActionError
	if !errors.As(err, &ae) {
		t.Fatalf("err %v, want *ActionError", err)
	}
	if ae.Index != 10 || ae.Line != 17 || !errors.Is(err, engine.ErrAboveStack) || !errors.Is(err, ErrIllegal) {
		t.Fatalf("got index %d line %d: %v", ae.Index, ae.Line, err)
	}
}

func TestReplayErrors(t *testing.T) {
	cases := []struct {
		name, edit, with string
		want             error
	}{
		{"incomplete", "'p2 cbr 400',", "", ErrIncomplete},
		{"out of turn", "'p2 cbr 400',", "'p1 cc',", engine.ErrNotYourTurn},
		{"variant", "'NT'", "'FT'", ErrUnsupported},
		{"straddle", "[1, 2, 0]", "[1, 2, 4]", ErrUnsupported},
		{"fractional stack", "[200, 200, 200]", "[200.5, 200, 200]", ErrUnsupported},
		{"board too early", "'p1 cc',\n  'd db", "'d db", ErrIllegal},
		{"wrong show", "'p2 cbr 400',", "'p2 cc', 'd db 5s', 'p1 cc', 'p2 cc', 'd db 9s', 'p1 cc', 'p2 cc', 'p1 sm KsKh',", ErrIllegal},
		{"player beyond the table", "'p3 f'", "'p4 f'", ErrAction},
		{"card twice", "'d dh p3 7c2d'", "'d dh p3 AsKd'", ErrIllegal},
		{"syntax", "hand = 7", "hand = = 7", ErrSyntax},
		{"stacks", "finishing_stacks = [170, 230, 200]", "finishing_stacks = [170, 230, 201]", ErrFinishingStacks},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := sample
			if c.name == "stacks" {
				src = strings.Replace(src, "'p2 cbr 400',", "'p2 cbr 60', 'p1 f',", 1)
			}
			if !strings.Contains(src, c.edit) {
				t.Fatalf("sample lacks %q", c.edit)
			}
			src = strings.Replace(src, c.edit, c.with, 1)
			_, err := Replay(strings.NewReader(src))
			if !errors.Is(err, c.want) {
				t.Fatalf("err %v, want %v", err, c.want)
			}
		})
	}
}

// TestReplayHiddenHoleCards: hole cards dealt as "????" and shown at the showdown are the
// shown cards, so the showdown is decided on them.
func TestReplayHiddenHoleCards(t *testing.T) {
	src := `variant = 'NT'
antes = [0, 0]
blinds_or_straddles = [1, 2]
min_bet = 2
starting_stacks = [100, 100]
actions = ['d dh p1 ????', 'd dh p2 ????', 'p2 cc', 'p1 cc', 'd db 2c3d4h', 'p1 cc', 'p2 cc',
  'd db 9s', 'p1 cc', 'p2 cc', 'd db Jd', 'p1 cc', 'p2 cc', 'p1 sm 5c6c', 'p2 sm AsAh']
finishing_stacks = [102, 98]
`
	res, err := Replay(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.FinishingStacks, []int64{102, 98}) {
		t.Fatalf("stacks %v", res.FinishingStacks)
	}
}

func TestWriteKeepsFields(t *testing.T) {
	h, err := Parse(strings.NewReader(sample + "time = 12:30:00\n[extra]\nnote = 'x'\n"))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := Write(&b, h); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"ante_trimming_status = true", "hand = 7", "time = 12:30:00", "[extra]", "note = "} {
		if !strings.Contains(out, want) {
			t.Errorf("written hand lacks %q:\n%s", want, out)
		}
	}
	keys := func(h *Hand) []string {
		var k []string
		for _, f := range h.Fields {
			k = append(k, f.Key)
		}
		return k
	}
	again, err := Parse(&b)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(keys(h), keys(again)) {
		t.Errorf("field order %v became %v", keys(h), keys(again))
	}
}

// TestRecordReplays plays random hands (no rake: PHH has no field for it), records each as PHH
// text, reads it back and replays it: the replay must accept every action and end with the same
// stacks.
func TestRecordReplays(t *testing.T) {
	hands := 5_000
	if testing.Short() {
		hands = 2_000
	}
	for seed := 0; seed < hands; seed++ {
		h := randomHand(t, uint64(seed), true)
		rec, err := Record(h)
		if err != nil {
			t.Fatal(err)
		}
		text := rec.String()
		res, err := Replay(strings.NewReader(text))
		if err != nil {
			t.Fatalf("seed %d: replay: %v\n%s", seed, err, text)
		}
		var want []int64
		for p := range rec.FinishingStacks {
			want = append(want, rec.FinishingStacks[p].Int)
		}
		if !slices.Equal(res.FinishingStacks, want) {
			t.Fatalf("seed %d: replay ends %v, hand ended %v\n%s", seed, res.FinishingStacks, want, text)
		}
	}
}

// FuzzParse: any input either fails to parse or parses to a hand whose written form reads back
// to the same written form; replaying it never panics.
func FuzzParse(f *testing.F) {
	f.Add(sample)
	f.Add("variant = 'NT'\nactions = []\n")
	f.Add("x = inf\ny = [1.5, -0.0]\nt = 1979-05-27T07:32:00Z\n[a.b]\nc = 1\n")
	f.Add("[[p]]\nname = 'a'\n[[p]]\nname = 'b'\n[q]\nr = [{s = 1}]\n")
	f.Add("variant = 'NT'\nplayers = [{name = 'x'}]\nhand = 1\n")
	if dir := os.Getenv("ARCADE_PHH_CORPUS"); dir != "" || true {
		if dir == "" {
			dir = filepath.Join("testdata", "corpus")
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*", "*", "*.phh"))
		more, _ := filepath.Glob(filepath.Join(dir, "*", "*", "*", "*", "*.phh"))
		for _, p := range append(files, more...) {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(string(b))
			}
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := Parse(strings.NewReader(s))
		if err != nil {
			return
		}
		_, _ = ReplayHand(h)
		var b1 bytes.Buffer
		if err := Write(&b1, h); err != nil {
			return // a value TOML cannot write back (e.g. a key the encoder refuses)
		}
		h2, err := Parse(bytes.NewReader(b1.Bytes()))
		if err != nil {
			t.Fatalf("written hand does not parse: %v\n%s", err, b1.String())
		}
		var b2 bytes.Buffer
		if err := Write(&b2, h2); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b1.Bytes(), b2.Bytes()) {
			t.Fatalf("write is not stable:\n%s\n---\n%s", b1.String(), b2.String())
		}
	})
}

// FuzzParseAction: a parsed action writes back to text that parses to the same step.
func FuzzParseAction(f *testing.F) {
	for _, c := range actionCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st, err := ParseAction(s)
		if err != nil {
			return
		}
		again, err := ParseAction(st.String())
		if err != nil {
			t.Fatalf("%q -> %q: %v", s, st.String(), err)
		}
		if again.String() != st.String() {
			t.Fatalf("%q -> %q -> %q", s, st.String(), again.String())
		}
	})
}

// randomHand plays one random hand without rake (PHH has no field for it) to the end. With muck
// the showdown is manual and players muck at random (even a winning hand); without, the engine's
// automatic showdown decides.
func randomHand(tb testing.TB, seed uint64, muck bool) *engine.Hand {
	rng := rand.New(rand.NewPCG(seed, 7))
	seats := 2 + rng.IntN(8)
	bb := int64(2 + rng.IntN(100))
	cfg := engine.Config{Seats: seats, SmallBlind: bb / 2, BigBlind: bb, ManualShowdown: muck && rng.IntN(2) == 0,
		BurnCards: rng.IntN(2) == 0, UntrimmedAntes: rng.IntN(2) == 0}
	switch rng.IntN(4) {
	case 1:
		cfg.Ante = 1 + rng.Int64N(bb)
	case 2:
		cfg.BigBlindAnte = bb
	case 3:
		cfg.Ante, cfg.BigBlindAnte = 1, bb
	}
	if !muck && cfg.Ante > 0 && cfg.BigBlindAnte > 0 {
		cfg.UntrimmedAntes = true // PHH has no equivalent of the engine's trimmed mixed antes
	}
	h, err := engine.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	stacks := make([]int64, seats)
	for i := range stacks {
		if rng.IntN(5) > 0 {
			stacks[i] = 1 + rng.Int64N(100*bb)
		}
	}
	stacks[0], stacks[seats-1] = 1+rng.Int64N(100*bb), 1+rng.Int64N(3*bb)
	var deck [52]card.Card
	for i := range deck {
		deck[i] = card.Card(i)
	}
	rng.Shuffle(52, func(i, j int) { deck[i], deck[j] = deck[j], deck[i] })
	if err := h.Start(stacks, engine.NextButton(stacks, rng.IntN(seats)), &deck); err != nil {
		tb.Fatal(err)
	}
	for h.Phase() != engine.Complete {
		a := h.Legal()
		act := engine.Action{Kind: engine.Show}
		switch {
		case a.Showdown:
			if rng.IntN(3) == 0 {
				act.Kind = engine.Muck
			}
		case a.CanRaise && rng.IntN(3) == 0:
			act = engine.Action{Kind: engine.Raise, Amount: a.MinRaiseTo + rng.Int64N(a.MaxRaiseTo-a.MinRaiseTo+1)}
		case rng.IntN(4) == 0:
			act.Kind = engine.Fold
		case a.CanCheck:
			act.Kind = engine.Check
		default:
			act.Kind = engine.Call
		}
		if err := h.Act(a.Seat, act); err != nil {
			tb.Fatalf("seed %d: %v", seed, err)
		}
	}
	return h
}

// TestDumpRandom writes random hands as PHH files into $ARCADE_PHH_DUMP (skipped without it),
// for scripts/poker-crosscheck to replay with PokerKit.
func TestDumpRandom(t *testing.T) {
	dir := os.Getenv("ARCADE_PHH_DUMP")
	if dir == "" {
		t.Skip("ARCADE_PHH_DUMP not set")
	}
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("ARCADE_PHH_DUMP_HANDS")); err == nil && v > 0 {
		n = v
	}
	for seed := 0; seed < n; seed++ {
		rec, err := Record(randomHand(t, uint64(seed), false))
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Join(dir, fmt.Sprintf("%06d.phh", seed))
		if err := os.WriteFile(name, []byte(rec.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
