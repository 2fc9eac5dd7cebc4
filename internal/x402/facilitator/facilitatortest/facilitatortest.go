// Package facilitatortest is a loopback x402 facilitator for tests: it answers POST /verify,
// POST /settle and GET /supported in the version 2 wire format, verifies with x402.Verifier,
// "settles" by recording the nonce and returning a transaction hash derived from the digest, and
// can be told to fail or hang so that tests can kill a settlement half-way.
package facilitatortest

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/arcadehq/arcade/internal/x402"
)

// Facilitator is the loopback peer. Create it with New; serve it with httptest.NewServer.
type Facilitator struct {
	verifier *x402.Verifier
	nonces   *x402.MemoryNonces
	networks []x402.Network
	signer   string

	mu      sync.Mutex
	settled map[string]x402.SettleResponse // by transaction hash

	// Fail, when set, answers every request with this status and no body.
	Fail atomic.Int32
	// Hang, when set, holds /settle until the request is cancelled (a facilitator that times out).
	Hang atomic.Bool
	// Calls counts requests by path.
	calls sync.Map
}

// New returns a facilitator that verifies with v (whose NonceStore must be nonces,
// so that a settled nonce is refused afterwards) and lists networks in /supported.
func New(v *x402.Verifier, nonces *x402.MemoryNonces, networks []x402.Network) *Facilitator {
	return &Facilitator{verifier: v, nonces: nonces, networks: networks,
		signer: "0xFac111a70000000000000000000000000000fAC1", settled: map[string]x402.SettleResponse{}}
}

// Calls returns how many requests path received.
func (f *Facilitator) Calls(path string) int64 {
	v, _ := f.calls.LoadOrStore(path, new(atomic.Int64))
	return v.(*atomic.Int64).Load()
}

// Settled returns the settlements made, by transaction hash.
func (f *Facilitator) Settled() map[string]x402.SettleResponse {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]x402.SettleResponse, len(f.settled))
	for k, v := range f.settled {
		out[k] = v
	}
	return out
}

// ServeHTTP implements the three routes.
func (f *Facilitator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v, _ := f.calls.LoadOrStore(r.URL.Path, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
	if code := f.Fail.Load(); code != 0 {
		w.WriteHeader(int(code))
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/supported":
		s := x402.Supported{Extensions: []string{}, Signers: map[string][]string{"eip155:*": {f.signer}}}
		for _, n := range f.networks {
			s.Kinds = append(s.Kinds, x402.SupportedKind{X402Version: x402.Version, Scheme: x402.SchemeExact, Network: n.ID})
		}
		writeJSON(w, http.StatusOK, s)
	case r.Method == http.MethodPost && (r.URL.Path == "/verify" || r.URL.Path == "/settle"):
		var req x402.FacilitatorRequest
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil || json.Unmarshal(body, &req) != nil || req.X402Version != x402.Version {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid request body"})
			return
		}
		if r.URL.Path == "/verify" {
			f.verify(w, r.Context(), &req)
		} else {
			f.settle(w, r.Context(), &req)
		}
	default:
		http.NotFound(w, r)
	}
}

func (f *Facilitator) verify(w http.ResponseWriter, ctx context.Context, req *x402.FacilitatorRequest) {
	p, err := f.verifier.Verify(ctx, []x402.Requirements{req.PaymentRequirements}, &req.PaymentPayload)
	if err != nil {
		writeJSON(w, http.StatusOK, x402.VerifyResponse{IsValid: false, InvalidReason: string(x402.ReasonOf(err)),
			InvalidMessage: err.Error(), Payer: req.PaymentPayload.Payload.Authorization.From})
		return
	}
	writeJSON(w, http.StatusOK, x402.VerifyResponse{IsValid: true, Payer: p.Payer.Hex()})
}

func (f *Facilitator) settle(w http.ResponseWriter, ctx context.Context, req *x402.FacilitatorRequest) {
	if f.Hang.Load() {
		<-ctx.Done()
		return
	}
	net := req.PaymentRequirements.Network
	p, err := f.verifier.Verify(ctx, []x402.Requirements{req.PaymentRequirements}, &req.PaymentPayload)
	if err == nil && !f.nonces.Use(p.Nonce) { // a concurrent settle of the same authorization won
		err = &x402.Error{Reason: x402.ReasonInvalidTxState, Message: "authorization nonce already used"}
	}
	if err != nil {
		writeJSON(w, http.StatusOK, x402.SettleResponse{Success: false, ErrorReason: string(x402.ReasonOf(err)),
			ErrorMessage: err.Error(), Transaction: "", Network: net})
		return
	}
	tx := "0x" + hex.EncodeToString(crypto.Keccak256(p.Digest[:], p.Signature[:]))
	s := x402.SettleResponse{Success: true, Transaction: tx, Network: net, Payer: p.Payer.Hex(), Amount: p.Requirements.Amount}
	f.mu.Lock()
	f.settled[tx] = s
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, s)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
