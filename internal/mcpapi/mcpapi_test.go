package mcpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/arcadehq/arcade/internal/errs"
)

// TestEveryKindHasACode: a new error kind must get a code in this surface's table.
func TestEveryKindHasACode(t *testing.T) {
	for _, k := range errs.Kinds() {
		if codeOf[k] == "" {
			t.Errorf("error kind %s has no MCP code", k)
		}
	}
}

func structured(t *testing.T, r *mcp.CallToolResult) map[string]any {
	t.Helper()
	raw, ok := r.StructuredContent.(json.RawMessage)
	if !ok {
		t.Fatalf("structured content is %T", r.StructuredContent)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestToolError(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	r := ToolError(log, "x", errs.Invalid("parameters.amount", "must be a number"))
	m := structured(t, r)
	text := r.Content[0].(*mcp.TextContent).Text
	if !r.IsError || m["field"] != "parameters.amount" || m["code"] != "VALIDATION_ERROR" || m["success"] != false ||
		!strings.HasPrefix(text, "parameters.amount: must be a number") {
		t.Fatalf("validation: %v %q", m, text)
	}
	r = ToolError(log, "x", &errs.Error{Kind: errs.RateLimited, Code: "FAUCET_COOLDOWN", Message: "wait",
		RetryAfter: 1500 * time.Millisecond, Data: map[string]any{"nextFaucetAt": "t"}})
	if m := structured(t, r); m["code"] != "FAUCET_COOLDOWN" || m["retry_after"] != 2.0 || m["nextFaucetAt"] != "t" {
		t.Fatalf("cooldown: %v", m)
	}
	// A failure that is not a domain error never shows its cause.
	r = ToolError(log, "x", errors.New("database password is hunter2"))
	if m := structured(t, r); !r.IsError || m["code"] != "INTERNAL_ERROR" || strings.Contains(r.Content[0].(*mcp.TextContent).Text, "hunter2") {
		t.Fatalf("internal: %v", m)
	}
}

func TestResultIsAnObject(t *testing.T) {
	for v, want := range map[string]string{`{"a":1}`: `{"a":1}`, `[1,2]`: `{"result":[1,2]}`, `null`: `{"result":null}`} {
		r := Result(json.RawMessage(v))
		if got := string(r.StructuredContent.(json.RawMessage)); got != want || r.Content[0].(*mcp.TextContent).Text != want {
			t.Errorf("%s: %s", v, got)
		}
	}
	if got := string(Result(map[string]any{"b": true}).StructuredContent.(json.RawMessage)); got != `{"b":true}` {
		t.Errorf("map: %s", got)
	}
}
