package service_test

import (
	"context"
	"crypto/rand"
	"strconv"
	"testing"
	"time"

	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/persona/service"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// TestTwoInstancesShareAPlayer: two services on one database stand for two instances, each with
// its own cache of the players it last saved. Whatever one does to a player, a turn on the
// other answers from the stored state: a session the other restarted is played (not refused as
// ended), a turn the other played is not overwritten, and the history goes on in order.
func TestTwoInstancesShareAPlayer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		db := storetest.Open(t, e)
		accts := &account.Service{DB: db, Now: time.Now, Rand: rand.Reader}
		me, _, err := accts.SignUp(ctx, account.New{Kind: account.Guest}, account.PrefixSDK)
		if err != nil {
			t.Fatal(err)
		}
		a := &service.Service{DB: db, Accounts: accts, Now: time.Now, Rand: rand.Reader}
		b := &service.Service{DB: db, Accounts: accts, Now: time.Now, Rand: rand.Reader}
		ref := service.PlayRef{PersonaID: "merchant-kael", UserSessionID: "p1", MachineID: "haggle"}
		start := func(s *service.Service) {
			t.Helper()
			if _, err := s.Start(ctx, me.ID, service.StartInput{PlayRef: ref, PlayerName: "Ada"}); err != nil {
				t.Fatal(err)
			}
		}
		say := func(s *service.Service, msg string) (service.Reply, error) {
			return s.Message(ctx, me.ID, service.MessageInput{PlayRef: ref, Message: msg})
		}
		must := func(s *service.Service, msg, state string, score int) {
			t.Helper()
			r, err := say(s, msg)
			if err != nil || r.StateKey != state || r.Score != score {
				t.Fatalf("say %q: %+v %v, want %s at %d", msg, r.Result, err, state, score)
			}
		}

		// A ends the haggle (its cache: ended); B starts it again; A plays the new session.
		start(a)
		must(a, "Hello there", "haggling", 1)
		must(a, "60 gold for the lantern", "deal", 3)
		if _, err := say(a, "hello?"); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("after the end: %v", err)
		}
		start(b)
		must(a, "Hello there", "haggling", 1)
		// B plays a turn; A's cached state is one turn behind: A's next turn builds on B's.
		must(b, "I want to buy a lantern", "haggling", 1)
		r, err := say(a, "Maybe, I am not sure")
		if err != nil || !r.FollowUp || r.RedirectCount != 1 {
			t.Fatalf("follow-up on A after B's redirect: %+v %v", r.Result, err)
		}
		h, err := b.History(ctx, me.ID, ref)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"assistant", "user", "assistant", "user", "assistant", "user", "assistant"}
		if len(h.Messages) != len(want) {
			t.Fatalf("history: %d messages", len(h.Messages))
		}
		for i, m := range h.Messages {
			if m.Role != want[i] || m.ID != h.SessionID+"-"+strconv.Itoa(i+1) {
				t.Fatalf("message %d: %s %s", i, m.ID, m.Role)
			}
		}
	})
}
