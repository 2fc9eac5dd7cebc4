package client

import (
	"encoding/json"
	"testing"
)

func TestDiceBody(t *testing.T) {
	for _, c := range []struct {
		bet  DiceBet
		want string
		err  bool
	}{
		{DiceBet{Amount: Credits(10), Target: "50", Condition: "over"}, `{"amount":10,"target":50,"condition":"over"}`, false},
		{DiceBet{Amount: 1_500_000, Target: "49.5", Condition: "under", ClientSeed: "abc-123"},
			`{"amount":1.5,"target":49.5,"condition":"under","clientSeed":"abc-123"}`, false},
		{DiceBet{Amount: Credits(1), Target: "1", Condition: `o"v`, ClientSeed: "é\n<x>"},
			`{"amount":1,"target":1,"condition":"o\"v","clientSeed":"é\n\u003cx\u003e"}`, false},
		{DiceBet{Amount: Credits(1), Target: "", Condition: "over"}, "", true},
		{DiceBet{Amount: Credits(1), Target: "5e1", Condition: "over"}, "", true},
		{DiceBet{Amount: Credits(1), Target: "50,1", Condition: "over"}, "", true},
	} {
		got, err := diceBody(c.bet)
		if c.err {
			if err == nil {
				t.Errorf("%+v: %s, want an error", c.bet, got)
			}
			continue
		}
		if err != nil || string(got) != c.want || !json.Valid(got) {
			t.Errorf("%+v: %s, %v; want %s", c.bet, got, err, c.want)
		}
	}
}
