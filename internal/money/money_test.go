package money

import (
	"math"
	"testing"
)

func TestParseFormat(t *testing.T) {
	cases := []struct {
		in   string
		want Amount
		out  string
	}{
		{"0", 0, "0"},
		{"10", 10_000_000, "10"},
		{"0.5", 500_000, "0.5"},
		{"1.000001", 1_000_001, "1.000001"},
		{"-3.25", -3_250_000, "-3.25"},
		{".5", 500_000, "0.5"},
		{"9223372036854.775807", math.MaxInt64, "9223372036854.775807"},
	}
	for _, c := range cases {
		got, err := Parse(c.in)
		if err != nil || got != c.want {
			t.Errorf("Parse(%q) = %d, %v; want %d", c.in, got, err, c.want)
			continue
		}
		if s := got.String(); s != c.out {
			t.Errorf("String(%d) = %q, want %q", got, s, c.out)
		}
	}
	for _, bad := range []string{"", "-", ".", "1.", "1e3", "0x10", "1.0000001", "abc", "1..2", "9223372036854.775808", "99999999999999999999"} {
		if v, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) = %d, want error", bad, v)
		}
	}
	if s := Amount(math.MinInt64).String(); s != "-9223372036854.775808" {
		t.Errorf("MinInt64 = %q", s)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"0", "1.5", "-2.000001", "1e5", ".", "9223372036854.775807"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if err != nil {
			return
		}
		back, err := Parse(a.String())
		if err != nil || back != a {
			t.Fatalf("round trip %q -> %d -> %q -> %d, %v", s, a, a.String(), back, err)
		}
	})
}

func TestFromUnits(t *testing.T) {
	if a, err := FromUnits(100); err != nil || a != 100_000_000 {
		t.Fatalf("FromUnits(100) = %d, %v", a, err)
	}
	if _, err := FromUnits(math.MaxInt64 / 1000); err == nil {
		t.Fatal("want overflow")
	}
}
