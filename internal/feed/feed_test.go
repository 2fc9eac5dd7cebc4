package feed

import "testing"

func TestBus(t *testing.T) {
	var b Bus[int]
	a1, a2, other := b.Subscribe("a"), b.Subscribe("a"), b.Subscribe("b")
	b.Publish("a", 1)
	if <-a1.C != 1 || <-a2.C != 1 || len(other.C) != 0 {
		t.Fatal("fan-out")
	}
	// A full queue drops instead of blocking the publisher.
	for i := 0; i < Buffer+5; i++ {
		b.Publish("a", i)
	}
	if a1.Dropped() != 5 || len(a1.C) != Buffer {
		t.Fatalf("dropped %d, queued %d", a1.Dropped(), len(a1.C))
	}
	a1.Close()
	a1.Close() // idempotent
	if _, open := <-drain(a1.C); open {
		t.Fatal("closed subscription's channel still open")
	}
	if b.Subscribers("a") != 1 {
		t.Fatalf("subscribers %d", b.Subscribers("a"))
	}
	a2.Close()
	other.Close()
	if b.Subscribers("a") != 0 || len(b.subs) != 0 {
		t.Fatal("subscriptions not forgotten")
	}
}

func drain(c chan int) chan int {
	for range c {
	}
	return c
}
