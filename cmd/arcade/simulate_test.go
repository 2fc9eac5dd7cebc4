package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func noEnv(string) string { return "" }

// runCmd runs arcade with args and returns the exit status, stdout and stderr.
func runCmd(t *testing.T, getenv func(string) string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, getenv, &out, &errb)
	return code, out.String(), errb.String()
}

func TestSimulateFlagErrors(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "flat.json")
	if err := os.WriteFile(good, []byte(`{"amount":1,"target":50,"condition":"over"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string // in stderr
	}{
		{[]string{}, "--preset"},
		{[]string{"--preset", "nope"}, "--preset"},
		{[]string{"--preset", "oscar-grind", "--strategy", good}, "--preset"},
		{[]string{"--strategy", good, "--config", good}, "--config"},
		{[]string{"--preset", "oscar-grind", "--rounds", "0"}, "--rounds"},
		{[]string{"--preset", "oscar-grind", "--rounds", "abc"}, "-rounds"},
		{[]string{"--preset", "oscar-grind", "--rounds", "1000001"}, "--rounds"},
		{[]string{"--preset", "oscar-grind", "--sessions", "0"}, "--sessions"},
		{[]string{"--preset", "oscar-grind", "--rounds", "1000000", "--sessions", "1001"}, "--sessions"},
		{[]string{"--preset", "oscar-grind", "--balance", "0"}, "--balance"},
		{[]string{"--preset", "oscar-grind", "--balance", "1.0000001"}, "--balance"},
		{[]string{"--preset", "oscar-grind", "--balance", "ten"}, "--balance"},
		{[]string{"--preset", "oscar-grind", "--seed", "0xabc"}, "--seed"},
		{[]string{"--preset", "oscar-grind", "--seed", "xyz"}, "--seed"},
		{[]string{"--preset", "oscar-grind", "--seed", "99999999999999999999"}, "--seed"},
		{[]string{"--preset", "oscar-grind", "--workers", "-1"}, "--workers"},
		{[]string{"--preset", "oscar-grind", "--buckets", "0"}, "--buckets"},
		{[]string{"--preset", "oscar-grind", "--quiet", "--progress"}, "--quiet"},
		{[]string{"--preset", "oscar-grind", "--bogus"}, "-bogus"},
		{[]string{"--preset", "oscar-grind", "extra"}, `"extra"`},
	} {
		code, out, errOut := runCmd(t, noEnv, append([]string{"simulate"}, c.args...)...)
		if code != 2 || out != "" || !strings.Contains(errOut, c.want) {
			t.Errorf("simulate %v: exit %d, stderr %q, stdout %q; want exit 2 and a message naming %s", c.args, code, errOut, out, c.want)
		}
	}
	if code, out, _ := runCmd(t, noEnv, "simulate", "-h"); code != 0 || !strings.Contains(out, "--preset ID") {
		t.Errorf("simulate -h: exit %d, %q", code, out)
	}
}

func TestSimulateStrategyFileErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, body, want string
	}{
		{"basic-amount", `{"amount":0,"target":50,"condition":"over"}`, `"amount"`},
		{"basic-missing-target", `{"amount":1,"condition":"over"}`, `"target"`},
		{"basic-progression", `{"amount":1,"target":50,"condition":"over","progressionType":"doubling"}`, `"progressionType"`},
		{"basic-string-amount", `{"amount":"5","target":50,"condition":"over"}`, `"amount"`},
		{"advanced-base", `{"name":"x","baseConfig":{"amount":1,"target":50,"condition":"sideways"},"rules":[]}`, `"baseConfig.condition"`},
		{"advanced-no-base", `{"name":"x","rules":[]}`, `"baseConfig"`},
		{"advanced-trigger", `{"name":"x","baseConfig":{"amount":1,"target":50,"condition":"over"},` +
			`"rules":[{"id":"a","order":0,"enabled":true,"trigger":{"type":"nope"},"action":{"type":"stop"}}]}`, `"rules[0].trigger.type"`},
		{"advanced-limit", `{"name":"x","baseConfig":{"amount":1,"target":50,"condition":"over"},"rules":[],"globalLimits":{"maxBet":-1}}`, `"globalLimits.maxBet"`},
		{"not-json", `{"amount":`, "not valid JSON"},
		{"array", `[1,2]`, "JSON object"},
		{"null", `null`, "JSON object"},
	} {
		path := filepath.Join(dir, c.name+".json")
		if err := os.WriteFile(path, []byte(c.body), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, fl := range []string{"--strategy", "--config"} {
			code, out, errOut := runCmd(t, noEnv, "simulate", fl, path, "--rounds", "10", "--sessions", "2")
			if code != 2 || out != "" || !strings.Contains(errOut, c.want) || !strings.Contains(errOut, fl) {
				t.Errorf("%s %s: exit %d, stderr %q; want exit 2 naming %s and %s", fl, c.name, code, errOut, c.want, fl)
			}
		}
	}
	code, _, errOut := runCmd(t, noEnv, "simulate", "--strategy", filepath.Join(dir, "absent.json"))
	if code != 2 || !strings.Contains(errOut, "--strategy") || !strings.Contains(errOut, "absent.json") {
		t.Errorf("missing file: exit %d, %q", code, errOut)
	}
}

// stripTiming decodes a --json document and removes the run's timing.
func stripTiming(t *testing.T, raw string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatalf("--json output is not one JSON document: %v\n%s", err, raw)
	}
	timing, ok := m["timing"].(map[string]any)
	if !ok || timing["roundsPerSecond"] == nil || timing["elapsedSeconds"] == nil {
		t.Fatalf("no timing member in %v", m["timing"])
	}
	delete(m, "timing")
	return m
}

func TestSimulatePresetJSONIsDeterministic(t *testing.T) {
	args := []string{"simulate", "--preset", "martingale-plus", "--rounds", "3000", "--sessions", "16", "--seed", "42", "--json"}
	code, out1, errOut := runCmd(t, noEnv, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if errOut != "" {
		t.Errorf("stderr is not empty without a terminal: %q", errOut)
	}
	// A different worker count and a forced progress bar change nothing on stdout.
	code, out2, errOut2 := runCmd(t, noEnv, append(args, "--workers", "3", "--progress")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut2)
	}
	if !strings.Contains(errOut2, "simulating [") || !strings.Contains(errOut2, "100.0%") {
		t.Errorf("--progress drew no bar on stderr: %q", errOut2)
	}
	a, b := stripTiming(t, out1), stripTiming(t, out2)
	ra, _ := json.Marshal(a)
	rb, _ := json.Marshal(b)
	if !bytes.Equal(ra, rb) {
		t.Fatal("the same --seed gave different results")
	}
	if a["seed"] != "000000000000002a" || a["strategy"] != "Martingale Plus" || a["sessions"] != 16.0 || a["rounds"] != 3000.0 {
		t.Errorf("seed %v, strategy %v, sessions %v, rounds %v", a["seed"], a["strategy"], a["sessions"], a["rounds"])
	}
	if sr, _ := a["sessionResults"].([]any); len(sr) != 16 {
		t.Errorf("%d session results, want 16", len(sr))
	}
	// The seed printed replays the run: 0x-hex reads back as the same bytes.
	_, out3, _ := runCmd(t, noEnv, "simulate", "--preset", "martingale-plus", "--rounds", "3000", "--sessions", "16", "--seed", "0x000000000000002a", "--json")
	rc, _ := json.Marshal(stripTiming(t, out3))
	if !bytes.Equal(ra, rc) {
		t.Fatal("--seed 0x000000000000002a does not replay --seed 42")
	}
	_, out4, _ := runCmd(t, noEnv, "simulate", "--preset", "martingale-plus", "--rounds", "3000", "--sessions", "16", "--seed", "43", "--json")
	rd, _ := json.Marshal(stripTiming(t, out4))
	if bytes.Equal(ra, rd) {
		t.Fatal("another seed gave the same result")
	}
}

func TestSimulateSummaryAndPlot(t *testing.T) {
	dir := t.TempDir()
	strat := filepath.Join(dir, "fib.json")
	if err := os.WriteFile(strat, []byte(`{"amount":2,"target":49.5,"condition":"under","progressionType":"fibonacci"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	plot := filepath.Join(dir, "pnl.svg")
	args := []string{"simulate", "--strategy", strat, "--rounds", "500", "--sessions", "40", "--balance", "250.5", "--seed", "0xdeadbeef",
		"--buckets", "12", "--plot", plot}
	code, out1, errOut := runCmd(t, noEnv, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"basic fibonacci", "0xdeadbeef", "250.5 credits", "PnL (credits)", "final balance", "p95",
		"max drawdown", "longest streaks", "win rate", "bust probability", "stop reasons", "rounds/s"} {
		if !strings.Contains(out1, want) {
			t.Errorf("summary lacks %q:\n%s", want, out1)
		}
	}
	_, out2, _ := runCmd(t, noEnv, args...)
	if dropSpeed(out1) != dropSpeed(out2) {
		t.Errorf("the same seed printed different summaries:\n%s\n%s", out1, out2)
	}

	svg, err := os.ReadFile(plot)
	if err != nil {
		t.Fatal(err)
	}
	d := xml.NewDecoder(bytes.NewReader(svg))
	bars := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("plot is not well-formed XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "rect" {
			for _, a := range se.Attr {
				if a.Name.Local == "class" && a.Value == "bar" {
					bars++
				}
			}
		}
	}
	_, js, _ := runCmd(t, noEnv, append(args[:len(args)-2], "--json")...)
	var res struct {
		FinalBalance struct {
			Histogram []json.RawMessage `json:"histogram"`
		} `json:"finalBalance"`
	}
	if err := json.Unmarshal([]byte(js), &res); err != nil {
		t.Fatal(err)
	}
	if n := len(res.FinalBalance.Histogram); bars != n || n == 0 || n > 12 {
		t.Errorf("%d bars for %d buckets (at most 12)", bars, n)
	}
}

func dropSpeed(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(l, "speed") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

func TestParseSeed(t *testing.T) {
	for _, c := range []struct {
		in, hex string
	}{
		{"42", "000000000000002a"},
		{"0", "0000000000000000"},
		{"18446744073709551615", "ffffffffffffffff"},
		{"0x2A", "2a"},
		{"deadbeef", "deadbeef"},
		{"0x0000000000000042", "0000000000000042"},
	} {
		b, err := parseSeed(c.in)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if got := hex.EncodeToString(b); got != c.hex {
			t.Errorf("parseSeed(%q) = %s, want %s", c.in, got, c.hex)
		}
	}
	a, _ := parseSeed("")
	b, _ := parseSeed("")
	if len(a) != 16 || bytes.Equal(a, b) {
		t.Error("an absent seed is not 16 fresh random bytes")
	}
}
