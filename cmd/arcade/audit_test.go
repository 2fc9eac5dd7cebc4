package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// TestAudit: `arcade audit` reports a clean ledger with exit status 0, and a balance changed
// behind the ledger's back (drift) with exit status 1.
func TestAudit(t *testing.T) {
	cfg := storetest.Config(t, store.SQLite)
	db := storetest.OpenWith(t, cfg)
	ctx := context.Background()
	user := ledger.SystemAccount(ledger.Rake, money.Credit)
	if err := db.Write(ctx, func(ctx context.Context, q store.Q) error {
		return ledger.Post(ctx, q, store.Now(ctx), ledger.Transfer{Asset: money.Credit, From: ledger.SystemAccount(ledger.Faucet, money.Credit),
			To: user, Amount: 5 * money.Micro, Kind: "test", Ref: "audit"})
	}); err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		if k == "ARCADE_DATA_DIR" {
			return cfg.DataDir
		}
		return ""
	}
	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"audit"}, env, &out, &errOut); code != 0 {
		t.Fatalf("audit of a clean ledger: exit %d, %s %s", code, out.String(), errOut.String())
	}
	var r ledger.Report
	if err := json.Unmarshal(out.Bytes(), &r); err != nil || !r.OK || r.Transfers != 1 {
		t.Fatalf("audit output %s (%v)", out.String(), err)
	}
	if _, err := db.SQL().Exec(`UPDATE ledger_accounts SET balance = balance + 1 WHERE id = ?`, user); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if code := run(ctx, []string{"audit"}, env, &out, &errOut); code != 1 {
		t.Fatalf("audit of a drifting ledger: exit %d, want 1: %s", code, out.String())
	}
}
