package app_test

import (
	"reflect"
	"testing"

	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

type cMe struct {
	ID          string  `json:"id"`
	Email       *string `json:"email"`
	DisplayName *string `json:"display_name"`
}

type cMigrated struct {
	OldSessionID     string   `json:"old_session_id"`
	UserSessionID    string   `json:"user_session_id"`
	MigratedPersonas []string `json:"migrated_personas"`
	SkippedPersonas  []string `json:"skipped_personas"`
	Migrated         int      `json:"migrated"`
}

// TestPersonaAuthRoutes: the web family's /api/v1/auth/me and /api/v1/auth/migrate-progress
// (foilengine-notes §2): who is signed in; moving one of the caller's players' progress, sessions
// and history to another of its players (the play page's "web" by default), never another
// account's, skipping personas the receiving player already has progress with.
func TestPersonaAuthRoutes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := withDoc(newServer(t, e))
		acct, other := s.guest(), s.guest()
		web := &strictClient{t: t, s: s.server, key: acct, base: "/api/v1/chat", bearer: true}
		sdk := &strictClient{t: t, s: s.server, key: acct, base: "/api/v1/sdk/chat"}

		// auth/me
		if r := s.documented("GET", "/api/v1/auth/me", "", nil); r.Status != 401 {
			t.Fatalf("me without key: %d %s", r.Status, r.Raw)
		} else {
			detail(t, r)
		}
		r := s.documented("GET", "/api/v1/auth/me", acct, nil)
		me := strictDecode[cMe](t, "me", r.Raw)
		if prof := s.do("GET", "/api/me", acct, nil); r.Status != 200 || me.ID == "" || me.ID != data(prof)["id"] {
			t.Fatalf("me: %d %s (profile %s)", r.Status, r.Raw, prof.Raw)
		}
		if r := s.documented("GET", "/api/v1/auth/me", "", nil, "X-API-Key", acct); r.Status != 200 || strictDecode[cMe](t, "me", r.Raw).ID != me.ID {
			t.Fatalf("me with X-API-Key: %d %s", r.Status, r.Raw)
		}

		// migrate-progress: bad input.
		const mig = "/api/v1/auth/migrate-progress"
		if r := s.documented("POST", mig, "", body(map[string]any{"old_session_id": "anon"})); r.Status != 401 {
			t.Fatalf("migrate without key: %d %s", r.Status, r.Raw)
		}
		for _, b := range []string{`{}`, `{"old_session_id": "web"}`, `{"old_session_id": "a", "user_session_id": "a"}`,
			`{"old_session_id": 5}`, `not json`} {
			if r := s.documented("POST", mig, acct, []byte(b)); r.Status != 422 {
				t.Fatalf("migrate %s: %d %s", b, r.Status, r.Raw)
			} else {
				detail(t, r)
			}
		}

		// An anonymous player ("anon") wins Kael's haggle and starts Sera; the web player has
		// already started Sera.
		ok[cSessionInit](sdk, "POST", sdk.base+"/merchant-kael/init-session", map[string]any{"user_session_id": "anon", "player_name": "Ada"})
		for _, m := range []string{"Hello there", "60 gold"} {
			ok[cChat](sdk, "POST", sdk.base+"/merchant-kael/message", map[string]any{"user_session_id": "anon", "message": m})
		}
		ok[cSessionInit](sdk, "POST", sdk.base+"/captain-sera/init-session", map[string]any{"user_session_id": "anon"})
		ok[cSessionInit](web, "POST", web.base+"/captain-sera/init-session", map[string]any{"user_session_id": "web", "player_name": "Web"})
		before := ok[cHistory](sdk, "GET", sdk.base+"/merchant-kael/history?user_session_id=anon&machine_id=haggle", nil)

		// Another account naming the same user_session_id moves nothing of acct's.
		r = s.documented("POST", mig, other, body(map[string]any{"old_session_id": "anon"}))
		if m := strictDecode[cMigrated](t, "migrate", r.Raw); r.Status != 200 || m.Migrated != 0 || len(m.MigratedPersonas) != 0 {
			t.Fatalf("another account's migrate: %d %s", r.Status, r.Raw)
		}

		r = s.documented("POST", mig, acct, body(map[string]any{"old_session_id": "anon"}))
		m := strictDecode[cMigrated](t, "migrate", r.Raw)
		if r.Status != 200 || m.UserSessionID != "web" || m.Migrated != 1 || !reflect.DeepEqual(m.MigratedPersonas, []string{"merchant-kael"}) ||
			!reflect.DeepEqual(m.SkippedPersonas, []string{"captain-sera"}) {
			t.Fatalf("migrate: %d %s", r.Status, r.Raw)
		}

		// The web player has Kael's progress, session and history; the anonymous one has none.
		p := ok[cProgress](web, "GET", "/api/v1/personas/merchant-kael/progress?user_session_id=web", nil)
		if p.RelationshipLevel != 1 || p.TotalScore != 3 || deref(p.CurrentMachineID) != "smuggle" || p.CrossMachineVars["price"] != "60" {
			t.Fatalf("web progress after migrate %+v", p)
		}
		after := ok[cHistory](web, "GET", web.base+"/merchant-kael/history?user_session_id=web&machine_id=haggle", nil)
		if !reflect.DeepEqual(after.Messages, before.Messages) || after.SessionID != before.SessionID || after.PlayerName != "Ada" {
			t.Fatalf("history moved %+v, was %+v", after, before)
		}
		if p := ok[cProgress](web, "GET", "/api/v1/personas/merchant-kael/progress?user_session_id=anon", nil); p.TotalScore != 0 || len(p.RoutePath) != 0 {
			t.Fatalf("anon progress after migrate %+v", p)
		}
		sdk.fails(404, "GET", sdk.base+"/merchant-kael/session?user_session_id=anon", nil)
		for usid, want := range map[string]int{"anon": 0, "web": 2} {
			if n := s.count(`SELECT COUNT(*) FROM persona_sessions WHERE persona_id = 'merchant-kael' AND user_session_id = ?`, usid); n != want {
				t.Fatalf("%d session rows of Kael for %s, want %d", n, usid, want)
			}
		}
		// Sera was skipped: both players keep their own session.
		if st := ok[cStatus](web, "GET", web.base+"/captain-sera/session?user_session_id=web", nil); st.PlayerName != "Web" {
			t.Fatalf("web's Sera %+v", st)
		}
		ok[cStatus](sdk, "GET", sdk.base+"/captain-sera/session?user_session_id=anon", nil)

		// The moved player plays on (its cached state was dropped; the version check holds).
		if c := ok[cChat](web, "POST", web.base+"/merchant-kael/message", map[string]any{"user_session_id": "web", "message": "Yes, deal."}); deref(c.Outcome) != "ACCEPT" {
			t.Fatalf("play on after migrate %+v", c)
		}
		// Nothing left to move: an empty answer, not an error.
		r = s.documented("POST", mig, acct, body(map[string]any{"old_session_id": "anon", "user_session_id": "elsewhere"}))
		if m := strictDecode[cMigrated](t, "migrate", r.Raw); r.Status != 200 || !reflect.DeepEqual(m.MigratedPersonas, []string{"captain-sera"}) {
			t.Fatalf("second migrate: %d %s", r.Status, r.Raw)
		}
	})
}

// TestPersonaUnpublishedOwnerOnly: an unpublished persona is playable by its owner only: the web
// chat and the tools play it for the owner, every other key gets 404 on every play and progress
// route (its existence does not leak); the owner's SDK key gets 403 NOT_PUBLISHED.
func TestPersonaUnpublishedOwnerOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newServer(t, e)
		owner, other := s.guest(), s.guest()
		saved := s.do("POST", "/api/v1/creator/save", owner, kaelCopy(t, "Unpublished Kael"))
		if saved.Status != 200 {
			t.Fatalf("save: %d %s", saved.Status, saved.Raw)
		}
		pid := saved.Body["id"].(string)
		own := &strictClient{t: t, s: s, key: owner, base: "/api/v1/chat/" + pid, bearer: true}
		ok[cSessionInit](own, "POST", own.base+"/init-session", map[string]any{"user_session_id": "p"})
		if c := ok[cChat](own, "POST", own.base+"/message", map[string]any{"user_session_id": "p", "message": "Hello there"}); c.Score != 1 {
			t.Fatalf("owner plays %+v", c)
		}
		ok[cProgress](own, "GET", "/api/v1/personas/"+pid+"/progress?user_session_id=p", nil)
		(&strictClient{t: t, s: s, key: owner}).fails(403, "POST", "/api/v1/sdk/chat/"+pid+"/init-session", map[string]any{"user_session_id": "p"})
		if r := s.do("POST", "/api/openclaw/tools", owner, []byte(`{"tool":"persona_message","parameters":{"persona_id":"`+pid+
			`","user_session_id":"p","message":"I want to buy a lantern"}}`)); r.Status != 200 {
			t.Fatalf("owner's tool: %d %s", r.Status, r.Raw)
		}

		not := &strictClient{t: t, s: s, key: other, base: "/api/v1/chat/" + pid, bearer: true}
		not.fails(404, "POST", not.base+"/init-session", map[string]any{"user_session_id": "p"})
		not.fails(404, "POST", not.base+"/message", map[string]any{"user_session_id": "p", "message": "hi"})
		not.fails(404, "GET", not.base+"/session?user_session_id=p", nil)
		not.fails(404, "GET", not.base+"/history?user_session_id=p", nil)
		not.fails(404, "POST", not.base+"/reset?user_session_id=p", nil)
		not.failsDetail(404, "GET", "/api/v1/personas/"+pid+"/progress?user_session_id=p", nil)
		not.failsDetail(404, "DELETE", "/api/v1/personas/"+pid+"/progress?user_session_id=p", nil)
		not.failsDetail(404, "GET", "/api/v1/personas/"+pid+"/available-machines?user_session_id=p", nil)
		sdkOther := &strictClient{t: t, s: s, key: other, base: "/api/v1/sdk/chat/" + pid}
		for _, path := range []string{"/session?user_session_id=p", "/history?user_session_id=p", "/machines?user_session_id=p"} {
			sdkOther.fails(404, "GET", sdkOther.base+path, nil)
		}
		if r := s.do("POST", "/api/openclaw/tools", other, []byte(`{"tool":"persona_start","parameters":{"persona_id":"`+pid+
			`","user_session_id":"p"}}`)); r.Status != 404 {
			t.Fatalf("another's tool: %d %s", r.Status, r.Raw)
		}
		// The owner's player is untouched by all that.
		if h := ok[cHistory](own, "GET", own.base+"/history?user_session_id=p", nil); len(h.Messages) != 5 {
			t.Fatalf("owner's history %+v", h)
		}
	})
}
