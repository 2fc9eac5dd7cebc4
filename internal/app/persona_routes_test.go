package app_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/arcadehq/arcade/internal/persona"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// TestPersonaSpec003Errors completes TestPersonaCreatorRoutes route by route: the list's
// parameters, the errors of full, delete, publish and the three player routes, the served JSON
// Schema, and that one key's player is never another key's (same user_session_id).
func TestPersonaSpec003Errors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := withDoc(newServer(t, e))
		owner, other := s.guest(), s.guest()
		saved := s.documented("POST", "/api/v1/creator/save", owner, kaelCopy(t, "Private Kael"))
		if saved.Status != 200 {
			t.Fatalf("save: %d %s", saved.Status, saved.Raw)
		}
		pid := saved.Body["id"].(string)

		// list: public_only=false with a key adds the caller's own; limit cuts; my_personas.
		if got := ids(list(s.documented("GET", "/api/v1/personas?public_only=false", owner, nil)), "id"); !reflect.DeepEqual(got, []string{"captain-sera", "merchant-kael", pid}) {
			t.Fatalf("public_only=false: %v", got)
		}
		if got := ids(list(s.documented("GET", "/api/v1/personas?public_only=false", other, nil)), "id"); len(got) != 2 {
			t.Fatalf("public_only=false for another: %v", got)
		}
		if got := list(s.documented("GET", "/api/v1/personas?limit=1", "", nil)); len(got) != 1 {
			t.Fatalf("limit=1: %v", got)
		}
		if got := list(s.documented("GET", "/api/v1/personas?my_personas=true", other, nil)); len(got) != 0 {
			t.Fatalf("another's my_personas: %v", got)
		}
		if r := s.documented("GET", "/api/v1/personas?my_personas=yes", owner, nil); r.Status != 422 || r.Body["field"] != "my_personas" {
			t.Fatalf("my_personas=yes: %d %s", r.Status, r.Raw)
		}

		// full: the owner's, examples to anyone; 404 for another's private one and unknown ids.
		if r := s.documented("GET", "/api/v1/personas/merchant-kael/full", "", nil); r.Status != 200 || len(r.Body["machines"].([]any)) != 3 {
			t.Fatalf("example full: %d %.200s", r.Status, r.Raw)
		}
		for _, k := range []string{"", other} {
			if r := s.documented("GET", "/api/v1/personas/"+pid+"/full", k, nil); r.Status != 404 {
				t.Fatalf("another's full: %d %s", r.Status, r.Raw)
			}
		}
		if r := s.documented("GET", "/api/v1/personas/nope/full", owner, nil); r.Status != 404 {
			t.Fatalf("unknown full: %d %s", r.Status, r.Raw)
		}
		// The full answer saves back as the same persona (its items are in the definition format).
		full := s.documented("GET", "/api/v1/personas/"+pid+"/full", owner, nil)
		def := map[string]any{"name": "Round trip", "description": "", "persona_identity_prompt": "You are Kael.",
			"machines": full.Body["machines"], "variables": full.Body["variables"], "machine_links": full.Body["machine_links"]}
		if r := s.documented("POST", "/api/v1/creator/save", owner, body(def)); r.Status != 200 {
			t.Fatalf("full saved back: %d %s", r.Status, r.Raw)
		}

		// delete: unknown 404, another's private 404.
		if r := s.documented("DELETE", "/api/v1/personas/nope", owner, nil); r.Status != 404 {
			t.Fatalf("delete unknown: %d %s", r.Status, r.Raw)
		}
		if r := s.documented("DELETE", "/api/v1/personas/"+pid, other, nil); r.Status != 404 {
			t.Fatalf("delete another's private: %d %s", r.Status, r.Raw)
		}

		// publish: 401 without a key, 404 unknown, 403 for an example; twice is fine.
		if r := s.documented("POST", "/api/v1/creator/publish?persona_id="+pid, "", nil); r.Status != 401 {
			t.Fatalf("publish without key: %d %s", r.Status, r.Raw)
		}
		if r := s.documented("POST", "/api/v1/creator/publish?persona_id=nope", owner, nil); r.Status != 404 {
			t.Fatalf("publish unknown: %d %s", r.Status, r.Raw)
		}
		if r := s.documented("POST", "/api/v1/creator/publish?persona_id=merchant-kael", owner, nil); r.Status != 403 {
			t.Fatalf("publish an example: %d %s", r.Status, r.Raw)
		}
		for range 2 {
			if r := s.documented("POST", "/api/v1/creator/publish?persona_id="+pid, owner, nil); r.Status != 200 {
				t.Fatalf("publish: %d %s", r.Status, r.Raw)
			}
		}

		// The player routes: 401 without a key, 422 without user_session_id, 404 unknown persona.
		for _, rt := range []struct{ method, path string }{
			{"GET", "/api/v1/personas/merchant-kael/progress"}, {"DELETE", "/api/v1/personas/merchant-kael/progress"},
			{"GET", "/api/v1/personas/merchant-kael/available-machines"},
		} {
			if r := s.documented(rt.method, rt.path+"?user_session_id=p", "", nil); r.Status != 401 {
				t.Fatalf("%s %s without key: %d %s", rt.method, rt.path, r.Status, r.Raw)
			}
			if r := s.documented(rt.method, rt.path, owner, nil); r.Status != 422 || r.Body["field"] != "user_session_id" {
				t.Fatalf("%s %s without user_session_id: %d %s", rt.method, rt.path, r.Status, r.Raw)
			}
			if r := s.documented(rt.method, rt.path+"?user_session_id="+string(bytes.Repeat([]byte("x"), 201)), owner, nil); r.Status != 422 {
				t.Fatalf("%s %s long user_session_id: %d %s", rt.method, rt.path, r.Status, r.Raw)
			}
			if r := s.documented(rt.method, "/api/v1/personas/nope/"+rt.path[len("/api/v1/personas/merchant-kael/"):]+"?user_session_id=p", owner, nil); r.Status != 404 {
				t.Fatalf("%s %s unknown persona: %d %s", rt.method, rt.path, r.Status, r.Raw)
			}
		}

		// One key's player is not another's: the same user_session_id under another key reads an
		// empty progress, and its reset leaves the first player alone.
		sdkOwner := &strictClient{t: t, s: s.server, key: owner, base: "/api/v1/sdk/chat/captain-sera"}
		ok[cSessionInit](sdkOwner, "POST", sdkOwner.base+"/init-session", map[string]any{"user_session_id": "p"})
		for _, m := range []string{"My name is Brennan", "I come to trade wool"} {
			ok[cChat](sdkOwner, "POST", sdkOwner.base+"/message", map[string]any{"user_session_id": "p", "message": m})
		}
		theirs := s.documented("GET", "/api/v1/personas/captain-sera/progress?user_session_id=p", other, nil)
		if theirs.Status != 200 || theirs.Body["total_score"] != float64(0) || len(theirs.Body["completed_machines"].([]any)) != 0 {
			t.Fatalf("another key's view of p: %d %s", theirs.Status, theirs.Raw)
		}
		if r := s.documented("DELETE", "/api/v1/personas/captain-sera/progress?user_session_id=p", other, nil); r.Status != 200 {
			t.Fatalf("another key's reset: %d %s", r.Status, r.Raw)
		}
		mine := s.documented("GET", "/api/v1/personas/captain-sera/progress?user_session_id=p", owner, nil)
		if mine.Status != 200 || mine.Body["total_score"] != float64(3) || mine.Body["relationship_level"] != float64(1) {
			t.Fatalf("the owner's player after another key's reset: %d %s", mine.Status, mine.Raw)
		}

		// The served JSON Schema is the decoder's.
		r := s.documented("GET", "/api/v1/creator/schema", "", nil)
		want, err := persona.Schema()
		if err != nil {
			t.Fatal(err)
		}
		var got, exp any
		_ = json.Unmarshal(r.Raw, &got)
		_ = json.Unmarshal(want, &exp)
		if r.Status != 200 || !reflect.DeepEqual(got, exp) || r.Body["$id"] != persona.SchemaID {
			t.Fatalf("schema: %d %.300s", r.Status, r.Raw)
		}
	})
}
