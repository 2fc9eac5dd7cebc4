package facilitator_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/arcadehq/arcade/internal/x402"
	"github.com/arcadehq/arcade/internal/x402/facilitator"
	"github.com/arcadehq/arcade/internal/x402/facilitator/facilitatortest"
	"github.com/arcadehq/arcade/internal/x402/x402pay"
)

var now = time.Unix(1_767_225_600, 0)

const price = 10_000 // $0.01, the balance route's price

type env struct {
	fac      *facilitatortest.Facilitator
	facSrv   *httptest.Server
	client   *facilitator.Client
	verifier *x402.Verifier // the resource server's own
	offers   []x402.Requirements
	payer    *x402pay.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	clock := func() time.Time { return now }
	nets := []x402.Network{x402.Sandbox}
	facNonces := &x402.MemoryNonces{}
	fv, err := x402.NewVerifier(nets, facNonces, clock)
	if err != nil {
		t.Fatal(err)
	}
	fac := facilitatortest.New(fv, facNonces, nets)
	srv := httptest.NewServer(fac)
	t.Cleanup(srv.Close)
	rv, err := x402.NewVerifier(nets, &x402.MemoryNonces{}, clock)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := crypto.ToECDSA(crypto.Keccak256([]byte("facilitator test payer")))
	return &env{
		fac: fac, facSrv: srv, client: &facilitator.Client{BaseURL: srv.URL + "/", HTTP: srv.Client()},
		verifier: rv,
		offers:   []x402.Requirements{x402.Sandbox.Requirement(price, common.HexToAddress("0x1111111111111111111111111111111111111111"), 60)},
		payer:    &x402pay.Client{Key: key, Now: clock},
	}
}

// payment makes a payment with the independent client, through the wire format.
func (e *env) payment(t *testing.T) *x402.PaymentPayload {
	t.Helper()
	h, _ := x402.EncodeHeader(x402.PaymentRequired{X402Version: 2, Accepts: e.offers})
	var pr x402pay.PaymentRequired
	if err := decodeB64(h, &pr); err != nil {
		t.Fatal(err)
	}
	p, err := e.payer.Pay(&pr, pr.Accepts[0])
	if err != nil {
		t.Fatal(err)
	}
	ph, _ := x402pay.Encode(p)
	out, err := x402.DecodePaymentPayload(ph)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func decodeB64(h string, v any) error {
	req := &http.Response{Header: http.Header{}, Body: io.NopCloser(strings.NewReader(""))}
	req.Header.Set(x402pay.HeaderPaymentRequired, h)
	pr, err := x402pay.ReadPaymentRequired(req)
	if err != nil {
		return err
	}
	*(v.(*x402pay.PaymentRequired)) = *pr
	return nil
}

func TestSupported(t *testing.T) {
	e := newEnv(t)
	s, err := e.client.Supported(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !facilitator.Supports(s, "exact", x402.Sandbox.ID) || facilitator.Supports(s, "exact", x402.Base.ID) {
		t.Fatalf("supported %+v", s)
	}
	if len(s.Signers["eip155:*"]) != 1 {
		t.Fatalf("signers %+v", s.Signers)
	}
}

func TestVerifySettle(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p := e.payment(t)
	v, err := e.client.Verify(ctx, p, e.offers[0])
	if err != nil || !v.IsValid || v.Payer != e.payer.Address() {
		t.Fatalf("verify %+v %v", v, err)
	}
	s, err := e.client.Settle(ctx, p, e.offers[0])
	if err != nil || !s.Success || s.Payer != e.payer.Address() || len(s.Transaction) != 66 || s.Network != x402.Sandbox.ID {
		t.Fatalf("settle %+v %v", s, err)
	}
	// The same authorization again: refused by the facilitator, never settled twice.
	s2, err := e.client.Settle(ctx, p, e.offers[0])
	if !errors.Is(err, x402.ErrNonceUsed) || s2 == nil || s2.Success || s2.Transaction != "" {
		t.Fatalf("second settle %+v %v", s2, err)
	}
	v, err = e.client.Verify(ctx, p, e.offers[0])
	if !errors.Is(err, x402.ErrNonceUsed) || v == nil || v.IsValid || v.InvalidReason != "invalid_transaction_state" {
		t.Fatalf("verify after settle %+v %v", v, err)
	}
	if n := len(e.fac.Settled()); n != 1 {
		t.Fatalf("%d settlements", n)
	}
}

func TestVerifyInvalid(t *testing.T) {
	e := newEnv(t)
	p := e.payment(t)
	p.Payload.Authorization.Value = "1"
	v, err := e.client.Verify(context.Background(), p, e.offers[0])
	if !errors.Is(err, x402.ErrValueMismatch) || v == nil || v.IsValid {
		t.Fatalf("%+v %v", v, err)
	}
}

func TestFacilitatorFailures(t *testing.T) {
	e := newEnv(t)
	p := e.payment(t)
	e.fac.Fail.Store(http.StatusInternalServerError)
	if _, err := e.client.Settle(context.Background(), p, e.offers[0]); !errors.Is(err, facilitator.ErrStatus) {
		t.Fatalf("500: %v", err)
	}
	e.fac.Fail.Store(0)

	// A malformed body is the facilitator's 400.
	resp, err := http.Post(e.facSrv.URL+"/verify", "application/json", strings.NewReader(`{"x402Version":2,`))
	if err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("malformed: %v %v", resp, err)
	}
	resp.Body.Close()

	// The facilitator hangs mid-settlement: the caller's deadline ends the call, nothing is
	// settled, and the payment settles once when asked again.
	e.fac.Hang.Store(true)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	_, err = e.client.Settle(ctx, p, e.offers[0])
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("hang: %v", err)
	}
	e.fac.Hang.Store(false)
	if len(e.fac.Settled()) != 0 {
		t.Fatal("settled while hanging")
	}
	if s, err := e.client.Settle(context.Background(), p, e.offers[0]); err != nil || !s.Success {
		t.Fatalf("retry: %+v %v", s, err)
	}
}

// TestPaidResource runs the whole exchange over HTTP: the paying client asks a resource, gets
// 402 with PAYMENT-REQUIRED, pays, and the resource server verifies locally, settles through the
// facilitator client and answers 200 with PAYMENT-RESPONSE, which the client decodes.
func TestPaidResource(t *testing.T) {
	e := newEnv(t)
	resource := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if string(body) != `{"choice":"heads"}` {
			http.Error(w, "body lost on retry", http.StatusBadRequest)
			return
		}
		h := r.Header.Get(x402.HeaderPaymentSignature)
		if h == "" {
			h = r.Header.Get(x402.HeaderXPayment)
		}
		pr := x402.PaymentRequired{X402Version: 2, Error: "payment required",
			Resource: &x402.Resource{URL: "http://" + r.Host + r.URL.String()}, Accepts: e.offers}
		if h == "" {
			enc, _ := x402.EncodeHeader(pr)
			w.Header().Set(x402.HeaderPaymentRequired, enc)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusPaymentRequired)
			_ = json.NewEncoder(w).Encode(pr)
			return
		}
		p, err := x402.DecodePaymentPayload(h)
		if err == nil {
			_, err = e.verifier.Verify(r.Context(), e.offers, p)
		}
		if err != nil {
			w.WriteHeader(http.StatusPaymentRequired)
			return
		}
		s, err := e.client.Settle(r.Context(), p, e.offers[0])
		if s != nil {
			enc, _ := x402.EncodeHeader(s)
			w.Header().Set(x402.HeaderPaymentResponse, enc)
			w.Header().Set(x402.HeaderXPaymentResponse, enc)
		}
		if err != nil {
			w.WriteHeader(http.StatusPaymentRequired)
			return
		}
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	defer resource.Close()

	req, _ := http.NewRequest(http.MethodPost, resource.URL+"/api/v1/games/coinflip?stake=micro", strings.NewReader(`{"choice":"heads"}`))
	resp, err := e.payer.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	s, err := x402pay.Settlement(resp)
	if err != nil || s == nil || !s.Success || s.Payer != e.payer.Address() || s.Network != x402.Sandbox.ID {
		t.Fatalf("settlement %+v %v", s, err)
	}
	if _, ok := e.fac.Settled()[s.Transaction]; !ok {
		t.Fatalf("transaction %s unknown to the facilitator", s.Transaction)
	}
}
