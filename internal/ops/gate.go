package ops

import (
	"context"
	"time"

	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/ratelimit"
)

// Gate turns credentials into a Caller for every binding alike: the API key (however the binding
// carries it: Authorization: Bearer, X-API-Key, an MCP session's header) is authenticated, and
// the per-key rate limit is applied once per call, whichever door the call came through.
type Gate struct {
	Accounts *account.Service
	PerKey   *ratelimit.Limiter
	Now      func() time.Time
}

// Resolve authenticates key. An empty key is an anonymous caller (operations that need an
// account refuse it in Invoke); a wrong key is Unauthorized even for public operations, so a
// caller learns at once that its key is bad.
func (g *Gate) Resolve(ctx context.Context, key, via, addr string) (Caller, error) {
	c := Caller{Via: via, Addr: addr}
	if key == "" {
		return c, nil
	}
	a, err := g.Accounts.Authenticate(ctx, key)
	if err != nil {
		return c, err
	}
	if ok, wait := g.PerKey.Allow(a.ID, g.Now()); !ok {
		return c, errs.Limited("RATE_LIMITED", "too many requests for this API key; retry after the Retry-After header's seconds", wait)
	}
	c.Account = a
	return c, nil
}
