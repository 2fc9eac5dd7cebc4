package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPokerReplay runs `arcade poker replay` over every corpus hand: each replays to its recorded
// finishing stacks (exit 0), and an illegal action is refused with its line (exit 1).
func TestPokerReplay(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "internal", "poker", "phh", "testdata", "corpus", "*", "*", "*.phh"))
	more, _ := filepath.Glob(filepath.Join("..", "..", "internal", "poker", "phh", "testdata", "corpus", "wsop", "*", "*", "*", "*.phh"))
	files = append(files, more...)
	if len(files) != 33 {
		t.Fatalf("%d corpus files, want 33", len(files))
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), append([]string{"poker", "replay"}, files...), os.Getenv, &out, &errb); code != 0 {
		t.Fatalf("replay: exit %d\n%s", code, errb.String())
	}
	if n := strings.Count(out.String(), "# finishing stacks: "); n != 33 {
		t.Fatalf("%d results", n)
	}
	// A .phhs file: every hand, numbered.
	var multi bytes.Buffer
	for k, f := range files[:3] {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&multi, "[%d]\n%s\n", k+1, raw)
	}
	phhs := filepath.Join(t.TempDir(), "hands.phhs")
	os.WriteFile(phhs, multi.Bytes(), 0o644)
	out.Reset()
	if code := run(context.Background(), []string{"poker", "replay", phhs}, os.Getenv, &out, &errb); code != 0 ||
		strings.Count(out.String(), "# finishing stacks: ") != 3 || !strings.Contains(out.String(), "hands.phhs [3]") {
		t.Fatalf(".phhs: exit %d\n%s%s", code, errb.String(), out.String())
	}
	bad := filepath.Join(t.TempDir(), "bad.phh")
	os.WriteFile(bad, []byte("variant = \"NT\"\nantes = [0, 0]\nblinds_or_straddles = [1, 2]\nmin_bet = 2\nstarting_stacks = [100, 100]\n"+
		"actions = [\"d dh p1 AsKs\", \"d dh p2 2c3d\", \"p2 cbr 1\"]\n"), 0o644)
	errb.Reset()
	if code := run(context.Background(), []string{"poker", "replay", bad}, os.Getenv, &out, &errb); code != 1 || !strings.Contains(errb.String(), "line 6") {
		t.Fatalf("illegal action: exit %d %s", code, errb.String())
	}
}
