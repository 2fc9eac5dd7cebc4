package strategy

import (
	"errors"
	"testing"

	"github.com/arcadehq/arcade/internal/errs"
)

// rollFor returns a roll that makes bet win or lose.
func rollFor(t testing.TB, b Bet, win bool) int {
	t.Helper()
	var roll int
	switch {
	case b.Over() && win:
		roll = 9999
	case b.Over():
		roll = int(b.Target) - 1
	case win:
		roll = 0
	default:
		roll = 9999
	}
	if roll < 0 {
		t.Fatalf("bet %+v cannot lose", b)
	}
	return roll
}

// playResult places the next bet and settles it as a win or a loss. It fails the test when the
// session stops or skips.
func playResult(t testing.TB, s *Session, win bool) Bet {
	t.Helper()
	bet, stop, reason := s.Next()
	if stop {
		t.Fatalf("session stopped early: %s", reason)
	}
	if bet.Skip {
		t.Fatalf("unexpected skipped round")
	}
	o, err := bet.Resolve(rollFor(t, bet, win))
	if err != nil {
		t.Fatal(err)
	}
	if o.Win != win {
		t.Fatalf("roll did not give win=%v for %+v", win, bet)
	}
	if err := s.Record(o); err != nil {
		t.Fatal(err)
	}
	return bet
}

// playSeq plays results ("W"/"L" letters) and returns the stakes in credits, plus the stake the
// session would place next.
func playSeq(t testing.TB, s *Session, results string) (stakes []int64, next int64) {
	t.Helper()
	for _, c := range results {
		stakes = append(stakes, playResult(t, s, c == 'W').Credits())
	}
	bet, stop, reason := s.Next()
	if stop {
		t.Fatalf("session stopped after %q: %s", results, reason)
	}
	return stakes, bet.Credits()
}

func mustSession(t testing.TB, st Strategy, balanceCredits int64) *Session {
	t.Helper()
	s, err := NewSession(st, credits(balanceCredits), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fieldOf returns the field of a validation error, failing the test for any other error.
func fieldOf(t testing.TB, err error) string {
	t.Helper()
	if err == nil {
		t.Fatal("want a validation error, got nil")
	}
	e := errs.As(err)
	if e == nil || e.Kind != errs.Validation || !errors.Is(err, errs.ErrValidation) {
		t.Fatalf("want an errs.Validation error, got %T %v", err, err)
	}
	return e.Field
}

func eqInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
