package ops_test

import (
	"context"
	"testing"

	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/ops"
	"github.com/arcadehq/arcade/internal/x402"
)

type stake struct{ Micro int64 }

func TestPayerAccess(t *testing.T) {
	r := ops.NewRegistry()
	op := ops.Add(r, &ops.Def[stake, string]{D: ops.Desc{Name: "t.paid", Access: ops.Payer, Summary: "paid"},
		Price: func(in stake) (int64, error) { return in.Micro, nil },
		Run:   func(context.Context, ops.Caller, stake) (string, error) { return "ran", nil }})
	if p, err := op.Desc().Price(stake{100}); err != nil || p != 100 {
		t.Fatalf("type-erased price: %d %v", p, err)
	}
	paid := func(m int64) ops.Caller {
		return ops.Caller{Account: account.Account{ID: "a"}, Payment: &ops.Payment{Payment: &x402.Payment{AmountMicro: m}}}
	}
	for _, c := range []struct {
		name   string
		caller ops.Caller
		ok     bool
	}{
		{"no payment", ops.Caller{}, false},
		{"payment without account", ops.Caller{Payment: &ops.Payment{Payment: &x402.Payment{AmountMicro: 100}}}, false},
		{"underpaid", paid(99), false},
		{"overpaid", paid(101), false},
		{"exact", paid(100), true},
	} {
		out, err := op.Invoke(context.Background(), c.caller, stake{100})
		if c.ok != (err == nil) || (err != nil && errs.KindOf(err) != errs.PaymentRequired) || (c.ok && out != "ran") {
			t.Errorf("%s: %q %v", c.name, out, err)
		}
	}
	kinds := map[errs.Kind]bool{}
	for _, k := range op.Desc().AllErrors() {
		kinds[k] = true
	}
	if !kinds[errs.PaymentRequired] || kinds[errs.Unauthorized] {
		t.Errorf("a payer operation's errors: %v", op.Desc().AllErrors())
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("a Payer operation without a price was accepted")
			}
		}()
		ops.Add(r, &ops.Def[stake, string]{D: ops.Desc{Name: "t.unpriced", Access: ops.Payer, Summary: "x"},
			Run: func(context.Context, ops.Caller, stake) (string, error) { return "", nil }})
	}()
}
