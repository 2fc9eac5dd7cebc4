package chain_test

import (
	"context"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/arcadehq/arcade/internal/chain"
)

// fakeTracker answers a fixed outcome per transaction and counts broadcasts; a broadcast turns
// an unsent transaction into a paid one.
type fakeTracker struct {
	chain.Sandbox
	outcome    map[string]chain.Outcome
	broadcasts int
}

func (f *fakeTracker) PayRecorded(context.Context, common.Address, int64, string, func(context.Context, chain.Signed) error) (string, error) {
	panic("not used")
}
func (f *fakeTracker) Lookup(_ context.Context, s chain.Signed) (chain.Outcome, error) {
	return f.outcome[s.Tx], nil
}
func (f *fakeTracker) Broadcast(_ context.Context, s chain.Signed) error {
	f.broadcasts++
	if f.outcome[s.Tx] == chain.Unsent {
		f.outcome[s.Tx] = chain.Paid
	}
	return nil
}
func (f *fakeTracker) Replace(_ context.Context, attempts []chain.Signed) (chain.Signed, error) {
	last := attempts[len(attempts)-1]
	return chain.Signed{Tx: last.Tx + "+", Nonce: last.Nonce}, nil
}

type fakeBook struct {
	pending  []chain.Pending
	booked   map[string]string
	replaced []string
}

func (b *fakeBook) Name() string { return "fake" }
func (b *fakeBook) Pending(context.Context, time.Time, int) ([]chain.Pending, error) {
	var out []chain.Pending
	for _, p := range b.pending {
		if b.booked[p.ID] == "" {
			out = append(out, p)
		}
	}
	return out, nil
}
func (b *fakeBook) Complete(_ context.Context, id, tx string) (bool, error) {
	return b.book(id, "paid "+tx)
}
func (b *fakeBook) Fail(_ context.Context, id, _ string, _ int) (bool, error) {
	return b.book(id, "failed")
}
func (b *fakeBook) Replace(_ context.Context, id string, _ int, s chain.Signed) (bool, error) {
	b.replaced = append(b.replaced, id+" "+s.Tx)
	return true, nil
}
func (b *fakeBook) book(id, what string) (bool, error) {
	if b.booked[id] != "" {
		return false, nil
	}
	b.booked[id] = what
	return true, nil
}

// TestReconciler: each outcome's booking; a never-signed withdrawal is failed only once older
// than UnsignedAfter; an unsent one is broadcast again and then completed.
func TestReconciler(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	sig := func(tx string) *chain.Signed { return &chain.Signed{Tx: tx} }
	tr := &fakeTracker{outcome: map[string]chain.Outcome{"paid": chain.Paid, "rev": chain.Reverted, "drop": chain.Dropped, "unsent": chain.Unsent}}
	b := &fakeBook{booked: map[string]string{}, pending: []chain.Pending{
		{ID: "w-paid", Signed: sig("paid")}, {ID: "w-rev", Signed: sig("rev")}, {ID: "w-drop", Signed: sig("drop")},
		{ID: "w-unsent", Signed: sig("unsent")},
		{ID: "w-young", CreatedAt: now.Add(-time.Minute)}, {ID: "w-old", CreatedAt: now.Add(-time.Hour)},
	}}
	r := &chain.Reconciler{Tracker: tr, Books: []chain.Book{b}, Now: func() time.Time { return now }, UnsignedAfter: 15 * time.Minute}
	if n, err := r.Resolve(context.Background(), 0, 100); err != nil || n != 5 {
		t.Fatalf("resolve: %d %v", n, err)
	}
	want := map[string]string{"w-paid": "paid paid", "w-rev": "failed", "w-drop": "failed", "w-unsent": "paid unsent", "w-old": "failed"}
	for id, w := range want {
		if b.booked[id] != w {
			t.Errorf("%s: %q, want %q", id, b.booked[id], w)
		}
	}
	if b.booked["w-young"] != "" || tr.broadcasts != 1 {
		t.Fatalf("young unsigned booked %q; %d broadcasts", b.booked["w-young"], tr.broadcasts)
	}
	if n, err := r.Resolve(context.Background(), 0, 100); err != nil || n != 0 {
		t.Fatalf("resolve again: %d %v", n, err)
	}
}

// TestReconcilerAttempts: a payout with replacements completes with whichever attempt is mined;
// it is refunded only when every attempt is dropped; a mix of unsent and dropped (the nonce used
// while the attempts were read) books nothing; a payout unmined past BumpAfter since its newest
// attempt is replaced and the replacement sent, a younger one only rebroadcast.
func TestReconcilerAttempts(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	sig := func(tx string, age time.Duration) chain.Signed { return chain.Signed{Tx: tx, At: now.Add(-age)} }
	tr := &fakeTracker{outcome: map[string]chain.Outcome{
		"a1": chain.Dropped, "a2": chain.Paid, "b1": chain.Dropped, "b2": chain.Dropped,
		"c1": chain.Dropped, "c2": chain.Unsent, "d1": chain.Reverted, "d2": chain.Dropped,
		"e1": chain.Unsent, "f1": chain.Unsent, "f1+": chain.Reverted}}
	one := func(id string, s chain.Signed, more ...chain.Signed) chain.Pending {
		return chain.Pending{ID: id, Signed: &s, Replacements: more}
	}
	b := &fakeBook{booked: map[string]string{}, pending: []chain.Pending{
		one("w-a", sig("a1", time.Hour), sig("a2", time.Hour)),
		one("w-b", sig("b1", time.Hour), sig("b2", time.Hour)),
		one("w-c", sig("c1", time.Hour), sig("c2", time.Minute)),
		one("w-d", sig("d1", time.Hour), sig("d2", time.Hour)),
		one("w-e", sig("e1", time.Minute)), // young: rebroadcast (the fake then mines it)
		one("w-f", sig("f1", time.Hour)),   // old: replaced by f1+ (the fake's replacement reverts)
	}}
	r := &chain.Reconciler{Tracker: tr, Books: []chain.Book{b}, Now: func() time.Time { return now }, BumpAfter: 5 * time.Minute}
	if n, err := r.Resolve(context.Background(), 0, 100); err != nil || n != 5 {
		t.Fatalf("resolve: %d %v", n, err)
	}
	want := map[string]string{"w-a": "paid a2", "w-b": "failed", "w-c": "", "w-d": "failed", "w-e": "paid e1", "w-f": "failed"}
	for id, w := range want {
		if b.booked[id] != w {
			t.Errorf("%s: %q, want %q", id, b.booked[id], w)
		}
	}
	if len(b.replaced) != 1 || b.replaced[0] != "w-f f1+" {
		t.Errorf("replaced %v, want w-f's f1 by f1+", b.replaced)
	}
}
