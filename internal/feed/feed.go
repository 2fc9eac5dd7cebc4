// Package feed is an in-process publish/subscribe of per-account events (the live feed of rounds,
// Free Credits and alerts). Publishing never blocks: a subscriber that does not keep up loses
// events and is told so by a Dropped count, so a slow reader can never slow a bet down.
//
// Events reach the subscribers of this instance only; with several instances behind a load
// balancer a subscriber sees the events of requests its own instance served (a shared
// transport, such as PostgreSQL LISTEN/NOTIFY, is for the scale-out work).
package feed

import (
	"sync"
	"sync/atomic"
)

// Buffer is each subscription's queue length.
const Buffer = 64

// Bus fans events of type T out to the subscribers of each key.
type Bus[T any] struct {
	mu   sync.Mutex
	subs map[string]map[*Sub[T]]struct{}
}

// Sub is one subscription.
type Sub[T any] struct {
	C       chan T
	dropped atomic.Int64
	bus     *Bus[T]
	key     string
	once    sync.Once
}

// Dropped is how many events this subscriber missed because its queue was full.
func (s *Sub[T]) Dropped() int64 { return s.dropped.Load() }

// Close ends the subscription; C is closed.
func (s *Sub[T]) Close() {
	s.once.Do(func() {
		b := s.bus
		b.mu.Lock()
		delete(b.subs[s.key], s)
		if len(b.subs[s.key]) == 0 {
			delete(b.subs, s.key)
		}
		close(s.C)
		b.mu.Unlock()
	})
}

// Subscribe starts a subscription to key's events.
func (b *Bus[T]) Subscribe(key string) *Sub[T] {
	s := &Sub[T]{C: make(chan T, Buffer), bus: b, key: key}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.subs == nil {
		b.subs = map[string]map[*Sub[T]]struct{}{}
	}
	if b.subs[key] == nil {
		b.subs[key] = map[*Sub[T]]struct{}{}
	}
	b.subs[key][s] = struct{}{}
	return s
}

// Publish delivers ev to key's subscribers without blocking.
func (b *Bus[T]) Publish(key string, ev T) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs[key] {
		select {
		case s.C <- ev:
		default:
			s.dropped.Add(1)
		}
	}
}

// Subscribers counts key's subscribers.
func (b *Bus[T]) Subscribers(key string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs[key])
}
