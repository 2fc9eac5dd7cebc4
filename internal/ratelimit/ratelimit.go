// Package ratelimit keeps one token bucket per key (an account, a client address) in memory.
// Limits are per instance: with several instances behind a load balancer a client gets up to
// that many times the limit, which is acceptable for abuse protection (money safety never
// depends on it).
package ratelimit

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limit is a sustained rate and a burst.
type Limit struct {
	PerSecond float64 `json:"perSecond"`
	Burst     int     `json:"burst"`
}

// Off reports whether the limit is disabled (non-positive rate).
func (l Limit) Off() bool { return l.PerSecond <= 0 }

// Limiter is a set of token buckets with one Limit.
type Limiter struct {
	limit Limit
	mu    sync.Mutex
	m     map[string]*entry
	sweep time.Time
}

type entry struct {
	lim  *rate.Limiter
	seen time.Time
}

// New returns a limiter; a zero or negative rate allows everything.
func New(l Limit) *Limiter {
	if l.Burst < 1 {
		l.Burst = 1
	}
	return &Limiter{limit: l, m: map[string]*entry{}}
}

// Limit returns the configured limit.
func (l *Limiter) Limit() Limit { return l.limit }

// Allow takes a token for key at now; when none is left it says how long until one is.
func (l *Limiter) Allow(key string, now time.Time) (bool, time.Duration) {
	if l == nil || l.limit.Off() {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.sweep) > time.Minute {
		l.sweepIdle(now)
	}
	e := l.m[key]
	if e == nil {
		e = &entry{lim: rate.NewLimiter(rate.Limit(l.limit.PerSecond), l.limit.Burst)}
		l.m[key] = e
	}
	e.seen = now
	r := e.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// sweepIdle drops buckets that have refilled completely: forgetting them changes nothing.
func (l *Limiter) sweepIdle(now time.Time) {
	full := time.Duration(math.Ceil(float64(l.limit.Burst)/l.limit.PerSecond*float64(time.Second))) + time.Second
	for k, e := range l.m {
		if now.Sub(e.seen) > full {
			delete(l.m, k)
		}
	}
	l.sweep = now
}

// Take is Allow that also says how many whole tokens are left in key's bucket afterwards (for
// answers that publish the remaining allowance). An off limiter reports -1 remaining.
func (l *Limiter) Take(key string, now time.Time) (ok bool, wait time.Duration, remaining int) {
	if l == nil || l.limit.Off() {
		return true, 0, -1
	}
	ok, wait = l.Allow(key, now)
	l.mu.Lock()
	defer l.mu.Unlock()
	if e := l.m[key]; e != nil {
		remaining = int(e.lim.TokensAt(now))
	}
	return ok, wait, max(remaining, 0)
}
