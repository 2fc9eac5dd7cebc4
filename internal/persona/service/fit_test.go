package service

import (
	"reflect"
	"testing"

	"github.com/arcadehq/arcade/internal/persona/examples"
	"github.com/arcadehq/arcade/internal/persona/turn"
)

// TestFitDropsWhatTheDefinitionLost: a stored state naming machines or states a definition no
// longer has (an example changed by an upgrade) is trimmed to what can still be played.
func TestFitDropsWhatTheDefinitionLost(t *testing.T) {
	ex, err := examples.Get("merchant-kael")
	if err != nil {
		t.Fatal(err)
	}
	st := turn.State{CurrentMachine: "gone",
		Sessions: map[string]turn.Session{
			"haggle":  {MachineKey: "haggle", StateKey: "haggling"},
			"smuggle": {MachineKey: "smuggle", StateKey: "no-such-state"},
			"gone":    {MachineKey: "gone", StateKey: "x"},
		},
		Completed: []turn.Completion{{MachineKey: "gone", Outcome: "ACCEPT"}, {MachineKey: "haggle", Outcome: "REJECT"}},
		Unlocked:  []string{"gone", "apology"},
	}
	fit(ex.Definition, &st)
	want := turn.State{
		Sessions:  map[string]turn.Session{"haggle": {MachineKey: "haggle", StateKey: "haggling"}},
		Completed: []turn.Completion{{MachineKey: "haggle", Outcome: "REJECT"}},
		Unlocked:  []string{"apology"},
	}
	if !reflect.DeepEqual(st, want) {
		t.Fatalf("got %+v\nwant %+v", st, want)
	}
}
