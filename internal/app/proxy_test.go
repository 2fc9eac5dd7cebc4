package app_test

import (
	"testing"

	"github.com/arcadehq/arcade/internal/app"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/ratelimit"
	"github.com/arcadehq/arcade/internal/store"
)

// TestTrustedProxyClients: behind a trusted load balancer (here the test's own loopback peer)
// the sign-up limit counts the clients X-Forwarded-For names, not the balancer; without the
// setting the header is ignored and every request is the peer's.
func TestTrustedProxyClients(t *testing.T) {
	limit := func(c *app.Config) { c.SignUpLimit = ratelimit.Limit{PerSecond: 0.001, Burst: 1} }
	tp, err := httpapi.ParseTrustedProxies("127.0.0.0/8,::1")
	if err != nil {
		t.Fatal(err)
	}
	behind := newServer(t, store.SQLite, limit, func(c *app.Config) { c.TrustedProxies = tp })
	signUp := func(s *server, client string) int {
		return s.do("POST", "/api/auth/guest", "", nil, "X-Forwarded-For", client).Status
	}
	if a, again, b := signUp(behind, "198.51.100.1"), signUp(behind, "198.51.100.1"), signUp(behind, "198.51.100.2"); a != 201 || again != 429 || b != 201 {
		t.Errorf("behind a trusted proxy: first client %d then %d, second client %d; want 201, 429, 201", a, again, b)
	}
	// A client cannot pick its address by writing the header itself: the hop left of the one
	// the proxy appended is ignored.
	if s := signUp(behind, "203.0.113.50, 198.51.100.1"); s != 429 {
		t.Errorf("a client-written hop was believed: %d", s)
	}
	direct := newServer(t, store.SQLite, limit)
	if a, b := signUp(direct, "198.51.100.1"), signUp(direct, "198.51.100.2"); a != 201 || b != 429 {
		t.Errorf("without trusted proxies: %d then %d, want 201 then 429 (the header ignored)", a, b)
	}
	ledgertest.Check(t, behind.app.DB)
	ledgertest.Check(t, direct.app.DB)
}
