package phh

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
)

const showdown = `variant = 'NT'
antes = [0, 0, 0]
blinds_or_straddles = [100, 200, 0]
min_bet = 200
starting_stacks = [10000, 10000, 10000]
actions = [
  'd dh p1 AsAh',
  'd dh p2 KsKh',
  'd dh p3 7c2d',
  'p3 f',
  'p1 cbr 1000',
  'p2 cc',
  'd db 2c3d4h',
  'p1 cc',
  'p2 cc',
  'd db 9s',
  'p1 cc',
  'p2 cc',
  'd db Tc',
  'p1 cc',
  'p2 cc',
  'p1 sm AsAh',
  'p2 sm',
]
_arcade_rake_basis_points = 500
_arcade_rake_cap = 60
finishing_stacks = [10940, 9000, 10000]
`

// TestWriteAllParseAll: a .phhs file reads back to the same hands, action lines counted in the
// whole file; hands must be numbered from [1] in order.
func TestWriteAllParseAll(t *testing.T) {
	a, err := Parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse(strings.NewReader(showdown))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteAll(&buf, []*Hand{a, b}); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	if !strings.HasPrefix(text, "[1]\n") || !strings.Contains(text, "\n[2]\n") {
		t.Fatalf("headers:\n%s", text)
	}
	all, err := ParseAll(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].String() != a.String() || all[1].String() != b.String() {
		t.Fatalf("read back %d hands:\n%s", len(all), text)
	}
	lines := strings.Split(text, "\n")
	for k, l := range all[1].ActionLines {
		if !strings.Contains(lines[l-1], all[1].Actions[k]) {
			t.Errorf("action %d %q: line %d is %q", k+1, all[1].Actions[k], l, lines[l-1])
		}
	}
	one, err := ParseAll(strings.NewReader(sample))
	if err != nil || len(one) != 1 || one[0].String() != a.String() {
		t.Errorf("a file without a header: %v %d", err, len(one))
	}
	for _, bad := range []string{"[2]\n" + sample, "[1]\n" + sample + "[3]\n" + sample, "[1]\nvariant = \n"} {
		if _, err := ParseAll(strings.NewReader(bad)); !errors.Is(err, ErrSyntax) {
			t.Errorf("%.20q: %v, want ErrSyntax", bad, err)
		}
	}
}

// TestHide: hidden hole cards leave what was shown and what visible names, and the hand replays
// to the same finishing stacks; the rake fields rake it as the table did.
func TestHide(t *testing.T) {
	h, err := Parse(strings.NewReader(showdown))
	if err != nil {
		t.Fatal(err)
	}
	full, err := ReplayHand(h)
	if err != nil {
		t.Fatal(err)
	}
	if full.Rake != 60 { // 5% of 2,000 capped at 60
		t.Errorf("rake %d, want 60", full.Rake)
	}
	Hide(h, func(p int) bool { return p == 3 })
	want := []string{"d dh p1 AsAh", "d dh p2 ????", "d dh p3 7c2d"}
	if !slices.Equal(h.Actions[:3], want) {
		t.Fatalf("hidden: %v, want %v", h.Actions[:3], want)
	}
	hid, err := ReplayHand(h)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(hid.FinishingStacks, full.FinishingStacks) {
		t.Errorf("hidden replay %v, full %v", hid.FinishingStacks, full.FinishingStacks)
	}
	h.Set(RakeBasisPointsField, "5%")
	if _, err := ReplayHand(h); !errors.Is(err, ErrField) {
		t.Errorf("a bad rake field: %v, want ErrField", err)
	}
}
