package x402pay

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
)

// Header names (case-insensitive on the wire).
const (
	HeaderPaymentRequired  = "PAYMENT-REQUIRED"
	HeaderPaymentSignature = "PAYMENT-SIGNATURE"
	HeaderPaymentResponse  = "PAYMENT-RESPONSE"
	HeaderXPaymentResponse = "X-PAYMENT-RESPONSE"
)

// maxHeader bounds what the client decodes from a server.
const maxHeader = 64 << 10

// ErrNoOffer reports a 402 answer with no offer this client may pay.
var ErrNoOffer = errors.New("x402pay: no payable offer")

// Client pays x402 version 2 offers with one key.
type Client struct {
	Key  *ecdsa.PrivateKey
	HTTP *http.Client // nil: http.DefaultClient
	// MaxAmount is the most the client pays for one request, in the asset's atomic units
	// (micro-USDC); 0 means no limit.
	MaxAmount int64
	// Networks, if not empty, are the CAIP-2 networks the client pays on, in order of preference.
	Networks []string
	Now      func() time.Time // nil: time.Now
	Rand     io.Reader        // nonces; nil: crypto/rand
}

// Address returns the payer address, 0x hex with the EIP-55 checksum.
func (c *Client) Address() string { return crypto.PubkeyToAddress(c.Key.PublicKey).Hex() }

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Choose returns the first offer the client will pay: scheme exact, an eip155 network (in
// Networks' order when set), the token domain in extra, and an amount within MaxAmount.
func (c *Client) Choose(pr *PaymentRequired) (Requirements, error) {
	ok := func(r Requirements) bool {
		if r.Scheme != "exact" {
			return false
		}
		amount, err := strconv.ParseInt(r.Amount, 10, 64)
		if err != nil || amount <= 0 || (c.MaxAmount > 0 && amount > c.MaxAmount) {
			return false
		}
		_, err = DomainOf(r)
		return err == nil
	}
	if len(c.Networks) == 0 {
		for _, r := range pr.Accepts {
			if ok(r) {
				return r, nil
			}
		}
		return Requirements{}, ErrNoOffer
	}
	for _, n := range c.Networks {
		for _, r := range pr.Accepts {
			if r.Network == n && ok(r) {
				return r, nil
			}
		}
	}
	return Requirements{}, ErrNoOffer
}

// Authorize returns an unsigned authorization paying offer r: exactly the amount to payTo,
// valid from ten minutes ago (clock skew) until maxTimeoutSeconds from now, with a random
// 32-byte nonce.
func (c *Client) Authorize(r Requirements) (Authorization, error) {
	var nonce [32]byte
	rnd := c.Rand
	if rnd == nil {
		rnd = rand.Reader
	}
	if _, err := io.ReadFull(rnd, nonce[:]); err != nil {
		return Authorization{}, fmt.Errorf("x402pay: nonce: %w", err)
	}
	now := c.now().Unix()
	after := now - 600
	if after < 0 {
		after = 0
	}
	timeout := int64(r.MaxTimeoutSeconds)
	if timeout <= 0 {
		timeout = 60
	}
	return Authorization{
		From:        c.Address(),
		To:          r.PayTo,
		Value:       r.Amount,
		ValidAfter:  strconv.FormatInt(after, 10),
		ValidBefore: strconv.FormatInt(now+timeout, 10),
		Nonce:       hexutil.Encode(nonce[:]),
	}, nil
}

// Pay returns the signed payment for offer r of pr: the offer echoed unchanged as accepted,
// the server's extensions copied.
func (c *Client) Pay(pr *PaymentRequired, r Requirements) (*PaymentPayload, error) {
	d, err := DomainOf(r)
	if err != nil {
		return nil, err
	}
	a, err := c.Authorize(r)
	if err != nil {
		return nil, err
	}
	sig, err := SignTransfer(c.Key, d, a)
	if err != nil {
		return nil, err
	}
	return &PaymentPayload{
		X402Version: 2, Resource: pr.Resource, Accepted: r,
		Payload:    Payload{Signature: sig, Authorization: a},
		Extensions: pr.Extensions,
	}, nil
}

// Encode returns the base64 header value of any x402 JSON object.
func Encode(v any) (string, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("x402pay: encode: %w", err)
	}
	return base64.StdEncoding.EncodeToString(raw), nil
}

func decode(h string, v any) error {
	if len(h) > maxHeader {
		return fmt.Errorf("x402pay: header of %d bytes", len(h))
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(h))
	if err != nil {
		return fmt.Errorf("x402pay: header is not base64: %w", err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("x402pay: header JSON: %w", err)
	}
	return nil
}

// ReadPaymentRequired reads a 402 answer: the PAYMENT-REQUIRED header, or the JSON body when
// the header is absent. It consumes and closes the body (read to the end, so that the
// connection is kept for the paid retry).
func ReadPaymentRequired(resp *http.Response) (*PaymentRequired, error) {
	defer func() {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxHeader))
		resp.Body.Close()
	}()
	var pr PaymentRequired
	if h := resp.Header.Get(HeaderPaymentRequired); h != "" {
		if err := decode(h, &pr); err != nil {
			return nil, err
		}
	} else {
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxHeader))
		if err != nil {
			return nil, fmt.Errorf("x402pay: read 402 body: %w", err)
		}
		if err := json.Unmarshal(body, &pr); err != nil {
			return nil, fmt.Errorf("x402pay: 402 without PAYMENT-REQUIRED and without a JSON body: %w", err)
		}
	}
	if pr.X402Version != 2 {
		return nil, fmt.Errorf("x402pay: x402Version %d, want 2", pr.X402Version)
	}
	return &pr, nil
}

// Settlement decodes the PAYMENT-RESPONSE (or X-PAYMENT-RESPONSE) header of resp; nil, nil
// when there is none.
func Settlement(resp *http.Response) (*SettleResponse, error) {
	h := resp.Header.Get(HeaderPaymentResponse)
	if h == "" {
		h = resp.Header.Get(HeaderXPaymentResponse)
	}
	if h == "" {
		return nil, nil
	}
	var s SettleResponse
	if err := decode(h, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// Do sends req and, if the answer is 402, pays and sends it once more with PAYMENT-SIGNATURE.
// The request body must be replayable: nil, or set by http.NewRequest from a bytes, strings or
// bytes.Reader (GetBody), or it is buffered here. The second answer is returned as is; read its
// settlement with Settlement.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	if req.Body != nil && req.GetBody == nil {
		body, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("x402pay: buffer body: %w", err)
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	resp, err := hc.Do(req)
	if err != nil || resp.StatusCode != http.StatusPaymentRequired {
		return resp, err
	}
	pr, err := ReadPaymentRequired(resp)
	if err != nil {
		return nil, err
	}
	offer, err := c.Choose(pr)
	if err != nil {
		return nil, err
	}
	p, err := c.Pay(pr, offer)
	if err != nil {
		return nil, err
	}
	h, err := Encode(p)
	if err != nil {
		return nil, err
	}
	retry := req.Clone(req.Context())
	if req.GetBody != nil {
		if retry.Body, err = req.GetBody(); err != nil {
			return nil, fmt.Errorf("x402pay: replay body: %w", err)
		}
	}
	retry.Header.Set(HeaderPaymentSignature, h)
	return hc.Do(retry)
}

// Get is Do for a GET of url.
func (c *Client) Get(ctx context.Context, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	return c.Do(req)
}

// AmountOf returns an offer's amount as an integer of atomic units.
func AmountOf(r Requirements) (*big.Int, bool) { return new(big.Int).SetString(r.Amount, 10) }
