package fairness_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/arcadehq/arcade/fairness"
)

func TestNewSeed(t *testing.T) {
	src := bytes.NewReader(bytes.Repeat([]byte{7}, 40))
	s, err := fairness.NewSeed(src)
	if err != nil || s != (fairness.Seed{7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7}) {
		t.Fatalf("NewSeed = %v, %v", s, err)
	}
	if src.Len() != 8 {
		t.Errorf("NewSeed read %d bytes, want 32", 40-src.Len())
	}
	if _, err := fairness.NewSeed(bytes.NewReader(make([]byte, 31))); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("short source: err = %v", err)
	}
	if _, err := fairness.NewSeed(nil); err == nil {
		t.Error("nil source: no error")
	}
}

// seedCases feeds TestParseSeed and FuzzParseSeed.
var seedCases = []struct {
	in string
	ok bool
}{
	{strings.Repeat("0123456789abcdef", 4), true},
	{strings.Repeat("0123456789ABCDEF", 4), true},
	{strings.Repeat("aB", 32), true},
	{strings.Repeat("00", 32), true},
	{"", false},
	{strings.Repeat("0", 63), false},
	{strings.Repeat("0", 65), false},
	{strings.Repeat("0", 62) + "0g", false},
	{"0x" + strings.Repeat("0", 62), false},
	{" " + strings.Repeat("0", 63), false},
	{strings.Repeat("é", 32), false},
}

func TestParseSeed(t *testing.T) {
	for _, tc := range seedCases {
		s, err := fairness.ParseSeed(tc.in)
		if tc.ok != (err == nil) {
			t.Errorf("ParseSeed(%q) err = %v, want ok %v", tc.in, err, tc.ok)
			continue
		}
		if !tc.ok {
			if !errors.Is(err, fairness.ErrInvalidSeed) {
				t.Errorf("ParseSeed(%q) err = %v, want ErrInvalidSeed", tc.in, err)
			}
			continue
		}
		if s.String() != strings.ToLower(tc.in) {
			t.Errorf("ParseSeed(%q).String() = %q", tc.in, s.String())
		}
	}
}

func FuzzParseSeed(f *testing.F) {
	for _, tc := range seedCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := fairness.ParseSeed(in)
		want, herr := hex.DecodeString(in)
		ok := herr == nil && len(want) == fairness.SeedSize
		if ok != (err == nil) {
			t.Fatalf("ParseSeed(%q) err = %v, encoding/hex says ok %v", in, err, ok)
		}
		if ok && !bytes.Equal(s[:], want) {
			t.Fatalf("ParseSeed(%q) = %x, want %x", in, s, want)
		}
		if ok && s.String() != strings.ToLower(in) {
			t.Fatalf("round trip %q -> %q", in, s.String())
		}
	})
}

func TestCommitment(t *testing.T) {
	s, _ := fairness.ParseSeed(strings.Repeat("0123456789abcdef", 4))
	raw, _ := hex.DecodeString(s.String())
	sum := sha256.Sum256(raw) // over the 32 bytes, not over the hex text
	if got := s.Commitment(); got != hex.EncodeToString(sum[:]) {
		t.Fatalf("Commitment = %s", got)
	}
	textSum := sha256.Sum256([]byte(s.String()))
	if s.Commitment() == hex.EncodeToString(textSum[:]) {
		t.Fatal("commitment hashes the hex text")
	}
	for _, tc := range []struct {
		c    string
		want bool
	}{
		{s.Commitment(), true},
		{strings.ToUpper(s.Commitment()), true},
		{s.Commitment()[:63], false},
		{s.Commitment() + "0", false},
		{strings.Repeat("0", 64), false},
		{"", false},
		{"zz" + s.Commitment()[2:], false},
	} {
		if got := fairness.VerifyCommitment(s, tc.c); got != tc.want {
			t.Errorf("VerifyCommitment(%q) = %v", tc.c, got)
		}
	}
	other := s
	other[31] ^= 1
	if fairness.VerifyCommitment(other, s.Commitment()) {
		t.Error("a different seed verifies")
	}
}
