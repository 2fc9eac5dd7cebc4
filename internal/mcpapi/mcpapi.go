// Package mcpapi is the MCP binding of Arcade's tools: an MCP server (the official Go SDK) whose
// tools are exactly the agent tool set (same names, descriptions and parameter schemas as
// /api/openclaw/tools) and whose resources are the fairness document and the agent guide.
//
// It exists so that agents that speak MCP rather than HTTP get the same operations, under the same
// access rules and checks, as the REST and tools surfaces: a call runs through tools.Set.Call with
// a caller resolved by the same ops.Gate. Two servers share this package's tool and resource
// plumbing: New serves the set in process (streamable HTTP at /mcp, see Handler), and Proxy
// serves a remote Arcade's tool list over stdio for desktop clients (`arcade mcp`).
//
// Every failure of a tool call, from an ill-typed argument to an insufficient balance, is a tool
// result with IsError set and the field named, never a protocol error: an agent reads it like any
// other answer and can correct its call.
package mcpapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/arcadehq/arcade/docs"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/guide"
)

// Resource URIs.
const (
	FairnessURI = "arcade://docs/fairness.md"
	GuideURI    = "arcade://docs/agent-guide.md"
)

// Options configure a server.
type Options struct {
	// BaseURL is the Arcade server's public URL, used in the agent guide.
	BaseURL string
	Version string
	Log     *slog.Logger
}

func (o Options) log() *slog.Logger {
	if o.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Log
}

// callFunc runs one tool call and returns its result, or an error to show as a tool error.
type callFunc func(ctx context.Context, req *mcp.CallToolRequest, tool string, args json.RawMessage) (any, error)

// build makes a server with a tool per entry of ts, each run by call, and the two resources.
func build(ts []guide.Tool, call callFunc, opts Options) *mcp.Server {
	version := opts.Version
	if version == "" {
		version = "dev"
	}
	srv := mcp.NewServer(&mcp.Implementation{Name: "arcade", Title: "Arcade", Version: version}, &mcp.ServerOptions{
		Logger: opts.Log,
		Instructions: "Arcade: provably-fair games for AI agents. Read the resource " + GuideURI + " first. " +
			"Without an API key, call xpersona_auth_guest with {\"action\":\"create\"}; then xpersona_claim_faucet " +
			"and xpersona_place_dice_round.",
	})
	log := opts.log()
	for _, t := range ts {
		name := t.Name
		schema := t.Params
		if schema == nil {
			schema = map[string]any{"type": "object", "properties": map[string]any{}}
		}
		srv.AddTool(&mcp.Tool{Name: name, Description: t.Description, InputSchema: schema},
			func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
				var args json.RawMessage
				if req.Params != nil {
					args = req.Params.Arguments
				}
				v, err := call(ctx, req, name, args)
				if err != nil {
					return ToolError(log, name, err), nil
				}
				return Result(v), nil
			})
	}
	guideText := guide.Markdown(ts, opts.BaseURL)
	addText(srv, FairnessURI, "fairness", "Fairness: how to check any Arcade bet",
		"The provably-fair scheme: seeds, commitments, nonces and how to recompute any round offline.", docs.Fairness)
	addText(srv, GuideURI, "agent-guide", "Arcade agent guide",
		"How to get a key, the three calls from nothing to a played round, and every tool with its parameters.", guideText)
	return srv
}

func addText(srv *mcp.Server, uri, name, title, desc, text string) {
	srv.AddResource(&mcp.Resource{URI: uri, Name: name, Title: title, Description: desc, MIMEType: "text/markdown", Size: int64(len(text))},
		func(context.Context, *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
			return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: uri, MIMEType: "text/markdown", Text: text}}}, nil
		})
}

// Result is a successful call's answer: the result as structured content (an object; a result of
// another JSON type is wrapped as {"result": ...}) and the same JSON as text, for clients that
// read only text.
func Result(v any) *mcp.CallToolResult {
	var raw json.RawMessage
	switch x := v.(type) {
	case json.RawMessage:
		raw = x
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: "internal error: the result could not be encoded"}}}
		}
		raw = b
	}
	if len(raw) == 0 || raw[0] != '{' {
		raw, _ = json.Marshal(map[string]json.RawMessage{"result": raw})
	}
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: string(raw)}}, StructuredContent: raw}
}

// codeOf is this surface's one table from error kinds to the code a tool error carries (the same
// codes as /api and the tools endpoint, so an agent learns one vocabulary).
var codeOf = map[errs.Kind]string{
	errs.Internal:            "INTERNAL_ERROR",
	errs.Validation:          "VALIDATION_ERROR",
	errs.Unauthorized:        "UNAUTHORIZED",
	errs.Forbidden:           "FORBIDDEN",
	errs.NotFound:            "NOT_FOUND",
	errs.Conflict:            "CONFLICT",
	errs.InsufficientBalance: "INSUFFICIENT_BALANCE",
	errs.RateLimited:         "RATE_LIMITED",
	errs.Locked:              "LOCKED",
	errs.PaymentRequired:     "PAYMENT_REQUIRED",
	errs.Unavailable:         "SERVICE_UNAVAILABLE",
	errs.TooLarge:            "PAYLOAD_TOO_LARGE",
}

// remoteError is a failure answered by a remote tools endpoint, already in the wire shape.
type remoteError struct {
	body map[string]any
}

func (e *remoteError) Error() string {
	msg, _ := e.body["error"].(string)
	if msg == "" {
		msg = "the tool call failed"
	}
	return msg
}

// ToolError renders err as a tool result with IsError set. The structured content has the tools
// endpoint's failure shape: {success:false, error: message naming the field, code, field?,
// retry_after?, ...}. An error that is not a domain error is logged and shown as a generic text.
func ToolError(log *slog.Logger, tool string, err error) *mcp.CallToolResult {
	var body map[string]any
	if re, ok := err.(*remoteError); ok {
		body = re.body
	} else {
		body = errorBody(log, tool, err)
	}
	msg, _ := body["error"].(string)
	raw, _ := json.Marshal(body)
	text := msg
	if hint, _ := body["hint"].(string); hint != "" {
		text += " (" + hint + ")"
	}
	return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: text}}, StructuredContent: json.RawMessage(raw)}
}

func errorBody(log *slog.Logger, tool string, err error) map[string]any {
	e := errs.As(err)
	if e == nil || e.Kind == errs.Internal {
		log.Error("mcp: internal error", "tool", tool, "err", err)
		return map[string]any{"success": false, "error": "internal error; retry later", "code": codeOf[errs.Internal]}
	}
	code := codeOf[e.Kind]
	if e.Code != "" {
		code = e.Code
	}
	msg := e.Message
	if msg == "" {
		msg = strings.ReplaceAll(e.Kind.String(), "_", " ")
	}
	body := map[string]any{"success": false, "code": code}
	if e.Field != "" {
		body["field"] = e.Field
		msg = e.Field + ": " + msg
	}
	body["error"] = msg
	switch e.Kind {
	case errs.Validation:
		body["hint"] = "tools/list gives every tool's parameters with their types and ranges"
	case errs.Unauthorized:
		body["hint"] = "no key yet? xpersona_auth_guest {\"action\":\"create\"} makes one"
	}
	if e.RetryAfter > 0 {
		body["retry_after"] = int((e.RetryAfter + time.Second - 1) / time.Second)
	}
	if len(e.Data) > 0 {
		body["data"] = e.Data
		for k, v := range e.Data {
			if _, taken := body[k]; !taken {
				body[k] = v
			}
		}
	}
	return body
}

// IdempotencyMeta is the key in a tools/call's _meta whose value, a string, does for a
// money-moving tool what the Idempotency-Key header does on /api: a retry with the same value
// replays the first answer instead of moving money again.
const IdempotencyMeta = "idempotency_key"

// idempotencyKey reads req's IdempotencyMeta ("" when absent).
func idempotencyKey(req *mcp.CallToolRequest) (string, error) {
	if req == nil || req.Params == nil || req.Params.Meta == nil {
		return "", nil
	}
	v, ok := req.Params.Meta[IdempotencyMeta]
	if !ok {
		return "", nil
	}
	k, ok := v.(string)
	if !ok {
		return "", errs.Invalid("_meta."+IdempotencyMeta, "must be a string")
	}
	return k, nil
}

// unknownTool is the answer to a name the remote list lacks (the SDK answers unknown names itself
// for in-process servers).
func unknownTool(name string) error {
	return errs.Invalid("tool", "unknown tool %q", name)
}
