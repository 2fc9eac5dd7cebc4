package guide

import (
	"strings"
	"testing"
)

func TestMarkdown(t *testing.T) {
	ts := []Tool{
		{Name: "xpersona_auth_guest", Description: "Create a guest.", NoAuth: true, Params: map[string]any{"type": "object",
			"required": []any{"action"}, "properties": map[string]any{"action": map[string]any{"type": "string", "enum": []any{"create", "login"}}}}},
		{Name: "xpersona_place_dice_round", Description: "Play | one round.", Returns: []string{"win", "balance"}, Params: map[string]any{"type": "object",
			"required": []string{"amount"}, "properties": map[string]any{
				"amount": map[string]any{"type": "integer", "minimum": 1, "maximum": 10000},
				"seed":   map[string]any{"type": "string", "maxLength": 128, "description": "your\nseed"}}}},
		{Name: "xpersona_get_balance", Description: "Balance.", Params: map[string]any{"type": "object", "properties": map[string]any{}}},
	}
	md := Markdown(ts, "https://arcade.example/")
	for _, want := range []string{
		"curl -s -X POST https://arcade.example/api/auth/guest",
		"https://arcade.example/mcp",
		"### xpersona_auth_guest\n\nCreate a guest.\n\nNeeds no API key.",
		"| `action` | string | yes | one of `create`, `login` |",
		"| `amount` | integer | yes | ≥ 1; ≤ 10000 |",
		"| `seed` | string |  | length ≤ 128 | your seed |",
		"Play | one round.",
		"Returns: `win`, `balance`.",
		"### xpersona_get_balance\n\nBalance.\n\nNeeds an API key.\n\nParameters: none.",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("guide lacks %q:\n%s", want, md)
		}
	}
	// The required parameter comes first.
	if strings.Index(md, "`amount`") > strings.Index(md, "`seed`") {
		t.Error("required parameters are not listed first")
	}
	if !strings.Contains(Markdown(ts, ""), DefaultBaseURL+"/api/auth/guest") {
		t.Error("no default base URL")
	}
}
