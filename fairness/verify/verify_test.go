package verify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/arcadehq/arcade/fairness"
	"github.com/arcadehq/arcade/fairness/verify"
)

// run calls verify.Main and returns its exit code, stdout and stderr.
func run(t testing.TB, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := verify.Main(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// decodeObject decodes exactly one JSON object, keeping numbers as written.
func decodeObject(t testing.TB, s string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("stdout is not a JSON object: %v\n%s", err, s)
	}
	if dec.More() {
		t.Fatalf("stdout holds more than one JSON value:\n%s", s)
	}
	return m
}

type vector map[string]any

func readVectors(t testing.TB) []vector {
	data, err := os.ReadFile("../testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct{ Vectors []vector }
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&file); err != nil {
		t.Fatal(err)
	}
	if len(file.Vectors) == 0 {
		t.Fatal("no vectors")
	}
	return file.Vectors
}

// vectorArgs turns a vector's inputs into `arcade verify` arguments.
func vectorArgs(v vector) []string {
	args := []string{
		"--game", v["game"].(string),
		"--server-seed", v["server_seed"].(string),
		"--client-seed", v["client_seed"].(string),
		"--nonce", v["nonce"].(json.Number).String(),
	}
	if p, ok := v["params"].(map[string]any); ok {
		for _, k := range slices.Sorted(maps.Keys(p)) {
			args = append(args, "--"+k, p[k].(string))
		}
	}
	return args
}

// TestVectors runs every published vector through Main: each expected field must be printed
// with the same value, and no outcome or evaluation field may be printed that the vector lacks.
func TestVectors(t *testing.T) {
	for _, v := range readVectors(t) {
		name := v["name"].(string)
		code, stdout, stderr := run(t, vectorArgs(v)...)
		if code != 0 {
			t.Errorf("%s: exit %d, stderr %q", name, code, stderr)
			continue
		}
		got := decodeObject(t, stdout)
		for k, want := range v {
			switch k {
			case "name", "server_seed", "params":
				continue
			}
			if !reflect.DeepEqual(got[k], want) {
				t.Errorf("%s: %s = %v, want %v", name, k, got[k], want)
			}
		}
		for _, k := range []string{"roll", "side", "pocket", "color", "reels", "symbols", "cards",
			"win", "multiplier", "multiplier_bp", "payout_micro", "commitment_ok"} {
			if _, extra := got[k]; extra && v[k] == nil {
				t.Errorf("%s: printed %s = %v, which the vector lacks", name, k, got[k])
			}
		}
	}
}

func TestCommitment(t *testing.T) {
	seed, _ := fairness.ParseSeed(strings.Repeat("0123456789abcdef", 4))
	base := []string{"--game", "coinflip", "--server-seed", seed.String(), "--client-seed", "c", "--nonce", "1"}

	code, stdout, _ := run(t, append(base, "--commitment", strings.ToUpper(seed.Commitment()))...)
	if code != 0 {
		t.Fatalf("matching commitment: exit %d", code)
	}
	m := decodeObject(t, stdout)
	if m["commitment_ok"] != true || m["server_seed_hash"] != seed.Commitment() {
		t.Errorf("matching commitment: %v", m)
	}

	other := fairness.Seed{1}
	code, stdout, stderr := run(t, append(base, "--commitment", other.Commitment())...)
	if code != verify.ExitFailure || !strings.Contains(stderr, "--commitment") {
		t.Fatalf("mismatch: exit %d, stderr %q", code, stderr)
	}
	if m := decodeObject(t, stdout); m["commitment_ok"] != false {
		t.Errorf("mismatch: %v", m)
	}
}

func TestFlagForms(t *testing.T) {
	seed := strings.Repeat("ab", 32)
	want := []string{"--game", "dice", "--server-seed", seed, "--client-seed", "x", "--nonce", "5"}
	_, ref, _ := run(t, want...)
	for _, args := range [][]string{
		{"-game", "dice", "-server-seed", seed, "-client-seed", "x", "-nonce", "5"},
		{"--game=dice", "--server-seed=" + strings.ToUpper(seed), "--client-seed=x", "--nonce=5"},
	} {
		code, out, stderr := run(t, args...)
		if code != 0 || out != ref {
			t.Errorf("%q: exit %d, %q %q, want %q", args, code, out, stderr, ref)
		}
	}
}

// TestWorkedExample runs the command shown in docs/fairness.md and checks every printed field.
func TestWorkedExample(t *testing.T) {
	code, out, stderr := run(t, "--game", "credit-dice",
		"--server-seed", "a6b5272e9d127c8486022172ee667e14d6d1a94042651009b0ebb1af8ca81040",
		"--commitment", "8fb3cf9fabf3f28f080f8dec30d42471c7ffc486008ddd343a82ea937a3aa47a",
		"--client-seed", "agent-3", "--nonce", "13383", "--target", "49.5", "--condition", "over", "--amount", "10")
	if code != 0 {
		t.Fatal(stderr)
	}
	want := `{"game":"credit-dice","server_seed_hash":"8fb3cf9fabf3f28f080f8dec30d42471c7ffc486008ddd343a82ea937a3aa47a",` +
		`"commitment_ok":true,"client_seed":"agent-3","nonce":13383,"floats":[0.4950577497947961],"roll":49.50,` +
		`"target":49.50,"condition":"over","amount_micro":10000000,"win":true,"multiplier":1.920792,"payout_micro":19207920}` + "\n"
	if out != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
}

func TestHelp(t *testing.T) {
	for _, arg := range []string{"-h", "--help", "-help"} {
		code, out, stderr := run(t, arg)
		if code != 0 || out != "" || !strings.HasPrefix(stderr, "usage: arcade verify") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", arg, code, out, stderr)
		}
	}
}

// TestBadArgs: every bad argument list exits 2, prints nothing on stdout and names the flag.
func TestBadArgs(t *testing.T) {
	seed := strings.Repeat("0f", 32)
	base := func(game string, extra ...string) []string {
		return append([]string{"--game", game, "--server-seed", seed, "--client-seed", "c", "--nonce", "1"}, extra...)
	}
	for _, tc := range []struct {
		args []string
		flag string
	}{
		{nil, "--game"},
		{[]string{"--server-seed", seed, "--client-seed", "c", "--nonce", "1"}, "--game"},
		{[]string{"--game", "dice", "--client-seed", "c", "--nonce", "1"}, "--server-seed"},
		{[]string{"--game", "dice", "--server-seed", seed, "--nonce", "1"}, "--client-seed"},
		{[]string{"--game", "dice", "--server-seed", seed, "--client-seed", "c"}, "--nonce"},
		{base("blackjack"), "--game"},
		{base(""), "--game"},
		{base("dice", "--game", "dice"), "-game"},
		{[]string{"--game", "dice", "--server-seed", seed[:62], "--client-seed", "c", "--nonce", "1"}, "--server-seed"},
		{[]string{"--game", "dice", "--server-seed", seed[:63] + "g", "--client-seed", "c", "--nonce", "1"}, "--server-seed"},
		{[]string{"--game", "dice", "--server-seed", "0x" + seed[:62], "--client-seed", "c", "--nonce", "1"}, "--server-seed"},
		{[]string{"--game", "dice", "--server-seed", seed, "--client-seed", "c", "--nonce", "-1"}, "--nonce"},
		{[]string{"--game", "dice", "--server-seed", seed, "--client-seed", "c", "--nonce", "1.5"}, "--nonce"},
		{[]string{"--game", "dice", "--server-seed", seed, "--client-seed", "c", "--nonce", "18446744073709551616"}, "--nonce"},
		{[]string{"--game", "dice", "--server-seed", seed, "--client-seed", "c", "--nonce", "0x10"}, "--nonce"},
		{[]string{"--game", "dice", "--server-seed", seed, "--client-seed", "c", "--nonce", ""}, "--nonce"},
		{[]string{"--game", "dice", "--server-seed"}, "-server-seed"},
		{base("dice", "--bogus", "1"), "-bogus"},
		{base("dice", "extra"), "unexpected argument"},
		{base("dice", "--commitment", "abc"), "--commitment"},
		{base("coinflip", "--choice", "edge"), "--choice"},
		{base("coinflip", "--choice", "Heads"), "--choice"},
		{base("coinflip", "--stake-micro", "5"), "--choice"},
		{base("coinflip", "--choice", "heads", "--stake-micro", "-5"), "--stake-micro"},
		{base("coinflip", "--choice", "heads", "--stake-micro", "1.5"), "--stake-micro"},
		{base("coinflip", "--choice", "heads", "--stake-micro", "9223372036854775807"), "--stake-micro"},
		{base("coinflip", "--threshold", "50"), "--threshold"},
		{base("dice", "--threshold", "50"), "--direction"},
		{base("dice", "--direction", "over"), "--threshold"},
		{base("dice", "--threshold", "1", "--direction", "over"), "--threshold"},
		{base("dice", "--threshold", "100", "--direction", "over"), "--threshold"},
		{base("dice", "--threshold", "50.5", "--direction", "over"), "--threshold"},
		{base("dice", "--threshold", "50", "--direction", "above"), "--direction"},
		{base("dice", "--target", "50", "--condition", "over"), "--target"},
		{base("dice", "--amount", "1"), "--amount"},
		{base("credit-dice", "--target", "50"), "--condition"},
		{base("credit-dice", "--condition", "over"), "--target"},
		{base("credit-dice", "--amount", "10"), "--target"},
		{base("credit-dice", "--target", "100", "--condition", "over"), "--target"},
		{base("credit-dice", "--target", "-1", "--condition", "over"), "--target"},
		{base("credit-dice", "--target", "49.555", "--condition", "over"), "--target"},
		{base("credit-dice", "--target", "4e1", "--condition", "over"), "--target"},
		{base("credit-dice", "--target", "0", "--condition", "under"), "--target"},
		{base("credit-dice", "--target", "50", "--condition", "sideways"), "--condition"},
		{base("credit-dice", "--target", "50", "--condition", "over", "--amount", "-1"), "--amount"},
		{base("credit-dice", "--target", "50", "--condition", "over", "--amount", "1.0000001"), "--amount"},
		{base("credit-dice", "--target", "50", "--condition", "over", "--amount", "1e3"), "--amount"},
		{base("credit-dice", "--target", "50", "--condition", "over", "--amount", "99999999999999999999"), "--amount"},
		{base("credit-dice", "--target", "50", "--condition", "over", "--stake-micro", "1"), "--stake-micro"},
		{base("roulette", "--bet", "37"), "--bet"},
		{base("roulette", "--bet", "green"), "--bet"},
		{base("roulette", "--bet", "dozen:4"), "--bet"},
		{base("roulette", "--bet", "column:0"), "--bet"},
		{base("roulette", "--bet", "range:middle"), "--bet"},
		{base("roulette", "--bet", ""), "--bet"},
		{base("roulette", "--stake-micro", "1"), "--bet"},
		{base("slots", "--bet", "red"), "--bet"},
		{base("slots", "--stake-micro", "x"), "--stake-micro"},
		{base("deck", "--stake-micro", "1"), "--stake-micro"},
		{base("deck", "--choice", "heads"), "--choice"},
		// A stake whose best payout overflows is refused whatever the outcome.
		{base("roulette", "--bet", "17", "--stake-micro", "9223372036854775807"), "--stake-micro"},
		{base("roulette", "--bet", "red", "--stake-micro", "9223372036854775807"), "--stake-micro"},
		{base("credit-dice", "--target", "0.01", "--condition", "under", "--amount", "9000000000000"), "--amount"},
	} {
		code, stdout, stderr := run(t, tc.args...)
		if code != verify.ExitUsage || stdout != "" || !strings.Contains(stderr, tc.flag) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and a message naming %s", tc.args, code, stdout, stderr, tc.flag)
		}
	}
}

// TestCanceled: a canceled context prints nothing.
func TestCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	if code := verify.Main(ctx, []string{"-h"}, &stdout, &stderr); code == 0 || stdout.Len() != 0 {
		t.Errorf("exit %d, stdout %q", code, stdout.String())
	}
}

// FuzzVerifyArgs feeds argument lists (NUL-separated) to Main: it must never panic, exit 0 or 1
// must print exactly one JSON object, exit 2 must print nothing on stdout.
func FuzzVerifyArgs(f *testing.F) {
	for _, v := range readVectors(f) {
		f.Add(strings.Join(vectorArgs(v), "\x00"))
	}
	seed := strings.Repeat("0f", 32)
	for _, s := range []string{
		"", "-h", "--game\x00dice", "--game=deck\x00--server-seed=" + seed + "\x00--client-seed=\x00--nonce=0",
		"--game\x00roulette\x00--server-seed\x00" + seed + "\x00--client-seed\x00c\x00--nonce\x001\x00--bet\x00dozen:2\x00--stake-micro\x00100",
		"--game\x00credit-dice\x00--server-seed\x00" + seed + "\x00--client-seed\x00c\x00--nonce\x001\x00--target\x0099.99\x00--condition\x00over\x00--amount\x009223372036854",
		"--game\x00coinflip\x00--server-seed\x00" + seed + "\x00--client-seed\x00\xff\xfe\x00--nonce\x001\x00--commitment\x00" + seed,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, joined string) {
		args := strings.Split(joined, "\x00")
		if joined == "" {
			args = nil
		}
		code, stdout, stderr := run(t, args...)
		switch code {
		case verify.ExitOK, verify.ExitFailure:
			if stdout == "" && code == verify.ExitOK && strings.HasPrefix(stderr, "usage:") {
				return // -h
			}
			m := decodeObject(t, stdout)
			if _, ok := m["server_seed_hash"]; !ok {
				t.Fatalf("exit %d without an outcome: %s", code, stdout)
			}
		case verify.ExitUsage:
			if stdout != "" || stderr == "" {
				t.Fatalf("exit 2 with stdout %q, stderr %q", stdout, stderr)
			}
		default:
			t.Fatalf("exit %d", code)
		}
	})
}

// TestPayoutMatchesMultiplier: with --stake-micro the payout is floor(stake × bp / 10000).
func TestPayoutMatchesMultiplier(t *testing.T) {
	seed := strings.Repeat("5a", 32)
	for n := range 200 {
		code, out, stderr := run(t, "--game", "slots", "--server-seed", seed, "--client-seed", "p",
			"--nonce", strconv.Itoa(n), "--stake-micro", "123456789")
		if code != 0 {
			t.Fatal(stderr)
		}
		m := decodeObject(t, out)
		bp, _ := m["multiplier_bp"].(json.Number).Int64()
		pay, _ := m["payout_micro"].(json.Number).Int64()
		if pay != 123456789*bp/10000 {
			t.Fatalf("nonce %d: payout %d for %d bp", n, pay, bp)
		}
	}
}
