package mcpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/ops"
	"github.com/arcadehq/arcade/internal/ratelimit"
	"github.com/arcadehq/arcade/internal/tools"
)

// addrHeader carries the HTTP client's address from Handler to the tool handlers, which see the
// request's header but not its connection. Handler always overwrites it, so a client cannot set it.
const addrHeader = "X-Arcade-Mcp-Client-Addr"

// New builds an MCP server over set, in process. Each call resolves its caller through gate from
// the API key of the HTTP request that carries it (Authorization: Bearer, or X-API-Key), so a key
// is checked, rate-limited and attributed per call exactly as on /api; a call with no key is
// anonymous and only the public tools accept it.
func New(set *tools.Set, gate *ops.Gate, opts Options) *mcp.Server {
	return build(set.Guide(), func(ctx context.Context, req *mcp.CallToolRequest, name string, args json.RawMessage) (any, error) {
		t, ok := set.Get(name)
		if !ok {
			return nil, unknownTool(name)
		}
		var key, addr string
		if req.Extra != nil && req.Extra.Header != nil {
			h := http.Request{Header: req.Extra.Header}
			key, addr = httpapi.BearerKey(&h), req.Extra.Header.Get(addrHeader)
		}
		resolve := func(ctx context.Context, key string) (ops.Caller, error) { return gate.Resolve(ctx, key, "mcp", addr) }
		c, err := resolve(ctx, key)
		if err != nil {
			return nil, err
		}
		if c.IdempotencyKey, err = idempotencyKey(req); err != nil {
			return nil, err
		}
		return set.Call(ctx, tools.Env{Resolve: resolve}, c, t, args)
	}, opts)
}

// SessionTimeout closes an MCP session idle for this long; the client then starts a new one.
const SessionTimeout = 30 * time.Minute

// DefaultMaxSessions caps live sessions when Limits.MaxSessions is zero. An idle session holds
// about 14 KB (its state and a goroutine) until it ends or idles out.
const DefaultMaxSessions = 10000

// Limits bound what HTTP clients may hold on the server.
type Limits struct {
	// MaxSessions caps live sessions (0: DefaultMaxSessions); an initialize beyond it answers 503.
	MaxSessions int
	// NewSessions limits sessions opened per client address (zero: off); beyond it, 429.
	NewSessions ratelimit.Limit
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Handler serves srv over streamable HTTP (mount it at /mcp for GET, POST and DELETE; Routes
// documents them). Sessions are kept in memory, bounded by lim; answers are plain JSON rather than
// event streams, since no tool streams.
func Handler(srv *mcp.Server, lim Limits) http.Handler {
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, &mcp.StreamableHTTPOptions{
		JSONResponse:   true,
		SessionTimeout: SessionTimeout,
		// The SDK refuses a loopback connection whose Host is not loopback (DNS rebinding). Every
		// tool that touches an account needs the bearer key, as on /api which has no such check,
		// and the check would refuse a reverse proxy on the same host.
		DisableLocalhostProtection: true,
	})
	if lim.MaxSessions <= 0 {
		lim.MaxSessions = DefaultMaxSessions
	}
	if lim.Now == nil {
		lim.Now = time.Now
	}
	perAddr := ratelimit.New(lim.NewSessions)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr := httpapi.ClientAddr(r)
		r.Header.Set(addrHeader, addr)
		if r.Method == http.MethodPost && r.Header.Get("Mcp-Session-Id") == "" {
			// A new session (initialize).
			if ok, wait := perAddr.Allow(addr, lim.Now()); !ok {
				secs := int((wait + time.Second - 1) / time.Second)
				w.Header().Set("Retry-After", strconv.Itoa(secs))
				rpcError(w, http.StatusTooManyRequests, fmt.Sprintf("too many new MCP sessions from this address; retry after %d s", secs))
				return
			}
			n := 0
			for range srv.Sessions() {
				n++
			}
			if n >= lim.MaxSessions {
				w.Header().Set("Retry-After", "60")
				rpcError(w, http.StatusServiceUnavailable, "too many MCP sessions on this server; retry later")
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// rpcError answers a JSON-RPC error with no id (the request was not read).
func rpcError(w http.ResponseWriter, status int, msg string) {
	httpapi.WriteJSON(w, status, map[string]any{"jsonrpc": "2.0", "id": nil,
		"error": map[string]any{"code": -32000, "message": msg}})
}
