package facilitator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/arcadehq/arcade/internal/x402"
)

// maxResponseBytes bounds a facilitator's answer.
const maxResponseBytes = 1 << 20

// ErrStatus reports an answer that is not 200: a malformed request (400) or a facilitator
// failure (5xx). The payment's fate is unknown after a /settle that fails this way; the caller
// keeps the bet settling and asks again later.
var ErrStatus = errors.New("facilitator: unexpected status")

// Client calls one facilitator. The zero HTTP means http.DefaultClient; callers bound every call
// with the context's deadline.
type Client struct {
	BaseURL string       // e.g. https://x402.org/facilitator, without the trailing slash
	HTTP    *http.Client //
	// Header is added to every request (an API key, if the facilitator wants one).
	Header http.Header
}

// Verify asks the facilitator to verify p against r. A well-formed but invalid payment answers
// the facilitator's VerifyResponse and an *x402.Error with its invalidReason.
func (c *Client) Verify(ctx context.Context, p *x402.PaymentPayload, r x402.Requirements) (*x402.VerifyResponse, error) {
	var out x402.VerifyResponse
	if err := c.post(ctx, "/verify", p, r, &out); err != nil {
		return nil, err
	}
	if !out.IsValid {
		return &out, &x402.Error{Reason: reasonOr(out.InvalidReason, x402.ReasonUnexpectedVerify), Message: out.InvalidMessage}
	}
	return &out, nil
}

// Settle asks the facilitator to execute p. A refused settlement answers the SettleResponse
// (success false) and an *x402.Error with its errorReason.
func (c *Client) Settle(ctx context.Context, p *x402.PaymentPayload, r x402.Requirements) (*x402.SettleResponse, error) {
	var out x402.SettleResponse
	if err := c.post(ctx, "/settle", p, r, &out); err != nil {
		return nil, err
	}
	if !out.Success {
		return &out, &x402.Error{Reason: reasonOr(out.ErrorReason, x402.ReasonUnexpectedSettle), Message: out.ErrorMessage}
	}
	if out.Transaction == "" || out.Network == "" {
		return &out, fmt.Errorf("facilitator: settle: success without transaction or network")
	}
	return &out, nil
}

// Supported returns the kinds of payment the facilitator handles.
func (c *Client) Supported(ctx context.Context) (*x402.Supported, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url("/supported"), nil)
	if err != nil {
		return nil, fmt.Errorf("facilitator: supported: %w", err)
	}
	var out x402.Supported
	if err := c.do(req, &out); err != nil {
		return nil, fmt.Errorf("facilitator: supported: %w", err)
	}
	return &out, nil
}

// Supports reports whether s lists (version 2, scheme, network).
func Supports(s *x402.Supported, scheme, network string) bool {
	for _, k := range s.Kinds {
		if k.X402Version == x402.Version && k.Scheme == scheme && k.Network == network {
			return true
		}
	}
	return false
}

func reasonOr(r string, def x402.Reason) x402.Reason {
	if r == "" {
		return def
	}
	return x402.Reason(r)
}

func (c *Client) url(path string) string { return strings.TrimRight(c.BaseURL, "/") + path }

func (c *Client) post(ctx context.Context, path string, p *x402.PaymentPayload, r x402.Requirements, out any) error {
	body, err := json.Marshal(x402.FacilitatorRequest{X402Version: x402.Version, PaymentPayload: *p, PaymentRequirements: r})
	if err != nil {
		return fmt.Errorf("facilitator: %s: %w", path, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url(path), bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("facilitator: %s: %w", path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if err := c.do(req, out); err != nil {
		return fmt.Errorf("facilitator: %s: %w", path, err)
	}
	return nil
}

func (c *Client) do(req *http.Request, out any) error {
	for k, vs := range c.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	req.Header.Set("Accept", "application/json")
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return err
	}
	if len(raw) > maxResponseBytes {
		return fmt.Errorf("answer larger than %d bytes", maxResponseBytes)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w %d: %.200s", ErrStatus, resp.StatusCode, raw)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	return nil
}
