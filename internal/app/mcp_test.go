package app_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/mcpapi"
	"github.com/arcadehq/arcade/internal/mcpapi/mcptest"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// bearer adds an API key to every request of an MCP client's HTTP connection.
type bearer struct{ key string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.key)
	return http.DefaultTransport.RoundTrip(r)
}

// mcpSession connects the SDK's client to the server's /mcp with key ("" for none).
func (s *server) mcpSession(key string) *mcp.ClientSession {
	s.t.Helper()
	tr := &mcp.StreamableClientTransport{Endpoint: s.URL + "/mcp"}
	if key != "" {
		tr.HTTPClient = &http.Client{Transport: bearer{key}}
	}
	cs, err := mcptest.Client().Connect(context.Background(), tr, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { _ = cs.Close() })
	return cs
}

// TestMCPStreamableHTTP drives /mcp with the SDK's own client: the tool list is the tools
// endpoint's, a guest is created without a key, and with its key the three calls to a played
// round work, bad arguments are tool errors naming the field, and both resources read.
func TestMCPStreamableHTTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newServer(t, e)
		anon := s.mcpSession("")
		names := mcptest.ToolNames(t, anon)
		list := s.do("GET", "/api/openclaw/tools", "", nil)
		var want []string
		for n := range list.Body["tools"].(map[string]any) {
			want = append(want, n)
		}
		slices.Sort(want)
		if len(names) != 42 || !slices.Equal(names, want) {
			t.Fatalf("MCP tools %v\nwant the tools endpoint's %v", names, want)
		}
		key := mcptest.Guest(t, anon)
		m, res := mcptest.Call(t, anon, "xpersona_claim_faucet", map[string]any{})
		if !res.IsError || m["code"] != "UNAUTHORIZED" {
			t.Fatalf("faucet without a key: %v", m)
		}
		mcptest.Resources(t, anon)
		g, err := anon.ReadResource(context.Background(), &mcp.ReadResourceParams{URI: mcpapi.GuideURI})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			if !strings.Contains(g.Contents[0].Text, "### "+n+"\n") {
				t.Errorf("the guide lacks %s", n)
			}
		}

		keyed := s.mcpSession(key)
		mcptest.Play(t, keyed)
		bal := mcptest.Idempotent(t, keyed)
		if r := s.do("GET", "/api/me/balance", key, nil); r.Status != 200 || data(r)["balance"] != bal {
			t.Fatalf("REST balance %s, MCP said %v", r.Raw, bal)
		}
		// A wrong key is refused even for a public tool, as a tool error.
		bad := s.mcpSession("xp_" + strings.Repeat("0", 64))
		if m, res := mcptest.Call(t, bad, "xpersona_get_limits", map[string]any{}); !res.IsError || m["code"] != "UNAUTHORIZED" {
			t.Fatalf("bad key: %v", m)
		}
		// An unknown tool is the protocol's error (the SDK's own answer), not a panic or a 500.
		if _, err := keyed.CallTool(context.Background(), &mcp.CallToolParams{Name: "no_such_tool"}); err == nil {
			t.Fatal("unknown tool: no error")
		}
		ledgertest.Check(t, s.app.DB)
	})
}

// TestMCPInOpenAPI: /mcp is a registered route, so /openapi.json lists it.
func TestMCPInOpenAPI(t *testing.T) {
	s := newServer(t, store.SQLite)
	doc := s.do("GET", "/openapi.json", "", nil)
	p, _ := doc.Body["paths"].(map[string]any)["/mcp"].(map[string]any)
	for _, m := range []string{"get", "post", "delete"} {
		if p[m] == nil {
			t.Errorf("/openapi.json lacks %s /mcp", m)
		}
	}
}
