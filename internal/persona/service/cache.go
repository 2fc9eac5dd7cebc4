package service

import "sync"

// progressCache keeps the last saved state of recent players, so a turn of a shipped example
// persona reads nothing before it is judged. It is only a guess: the write that applies a turn
// still compares the version it started from with the stored one, so a state changed elsewhere
// (another instance, a test, a deleted player) fails that check and the turn is judged again on
// the state read from the database. Versions never repeat for a player (a new progress row
// starts at its creation time in microseconds, not at 1), so a deleted and recreated row cannot
// pass for the cached one.
type progressCache struct {
	mu sync.Mutex
	m  map[playerKey]cachedProgress
}

type playerKey struct{ persona, account, user string }

type cachedProgress struct {
	doc     progressDoc
	version int64
}

// maxCachedPlayers bounds the cache; past it, it starts empty again.
const maxCachedPlayers = 10000

func (c *progressCache) get(k playerKey) (progressDoc, int64, bool) {
	c.mu.Lock()
	e, ok := c.m[k]
	c.mu.Unlock()
	if !ok {
		return progressDoc{}, 0, false
	}
	return e.doc.clone(), e.version, true
}

// put records doc, which the caller no longer changes, as the player's state at version.
func (c *progressCache) put(k playerKey, doc progressDoc, version int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedPlayers {
		c.m = map[playerKey]cachedProgress{}
	}
	c.m[k] = cachedProgress{doc: doc, version: version}
}

func (c *progressCache) drop(k playerKey) {
	c.mu.Lock()
	delete(c.m, k)
	c.mu.Unlock()
}

// dropPersona forgets every player of persona id.
func (c *progressCache) dropPersona(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.m {
		if k.persona == id {
			delete(c.m, k)
		}
	}
}
