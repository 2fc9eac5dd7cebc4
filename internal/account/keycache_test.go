package account

import (
	"testing"
	"time"
)

func TestKeyCache(t *testing.T) {
	var c keyCache
	now := time.Unix(1000, 0)
	h1, h2 := [32]byte{1}, [32]byte{2}
	a := Account{ID: "a"}
	if _, ok := c.get(h1, now); ok {
		t.Fatal("empty cache hit")
	}
	c.put(h1, a, c.generation(), now)
	if got, ok := c.get(h1, now.Add(time.Second)); !ok || got.ID != "a" {
		t.Fatalf("get after put: %v %v", got, ok)
	}
	if _, ok := c.get(h1, now.Add(keyCacheTTL+time.Nanosecond)); ok {
		t.Fatal("expired entry returned")
	}
	// A lookup that began before a forget must not be cached after it.
	gen := c.generation()
	c.forget("a")
	if _, ok := c.get(h1, now); ok {
		t.Fatal("forgotten key still cached")
	}
	c.put(h2, a, gen, now)
	if _, ok := c.get(h2, now); ok {
		t.Fatal("stale lookup was cached after forget")
	}
	// Forget drops only that account's keys.
	c.put(h1, a, c.generation(), now)
	c.put(h2, Account{ID: "b"}, c.generation(), now)
	c.forget("b")
	if _, ok := c.get(h1, now); !ok {
		t.Fatal("forget dropped another account's key")
	}
}
