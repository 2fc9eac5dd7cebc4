package chain_test

import (
	"context"
	"errors"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/arcadehq/arcade/internal/chain"
)

// TestSandbox: the sandbox's payout answers the withdrawal's id as its transaction, the same
// every time (the form withdrawals had before the Payout interface), and refuses nonsense.
func TestSandbox(t *testing.T) {
	var p chain.Payout = chain.Sandbox{}
	to := common.HexToAddress("0x01")
	tx, err := p.Pay(context.Background(), to, 5, "01890a5d-ac96-774b-bcce-b302099a8057")
	if err != nil || tx != "0x0000000000000000000000000000000001890a5dac96774bbcceb302099a8057" {
		t.Fatalf("pay: %q %v", tx, err)
	}
	if _, err := p.Pay(context.Background(), to, 5, "w1"); err == nil {
		t.Fatal("a ref that is no UUID was accepted")
	}
	if _, err := p.Pay(context.Background(), to, 0, "01890a5d-ac96-774b-bcce-b302099a8057"); err == nil {
		t.Fatal("a zero payout was accepted")
	}
	if !chain.IsRefused(errors.Join(errors.New("x"), &chain.Refused{Reason: "r"})) || chain.IsRefused(errors.New("x")) {
		t.Fatal("IsRefused")
	}
}
