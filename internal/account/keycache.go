package account

import (
	"sync"
	"time"
)

// keyCache remembers which account a key hash authenticated as, so that a bot playing round after
// round does not cost a database read per request before its real work (the read was an eighth
// of the server's CPU under load).
//
// Correctness rests on two rules:
//   - Anything that revokes keys or changes what Authenticate returns calls forget for the
//     account after its transaction commits (Service.Regenerate does), so on this instance an old
//     key stops working as soon as the caller is told it was replaced.
//   - A lookup that raced with a forget is not cached: put is refused unless no forget happened
//     since the lookup began (the generation check), so a read of the old state cannot be stored
//     after the invalidation that should have removed it.
//
// Entries also expire after keyCacheTTL, which bounds how long another instance sharing the
// database could keep accepting a key revoked elsewhere (multi-instance deployments should add a
// notification; see docs/STATUS.md). Only successful lookups are cached: unknown keys always go
// to the database, so a new key works at once.
type keyCache struct {
	mu      sync.Mutex
	gen     uint64
	entries map[[32]byte]keyEntry
}

type keyEntry struct {
	acct    Account
	expires time.Time
}

const (
	keyCacheTTL = 10 * time.Second
	// keyCacheMax bounds memory; when full the cache is emptied (simple, and refilled on demand).
	keyCacheMax = 100_000
)

func (c *keyCache) get(hash [32]byte, now time.Time) (Account, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[hash]
	if !ok || now.After(e.expires) {
		return Account{}, false
	}
	return e.acct, true
}

// generation returns the value put needs to prove no forget happened in between.
func (c *keyCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

func (c *keyCache) put(hash [32]byte, a Account, gen uint64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.entries == nil || len(c.entries) >= keyCacheMax {
		c.entries = make(map[[32]byte]keyEntry)
	}
	c.entries[hash] = keyEntry{acct: a, expires: now.Add(keyCacheTTL)}
}

// forget drops every cached key of accountID and voids lookups in flight.
func (c *keyCache) forget(accountID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for h, e := range c.entries {
		if e.acct.ID == accountID {
			delete(c.entries, h)
		}
	}
}
