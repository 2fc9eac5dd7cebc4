package table

import (
	"strings"
	"testing"

	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// TestHandSeatsUseThePrimaryKey: a PHH export reads each hand's seats through the primary key,
// not the viewer's whole seat history (poker_hand_seats_account) once per hand of the page.
func TestHandSeatsUseThePrimaryKey(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	plan := storetest.Plan(t, db, handSeatsSQL, "h")
	if !strings.Contains(plan, "(hand_id=?)") || strings.Contains(plan, "poker_hand_seats_account") || strings.Contains(plan, "SCAN") {
		t.Errorf("hand seats plan:\n%s", plan)
	}
}
