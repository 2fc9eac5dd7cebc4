package mcpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/guide"
)

// ProxyConfig says which Arcade a stdio server forwards to.
type ProxyConfig struct {
	// URL is the Arcade server's base URL, e.g. https://arcade.example.com.
	URL string
	// Key is the API key sent with every call; empty for none (see Proxy).
	Key string
	// HTTP is the client used to reach the server (http.DefaultClient when nil).
	HTTP *http.Client
	Options
}

// Proxy builds an MCP server for a remote Arcade: its tools are the server's tool list (GET
// /api/openclaw/tools), and each call is forwarded to POST /api/openclaw/tools with the key as
// Authorization: Bearer (and a call's _meta idempotency key as Idempotency-Key), so the remote
// server's gate resolves the caller as it does for any other client. It is what `arcade mcp` serves over stdio, and works against any running Arcade.
//
// Without a key, the first guest account created through xpersona_auth_guest supplies one: a
// desktop agent can go from nothing to a played round without restarting its MCP server.
func Proxy(ctx context.Context, cfg ProxyConfig) (*mcp.Server, error) {
	base := strings.TrimRight(cfg.URL, "/")
	if base == "" {
		return nil, fmt.Errorf("mcpapi: no Arcade base URL")
	}
	if cfg.HTTP == nil {
		cfg.HTTP = http.DefaultClient
	}
	ts, err := remoteTools(ctx, cfg.HTTP, base)
	if err != nil {
		return nil, err
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = base
	}
	known := make(map[string]bool, len(ts))
	for _, t := range ts {
		known[t.Name] = true
	}
	p := &proxy{http: cfg.HTTP, url: base + "/api/openclaw/tools", key: cfg.Key}
	return build(ts, func(ctx context.Context, req *mcp.CallToolRequest, name string, args json.RawMessage) (any, error) {
		if !known[name] {
			return nil, unknownTool(name)
		}
		idem, err := idempotencyKey(req)
		if err != nil {
			return nil, err
		}
		return p.call(ctx, name, args, idem)
	}, cfg.Options), nil
}

type proxy struct {
	http *http.Client
	url  string
	mu   sync.Mutex
	key  string
}

// remoteTools reads a server's tool list.
func remoteTools(ctx context.Context, c *http.Client, base string) ([]guide.Tool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/openclaw/tools", nil)
	if err != nil {
		return nil, fmt.Errorf("mcpapi: tool list: %w", err)
	}
	res, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("mcpapi: tool list from %s: %w", base, err)
	}
	defer res.Body.Close()
	var body struct {
		Tools map[string]struct {
			Name        string         `json:"name"`
			Description string         `json:"description"`
			Parameters  map[string]any `json:"parameters"`
			Returns     struct {
				Properties map[string]any `json:"properties"`
			} `json:"returns"`
			NoAuth bool `json:"noAuth"`
		} `json:"tools"`
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("mcpapi: tool list from %s: status %s", base, res.Status)
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 8<<20)).Decode(&body); err != nil {
		return nil, fmt.Errorf("mcpapi: tool list from %s: %w", base, err)
	}
	if len(body.Tools) == 0 {
		return nil, fmt.Errorf("mcpapi: tool list from %s is empty", base)
	}
	out := make([]guide.Tool, 0, len(body.Tools))
	for name, t := range body.Tools {
		if t.Name == "" {
			t.Name = name
		}
		g := guide.Tool{Name: t.Name, Description: t.Description, Params: t.Parameters, NoAuth: t.NoAuth}
		for f := range t.Returns.Properties {
			g.Returns = append(g.Returns, f)
		}
		sortStrings(g.Returns)
		out = append(out, g)
	}
	sortTools(out)
	return out, nil
}

// call forwards one call and returns the remote result, or a *remoteError in the remote shape.
func (p *proxy) call(ctx context.Context, name string, args json.RawMessage, idem string) (any, error) {
	if len(bytes.TrimSpace(args)) == 0 {
		args = json.RawMessage("{}")
	}
	body, err := json.Marshal(map[string]any{"tool": name, "parameters": args})
	if err != nil {
		return nil, errs.Invalid("arguments", "must be a JSON object")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("mcpapi: forward %s: %w", name, err)
	}
	req.Header.Set("Content-Type", "application/json")
	p.mu.Lock()
	key := p.key
	p.mu.Unlock()
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if idem != "" {
		req.Header.Set("Idempotency-Key", idem)
	}
	res, err := p.http.Do(req)
	if err != nil {
		return nil, &remoteError{body: map[string]any{"success": false, "code": "SERVICE_UNAVAILABLE",
			"error": fmt.Sprintf("cannot reach Arcade at %s: %v", p.url, err)}}
	}
	defer res.Body.Close()
	var answer struct {
		Success *bool           `json:"success"`
		Result  json.RawMessage `json:"result"`
	}
	raw, err := io.ReadAll(io.LimitReader(res.Body, 16<<20))
	if err == nil {
		err = json.Unmarshal(raw, &answer)
	}
	if err != nil || answer.Success == nil {
		return nil, &remoteError{body: map[string]any{"success": false, "code": "SERVICE_UNAVAILABLE",
			"error": fmt.Sprintf("Arcade at %s answered %s with no tool answer", p.url, res.Status)}}
	}
	if !*answer.Success {
		var eb map[string]any
		_ = json.Unmarshal(raw, &eb)
		return nil, &remoteError{body: eb}
	}
	if name == "xpersona_auth_guest" && key == "" {
		var g struct {
			Token string `json:"guest_token"`
		}
		if json.Unmarshal(answer.Result, &g) == nil && g.Token != "" {
			p.mu.Lock()
			if p.key == "" {
				p.key = g.Token
			}
			p.mu.Unlock()
		}
	}
	return answer.Result, nil
}

func sortStrings(s []string) { sort.Strings(s) }

func sortTools(ts []guide.Tool) {
	sort.Slice(ts, func(i, j int) bool { return ts[i].Name < ts[j].Name })
}
