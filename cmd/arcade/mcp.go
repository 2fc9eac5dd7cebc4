package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os/signal"
	"syscall"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/arcadehq/arcade/internal/mcpapi"
)

const mcpUsage = `Usage: arcade mcp [flags]

MCP over stdio for desktop agent clients. Serves the tools of a running Arcade (its
GET /api/openclaw/tools) and forwards each call to its POST /api/openclaw/tools with your API key
(the tools endpoint's limits apply: 10 calls a minute per tool). Resources: the fairness document
and the agent guide. Stdout carries the protocol; diagnostics go to stderr.

Environment:
  ARCADE_API_KEY   (else XPERSONA_API_KEY) your API key. Without one only the public tools work,
                   until xpersona_auth_guest {"action":"create"} makes a guest account, whose key
                   this server then uses.
  ARCADE_BASE_URL  (else XPERSONA_BASE_URL) the server, e.g. http://localhost:8080

Example client configuration (Claude Desktop and others):
  {"mcpServers": {"arcade": {"command": "arcade", "args": ["mcp"],
    "env": {"ARCADE_BASE_URL": "http://localhost:8080", "ARCADE_API_KEY": "xp_..."}}}}

Flags:
`

// mcpCmd serves MCP over stdio for desktop agent clients, forwarding every tool call to a running
// Arcade. Stdout carries the protocol only; diagnostics go to stderr.
func mcpCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	env := func(names ...string) string {
		for _, n := range names {
			if v := getenv(n); v != "" {
				return v
			}
		}
		return ""
	}
	fs := flag.NewFlagSet("mcp", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	base := fs.String("base-url", env("ARCADE_BASE_URL", "XPERSONA_BASE_URL"), "the Arcade server (ARCADE_BASE_URL, else XPERSONA_BASE_URL)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, mcpUsage)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return 0
		}
		fmt.Fprintf(stderr, "arcade mcp: %v (see arcade mcp -h)\n", err)
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "arcade mcp: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *base == "" {
		fmt.Fprintln(stderr, "arcade mcp: set ARCADE_BASE_URL (or --base-url) to the Arcade server, e.g. http://localhost:8080")
		return 2
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: logLevel(getenv("ARCADE_LOG_LEVEL"))}))
	srv, err := mcpapi.Proxy(ctx, mcpapi.ProxyConfig{URL: *base, Key: env("ARCADE_API_KEY", "XPERSONA_API_KEY"),
		Options: mcpapi.Options{Version: versionString(), Log: log}})
	if err != nil {
		fmt.Fprintln(stderr, "arcade mcp:", err)
		return 1
	}
	if err := srv.Run(ctx, &mcp.StdioTransport{}); err != nil && ctx.Err() == nil && !errors.Is(err, io.EOF) {
		fmt.Fprintln(stderr, "arcade mcp:", err)
		return 1
	}
	return 0
}
