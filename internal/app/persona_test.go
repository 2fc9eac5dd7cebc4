package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/arcadehq/arcade/internal/app"
	"github.com/arcadehq/arcade/internal/persona/examples"
	"github.com/arcadehq/arcade/internal/ratelimit"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// personaTools are the persona tools served beside spec 000's skill.
var personaTools = []string{"persona_list", "persona_start", "persona_message", "persona_progress", "persona_reset"}

// sdk sends a play-API request with the key in X-API-Key, as the SDK does, and checks the answer
// against the OpenAPI document.
func (s *docServer) sdk(method, path, key string, body any) resp {
	s.t.Helper()
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	if key == "" {
		return s.documented(method, path, "", raw, s.hdr...)
	}
	return s.documented(method, path, "", raw, append([]string{"X-API-Key", key}, s.hdr...)...)
}

// label is the evaluator persona answers must name.
func (s *docServer) label() string {
	if s.evaluator == "" {
		return "rule-based"
	}
	return s.evaluator
}

// sdkError is the play API's error message, failing the test if the body is not {"error":{"message"}}.
func sdkError(t *testing.T, r resp) map[string]any {
	t.Helper()
	e, _ := r.Body["error"].(map[string]any)
	if e == nil || e["message"] == nil || e["message"] == "" {
		t.Fatalf("want {error:{message}}, got %d %s", r.Status, r.Raw)
	}
	return e
}

func detail(t *testing.T, r resp) string {
	t.Helper()
	d, _ := r.Body["detail"].(string)
	if d == "" {
		t.Fatalf("want {detail}, got %d %s", r.Status, r.Raw)
	}
	return d
}

func list(r resp) []map[string]any {
	var out []map[string]any
	_ = json.Unmarshal(r.Raw, &out)
	return out
}

func ids(items []map[string]any, field string) []string {
	out := []string{}
	for _, m := range items {
		out = append(out, fmt.Sprint(m[field]))
	}
	return out
}

// kaelCopy is the shipped Merchant Kael under another name: a creator's own persona.
func kaelCopy(t *testing.T, name string) []byte {
	t.Helper()
	ex, err := examples.Get("merchant-kael")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(ex.JSON, &m); err != nil {
		t.Fatal(err)
	}
	m["name"] = name
	return body(m)
}

func TestPersonaCreatorRoutes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := withDoc(newServer(t, e))
		owner, other := s.guest(), s.guest()

		// The shipped examples are public to everyone, without a key.
		r := s.documented("GET", "/api/v1/personas", "", nil)
		if r.Status != 200 || !reflect.DeepEqual(ids(list(r), "id"), []string{"captain-sera", "merchant-kael"}) {
			t.Fatalf("public list: %d %s", r.Status, r.Raw)
		}
		for _, q := range []string{"limit=0", "limit=101", "public_only=maybe"} {
			if r := s.documented("GET", "/api/v1/personas?"+q, "", nil); r.Status != 422 || !strings.Contains(detail(t, r), strings.Split(q, "=")[0]) {
				t.Errorf("%s: %d %s", q, r.Status, r.Raw)
			}
		}
		if r := s.documented("GET", "/api/v1/personas?my_personas=true", "", nil); r.Status != 401 {
			t.Errorf("my_personas without key: %d %s", r.Status, r.Raw)
		}

		// Save: 401 without a key, 422 naming the path, 413 oversized.
		kael := kaelCopy(t, "Kael's Cousin")
		if r := s.documented("POST", "/api/v1/creator/save", "", kael); r.Status != 401 {
			t.Fatalf("save without key: %d %s", r.Status, r.Raw)
		} else {
			detail(t, r)
		}
		bad := bytes.Replace(kael, []byte(`"to_state_key":"haggling"`), []byte(`"to_state_key":"nowhere"`), 1)
		if bytes.Equal(bad, kael) {
			t.Fatal("test definition has no haggling target")
		}
		r = s.documented("POST", "/api/v1/creator/save", owner, bad)
		if r.Status != 422 || !strings.HasPrefix(r.Body["field"].(string), "machines[0].transitions[") ||
			!strings.HasSuffix(r.Body["field"].(string), "].to_state_key") || !strings.Contains(detail(t, r), "to_state_key") || r.Body["errors"] == nil {
			t.Fatalf("invalid save: %d %s", r.Status, r.Raw)
		}
		huge := []byte(`{"name": "` + strings.Repeat("x", 300<<10) + `"}`)
		if r := s.documented("POST", "/api/v1/creator/save", owner, huge); r.Status != 413 {
			t.Fatalf("oversized save: %d %s", r.Status, r.Raw)
		}

		// Create, read back; private to its owner.
		r = s.documented("POST", "/api/v1/creator/save", owner, kael)
		if r.Status != 200 || r.Body["name"] != "Kael's Cousin" || r.Body["is_public"] != false || r.Body["play_link"] != nil {
			t.Fatalf("save: %d %s", r.Status, r.Raw)
		}
		pid := r.Body["id"].(string)
		if r := s.documented("GET", "/api/v1/personas/"+pid, owner, nil); r.Status != 200 || r.Body["persona_identity_prompt"] == "" {
			t.Fatalf("get own: %d %s", r.Status, r.Raw)
		}
		for _, k := range []string{"", other} {
			if r := s.documented("GET", "/api/v1/personas/"+pid, k, nil); r.Status != 404 {
				t.Fatalf("get another's private persona: %d %s", r.Status, r.Raw)
			}
		}
		if r := s.documented("GET", "/api/v1/personas/nope", "", nil); r.Status != 404 {
			t.Fatalf("get unknown: %d %s", r.Status, r.Raw)
		}
		r = s.documented("GET", "/api/v1/personas?my_personas=true", owner, nil)
		if r.Status != 200 || !reflect.DeepEqual(ids(list(r), "id"), []string{pid}) {
			t.Fatalf("my personas: %d %s", r.Status, r.Raw)
		}
		r = s.documented("GET", "/api/v1/personas/"+pid+"/full", owner, nil)
		if r.Status != 200 || len(r.Body["machines"].([]any)) != 3 || len(r.Body["machine_links"].([]any)) != 2 ||
			r.Body["persona"].(map[string]any)["name"] != "Kael's Cousin" || r.Body["variables"] == nil {
			t.Fatalf("full: %d %s", r.Status, r.Raw)
		}

		// Update: the owner only.
		if r := s.documented("POST", "/api/v1/creator/save?persona_id="+pid, other, kaelCopy(t, "Stolen")); r.Status != 404 {
			t.Fatalf("update another's private persona: %d %s", r.Status, r.Raw)
		}
		if r := s.documented("POST", "/api/v1/creator/save?persona_id="+pid, owner, kaelCopy(t, "Kael's Brother")); r.Status != 200 ||
			r.Body["id"] != pid || r.Body["name"] != "Kael's Brother" {
			t.Fatalf("update: %d %s", r.Status, r.Raw)
		}

		// The SDK refuses an unpublished persona, even to its owner (as the real system does).
		init := map[string]any{"user_session_id": "p1", "player_name": "Ada", "player_gender": "female"}
		if r := s.sdk("POST", "/api/v1/sdk/chat/"+pid+"/init-session", owner, init); r.Status != 403 || sdkError(t, r)["code"] != "NOT_PUBLISHED" {
			t.Fatalf("play unpublished: %d %s", r.Status, r.Raw)
		}

		// Publish: the owner only; then public.
		if r := s.documented("POST", "/api/v1/creator/publish?persona_id="+pid, other, nil); r.Status != 404 {
			t.Fatalf("publish another's: %d %s", r.Status, r.Raw)
		}
		if r := s.documented("POST", "/api/v1/creator/publish", owner, nil); r.Status != 422 || r.Body["field"] != "persona_id" {
			t.Fatalf("publish without id: %d %s", r.Status, r.Raw)
		}
		r = s.documented("POST", "/api/v1/creator/publish?persona_id="+pid, owner, nil)
		if r.Status != 200 || r.Body["persona_id"] != pid || !strings.HasSuffix(r.Body["play_link"].(string), "/play/"+pid) {
			t.Fatalf("publish: %d %s", r.Status, r.Raw)
		}
		if r := s.documented("GET", "/api/v1/personas/"+pid, "", nil); r.Status != 200 || r.Body["is_public"] != true {
			t.Fatalf("get published: %d %s", r.Status, r.Raw)
		}
		if r := s.documented("POST", "/api/v1/creator/save?persona_id="+pid, other, kaelCopy(t, "Stolen")); r.Status != 403 {
			t.Fatalf("update another's public persona: %d %s", r.Status, r.Raw)
		}
		for _, ex := range []string{"merchant-kael", "captain-sera"} {
			if r := s.documented("DELETE", "/api/v1/personas/"+ex, owner, nil); r.Status != 403 {
				t.Fatalf("delete example: %d %s", r.Status, r.Raw)
			}
		}

		// The owner's SDK key sees and plays it; another key sees only the examples and gets 403.
		if r := s.sdk("GET", "/api/v1/sdk/personas", owner, nil); r.Status != 200 ||
			!reflect.DeepEqual(ids(list(r), "id"), []string{"captain-sera", "merchant-kael", pid}) {
			t.Fatalf("sdk list (owner): %d %s", r.Status, r.Raw)
		}
		if r := s.sdk("GET", "/api/v1/sdk/personas", other, nil); r.Status != 200 || len(list(r)) != 2 {
			t.Fatalf("sdk list (other): %d %s", r.Status, r.Raw)
		}
		if r := s.sdk("POST", "/api/v1/sdk/chat/"+pid+"/init-session", other, init); r.Status != 403 || sdkError(t, r)["code"] != "NOT_OWNER" {
			t.Fatalf("play another's: %d %s", r.Status, r.Raw)
		}
		if r := s.sdk("POST", "/api/v1/sdk/chat/"+pid+"/init-session", owner, init); r.Status != 200 || r.Body["persona_name"] != "Kael's Brother" {
			t.Fatalf("play own: %d %s", r.Status, r.Raw)
		}
		if r := s.sdk("POST", "/api/v1/sdk/chat/"+pid+"/message", owner, map[string]any{"user_session_id": "p1", "message": "Hello"}); r.Status != 200 {
			t.Fatalf("message own: %d %s", r.Status, r.Raw)
		}
		// The web chat plays any public persona.
		if r := s.sdk("POST", "/api/v1/chat/"+pid+"/init-session", other, init); r.Status != 200 {
			t.Fatalf("web chat: %d %s", r.Status, r.Raw)
		}
		// A new definition starts every player afresh (their states name the old one's states).
		if r := s.documented("POST", "/api/v1/creator/save?persona_id="+pid, owner, kaelCopy(t, "Kael's Brother")); r.Status != 200 {
			t.Fatalf("update published: %d %s", r.Status, r.Raw)
		}
		if r := s.sdk("GET", "/api/v1/sdk/chat/"+pid+"/session?user_session_id=p1", owner, nil); r.Status != 404 {
			t.Fatalf("session after the definition changed: %d %s", r.Status, r.Raw)
		}
		if r := s.sdk("POST", "/api/v1/chat/"+pid+"/init-session", other, init); r.Status != 200 {
			t.Fatalf("web chat again: %d %s", r.Status, r.Raw)
		}
		if r := s.sdk("GET", "/api/v1/chat/"+pid+"/session?user_session_id=p1", other, nil); r.Status != 200 || r.Body["current_state"] != "greeting" {
			t.Fatalf("web chat session: %d %s", r.Status, r.Raw)
		}
		if r := s.sdk("GET", "/api/v1/chat/"+pid+"/history?user_session_id=p1", other, nil); r.Status != 200 || len(r.Body["messages"].([]any)) != 1 {
			t.Fatalf("web chat history: %d %s", r.Status, r.Raw)
		}
		if r := s.sdk("POST", "/api/v1/chat/"+pid+"/reset?user_session_id=p1", other, nil); r.Status != 200 {
			t.Fatalf("web chat reset: %d %s", r.Status, r.Raw)
		}
		if r := s.sdk("GET", "/api/v1/sdk/chat/"+pid+"/session?user_session_id=p1", other, nil); r.Status != 403 {
			t.Fatalf("the SDK still refuses another's persona: %d %s", r.Status, r.Raw)
		}

		// Delete: the owner only; it cascades to sessions, history and progress.
		if r := s.documented("DELETE", "/api/v1/personas/"+pid, other, nil); r.Status != 403 {
			t.Fatalf("delete another's: %d %s", r.Status, r.Raw)
		}
		if r := s.documented("DELETE", "/api/v1/personas/"+pid, "", nil); r.Status != 401 {
			t.Fatalf("delete without key: %d %s", r.Status, r.Raw)
		}
		if r := s.documented("DELETE", "/api/v1/personas/"+pid, owner, nil); r.Status != 200 || r.Body["deleted"] != true {
			t.Fatalf("delete: %d %s", r.Status, r.Raw)
		}
		if r := s.documented("GET", "/api/v1/personas/"+pid, owner, nil); r.Status != 404 {
			t.Fatalf("get deleted: %d %s", r.Status, r.Raw)
		}
		for _, table := range []string{"persona_sessions", "persona_progress"} {
			if n := s.count(`SELECT COUNT(*) FROM `+table+` WHERE persona_id = ?`, pid); n != 0 {
				t.Errorf("%s keeps %d rows of a deleted persona", table, n)
			}
		}
		if n := s.count(`SELECT COUNT(*) FROM persona_messages`); n != 0 {
			t.Errorf("persona_messages keeps %d rows", n)
		}

		// Misses answer in each family's shape.
		if r := s.do("GET", "/api/v1/personas/x/nope", "", nil); r.Status != 404 {
			t.Errorf("miss: %d %s", r.Status, r.Raw)
		} else {
			detail(t, r)
		}
		if r := s.do("GET", "/api/v1/sdk/nope", "", nil); r.Status != 404 {
			t.Errorf("sdk miss: %d %s", r.Status, r.Raw)
		} else {
			sdkError(t, r)
		}
		if r := s.do("PUT", "/api/v1/creator/save", owner, nil); r.Status != 405 {
			t.Errorf("wrong method: %d %s", r.Status, r.Raw)
		} else {
			detail(t, r)
		}
	})
}

// say sends one message through the SDK and checks the answer's shape: integers and never-null
// flags, as the SDK's parser needs them.
func (s *docServer) say(key, pid, usid, msg string) map[string]any {
	s.t.Helper()
	r := s.sdk("POST", "/api/v1/sdk/chat/"+pid+"/message", key, map[string]any{"user_session_id": usid, "message": msg})
	if r.Status != 200 {
		s.t.Fatalf("say %q: %d %s", msg, r.Status, r.Raw)
	}
	for _, f := range []string{"score", "redirect_count"} {
		if !bytes.Contains(r.Raw, []byte(fmt.Sprintf(`"%s":%v`, f, r.Body[f]))) || strings.Contains(fmt.Sprint(r.Body[f]), ".") {
			s.t.Fatalf("%s is not an integer: %s", f, r.Raw)
		}
	}
	for _, f := range []string{"follow_up", "machine_completed"} {
		if _, ok := r.Body[f].(bool); !ok {
			s.t.Fatalf("%s is not a bool: %s", f, r.Raw)
		}
	}
	if _, ok := r.Body["unlocked_machines"].([]any); !ok || r.Body["evaluator"] != s.label() {
		s.t.Fatalf("answer %s", r.Raw)
	}
	return r.Body
}

func expect(t *testing.T, got map[string]any, want map[string]any) {
	t.Helper()
	for k, v := range want {
		if fmt.Sprint(got[k]) != fmt.Sprint(v) {
			t.Fatalf("%s = %v, want %v in %v", k, got[k], v, got)
		}
	}
}

// sse reads a server-sent event stream into (name, data) pairs.
func sse(t *testing.T, raw []byte) (names []string, data []map[string]any) {
	t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			names = append(names, strings.TrimPrefix(line, "event: "))
		case strings.HasPrefix(line, "data: "):
			var m map[string]any
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &m); err != nil {
				t.Fatalf("data %q: %v", line, err)
			}
			data = append(data, m)
		}
	}
	if len(names) != len(data) {
		t.Fatalf("events %v with %d data lines", names, len(data))
	}
	return names, data
}

// TestPersonaSDKPlaysKael: a newcomer's key plays the shipped Merchant Kael end to end through
// the SDK routes: transitions, a redirect, a follow-up, scoring, an outcome, an output variable
// carried to the next machine, a link unlocking (and auto-advancing into) it, the stream, the
// history, the machines, progress and both resets.
func TestPersonaSDKPlaysKael(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		playKael(t, withDoc(newServer(t, e)))
	})
}

// playKael is the end-to-end scenario, played with whichever evaluator s runs (s.evaluator).
func playKael(t *testing.T, s *docServer) {
	{ // (a block: the scenario keeps the indentation it had inside storetest.Each)
		key, other := s.guest(), s.guest()
		const kael = "/api/v1/sdk/chat/merchant-kael"

		if r := s.sdk("GET", "/api/v1/sdk/personas", "", nil); r.Status != 401 {
			t.Fatalf("no key: %d %s", r.Status, r.Raw)
		} else {
			sdkError(t, r)
		}
		if r := s.sdk("GET", "/api/v1/sdk/personas", key, nil); r.Status != 200 || !reflect.DeepEqual(ids(list(r), "id"), []string{"captain-sera", "merchant-kael"}) {
			t.Fatalf("personas: %d %s", r.Status, r.Raw)
		}
		if r := s.sdk("POST", "/api/v1/sdk/validate-llm-key", key, nil); s.evaluator == "" && (r.Status != 200 || r.Body["valid"] != false ||
			r.Body["error"] == nil || r.Body["model"] != nil) || s.evaluator != "" && (r.Status != 200 || r.Body["valid"] != true || r.Body["error"] != nil) {
			t.Fatalf("validate-llm-key: %d %s", r.Status, r.Raw)
		}
		if r := s.sdk("POST", "/api/v1/sdk/validate-llm-key", key, map[string]any{"model": "gpt-4o"}); r.Status != 200 || r.Body["model"] != "gpt-4o" {
			t.Fatalf("validate-llm-key with a model: %d %s", r.Status, r.Raw)
		}
		if r := s.sdk("POST", "/api/v1/sdk/chat/nope/init-session", key, map[string]any{"user_session_id": "u1"}); r.Status != 404 {
			t.Fatalf("unknown persona: %d %s", r.Status, r.Raw)
		}
		if r := s.sdk("POST", kael+"/message", key, map[string]any{"user_session_id": "u1", "message": "hi"}); r.Status != 404 || sdkError(t, r)["code"] != "NO_SESSION" {
			t.Fatalf("message before a session: %d %s", r.Status, r.Raw)
		}
		if r := s.sdk("POST", kael+"/init-session", key, map[string]any{"player_name": "Ada"}); r.Status != 422 || sdkError(t, r)["field"] != "user_session_id" {
			t.Fatalf("no user_session_id: %d %s", r.Status, r.Raw)
		}
		if r := s.sdk("POST", kael+"/init-session", key, map[string]any{"user_session_id": "u1", "player_gender": "robot"}); r.Status != 422 {
			t.Fatalf("bad gender: %d %s", r.Status, r.Raw)
		}
		if r := s.sdk("POST", kael+"/init-session?machine_id=smuggle", key, map[string]any{"user_session_id": "u1"}); r.Status != 403 ||
			sdkError(t, r)["code"] != "MACHINE_LOCKED" {
			t.Fatalf("locked machine: %d %s", r.Status, r.Raw)
		}

		r := s.sdk("POST", kael+"/init-session", key, map[string]any{"user_session_id": "u1", "player_name": "Ada", "player_gender": "female"})
		if r.Status != 200 || !strings.Contains(r.Body["message"].(string), "Ada") || r.Body["machine_id"] != "haggle" ||
			r.Body["persona_name"] != "Merchant Kael" || r.Body["user_session_id"] != "u1" || r.Body["player_gender"] != "female" {
			t.Fatalf("init: %d %s", r.Status, r.Raw)
		}
		haggleSession := r.Body["session_id"].(string)

		expect(t, s.say(key, "merchant-kael", "u1", "Hello there"), map[string]any{"current_state": "haggling", "score": 1, "decision": "pass",
			"follow_up": false, "outcome": nil, "session_id": haggleSession, "scoring_mode": "scoring"})
		expect(t, s.say(key, "merchant-kael", "u1", "I want to buy a lantern"), map[string]any{"current_state": "haggling", "score": 1,
			"decision": "redirect", "redirect_count": 1})
		expect(t, s.say(key, "merchant-kael", "u1", "Maybe, I am not sure"), map[string]any{"current_state": "haggling", "follow_up": true,
			"decision": nil})
		deal := s.say(key, "merchant-kael", "u1", "60 gold")
		expect(t, deal, map[string]any{"current_state": "deal", "score": 3, "decision": "pass", "outcome": "ACCEPT", "machine_completed": true,
			"message": "60 gold for the lantern. Done, Ada."})
		unlocked := deal["unlocked_machines"].([]any)
		if len(unlocked) != 1 {
			t.Fatalf("unlocked %v", unlocked)
		}
		expect(t, unlocked[0].(map[string]any), map[string]any{"machine_id": "smuggle", "machine_key": "smuggle", "name": "A quiet job", "is_auto_advance": true})
		expect(t, deal["next_machine"].(map[string]any), map[string]any{"machine_id": "smuggle"})

		// Another key with the same user_session_id is another player: nothing to see.
		if r := s.sdk("GET", kael+"/session?user_session_id=u1", other, nil); r.Status != 404 {
			t.Fatalf("another key's session: %d %s", r.Status, r.Raw)
		}
		if r := s.sdk("GET", kael+"/history?user_session_id=u1", other, nil); r.Status != 404 {
			t.Fatalf("another key's history: %d %s", r.Status, r.Raw)
		}
		if r := s.sdk("GET", kael+"/session", key, nil); r.Status != 422 {
			t.Fatalf("session without user_session_id: %d %s", r.Status, r.Raw)
		}

		// Progress (spec 003 route, bearer key): the output variables carried on, the link opened.
		r = s.documented("GET", "/api/v1/personas/merchant-kael/progress?user_session_id=u1", key, nil)
		if r.Status != 200 {
			t.Fatalf("progress: %d %s", r.Status, r.Raw)
		}
		expect(t, r.Body, map[string]any{"current_machine_id": "smuggle", "relationship_level": 1, "total_score": 3, "has_links": true,
			"route_path": []any{"haggle", "smuggle"}, "cross_machine_vars": map[string]any{"item": "lantern", "price": "60"}})
		expect(t, r.Body["completed_machines"].([]any)[0].(map[string]any), map[string]any{"machine_id": "haggle", "outcome": "ACCEPT", "score": 3})
		if got := ids(toMaps(r.Body["available_machines"]), "machine_id"); !reflect.DeepEqual(got, []string{"haggle", "smuggle"}) {
			t.Fatalf("available %v", got)
		}
		if r := s.documented("GET", "/api/v1/personas/merchant-kael/progress?user_session_id=u1", "", nil); r.Status != 401 {
			t.Fatalf("progress without key: %d %s", r.Status, r.Raw)
		}

		// The auto-advance started the next machine: it is the current one.
		r = s.sdk("GET", kael+"/session?user_session_id=u1", key, nil)
		if r.Status != 200 {
			t.Fatalf("session: %d %s", r.Status, r.Raw)
		}
		expect(t, r.Body, map[string]any{"machine_id": "smuggle", "current_state": "pitch", "score": 0, "outcome": nil, "player_name": "Ada",
			"persona_id": "merchant-kael"})
		smuggleSession := r.Body["session_id"].(string)

		// The stream: metadata (no message), text pieces, done; the carried price is in the reply.
		r = s.sdk("POST", kael+"/message/stream", key, map[string]any{"user_session_id": "u1", "message": "How much will you pay me?"})
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/event-stream") {
			t.Fatalf("stream: %d %s", r.Status, r.Raw)
		}
		names, evs := sse(t, r.Raw)
		if len(names) < 3 || names[0] != "metadata" || names[len(names)-1] != "done" {
			t.Fatalf("events %v", names)
		}
		if _, has := evs[0]["message"]; has || evs[0]["follow_up"] != true || evs[0]["session_id"] != smuggleSession {
			t.Fatalf("metadata %v", evs[0])
		}
		var text strings.Builder
		for i, n := range names[1 : len(names)-1] {
			if n != "text_delta" {
				t.Fatalf("event %q", n)
			}
			text.WriteString(evs[i+1]["text"].(string))
		}
		done := evs[len(evs)-1]
		if text.String() != done["message"] || !strings.Contains(text.String(), "You paid me 60 gold") {
			t.Fatalf("streamed %q, done %v", text.String(), done)
		}
		if r := s.sdk("POST", kael+"/message/stream", key, map[string]any{"user_session_id": "nobody", "message": "hi"}); r.Status != 404 {
			t.Fatalf("stream without session: %d %s", r.Status, r.Raw)
		}

		expect(t, s.say(key, "merchant-kael", "u1", "Hmm."), map[string]any{"decision": "redirect", "scoring_mode": "pass_fail"})
		expect(t, s.say(key, "merchant-kael", "u1", "Yes, deal."), map[string]any{"current_state": "agreed", "outcome": "ACCEPT",
			"machine_completed": true, "score": 0, "session_id": smuggleSession})
		if r := s.sdk("POST", kael+"/message", key, map[string]any{"user_session_id": "u1", "message": "hello?"}); r.Status != 409 ||
			sdkError(t, r)["code"] != "SESSION_ENDED" {
			t.Fatalf("message after the end: %d %s", r.Status, r.Raw)
		}
		if r := s.sdk("POST", kael+"/message?machine_id=haggle", key, map[string]any{"user_session_id": "u1",
			"message": strings.Repeat("a", 4001)}); r.Status != 413 {
			t.Fatalf("oversized message: %d %s", r.Status, r.Raw)
		}

		// History of each machine: opening line, then player and NPC lines.
		r = s.sdk("GET", kael+"/history?user_session_id=u1&machine_id=smuggle", key, nil)
		msgs := toMaps(r.Body["messages"])
		if r.Status != 200 || len(msgs) != 7 || msgs[0]["role"] != "assistant" || msgs[1]["role"] != "user" || msgs[1]["content"] != "How much will you pay me?" ||
			msgs[2]["follow_up_triggered"] != true || r.Body["outcome"] != "ACCEPT" {
			t.Fatalf("history: %d %s", r.Status, r.Raw)
		}
		r = s.sdk("GET", kael+"/history?user_session_id=u1&machine_id=haggle", key, nil)
		if msgs := toMaps(r.Body["messages"]); r.Status != 200 || len(msgs) != 9 || msgs[8]["state_key_at_time"] != "deal" ||
			fmt.Sprint(msgs[8]["score_at_time"]) != "3" || msgs[8]["decision"] != "pass" {
			t.Fatalf("haggle history: %d %s", r.Status, r.Raw)
		}

		// Machines: session, outcome, link and availability of each.
		r = s.sdk("GET", kael+"/machines?user_session_id=u1", key, nil)
		ms := list(r)
		if r.Status != 200 || len(ms) != 3 {
			t.Fatalf("machines: %d %s", r.Status, r.Raw)
		}
		expect(t, ms[1], map[string]any{"machine_id": "smuggle", "has_session": true, "session_outcome": "ACCEPT", "is_linked": true, "is_available": true})
		expect(t, ms[2], map[string]any{"machine_id": "apology", "has_session": false, "session_outcome": nil, "is_available": false})
		r = s.documented("GET", "/api/v1/personas/merchant-kael/available-machines?user_session_id=u1", key, nil)
		if got := ids(list(r), "machine_id"); r.Status != 200 || !reflect.DeepEqual(got, []string{"haggle", "smuggle"}) {
			t.Fatalf("available machines: %d %s", r.Status, r.Raw)
		}

		// Reset one machine: its session and history go, progress stays; it can be replayed.
		r = s.sdk("POST", kael+"/reset?user_session_id=u1&machine_id=smuggle", key, nil)
		if r.Status != 200 || r.Body["session_id"] != smuggleSession {
			t.Fatalf("reset: %d %s", r.Status, r.Raw)
		}
		if r := s.sdk("GET", kael+"/session?user_session_id=u1&machine_id=smuggle", key, nil); r.Status != 404 {
			t.Fatalf("session after reset: %d %s", r.Status, r.Raw)
		}
		if r := s.sdk("POST", kael+"/reset?user_session_id=u1&machine_id=smuggle", key, nil); r.Status != 404 {
			t.Fatalf("second reset: %d %s", r.Status, r.Raw)
		}
		r = s.documented("GET", "/api/v1/personas/merchant-kael/progress?user_session_id=u1", key, nil)
		expect(t, r.Body, map[string]any{"relationship_level": 2, "total_score": 3})
		if r := s.sdk("POST", kael+"/init-session?machine_id=smuggle", key, map[string]any{"user_session_id": "u1"}); r.Status != 200 {
			t.Fatalf("replay: %d %s", r.Status, r.Raw)
		}

		// Reset progress: everything goes, the linked machine locks again.
		if r := s.documented("DELETE", "/api/v1/personas/merchant-kael/progress?user_session_id=u1", key, nil); r.Status != 200 {
			t.Fatalf("reset progress: %d %s", r.Status, r.Raw)
		}
		r = s.documented("GET", "/api/v1/personas/merchant-kael/progress?user_session_id=u1", key, nil)
		expect(t, r.Body, map[string]any{"relationship_level": 0, "total_score": 0, "current_machine_id": nil, "completed_machines": []any{},
			"cross_machine_vars": map[string]any{}})
		if r := s.sdk("POST", kael+"/init-session?machine_id=smuggle", key, map[string]any{"user_session_id": "u1"}); r.Status != 403 {
			t.Fatalf("locked after reset: %d %s", r.Status, r.Raw)
		}
		if n := s.count(`SELECT COUNT(*) FROM persona_sessions WHERE persona_id = 'merchant-kael'`); n != 0 {
			t.Fatalf("%d sessions after reset", n)
		}
	}
}

func toMaps(v any) []map[string]any {
	var out []map[string]any
	for _, x := range v.([]any) {
		out = append(out, x.(map[string]any))
	}
	return out
}

// TestPersonaRateLimitShape: a 429 on the play API carries Retry-After and the SDK's error shape.
func TestPersonaRateLimitShape(t *testing.T) {
	s := newServer(t, store.SQLite, func(c *app.Config) { c.RateLimit = ratelimit.Limit{PerSecond: 0.001, Burst: 1} })
	key := s.guest()
	var r resp
	for i := 0; i < 3; i++ {
		r = s.do("GET", "/api/v1/sdk/personas", "", nil, "X-API-Key", key)
	}
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Fatalf("rate limit: %d %s", r.Status, r.Raw)
	}
	sdkError(t, r)
}

// TestPersonaTools: an agent plays a shipped persona through the tools endpoint and MCP's set.
func TestPersonaTools(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newServer(t, e)
		key := s.guest()
		call := func(tool, params string) resp {
			t.Helper()
			return s.do("POST", "/api/openclaw/tools", key, []byte(fmt.Sprintf(`{"tool":%q,"parameters":%s}`, tool, params)))
		}
		result := func(r resp) map[string]any {
			t.Helper()
			res, _ := r.Body["result"].(map[string]any)
			if r.Status != 200 || r.Body["success"] != true || res == nil {
				t.Fatalf("%d %s", r.Status, r.Raw)
			}
			return res
		}
		if got := ids(toMaps(result(call("persona_list", `{}`))["personas"]), "id"); !reflect.DeepEqual(got, []string{"captain-sera", "merchant-kael"}) {
			t.Fatalf("persona_list %v", got)
		}
		play := `"persona_id":"captain-sera","user_session_id":"agent-1"`
		if r := call("persona_message", `{`+play+`,"message":"hello"}`); r.Status != 404 {
			t.Fatalf("message before start: %d %s", r.Status, r.Raw)
		}
		if r := call("persona_start", `{"persona_id":"captain-sera"}`); r.Status != 400 && r.Status != 422 {
			t.Fatalf("start without user_session_id: %d %s", r.Status, r.Raw)
		}
		st := result(call("persona_start", `{`+play+`,"player_name":"Brennan"}`))
		if st["machine_id"] != "gate" || st["session_id"] == "" {
			t.Fatalf("persona_start %v", st)
		}
		m := result(call("persona_message", `{`+play+`,"message":"My name is Brennan"}`))
		expect(t, m, map[string]any{"current_state": "purpose", "score": 1, "decision": "pass"})
		m = result(call("persona_message", `{`+play+`,"message":"I come to trade wool"}`))
		expect(t, m, map[string]any{"outcome": "ACCEPT", "machine_completed": true})
		p := result(call("persona_progress", `{`+play+`}`))
		expect(t, p, map[string]any{"relationship_level": 1, "total_score": 3})
		if r := result(call("persona_reset", `{`+play+`}`)); r["persona_id"] != "captain-sera" {
			t.Fatalf("persona_reset %v", r)
		}
		expect(t, result(call("persona_progress", `{`+play+`}`)), map[string]any{"relationship_level": 0, "total_score": 0})
	})
}

// TestPersonaSDKKeys: pk_live_ keys are issued to the signed-in account (shown once), play through
// X-API-Key, are listed by prefix and revoked for good; another account cannot touch them.
func TestPersonaSDKKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := withDoc(newServer(t, e))
		acct, other := s.guest(), s.guest()
		if r := s.documented("POST", "/api/v1/sdk/api-keys", "", body(map[string]any{"name": "game"})); r.Status != 401 {
			t.Fatalf("no key: %d %s", r.Status, r.Raw)
		}
		if r := s.documented("POST", "/api/v1/sdk/api-keys", acct, body(map[string]any{"name": strings.Repeat("n", 101)})); r.Status != 422 {
			t.Fatalf("long name: %d %s", r.Status, r.Raw)
		}
		r := s.documented("POST", "/api/v1/sdk/api-keys", acct, body(map[string]any{"name": "my game"}))
		pk, _ := r.Body["key"].(string)
		if r.Status != 200 || !strings.HasPrefix(pk, "pk_live_") || len(pk) != 8+64 || r.Body["key_prefix"] != "pk_live_" ||
			r.Body["name"] != "my game" || !strings.HasPrefix(pk, r.Body["prefix"].(string)) {
			t.Fatalf("create: %d %s", r.Status, r.Raw)
		}
		id := r.Body["id"].(string)
		if r := s.sdk("GET", "/api/v1/sdk/personas", pk, nil); r.Status != 200 || len(list(r)) != 2 {
			t.Fatalf("play with the pk_live_ key: %d %s", r.Status, r.Raw)
		}
		// The account key keeps working beside it.
		if r := s.sdk("GET", "/api/v1/sdk/personas", acct, nil); r.Status != 200 {
			t.Fatalf("account key: %d %s", r.Status, r.Raw)
		}
		r = s.documented("GET", "/api/v1/sdk/api-keys", acct, nil)
		if ks := list(r); r.Status != 200 || len(ks) != 1 || ks[0]["id"] != id || ks[0]["key"] != nil || ks[0]["name"] != "my game" {
			t.Fatalf("list: %d %s", r.Status, r.Raw)
		}
		if r := s.documented("GET", "/api/v1/sdk/api-keys", other, nil); r.Status != 200 || len(list(r)) != 0 {
			t.Fatalf("other's list: %d %s", r.Status, r.Raw)
		}
		if r := s.documented("DELETE", "/api/v1/sdk/api-keys/"+id, other, nil); r.Status != 404 {
			t.Fatalf("revoke another's key: %d %s", r.Status, r.Raw)
		}
		if r := s.documented("DELETE", "/api/v1/sdk/api-keys/"+id, acct, nil); r.Status != 200 || r.Body["revoked"] != true {
			t.Fatalf("revoke: %d %s", r.Status, r.Raw)
		}
		if r := s.sdk("GET", "/api/v1/sdk/personas", pk, nil); r.Status != 401 {
			t.Fatalf("revoked key: %d %s", r.Status, r.Raw)
		}
		if r := s.documented("DELETE", "/api/v1/sdk/api-keys/"+id, acct, nil); r.Status != 404 {
			t.Fatalf("revoke twice: %d %s", r.Status, r.Raw)
		}
	})
}

// TestPersonaConcurrentTurns: one player's messages racing each other are each applied whole or
// refused (409), never merged or lost: the history holds exactly the answered turns.
func TestPersonaConcurrentTurns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newServer(t, e)
		key := s.guest()
		const kael = "/api/v1/sdk/chat/merchant-kael"
		if r := s.do("POST", kael+"/init-session", "", body(map[string]any{"user_session_id": "race"}), "X-API-Key", key); r.Status != 200 {
			t.Fatalf("init: %d %s", r.Status, r.Raw)
		}
		const n = 12
		codes := make(chan int, n)
		var wg sync.WaitGroup
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes <- s.do("POST", kael+"/message", "", body(map[string]any{"user_session_id": "race", "message": "I want to buy a lantern"}),
					"X-API-Key", key).Status
			}()
		}
		wg.Wait()
		close(codes)
		ok := 0
		for c := range codes {
			switch c {
			case 200:
				ok++
			case 409:
			default:
				t.Fatalf("status %d", c)
			}
		}
		r := s.do("GET", kael+"/history?user_session_id=race&machine_id=haggle", "", nil, "X-API-Key", key)
		if r.Status != 200 || len(r.Body["messages"].([]any)) != 1+2*ok || ok == 0 {
			t.Fatalf("%d answered, history %d: %s", ok, len(r.Body["messages"].([]any)), r.Raw)
		}
	})
}

// TestPersonaProgressWithoutRefs: a progress row stored before it kept its sessions' ids and
// history seqs (session_refs) still plays: the turn falls back to the tables once, the history
// continues in order, and the next save stores the refs again.
func TestPersonaProgressWithoutRefs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := withDoc(newServer(t, e))
		key := s.guest()
		const kael = "/api/v1/sdk/chat/merchant-kael"
		if r := s.do("POST", kael+"/init-session", "", body(map[string]any{"user_session_id": "old", "player_name": "Ada"}), "X-API-Key", key); r.Status != 200 {
			t.Fatalf("init: %d %s", r.Status, r.Raw)
		}
		expect(t, s.say(key, "merchant-kael", "old", "Hello there"), map[string]any{"current_state": "haggling", "score": 1})
		strip := func() {
			t.Helper()
			err := s.app.DB.Write(context.Background(), func(ctx context.Context, q store.Q) error {
				var raw string
				if err := q.QueryRow(ctx, `SELECT state FROM persona_progress WHERE persona_id = 'merchant-kael' AND user_session_id = 'old'`).Scan(&raw); err != nil {
					return err
				}
				var m map[string]any
				if err := json.Unmarshal([]byte(raw), &m); err != nil {
					return err
				}
				if m["session_refs"] == nil {
					return fmt.Errorf("no session_refs stored: %s", raw)
				}
				delete(m, "session_refs")
				b, _ := json.Marshal(m)
				_, err := q.Exec(ctx, `UPDATE persona_progress SET state = ?, version = version + 1 WHERE persona_id = 'merchant-kael' AND user_session_id = 'old'`, string(b))
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		strip()
		expect(t, s.say(key, "merchant-kael", "old", "I want to buy a lantern"), map[string]any{"decision": "redirect", "redirect_count": 1})
		strip()
		if r := s.do("GET", kael+"/session?user_session_id=old", "", nil, "X-API-Key", key); r.Status != 200 || r.Body["session_id"] == "" {
			t.Fatalf("session: %d %s", r.Status, r.Raw)
		}
		// The deal completes the haggle (its output variables come from the history) and enters
		// the next machine.
		r := s.say(key, "merchant-kael", "old", "60 gold")
		expect(t, r, map[string]any{"outcome": "ACCEPT", "machine_completed": true})
		if next, _ := r["next_machine"].(map[string]any); next == nil || !strings.Contains(fmt.Sprint(next["message"]), "You bought the lantern fairly, Ada") {
			t.Fatalf("the carried variables: %v", r)
		}
		h := s.do("GET", kael+"/history?user_session_id=old&machine_id=haggle", "", nil, "X-API-Key", key)
		msgs := h.Body["messages"].([]any)
		if h.Status != 200 || len(msgs) != 7 {
			t.Fatalf("history: %d %s", h.Status, h.Raw)
		}
		for i, m := range msgs {
			if id := m.(map[string]any)["id"].(string); !strings.HasSuffix(id, fmt.Sprintf("-%d", i+1)) {
				t.Fatalf("message %d has id %s", i, id)
			}
		}

		// An output variable whose pattern matched only an earlier message (Sera's alias, in a
		// copy without the per-message extraction): the turn that ends the machine reads the history.
		ex, err := examples.Get("captain-sera")
		if err != nil {
			t.Fatal(err)
		}
		var def map[string]any
		if err := json.Unmarshal(ex.JSON, &def); err != nil {
			t.Fatal(err)
		}
		for _, m := range def["machines"].([]any) {
			for _, st := range m.(map[string]any)["states"].([]any) {
				delete(st.(map[string]any), "extract")
			}
		}
		saved := s.do("POST", "/api/v1/creator/save", key, body(def))
		if saved.Status != 200 {
			t.Fatalf("save: %d %s", saved.Status, saved.Raw)
		}
		pid := saved.Body["id"].(string)
		if r := s.do("POST", "/api/v1/creator/publish?persona_id="+pid, key, nil); r.Status != 200 {
			t.Fatalf("publish: %d %s", r.Status, r.Raw)
		}
		if r := s.do("POST", "/api/v1/sdk/chat/"+pid+"/init-session", "", body(map[string]any{"user_session_id": "old"}), "X-API-Key", key); r.Status != 200 {
			t.Fatalf("init: %d %s", r.Status, r.Raw)
		}
		for _, m := range []string{"Why?", "My name is Brennan", "Why do you ask?", "I come to trade wool"} {
			s.say(key, pid, "old", m)
		}
		p := s.do("GET", "/api/v1/personas/"+pid+"/progress?user_session_id=old", key, nil)
		if vars, _ := p.Body["cross_machine_vars"].(map[string]any); p.Status != 200 || vars["alias"] != "Brennan" {
			t.Fatalf("progress: %d %s", p.Status, p.Raw)
		}
	})
}
