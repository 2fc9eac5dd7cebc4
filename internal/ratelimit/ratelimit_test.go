package ratelimit

import (
	"testing"
	"time"
)

func TestBucket(t *testing.T) {
	l := New(Limit{PerSecond: 2, Burst: 3})
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 3; i++ {
		if ok, _ := l.Allow("a", now); !ok {
			t.Fatalf("burst token %d refused", i)
		}
	}
	ok, wait := l.Allow("a", now)
	if ok || wait <= 0 || wait > 500*time.Millisecond {
		t.Fatalf("4th: ok=%v wait=%v", ok, wait)
	}
	if ok, _ := l.Allow("b", now); !ok {
		t.Fatal("another key shares the bucket")
	}
	if ok, _ := l.Allow("a", now.Add(wait)); !ok {
		t.Fatal("token not back after the announced wait")
	}
	l.Allow("c", now)
	l.Allow("z", now.Add(2*time.Minute)) // sweeps idle buckets
	if _, ok := l.m["c"]; ok {
		t.Fatal("idle bucket kept")
	}
	if ok, _ := New(Limit{}).Allow("x", now); !ok {
		t.Fatal("a zero limit must allow everything")
	}
}
