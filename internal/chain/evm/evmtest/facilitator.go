package evmtest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/arcadehq/arcade/internal/chain/evm"
	"github.com/arcadehq/arcade/internal/x402"
)

// Facilitator is a loopback x402 facilitator that settles on a chain: POST /verify, POST
// /settle and GET /supported in the version 2 wire format; /settle submits
// transferWithAuthorization with an evm.Settler (so a second /settle of an executed
// authorization answers its transaction). It can be killed and revived on the same address, and
// told to die right after a settlement reached the chain, before answering.
type Facilitator struct {
	Settler *evm.Settler
	// DieAfterSettle: the next /settle executes on chain, then the facilitator drops the
	// connection without answering and goes down.
	DieAfterSettle atomic.Bool
	// Hang: /settle holds until the caller gives up (a facilitator that times out).
	Hang atomic.Bool

	t        testing.TB
	verifier *x402.Verifier
	mu       sync.Mutex
	srv      *httptest.Server
	addr     string
	down     atomic.Bool
	// killDone is closed when the kill a handler started has finished (nil: none); Revive waits
	// it out. A mutex-guarded channel, not a WaitGroup: the handler's Add and a Revive's Wait are
	// ordered only through the network, which the race detector cannot see.
	killMu   sync.Mutex
	killDone chan struct{}
	calls    sync.Map
}

// chainNonces answers "used?" from the token's authorizationState.
type chainNonces struct{ s *evm.Settler }

func (n chainNonces) NonceUsed(ctx context.Context, k x402.NonceKey) (bool, error) {
	return evm.AuthorizationUsed(ctx, n.s.Wallet.Client, k.Asset, k.From, k.Nonce)
}

// unused says every nonce is unused: /settle leaves a used one to the evm.Settler.
type unused struct{}

func (unused) NonceUsed(context.Context, x402.NonceKey) (bool, error) { return false, nil }

// NewFacilitator starts a facilitator settling with s; it stops at cleanup.
func NewFacilitator(t testing.TB, s *evm.Settler) *Facilitator {
	t.Helper()
	v, err := x402.NewVerifier([]x402.Network{s.Network}, unused{}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	f := &Facilitator{Settler: s, t: t, verifier: v}
	f.srv = httptest.NewServer(f)
	f.addr = f.srv.Listener.Addr().String()
	t.Cleanup(f.Kill)
	return f
}

// URL is the facilitator's base URL (the same across Kill and Revive).
func (f *Facilitator) URL() string { return "http://" + f.addr }

// Calls returns how many requests path received.
func (f *Facilitator) Calls(path string) int64 {
	v, _ := f.calls.LoadOrStore(path, new(atomic.Int64))
	return v.(*atomic.Int64).Load()
}

// Kill stops the facilitator: its listener and every connection close; calls are refused.
func (f *Facilitator) Kill() {
	f.down.Store(true)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.srv != nil {
		f.srv.CloseClientConnections()
		f.srv.Close()
		f.srv = nil
	}
}

// Revive starts the facilitator again on the same address.
func (f *Facilitator) Revive() {
	f.killMu.Lock()
	done := f.killDone
	f.killMu.Unlock()
	if done != nil {
		<-done
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.srv != nil {
		return
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		f.t.Fatalf("revive the facilitator on %s: %v", f.addr, err)
	}
	f.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: f}}
	f.srv.Start()
	f.down.Store(false)
}

// drop closes the request's connection without an answer.
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if c, _, err := hj.Hijack(); err == nil {
			_ = c.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// ServeHTTP implements the three routes.
func (f *Facilitator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v, _ := f.calls.LoadOrStore(r.URL.Path, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
	if f.down.Load() {
		drop(w)
		return
	}
	n := f.Settler.Network
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/supported":
		writeJSON(w, x402.Supported{Extensions: []string{},
			Kinds:   []x402.SupportedKind{{X402Version: x402.Version, Scheme: x402.SchemeExact, Network: n.ID}},
			Signers: map[string][]string{"eip155:*": {f.Settler.Wallet.Address().Hex()}}})
	case r.Method == http.MethodPost && (r.URL.Path == "/verify" || r.URL.Path == "/settle"):
		var req x402.FacilitatorRequest
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil || json.Unmarshal(body, &req) != nil || req.X402Version != x402.Version {
			w.WriteHeader(http.StatusBadRequest)
			writeJSON(w, map[string]string{"error": "invalid request body"})
			return
		}
		p, err := f.verifier.Verify(r.Context(), []x402.Requirements{req.PaymentRequirements}, &req.PaymentPayload)
		if r.URL.Path == "/verify" {
			if err == nil {
				if used, uerr := (chainNonces{f.Settler}).NonceUsed(r.Context(), p.Nonce); uerr != nil || used {
					err = &x402.Error{Reason: x402.ReasonInvalidTxState, Message: "authorization used or unknown"}
				}
			}
			if err != nil {
				writeJSON(w, x402.VerifyResponse{IsValid: false, InvalidReason: string(x402.ReasonOf(err)), InvalidMessage: err.Error(),
					Payer: req.PaymentPayload.Payload.Authorization.From})
				return
			}
			writeJSON(w, x402.VerifyResponse{IsValid: true, Payer: p.Payer.Hex()})
			return
		}
		if f.Hang.Load() {
			<-r.Context().Done()
			return
		}
		tx := ""
		if err == nil {
			tx, err = f.Settler.Settle(r.Context(), p)
		}
		var refused *x402.Error
		switch {
		case err == nil && f.DieAfterSettle.CompareAndSwap(true, false):
			f.down.Store(true)
			done := make(chan struct{})
			f.killMu.Lock()
			f.killDone = done
			f.killMu.Unlock()
			drop(w)
			go func() { defer close(done); f.Kill() }()
		case err == nil:
			writeJSON(w, x402.SettleResponse{Success: true, Transaction: tx, Network: n.ID, Payer: p.Payer.Hex(),
				Amount: p.Requirements.Amount})
		case errors.As(err, &refused):
			writeJSON(w, x402.SettleResponse{Success: false, ErrorReason: string(refused.Reason), ErrorMessage: refused.Message,
				Network: req.PaymentRequirements.Network, Payer: req.PaymentPayload.Payload.Authorization.From})
		default:
			w.WriteHeader(http.StatusBadGateway)
			writeJSON(w, map[string]string{"error": err.Error()})
		}
	default:
		http.NotFound(w, r)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
