// Package guide writes the agent guide: a Markdown text, generated from the tool set, that tells
// an agent with nothing but a base URL how to get a key and play, and what every tool takes. It is
// generated rather than written so that it cannot drift from the tools it describes; MCP serves it
// as a resource, `arcade mcp` serves it from a remote tool list, and /agent-skill.md will serve
// the same text.
package guide

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Tool is what the guide needs to know of one tool, whichever way it was learned (tools.Set.Guide
// in process, or a server's GET /api/openclaw/tools).
type Tool struct {
	Name        string
	Description string
	Params      map[string]any // JSON Schema of the parameters object
	NoAuth      bool
	Returns     []string
}

// DefaultBaseURL stands in for the server's address when it is not configured.
const DefaultBaseURL = "http://localhost:8080"

// Markdown renders the guide for ts, with links and commands against baseURL.
func Markdown(ts []Tool, baseURL string) string {
	base := strings.TrimRight(baseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# Arcade agent guide\n\n")
	p("Arcade is a provably-fair casino for AI agents, played with credits. Every tool below is also a REST call, ")
	p("a call of the tools endpoint (`POST %s/api/openclaw/tools` with `{\"tool\": NAME, \"parameters\": {...}}`) ", base)
	p("and an MCP tool (streamable HTTP at `%s/mcp`, or `arcade mcp` over stdio).\n\n", base)

	p("## Getting a key\n\n")
	p("Create a guest account: no credentials needed. The answer's `guest_token` (REST: `data.apiKey`) is your API key; ")
	p("it is shown once. Send it as `Authorization: Bearer <key>` on every later call (over MCP: the same header on ")
	p("the HTTP connection to `/mcp`, or `ARCADE_API_KEY` for `arcade mcp`).\n\n")

	p("## From nothing to a played round: three calls\n\n")
	p("1. Create a guest: tool `xpersona_auth_guest` with `{\"action\": \"create\"}`, or\n")
	p("   `curl -s -X POST %s/api/auth/guest`\n", base)
	p("2. Claim the Free Credits (100, once an hour): tool `xpersona_claim_faucet` with `{}`, or\n")
	p("   `curl -s -X POST -H \"Authorization: Bearer $KEY\" %s/api/faucet`\n", base)
	p("3. Play a dice round: tool `xpersona_place_dice_round` with `{\"amount\": 10, \"target\": 50, \"condition\": \"over\"}`, or\n")
	p("   `curl -s -X POST -H \"Authorization: Bearer $KEY\" -H 'Content-Type: application/json' -d '{\"amount\":10,\"target\":50,\"condition\":\"over\"}' %s/api/games/dice/round`\n\n", base)
	p("Every round can be checked offline: the fairness document (the MCP resource `arcade://docs/fairness.md`, ")
	p("docs/fairness.md in Arcade's repository) says how, and `arcade verify` does it.\n\n")

	p("## Connecting over MCP\n\n")
	p("- Streamable HTTP: `%s/mcp`, header `Authorization: Bearer <key>` (the public tools need none).\n", base)
	p("- Stdio, for desktop clients: run `arcade mcp` with `ARCADE_BASE_URL=%s` and `ARCADE_API_KEY=<key>`.\n\n", base)

	p("## Tools\n\n")
	for _, t := range ts {
		p("### %s\n\n%s\n\n", t.Name, t.Description)
		if t.NoAuth {
			p("Needs no API key.\n\n")
		} else {
			p("Needs an API key.\n\n")
		}
		writeParams(&b, t.Params)
		if len(t.Returns) > 0 {
			p("Returns: `%s`.\n\n", strings.Join(t.Returns, "`, `"))
		}
	}
	return b.String()
}

// writeParams renders a parameters schema as a table.
func writeParams(b *strings.Builder, schema map[string]any) {
	props, _ := schema["properties"].(map[string]any)
	if len(props) == 0 {
		b.WriteString("Parameters: none.\n\n")
		return
	}
	required := map[string]bool{}
	if rs, ok := schema["required"].([]any); ok {
		for _, r := range rs {
			if s, ok := r.(string); ok {
				required[s] = true
			}
		}
	} else if rs, ok := schema["required"].([]string); ok {
		for _, s := range rs {
			required[s] = true
		}
	}
	names := make([]string, 0, len(props))
	for n := range props {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if required[names[i]] != required[names[j]] {
			return required[names[i]]
		}
		return names[i] < names[j]
	})
	b.WriteString("| parameter | type | required | constraints | description |\n|---|---|---|---|---|\n")
	for _, n := range names {
		s, _ := props[n].(map[string]any)
		req := ""
		if required[n] {
			req = "yes"
		}
		fmt.Fprintf(b, "| `%s` | %s | %s | %s | %s |\n", n, typeOf(s), req, constraints(s), cell(s["description"]))
	}
	b.WriteString("\n")
}

func typeOf(s map[string]any) string {
	switch t := s["type"].(type) {
	case string:
		if t == "array" {
			if items, ok := s["items"].(map[string]any); ok {
				return "array of " + typeOf(items)
			}
		}
		return t
	case []any:
		parts := make([]string, 0, len(t))
		for _, x := range t {
			parts = append(parts, fmt.Sprint(x))
		}
		return strings.Join(parts, " or ")
	}
	return "any"
}

func constraints(s map[string]any) string {
	var parts []string
	if e, ok := s["enum"].([]any); ok {
		vals := make([]string, 0, len(e))
		for _, v := range e {
			vals = append(vals, "`"+jsonText(v)+"`")
		}
		parts = append(parts, "one of "+strings.Join(vals, ", "))
	}
	for _, c := range []struct{ key, label string }{{"minimum", "≥"}, {"exclusiveMinimum", ">"}, {"maximum", "≤"},
		{"exclusiveMaximum", "<"}, {"minLength", "length ≥"}, {"maxLength", "length ≤"}, {"maxItems", "items ≤"}, {"default", "default"}} {
		if v, ok := s[c.key]; ok {
			parts = append(parts, c.label+" "+jsonText(v))
		}
	}
	return strings.Join(parts, "; ")
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return strings.Trim(string(b), `"`)
}

func cell(v any) string {
	s, _ := v.(string)
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
