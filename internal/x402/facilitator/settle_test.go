package facilitator_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/arcadehq/arcade/internal/x402"
	"github.com/arcadehq/arcade/internal/x402/facilitator"
)

// TestSettler: the facilitator's answers as a bets.Settler sees them. Success is the
// transaction; a refusal is a refusal, except one that may mean "already executed", which is
// confirmed on chain when Confirm is set and is otherwise unknown (never a refusal that would
// void a paid bet); no answer is unknown.
func TestSettler(t *testing.T) {
	var answer x402.SettleResponse
	status := http.StatusOK
	var got x402.FacilitatorRequest
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewDecoder(r.Body).Decode(&got)
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(answer)
	}))
	defer srv.Close()
	n := x402.BaseSepolia
	p := &x402.Payment{Network: &n, AmountMicro: 10_000, Payer: common.HexToAddress("0x01"),
		Authorization: x402.Authorization{From: common.HexToAddress("0x01"), To: common.HexToAddress("0x02"),
			Value: x402.WordFromUint64(10_000), ValidBefore: x402.WordFromUint64(1 << 40)}}
	s := &facilitator.Settler{Client: &facilitator.Client{BaseURL: srv.URL}}
	isRefusal := func(err error) bool { var xe *x402.Error; return errors.As(err, &xe) }
	ctx := context.Background()

	answer = x402.SettleResponse{Success: true, Transaction: "0xabc", Network: n.ID}
	if tx, err := s.Settle(ctx, p); err != nil || tx != "0xabc" {
		t.Fatalf("success: %q %v", tx, err)
	}
	// The request rebuilt from the stored payment: the exact offer of the amount to the payee.
	if got.PaymentRequirements.Amount != "10000" || got.PaymentRequirements.PayTo != p.Authorization.To.Hex() ||
		got.PaymentPayload.Payload.Authorization.Value != "10000" || !sameJSON(got.PaymentPayload.Accepted, got.PaymentRequirements) ||
		got.PaymentRequirements.Extra == nil || got.PaymentRequirements.Extra.Name != n.TokenName {
		t.Fatalf("request: %+v", got)
	}
	answer = x402.SettleResponse{Success: false, ErrorReason: string(x402.ReasonInsufficientFunds), Network: n.ID}
	if _, err := s.Settle(ctx, p); !isRefusal(err) {
		t.Fatalf("insufficient funds: %v, want a refusal", err)
	}
	answer = x402.SettleResponse{Success: false, ErrorReason: string(x402.ReasonInvalidTxState), Network: n.ID}
	if _, err := s.Settle(ctx, p); err == nil || isRefusal(err) {
		t.Fatalf("already used, no chain to ask: %v, want unknown", err)
	}
	s.Confirm = func(context.Context, *x402.Payment) (string, bool, error) { return "0xdef", true, nil }
	if tx, err := s.Settle(ctx, p); err != nil || tx != "0xdef" {
		t.Fatalf("already used, confirmed on chain: %q %v", tx, err)
	}
	s.Confirm = func(context.Context, *x402.Payment) (string, bool, error) {
		return "", true, &x402.Error{Reason: x402.ReasonInvalidTxState, Message: "nonce spent on another transfer"}
	}
	if _, err := s.Settle(ctx, p); !isRefusal(err) {
		t.Fatalf("nonce spent elsewhere: %v, want a refusal", err)
	}
	status = http.StatusBadGateway
	if _, err := s.Settle(ctx, p); err == nil || isRefusal(err) {
		t.Fatalf("502: %v, want unknown", err)
	}
	srv.Close()
	if _, err := s.Settle(ctx, p); err == nil || isRefusal(err) {
		t.Fatalf("facilitator gone: %v, want unknown", err)
	}
}

func sameJSON(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}
