package mcpapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/arcadehq/arcade/internal/ratelimit"
)

// initialize opens a session with a raw POST and returns the status.
func initialize(t *testing.T, url string) int {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(`{"jsonrpc":"2.0","id":0,"method":"initialize",`+
		`"params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestSessionLimits: sessions cost memory until they idle out, so their number is capped, and
// their opening is rate-limited per client address.
func TestSessionLimits(t *testing.T) {
	srv := build(nil, nil, Options{})
	ts := httptest.NewServer(Handler(srv, Limits{MaxSessions: 2}))
	defer ts.Close()
	for i, want := range []int{200, 200, 503} {
		if got := initialize(t, ts.URL); got != want {
			t.Fatalf("session %d: %d, want %d", i, got, want)
		}
	}

	now := time.Unix(1e9, 0)
	srv2 := build(nil, nil, Options{})
	ts2 := httptest.NewServer(Handler(srv2, Limits{NewSessions: ratelimit.Limit{PerSecond: 1, Burst: 2}, Now: func() time.Time { return now }}))
	defer ts2.Close()
	for i, want := range []int{200, 200, 429} {
		if got := initialize(t, ts2.URL); got != want {
			t.Fatalf("new session %d: %d, want %d", i, got, want)
		}
	}
	now = now.Add(time.Second)
	if got := initialize(t, ts2.URL); got != 200 {
		t.Fatalf("after a second: %d", got)
	}
}
