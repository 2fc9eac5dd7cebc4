package strategy

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

func TestParseFixed(t *testing.T) {
	ok := []struct {
		in    string
		scale int
		want  int64
	}{
		{"0", 2, 0}, {"-0", 2, 0}, {"50", 2, 5000}, {"49.5", 2, 4950}, {"49.50", 2, 4950},
		{"49.5000000", 2, 4950}, {"0.01", 2, 1}, {"5e1", 2, 5000}, {"4.95E+1", 2, 4950},
		{"1e-2", 2, 1}, {"100e-2", 0, 1}, {"10", 6, 10_000_000}, {"0.000001", 6, 1},
		{"-2.5", 6, -2_500_000}, {"9223372036854775807", 0, 9223372036854775807},
		{"0e999999", 0, 0}, {"1.0", 0, 1},
	}
	for _, tc := range ok {
		got, err := parseFixed([]byte(tc.in), tc.scale)
		if err != nil || got != tc.want {
			t.Errorf("parseFixed(%q, %d) = %d, %v; want %d", tc.in, tc.scale, got, err, tc.want)
		}
	}
	bad := []struct {
		in    string
		scale int
		err   error
	}{
		{`"5"`, 2, errNotNumber}, {"true", 2, errNotNumber}, {"", 2, errNotNumber}, {"-", 2, errNotNumber},
		{"01", 2, errNotNumber}, {"1.", 2, errNotNumber}, {".5", 2, errNotNumber}, {"1e", 2, errNotNumber},
		{"+1", 2, errNotNumber}, {"1 ", 2, errNotNumber}, {"0x10", 2, errNotNumber}, {"NaN", 2, errNotNumber},
		{"49.555", 2, errPrecision}, {"1e-3", 2, errPrecision}, {"1.5", 0, errPrecision},
		{"9223372036854775808", 0, errRange}, {"1e19", 0, errRange}, {"1e400", 6, errRange},
		{"92233720368547.75808", 6, errRange},
	}
	for _, tc := range bad {
		if _, err := parseFixed([]byte(tc.in), tc.scale); !errors.Is(err, tc.err) {
			t.Errorf("parseFixed(%q, %d): %v, want %v", tc.in, tc.scale, err, tc.err)
		}
	}
}

func TestDecimalFormatting(t *testing.T) {
	for h, want := range map[Hundredths]string{0: "0", 1: "0.01", 10: "0.1", 4950: "49.5", 9999: "99.99", 5000: "50", 105: "1.05"} {
		if got := h.String(); got != want {
			t.Errorf("Hundredths(%d) = %q, want %q", h, got, want)
		}
	}
	for d, want := range map[Dec]string{D(5): "5", 2_500_000: "2.5", 1: "0.000001", -D(20): "-20"} {
		if got := d.String(); got != want {
			t.Errorf("Dec(%d) = %q, want %q", d, got, want)
		}
	}
}

func TestDecodeConfigValid(t *testing.T) {
	cases := []struct {
		in   string
		want Config
	}{
		{`{"amount":10,"target":50,"condition":"over"}`,
			Config{Amount: credits(10), Target: 5000, Condition: Over, ProgressionType: Flat}},
		{`{"amount":10.0,"target":4.95e1,"condition":"under","progressionType":"martingale","maxPlay":100,"maxConsecutiveLosses":5}`,
			Config{Amount: credits(10), Target: 4950, Condition: Under, ProgressionType: Martingale, MaxPlay: credits(100), MaxConsecutiveLosses: 5}},
		{`{"amount":1,"target":99.99,"condition":"over","maxBet":7,"unitStep":0.5,"stopAfterRounds":20,"stopIfBalanceBelow":0.5,"stopIfBalanceAbove":2000,"gameType":"dice"}`,
			Config{Amount: credits(1), Target: 9999, Condition: Over, ProgressionType: Flat, MaxPlay: credits(7), UnitStep: 500_000, StopAfterRounds: 20, StopIfBalanceBelow: 500_000, StopIfBalanceAbove: credits(2000)}},
		{`{"amount":1,"target":0,"condition":"over","maxPlay":7,"maxBet":7,"progressionType":"labouchere","labouchereLine":[1,1,2]}`,
			Config{Amount: credits(1), Target: 0, Condition: Over, ProgressionType: Labouchere, MaxPlay: credits(7), LabouchereLine: []int64{1, 1, 2}}},
		{`{"amount":10000,"target":0.01,"condition":"under","progressionType":"kelly","maxConsecutiveWins":null}`,
			Config{Amount: credits(10000), Target: 1, Condition: Under, ProgressionType: Kelly}},
	}
	for _, tc := range cases {
		got, err := DecodeConfig([]byte(tc.in), "config")
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.in, got, tc.want)
		}
		out, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		again, err := DecodeConfig(out, "config")
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Errorf("round trip of %s through %s: %+v, %v", tc.in, out, again, err)
		}
	}
	for _, p := range Progressions {
		if _, err := DecodeConfig([]byte(`{"amount":1,"target":50,"condition":"over","progressionType":"`+string(p)+`"}`), "config"); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
}

// Every validation rule of the basic configuration, with the field it must name.
func TestDecodeConfigInvalid(t *testing.T) {
	cases := []struct {
		in    string
		field string
	}{
		{`null`, "config"},
		{`[]`, "config"},
		{`"x"`, "config"},
		{`{"target":50,"condition":"over"}`, "config.amount"},
		{`{"amount":"10","target":50,"condition":"over"}`, "config.amount"},
		{`{"amount":0,"target":50,"condition":"over"}`, "config.amount"},
		{`{"amount":-5,"target":50,"condition":"over"}`, "config.amount"},
		{`{"amount":10.5,"target":50,"condition":"over"}`, "config.amount"},
		{`{"amount":10001,"target":50,"condition":"over"}`, "config.amount"},
		{`{"amount":1e30,"target":50,"condition":"over"}`, "config.amount"},
		{`{"amount":true,"target":50,"condition":"over"}`, "config.amount"},
		{`{"amount":10,"condition":"over"}`, "config.target"},
		{`{"amount":10,"target":"50","condition":"over"}`, "config.target"},
		{`{"amount":10,"target":100,"condition":"over"}`, "config.target"},
		{`{"amount":10,"target":-1,"condition":"over"}`, "config.target"},
		{`{"amount":10,"target":49.555,"condition":"over"}`, "config.target"},
		{`{"amount":10,"target":0,"condition":"under"}`, "config.target"},
		{`{"amount":10,"target":50}`, "config.condition"},
		{`{"amount":10,"target":50,"condition":"sideways"}`, "config.condition"},
		{`{"amount":10,"target":50,"condition":"Over"}`, "config.condition"},
		{`{"amount":10,"target":50,"condition":1}`, "config.condition"},
		{`{"amount":10,"target":50,"condition":"over","progressionType":"double-or-nothing"}`, "config.progressionType"},
		{`{"amount":10,"target":50,"condition":"over","progressionType":3}`, "config.progressionType"},
		{`{"amount":10,"target":50,"condition":"over","maxPlay":0}`, "config.maxPlay"},
		{`{"amount":10,"target":50,"condition":"over","maxPlay":1.5}`, "config.maxPlay"},
		{`{"amount":10,"target":50,"condition":"over","maxPlay":"5"}`, "config.maxPlay"},
		{`{"amount":10,"target":50,"condition":"over","maxBet":-5}`, "config.maxBet"},
		{`{"amount":10,"target":50,"condition":"over","maxPlay":5,"maxBet":6}`, "config.maxBet"},
		{`{"amount":10,"target":50,"condition":"over","maxConsecutiveLosses":0}`, "config.maxConsecutiveLosses"},
		{`{"amount":10,"target":50,"condition":"over","maxConsecutiveLosses":2.5}`, "config.maxConsecutiveLosses"},
		{`{"amount":10,"target":50,"condition":"over","maxConsecutiveLosses":2000000}`, "config.maxConsecutiveLosses"},
		{`{"amount":10,"target":50,"condition":"over","maxConsecutiveWins":-1}`, "config.maxConsecutiveWins"},
		{`{"amount":10,"target":50,"condition":"over","unitStep":0}`, "config.unitStep"},
		{`{"amount":10,"target":50,"condition":"over","unitStep":"1"}`, "config.unitStep"},
		{`{"amount":10,"target":50,"condition":"over","unitStep":0.0000001}`, "config.unitStep"},
		{`{"amount":10,"target":50,"condition":"over","stopAfterRounds":0}`, "config.stopAfterRounds"},
		{`{"amount":10,"target":50,"condition":"over","stopAfterRounds":1.5}`, "config.stopAfterRounds"},
		{`{"amount":10,"target":50,"condition":"over","stopIfBalanceBelow":-1}`, "config.stopIfBalanceBelow"},
		{`{"amount":10,"target":50,"condition":"over","stopIfBalanceBelow":1.0000001}`, "config.stopIfBalanceBelow"},
		{`{"amount":10,"target":50,"condition":"over","stopIfBalanceAbove":0}`, "config.stopIfBalanceAbove"},
		{`{"amount":10,"target":50,"condition":"over","labouchereLine":[]}`, "config.labouchereLine"},
		{`{"amount":10,"target":50,"condition":"over","labouchereLine":"1,2"}`, "config.labouchereLine"},
		{`{"amount":10,"target":50,"condition":"over","labouchereLine":[1,0]}`, "config.labouchereLine[1]"},
		{`{"amount":10,"target":50,"condition":"over","labouchereLine":[1.5]}`, "config.labouchereLine[0]"},
		{`{"amount":10,"target":50,"condition":"over","labouchereLine":[1,20000]}`, "config.labouchereLine[1]"},
		{`{"amount":10,"target":50,"condition":"over","labouchereLine":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}`, "config.labouchereLine"},
	}
	for _, tc := range cases {
		_, err := DecodeConfig([]byte(tc.in), "config")
		if got := fieldOf(t, err); got != tc.field {
			t.Errorf("%s: error %v names %q, want %q", tc.in, err, got, tc.field)
		}
	}
	// Without a prefix the names are bare.
	_, err := DecodeConfig([]byte(`{"amount":0,"target":50,"condition":"over"}`), "")
	if got := fieldOf(t, err); got != "amount" {
		t.Errorf("field %q", got)
	}
}

func TestConfigMarshalBothMaxKeys(t *testing.T) {
	out, err := json.Marshal(Config{Amount: credits(10), Target: 4950, Condition: Over, MaxPlay: credits(100)})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"amount":10,"target":49.5,"condition":"over","progressionType":"flat","maxPlay":100,"maxBet":100}`
	if string(out) != want {
		t.Fatalf("%s\nwant %s", out, want)
	}
	var c Config
	if err := json.Unmarshal([]byte(`{"amount":"10","target":50,"condition":"over"}`), &c); fieldOf(t, err) != "amount" {
		t.Fatal(err)
	}
}

// A Go-built strategy gets the same checks as a decoded one.
func TestNewSessionValidates(t *testing.T) {
	if _, err := NewSession(Config{Amount: credits(10), Target: 0, Condition: Under}, credits(10), Options{}); fieldOf(t, err) != "target" {
		t.Fatal(err)
	}
	if _, err := NewSession(&Advanced{Name: "x", BaseConfig: BaseConfig{Amount: credits(1), Target: 5000, Condition: Over}, ExecutionMode: Sequential}, credits(10), Options{}); fieldOf(t, err) != "rules" {
		t.Fatal(err)
	}
	if _, err := NewSession(Config{Amount: credits(10), Target: 50, Condition: Over}, -1, Options{}); fieldOf(t, err) != "balance" {
		t.Fatal(err)
	}
	if _, err := NewSession(nil, 0, Options{}); fieldOf(t, err) != "strategy" {
		t.Fatal(err)
	}
}
