package phh

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// corpusDir is the PHH corpus (33 real NLHE hands with finishing stacks, MIT, copied into
// testdata/corpus with their sources). ARCADE_PHH_CORPUS points elsewhere.
func corpusDir(t *testing.T) string {
	dir := os.Getenv("ARCADE_PHH_CORPUS")
	if dir == "" {
		dir = filepath.Join("testdata", "corpus")
	}
	if _, err := os.Stat(filepath.Join(dir, "INDEX.json")); err != nil {
		t.Fatalf("no PHH corpus at %s (set ARCADE_PHH_CORPUS)", dir)
	}
	return dir
}

type indexEntry struct {
	File       string  `json:"file"`
	Fractional bool    `json:"fractional_finishing_stacks"`
	SplitPot   bool    `json:"split_pot"`
	PokerKit   []int64 `json:"pokerkit_0_7_4_replay_stacks"`
}

// TestCorpus replays every hand of the corpus and checks the finishing stacks: exactly, except
// for the hands whose record holds half chips for an odd chip, where the engine must give the
// whole chip to the first winner left of the button (the last player is on the button, so that
// is the lower-numbered of the two) and match PokerKit, which follows the same rule.
func TestCorpus(t *testing.T) {
	dir := corpusDir(t)
	raw, err := os.ReadFile(filepath.Join(dir, "INDEX.json"))
	if err != nil {
		t.Fatal(err)
	}
	var index []indexEntry
	if err := json.Unmarshal(raw, &index); err != nil {
		t.Fatal(err)
	}
	if len(index) != 33 {
		t.Fatalf("INDEX.json lists %d hands, want 33", len(index))
	}
	for _, e := range index {
		t.Run(e.File, func(t *testing.T) {
			f, err := os.Open(filepath.Join(dir, e.File))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			res, err := Replay(f)
			if err != nil {
				t.Fatalf("replay: %v", err)
			}
			rec := res.Hand.FinishingStacks
			var sumRec float64
			var sumGot int64
			for i, r := range rec {
				got := res.FinishingStacks[i]
				sumRec += r.Value()
				sumGot += got
				if e.Fractional {
					if math.Abs(r.Value()-float64(got)) > 0.5 {
						t.Errorf("p%d: %d, record %v (±0.5)", i+1, got, r.Value())
					}
				} else if v, ok := r.Integer(); !ok || v != got {
					t.Errorf("p%d: %d, record %v", i+1, got, r.Value())
				}
				if got != e.PokerKit[i] {
					t.Errorf("p%d: %d, PokerKit %d", i+1, got, e.PokerKit[i])
				}
			}
			if sumRec != float64(sumGot+res.Rake) {
				t.Errorf("chips: record sums to %v, engine %d + rake %d", sumRec, sumGot, res.Rake)
			}
			if e.Fractional {
				// The odd chip goes to the first winner clockwise from the button.
				var halves []int
				for i, r := range rec {
					if r.Value() != math.Trunc(r.Value()) {
						halves = append(halves, i)
					}
				}
				if len(halves) != 2 || float64(res.FinishingStacks[halves[0]]) != rec[halves[0]].Value()+0.5 {
					t.Errorf("odd chip: halves at %v, stacks %v", halves, res.FinishingStacks)
				}
			}
			// The completed hand, written and read back, replays to the same stacks exactly.
			var buf bytes.Buffer
			if err := Write(&buf, res.Completed); err != nil {
				t.Fatal(err)
			}
			again, err := Replay(&buf)
			if err != nil {
				t.Fatalf("replay of the written hand: %v\n%s", err, buf.String())
			}
			for i := range res.FinishingStacks {
				if again.FinishingStacks[i] != res.FinishingStacks[i] {
					t.Fatalf("written hand replays to %v, not %v", again.FinishingStacks, res.FinishingStacks)
				}
			}
			if res.Engine.Rake != 0 || res.Config.RakeBasisPoints != 0 {
				t.Errorf("rake in a corpus replay")
			}
		})
	}
}
