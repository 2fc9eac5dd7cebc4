package examples

import "testing"

func TestAllValid(t *testing.T) {
	all, err := All()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 2 {
		t.Fatalf("%d examples", len(all))
	}
}
