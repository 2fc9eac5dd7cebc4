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
	pending []chain.Pending
	booked  map[string]string
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
func (b *fakeBook) Replace(context.Context, string, int, chain.Signed) (bool, error) {
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
