package pokerws

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/poker/table"
)

// frames is one table for the decoder's test and the fuzz target's seeds.
var frames = []struct {
	in   string
	want Frame
	code string // the refusal's code, "" when accepted
}{
	{`{"type":"join_lobby","buy_in":1.00}`, Frame{Type: "join_lobby", BuyIn: 1_000_000}, ""},
	{`{"type":"join_lobby"}`, Frame{Type: "join_lobby"}, ""},
	{`{"type":"action","action":"raise","amount":0.08,"client_action_id":"c-17","turn_token":"tt-9f2"}`,
		Frame{Type: "action", Action: "raise", Amount: 80_000, ClientActionID: "c-17", TurnToken: "tt-9f2"}, ""},
	{`{"type":"action","action":"call","hand_id":"t-1-h3","extra":[1,2]}`, Frame{Type: "action", Action: "call", HandID: "t-1-h3"}, ""},
	{`{"type":"action","action":"all_in"}`, Frame{Type: "action", Action: "all_in"}, ""},
	{`{"type":"rebuy","amount":2}`, Frame{Type: "rebuy", Amount: 2_000_000}, ""},
	{`{"type":"leave_table"}`, Frame{Type: "leave_table"}, ""},
	{`{"type":"resync_request","table_id":"t-1","last_table_seq":42}`, Frame{Type: "resync_request", TableID: "t-1", LastTableSeq: 42}, ""},
	{`{"type":"ping"}`, Frame{Type: "ping"}, ""},
	{`{"type":"spectate","table_id":"t-1"}`, Frame{Type: "spectate", TableID: "t-1"}, ""},
	{`{"type":"stop_spectating"}`, Frame{Type: "stop_spectating"}, ""},
	{`{"type":"spectate"}`, Frame{}, "invalid_message"},
	{``, Frame{}, "invalid_message"},
	{`[]`, Frame{}, "invalid_message"},
	{`{"type":"ping"} {"type":"ping"}`, Frame{}, "invalid_message"},
	{`{}`, Frame{}, "invalid_message"},
	{`{"type":7}`, Frame{}, "invalid_message"},
	{`{"type":"dance"}`, Frame{}, "unknown_message"},
	{`{"type":"join_lobby","buy_in":"1"}`, Frame{}, "invalid_message"},
	{`{"type":"join_lobby","buy_in":1e2}`, Frame{}, "invalid_message"},
	{`{"type":"join_lobby","buy_in":-1}`, Frame{}, "invalid_message"},
	{`{"type":"join_lobby","buy_in":0.0000001}`, Frame{}, "invalid_message"},
	{`{"type":"join_lobby","buy_in":99999999999999999999}`, Frame{}, "invalid_message"},
	{`{"type":"action"}`, Frame{}, "invalid_message"},
	{`{"type":"action","action":"raise"}`, Frame{}, "invalid_message"},
	{`{"type":"action","action":"shove"}`, Frame{}, "invalid_action"},
	{`{"type":"action","action":"call","client_action_id":17}`, Frame{}, "invalid_message"},
	{`{"type":"action","action":"call","hand_id":"` + strings.Repeat("h", 200) + `"}`, Frame{}, "invalid_message"},
	{`{"type":"rebuy"}`, Frame{}, "invalid_message"},
	{`{"type":"resync_request","last_table_seq":-1}`, Frame{}, "invalid_message"},
	{`{"type":"ping","pad":"` + strings.Repeat("x", MaxFrame) + `"}`, Frame{}, "invalid_message"},
}

func TestDecode(t *testing.T) {
	for _, tc := range frames {
		got, err := Decode([]byte(tc.in))
		if tc.code != "" {
			var fe *FrameError
			if !errors.As(err, &fe) || fe.Code != tc.code {
				t.Errorf("%.60s: err %v, want code %s", tc.in, err, tc.code)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%.60s: got %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

// FuzzDecode: no input panics; every refusal is a *FrameError with a protocol code; an accepted
// frame has a known type and non-negative amounts.
func FuzzDecode(f *testing.F) {
	for _, tc := range frames {
		f.Add([]byte(tc.in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := Decode(b)
		if err != nil {
			var fe *FrameError
			if !errors.As(err, &fe) {
				t.Fatalf("%q: error %v is not a FrameError", b, err)
			}
			switch fe.Code {
			case "invalid_message", "unknown_message", "invalid_action":
			default:
				t.Fatalf("%q: code %q", b, fe.Code)
			}
			return
		}
		if !known[fr.Type] || fr.BuyIn < 0 || fr.Amount < 0 || len(b) > MaxFrame {
			t.Fatalf("%q: accepted %+v", b, fr)
		}
	})
}

// TestEncode: the envelope joins the body; amounts are dollars.
func TestEncode(t *testing.T) {
	call := money.Decimal(20_000)
	b, err := Encode(table.Update{Type: "player_action", TableID: "t-1", HandID: "t-1-h0", Seq: 9,
		Body: &table.PlayerAction{HandID: "t-1-h0", Seat: 2, Name: "b", Action: "call", Amount: &call, Street: "preflop", Stack: 1_980_000, Pot: 50_000}})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]any{"type": "player_action", "table_id": "t-1", "hand_id": "t-1-h0", "table_seq": 9.0,
		"amount": 0.02, "stack": 1.98, "pot": 0.05} {
		if m[k] != v {
			t.Errorf("%s = %v, want %v (%s)", k, m[k], v, b)
		}
	}
}

// TestEveryKindHasACode: each domain error kind maps to a protocol code; only internal errors
// fall through to internal_error.
func TestEveryKindHasACode(t *testing.T) {
	for _, k := range errs.Kinds() {
		code, _ := codeOf(&errs.Error{Kind: k, Message: "m"}, nil)
		if (code == "internal_error") != (k == errs.Internal) {
			t.Errorf("kind %s: code %s", k, code)
		}
	}
	if code, _ := codeOf(errors.New("boom"), nil); code != "internal_error" {
		t.Errorf("plain error: %s", code)
	}
}
