package fairness_test

import (
	"errors"
	"math/big"
	"regexp"
	"testing"

	"github.com/arcadehq/arcade/fairness"
)

// targetCases feeds TestParseCreditDiceTarget and FuzzParseCreditDiceTarget; want -1 means invalid.
var targetCases = []struct {
	in   string
	want int
}{
	{"0", 0}, {"0.01", 1}, {"0.1", 10}, {"1", 100}, {"49.5", 4950}, {"49.50", 4950}, {"49.500", 4950},
	{"50", 5000}, {"99.99", 9999}, {"99.990000", 9999}, {"075", 7500}, {"33.3", 3330},
	{"", -1}, {"100", -1}, {"99.999", -1}, {"49.555", -1}, {"49.501", -1}, {"-1", -1}, {"+5", -1},
	{".5", -1}, {"5.", -1}, {"4e1", -1}, {"1,5", -1}, {" 5", -1}, {"5 ", -1}, {"NaN", -1},
	{"0x10", -1}, {"1/2", -1}, {"1000000000000000000000", -1}, {"5..0", -1}, {"٥", -1},
}

func TestParseCreditDiceTarget(t *testing.T) {
	for _, tc := range targetCases {
		got, err := fairness.ParseCreditDiceTarget(tc.in)
		if tc.want < 0 {
			if !errors.Is(err, fairness.ErrTarget) {
				t.Errorf("ParseCreditDiceTarget(%q) = %d, %v; want ErrTarget", tc.in, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseCreditDiceTarget(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}

var plainDecimal = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)

// FuzzParseCreditDiceTarget compares the parser with math/big: it accepts exactly the plain
// decimals whose value × 100 is an integer from 0 to 9999, and returns that integer.
func FuzzParseCreditDiceTarget(f *testing.F) {
	for _, tc := range targetCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := fairness.ParseCreditDiceTarget(in)
		want := -1
		if plainDecimal.MatchString(in) {
			r, ok := new(big.Rat).SetString(in)
			if !ok {
				t.Fatalf("math/big rejects %q", in)
			}
			r.Mul(r, big.NewRat(100, 1))
			if r.IsInt() && r.Num().IsInt64() && r.Num().Int64() <= 9999 {
				want = int(r.Num().Int64())
			}
		}
		if want < 0 {
			if err == nil {
				t.Fatalf("ParseCreditDiceTarget(%q) = %d, want an error", in, got)
			}
			return
		}
		if err != nil || got != want {
			t.Fatalf("ParseCreditDiceTarget(%q) = %d, %v; want %d", in, got, err, want)
		}
	})
}
