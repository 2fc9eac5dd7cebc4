package loadgen_test

import (
	"context"
	"testing"
	"time"

	"github.com/arcadehq/arcade/internal/loadgen"
	"github.com/arcadehq/arcade/internal/store"
)

// storedTurns counts the player messages the server stored for Merchant Kael.
func storedTurns(t *testing.T, db *store.DB) int64 {
	t.Helper()
	var n int64
	err := db.Read(context.Background(), func(ctx context.Context, q store.Q) error {
		return q.QueryRow(ctx, `SELECT COUNT(*) FROM persona_messages m JOIN persona_sessions s ON s.id = m.session_id
			WHERE s.persona_id = 'merchant-kael' AND m.role = 'user'`).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// The persona profile plays Kael turns, closed and open loop, without errors: every counted turn
// is a stored message (plus one greeting per player opened).
func TestPersonaProfile(t *testing.T) {
	for _, open := range []bool{false, true} {
		ts, a := newArcade(t)
		c := config(ts.URL)
		c.Profile, c.Rounds = "persona", 200
		if open {
			c.Agents, c.Rate, c.BaselineDuration = 0, 400, 100*time.Millisecond
		}
		rep, err := loadgen.Run(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Profile != "persona" || rep.Play.Requests != 200 || rep.Play.Errors.Total != 0 || !rep.Valid {
			t.Fatalf("open=%v: %+v (errors %s)", open, rep, rep.Play.Errors)
		}
		// Each player opened is greeted once: stored = turns + greetings, greetings ≤ agents ×
		// players in flight; at least the turns.
		if got := storedTurns(t, a.DB); got < 200 || got > 200+200 {
			t.Fatalf("open=%v: %d messages stored for 200 turns", open, got)
		}
	}
}
