package card

import (
	"errors"
	"testing"

	"github.com/arcadehq/arcade/fairness"
)

// parseCases feeds TestParse and the seeds of FuzzParse.
var parseCases = []struct {
	in   string
	want Card
	ok   bool
}{
	{"2c", 0, true},
	{"2d", 1, true},
	{"2s", 3, true},
	{"3c", 4, true},
	{"Td", 8*4 + 1, true},
	{"As", 51, true},
	{"Ah", 50, true},
	{"", 0, false},
	{"A", 0, false},
	{"as", 0, false},  // lower-case rank
	{"AS", 0, false},  // upper-case suit
	{"10s", 0, false}, // ten is T
	{"1s", 0, false},
	{"Ax", 0, false},
	{" As", 0, false},
	{"As ", 0, false},
	{"tc", 0, false},
	{"A♠", 0, false},
}

func TestParse(t *testing.T) {
	for _, tc := range parseCases {
		got, err := Parse(tc.in)
		if tc.ok {
			if err != nil || got != tc.want {
				t.Errorf("Parse(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
			}
			if got.String() != tc.in {
				t.Errorf("Parse(%q).String() = %q", tc.in, got.String())
			}
		} else if !errors.Is(err, ErrInvalid) {
			t.Errorf("Parse(%q) = %d, %v; want ErrInvalid", tc.in, got, err)
		}
	}
}

// TestDeckOrder checks the contract with fairness: a card's value is its position in the
// unshuffled deck, and conversion goes both ways.
func TestDeckOrder(t *testing.T) {
	for i, fc := range fairness.NewDeckOrder() {
		c, err := FromFairness(fc)
		if err != nil || c != Card(i) {
			t.Fatalf("FromFairness(%s) = %d, %v; want %d", fc, c, err, i)
		}
		if c.Fairness() != fc || c.String() != string(fc) {
			t.Errorf("card %d prints %s / %s, want %s", i, c, c.Fairness(), fc)
		}
		if r, s := c.Rank(), c.Suit(); RankChars[r] != fc.Rank() || SuitChars[s] != fc.Suit() {
			t.Errorf("card %s: rank %d suit %d", fc, r, s)
		}
		if n, err := New(c.Rank(), c.Suit()); err != nil || n != c {
			t.Errorf("New(%d, %d) = %v, %v", c.Rank(), c.Suit(), n, err)
		}
	}
	d, err := FromDeck(fairness.NewDeckOrder())
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range d {
		if c != Card(i) {
			t.Fatalf("FromDeck position %d = %s", i, c)
		}
	}
	bad := fairness.NewDeckOrder()
	bad[1] = bad[0]
	if _, err := FromDeck(bad); !errors.Is(err, ErrInvalid) {
		t.Errorf("FromDeck with a repeated card: %v", err)
	}
	if _, err := New(13, 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("New(13, 0): %v", err)
	}
	if _, err := New(0, 4); !errors.Is(err, ErrInvalid) {
		t.Errorf("New(0, 4): %v", err)
	}
	if s := Card(52).String(); s != "?52" {
		t.Errorf("Card(52).String() = %q", s)
	}
}

func TestParseMany(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // Join(cards, " "), or "" for an error
	}{
		{"AsKd", "As Kd"},
		{"As Kd", "As Kd"},
		{"2c3d4h5s6c7d8h", "2c 3d 4h 5s 6c 7d 8h"},
		{"", ""},
		{"AsK", ""},
		{"As  Kd", ""},
		{" AsKd", ""},
		{"AsKd ", ""},
		{"As,Kd", ""},
		{"AsKx", ""},
	} {
		cs, err := ParseMany(tc.in)
		switch {
		case tc.want == "" && tc.in != "":
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("ParseMany(%q) = %v, %v; want ErrInvalid", tc.in, cs, err)
			}
		case err != nil || Join(cs, " ") != tc.want:
			t.Errorf("ParseMany(%q) = %v, %v; want %s", tc.in, cs, err, tc.want)
		}
	}
	cs, err := ParseList([]string{"As", "Td"})
	if err != nil || Join(cs, "") != "AsTd" {
		t.Errorf("ParseList = %v, %v", cs, err)
	}
	if _, err := ParseList([]string{"As", "T"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("ParseList bad: %v", err)
	}
}

func TestSet(t *testing.T) {
	cs := MustParseMany("AsKd2c")
	s, err := SetOf(cs...)
	if err != nil || s.Len() != 3 || !s.Has(MustParse("Kd")) || s.Has(MustParse("Kh")) {
		t.Fatalf("SetOf(%v) = %b, %v", cs, s, err)
	}
	if got := Join(s.Cards(), ""); got != "2cKdAs" {
		t.Errorf("Cards() = %s", got)
	}
	if s.Remove(MustParse("As")).Len() != 2 || s.Add(MustParse("As")) != s {
		t.Error("Add/Remove")
	}
	if _, err := SetOf(MustParse("As"), MustParse("As")); !errors.Is(err, ErrInvalid) {
		t.Errorf("repeated card: %v", err)
	}
	if _, err := SetOf(Card(52)); !errors.Is(err, ErrInvalid) {
		t.Errorf("invalid card: %v", err)
	}
	if FullDeck.Len() != N || len(FullDeck.Cards()) != N || FullDeck.Has(Card(52)) {
		t.Error("FullDeck")
	}
}

// FuzzParse checks that Parse accepts exactly the 52 two-character names and that a parsed card
// prints as its input; and that ParseMany round-trips whatever it accepts.
func FuzzParse(f *testing.F) {
	for _, tc := range parseCases {
		f.Add(tc.in)
	}
	f.Add("AsKd Qh")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err == nil {
			if !c.Valid() || c.String() != s {
				t.Fatalf("Parse(%q) = %d, prints %q", s, c, c)
			}
		} else if len(s) == 2 && (indexOf(RankChars, s[0]) >= 0 && indexOf(SuitChars, s[1]) >= 0) {
			t.Fatalf("Parse(%q) rejected a card: %v", s, err)
		}
		cs, err := ParseMany(s)
		if err == nil {
			back, err := ParseMany(Join(cs, ""))
			if err != nil || Join(back, " ") != Join(cs, " ") {
				t.Fatalf("ParseMany(%q) = %v, does not round-trip: %v %v", s, cs, back, err)
			}
		}
	})
}

func indexOf(s string, b byte) int {
	for i := range len(s) {
		if s[i] == b {
			return i
		}
	}
	return -1
}
