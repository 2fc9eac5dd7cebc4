// Package mcptest drives an Arcade MCP server with the SDK's own client, so the streamable HTTP
// binding and the stdio proxy are held to the same calls and answers.
package mcptest

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/arcadehq/arcade/internal/mcpapi"
)

// Client is the MCP client the tests connect with.
func Client() *mcp.Client {
	return mcp.NewClient(&mcp.Implementation{Name: "arcade-test", Version: "test"}, nil)
}

// Call calls tool with args and returns the result's structured content as a map, failing t on a
// protocol error. The text content must be the same JSON.
func Call(t testing.TB, cs *mcp.ClientSession, tool string, args any) (map[string]any, *mcp.CallToolResult) {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Fatalf("%s: protocol error %v", tool, err)
	}
	var m map[string]any
	raw, err := json.Marshal(res.StructuredContent)
	if err != nil || json.Unmarshal(raw, &m) != nil {
		t.Fatalf("%s: structured content %v is not an object", tool, res.StructuredContent)
	}
	if len(res.Content) != 1 {
		t.Fatalf("%s: want one text content, got %d", tool, len(res.Content))
	}
	text, ok := res.Content[0].(*mcp.TextContent)
	if !ok {
		t.Fatalf("%s: content is %T", tool, res.Content[0])
	}
	if !res.IsError {
		var fromText map[string]any
		if json.Unmarshal([]byte(text.Text), &fromText) != nil || !jsonEqual(fromText, m) {
			t.Fatalf("%s: text %s differs from structured content %s", tool, text.Text, raw)
		}
	}
	return m, res
}

// OK calls tool and fails t unless the call succeeded.
func OK(t testing.TB, cs *mcp.ClientSession, tool string, args any) map[string]any {
	t.Helper()
	m, res := Call(t, cs, tool, args)
	if res.IsError {
		t.Fatalf("%s(%v): tool error %v", tool, args, m)
	}
	return m
}

// ToolNames lists the server's tools, sorted.
func ToolNames(t testing.TB, cs *mcp.ClientSession) []string {
	t.Helper()
	var names []string
	for tool, err := range cs.Tools(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		if tool.InputSchema == nil || tool.Description == "" {
			t.Errorf("tool %s lacks a schema or description", tool.Name)
		}
		names = append(names, tool.Name)
	}
	slices.Sort(names)
	return names
}

// Guest creates a guest account through xpersona_auth_guest and returns its key.
func Guest(t testing.TB, cs *mcp.ClientSession) string {
	t.Helper()
	g := OK(t, cs, "xpersona_auth_guest", map[string]any{"action": "create"})
	key, _ := g["guest_token"].(string)
	if key == "" || g["success"] != true {
		t.Fatalf("auth_guest: %v", g)
	}
	return key
}

// Play claims the Free Credits, places a dice round and reads the balance, checking that the
// balance moved by the round's result; an ill-typed and a missing argument must come back as tool
// errors naming the field. It returns the balance at the end.
func Play(t testing.TB, cs *mcp.ClientSession) float64 {
	t.Helper()
	before := num(t, OK(t, cs, "xpersona_get_balance", map[string]any{}), "balance")
	f := OK(t, cs, "xpersona_claim_faucet", map[string]any{})
	if f["success"] != true {
		t.Fatalf("faucet: %v", f)
	}
	granted := num(t, f, "granted")
	if afterFaucet := num(t, f, "balance"); !near(afterFaucet, before+granted) {
		t.Fatalf("faucet: balance %v, want %v + %v", afterFaucet, before, granted)
	}
	const amount = 10
	r := OK(t, cs, "xpersona_place_dice_round", map[string]any{"amount": amount, "target": 50, "condition": "over"})
	pnl := num(t, r, "payout") - amount
	if win := r["win"] == true; win != (pnl > 0) {
		t.Fatalf("round: win %v with pnl %v", r["win"], pnl)
	}
	if got := num(t, r, "balance"); !near(got, before+granted+pnl) {
		t.Fatalf("round: balance %v, want %v + %v + %v", got, before, granted, pnl)
	}
	bal := num(t, OK(t, cs, "xpersona_get_balance", map[string]any{}), "balance")
	if !near(bal, before+granted+pnl) {
		t.Fatalf("balance %v after the round, want %v", bal, before+granted+pnl)
	}
	for _, c := range []struct {
		args  map[string]any
		field string
	}{
		{map[string]any{"amount": "abc", "target": 50, "condition": "over"}, "parameters.amount"},
		{map[string]any{"amount": 10, "condition": "over"}, "parameters.target"},
		{map[string]any{"amount": 10, "target": 50, "condition": "sideways"}, "parameters.condition"},
	} {
		m, res := Call(t, cs, "xpersona_place_dice_round", c.args)
		text := res.Content[0].(*mcp.TextContent).Text
		if !res.IsError || m["success"] != false || m["field"] != c.field || m["code"] != "VALIDATION_ERROR" || !strings.Contains(text, c.field) {
			t.Errorf("%v: want a tool error naming %s, got %v (%s)", c.args, c.field, m, text)
		}
	}
	if got := num(t, OK(t, cs, "xpersona_get_balance", map[string]any{}), "balance"); !near(got, bal) {
		t.Fatalf("a refused round moved money: %v → %v", bal, got)
	}
	return bal
}

// Idempotent places a round twice with one idempotency key in _meta: the second call replays
// the first answer and money moves once. A key that is not a string is a tool error naming it.
// It returns the balance at the end.
func Idempotent(t testing.TB, cs *mcp.ClientSession) float64 {
	t.Helper()
	ctx := context.Background()
	args := map[string]any{"amount": 1, "target": 50, "condition": "under"}
	var first map[string]any
	for i := range 2 {
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "xpersona_place_dice_round", Arguments: args,
			Meta: mcp.Meta{mcpapi.IdempotencyMeta: "mcptest-round-1"}})
		if err != nil || res.IsError {
			t.Fatalf("idempotent round %d: %v %v", i, err, res)
		}
		var m map[string]any
		raw, _ := json.Marshal(res.StructuredContent)
		_ = json.Unmarshal(raw, &m)
		if i == 0 {
			first = m
		} else if !jsonEqual(m, first) {
			t.Fatalf("a retry with the same key answered %v, first %v", m, first)
		}
	}
	bal := num(t, OK(t, cs, "xpersona_get_balance", map[string]any{}), "balance")
	if !near(bal, num(t, first, "balance")) {
		t.Fatalf("balance %v after a replayed round, want %v", bal, first["balance"])
	}
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "xpersona_place_dice_round", Arguments: args,
		Meta: mcp.Meta{mcpapi.IdempotencyMeta: 7}})
	if err != nil || !res.IsError || !strings.Contains(res.Content[0].(*mcp.TextContent).Text, "_meta."+mcpapi.IdempotencyMeta) {
		t.Fatalf("non-string key: %v %v", err, res)
	}
	return bal
}

// Resources reads the fairness document and the agent guide.
func Resources(t testing.TB, cs *mcp.ClientSession) {
	t.Helper()
	ctx := context.Background()
	var uris []string
	for r, err := range cs.Resources(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		uris = append(uris, r.URI)
	}
	slices.Sort(uris)
	if want := []string{mcpapi.GuideURI, mcpapi.FairnessURI}; !slices.Equal(uris, want) {
		t.Fatalf("resources %v, want %v", uris, want)
	}
	for uri, want := range map[string][]string{
		mcpapi.FairnessURI: {"# Fairness", "commitment"},
		mcpapi.GuideURI:    {"xpersona_auth_guest", "xpersona_claim_faucet", "xpersona_place_dice_round", "Authorization: Bearer"},
	} {
		res, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: uri})
		if err != nil {
			t.Fatalf("%s: %v", uri, err)
		}
		if len(res.Contents) != 1 {
			t.Fatalf("%s: %d contents", uri, len(res.Contents))
		}
		for _, w := range want {
			if !strings.Contains(res.Contents[0].Text, w) {
				t.Errorf("%s lacks %q", uri, w)
			}
		}
	}
}

func num(t testing.TB, m map[string]any, k string) float64 {
	t.Helper()
	v, ok := m[k].(float64)
	if !ok {
		t.Fatalf("%s is %T (%v) in %v", k, m[k], m[k], m)
	}
	return v
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
