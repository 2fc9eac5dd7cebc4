package app_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/arcadehq/arcade/internal/store"
)

// renamedOps are spec 001's operationIds that spec 000 uses too: Arcade serves them prefixed.
var renamedOps = map[string]string{"getBet": "v1GetBet", "getBalance": "v1GetBalance", "withdraw": "v1Withdraw"}

// TestSpec001Coverage: every path and method of spec 001 (testdata/spec001.json, the spec's
// pretty-printed file) is in the served /openapi.json with its operationId, parameters,
// documented statuses and security, and the document carries the spec's guidance.
func TestSpec001Coverage(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "spec001.json"))
	if err != nil {
		t.Fatal(err)
	}
	type op struct {
		OperationID string           `json:"operationId"`
		Parameters  []map[string]any `json:"parameters"`
		Responses   map[string]any   `json:"responses"`
		Security    []map[string]any `json:"security"`
		RequestBody map[string]any   `json:"requestBody"`
	}
	var spec, served struct {
		Info       map[string]any
		Paths      map[string]map[string]json.RawMessage
		Components struct {
			SecuritySchemes map[string]any `json:"securitySchemes"`
		}
	}
	if err := json.Unmarshal(raw, &spec); err != nil {
		t.Fatal(err)
	}
	s := newServer(t, store.SQLite)
	if err := json.Unmarshal(s.do("GET", "/openapi.json", "", nil).Raw, &served); err != nil {
		t.Fatal(err)
	}
	if g, _ := served.Info["x-guidance"].(string); !strings.Contains(g, "PLAY → SETTLE → REVEAL") || !strings.Contains(g, "siwe-session") {
		t.Errorf("info.x-guidance: %q", g)
	}
	if served.Components.SecuritySchemes["siwx"] == nil {
		t.Error("no siwx security scheme")
	}
	var n int
	for path, methods := range spec.Paths {
		for method, rawOp := range methods {
			if !slices.Contains([]string{"get", "post", "put", "patch", "delete"}, method) {
				continue
			}
			n++
			var want, got op
			_ = json.Unmarshal(rawOp, &want)
			gotRaw, ok := served.Paths[path][method]
			if !ok {
				t.Errorf("%s %s is not in /openapi.json", strings.ToUpper(method), path)
				continue
			}
			_ = json.Unmarshal(gotRaw, &got)
			id := want.OperationID
			if r, ok := renamedOps[id]; ok {
				id = r
			}
			if got.OperationID != id {
				t.Errorf("%s %s: operationId %s, want %s", method, path, got.OperationID, id)
			}
			for _, p := range want.Parameters {
				var found bool
				for _, q := range got.Parameters {
					found = found || (strings.EqualFold(q["name"].(string), p["name"].(string)) && q["in"] == p["in"])
				}
				if !found {
					t.Errorf("%s %s: no %s parameter %s", method, path, p["in"], p["name"])
				}
			}
			for status := range want.Responses {
				if got.Responses[status] == nil {
					t.Errorf("%s %s: no %s response", method, path, status)
				}
			}
			if (want.RequestBody != nil) != (got.RequestBody != nil) {
				t.Errorf("%s %s: request body %v, want %v", method, path, got.RequestBody != nil, want.RequestBody != nil)
			}
			for _, sec := range want.Security {
				for name := range sec {
					var has bool
					for _, g := range got.Security {
						_, ok := g[name]
						has = has || ok
					}
					if !has {
						t.Errorf("%s %s: security %s missing (%v)", method, path, name, got.Security)
					}
				}
			}
		}
	}
	if n != 21 {
		t.Fatalf("spec 001 has %d operations here, want 21", n)
	}
}
