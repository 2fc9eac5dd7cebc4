package mcpapi

import (
	"encoding/json"
	"net/http"

	"github.com/arcadehq/arcade/internal/httpapi"
)

// Message documents a JSON-RPC 2.0 message posted to /mcp (the MCP specification has the rest).
type Message struct {
	JSONRPC string          `json:"jsonrpc" jsonschema:"required,enum=2.0"`
	ID      json.RawMessage `json:"id,omitempty" jsonschema:"description=absent on notifications"`
	Method  string          `json:"method" jsonschema:"required,description=initialize; tools/list; tools/call; resources/list; resources/read; ..."`
	Params  map[string]any  `json:"params,omitempty"`
}

// Reply documents the JSON-RPC answer to a request (notifications get 202 and no body).
type Reply struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  map[string]any  `json:"result,omitempty" jsonschema:"description=for tools/call: content; structuredContent; isError"`
	Error   map[string]any  `json:"error,omitempty" jsonschema:"description=protocol errors only: a tool's own failure is a result with isError"`
}

// Routes are the HTTP operations of /mcp served by h (from Handler), for the router and
// /openapi.json.
func Routes(h http.Handler) []httpapi.Op {
	const summary = "MCP (streamable HTTP): the tools of /api/openclaw/tools, the fairness document and the agent guide."
	const auth = " Send Authorization: Bearer <API key> on each request; the public tools need none."
	session := httpapi.Param{Name: "Mcp-Session-Id", In: "header", Description: "the session id from the answer to initialize"}
	return []httpapi.Op{
		{Method: "POST", Path: "/mcp", ID: "mcpPost", Tag: "mcp", Summary: summary,
			Description: "A JSON-RPC message per the MCP streamable HTTP transport: initialize first (its answer carries " +
				"the Mcp-Session-Id header), then tools/list, tools/call, resources/read and so on with that header. New sessions " +
				"are limited per client address (429, as sign-ups) and in all (503)." + auth,
			Params: []httpapi.Param{session}, Body: Message{}, Resp: Reply{}, Errors: []int{400, 404, 429, 503},
			Handler: h.ServeHTTP},
		{Method: "GET", Path: "/mcp", ID: "mcpStream", Tag: "mcp", Summary: summary,
			Description: "The session's stream of server messages (server-sent events)." + auth,
			Params:      []httpapi.Param{session}, RespType: "text/event-stream", Resp: "", Errors: []int{400, 404},
			Handler: h.ServeHTTP},
		{Method: "DELETE", Path: "/mcp", ID: "mcpEnd", Tag: "mcp", Summary: summary,
			Description: "Ends the session.", Params: []httpapi.Param{session}, RespStatus: http.StatusNoContent, Errors: []int{400, 404},
			Handler: h.ServeHTTP},
	}
}
