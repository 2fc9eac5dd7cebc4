package x402

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// MaxHeaderBytes bounds every x402 header Arcade reads. A payment payload is about 1 KiB of
// base64; the bound leaves room for echoed extensions and refuses anything larger before
// decoding it.
const MaxHeaderBytes = 16 << 10

var b64 = base64.StdEncoding.Strict()

// EncodeHeader returns the base64 (standard alphabet, padded) of v's JSON.
func EncodeHeader(v any) (string, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("x402: encode header: %w", err)
	}
	return b64.EncodeToString(raw), nil
}

// EncodePaymentRequired encodes a 402 answer once for both its places: the JSON body, and the
// PAYMENT-REQUIRED header that is the base64 of the same bytes.
func EncodePaymentRequired(pr PaymentRequired) (header string, body []byte, err error) {
	body, err = json.Marshal(pr)
	if err != nil {
		return "", nil, fmt.Errorf("x402: encode payment required: %w", err)
	}
	return b64.EncodeToString(body), body, nil
}

// decodeHeader reads a header value strictly: at most MaxHeaderBytes, standard padded base64
// without whitespace, one JSON object and nothing after it.
func decodeHeader(h string, v any) error {
	raw, err := headerJSON(h)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return &Error{Reason: ReasonInvalidPayload, Message: "header JSON: " + err.Error(), Err: err}
	}
	return nil
}

// headerJSON returns the JSON object a header value holds.
func headerJSON(h string) ([]byte, error) {
	if h == "" {
		return nil, refuse(ReasonInvalidPayload, "empty header")
	}
	if len(h) > MaxHeaderBytes {
		return nil, refuse(ReasonInvalidPayload, "header is %d bytes, more than %d", len(h), MaxHeaderBytes)
	}
	raw, err := b64.DecodeString(h)
	if err != nil {
		return nil, &Error{Reason: ReasonInvalidPayload, Message: "header is not standard padded base64", Err: err}
	}
	if len(raw) == 0 || raw[0] != '{' {
		return nil, refuse(ReasonInvalidPayload, "header does not hold a JSON object")
	}
	return raw, nil
}

// DecodePaymentPayload reads a PAYMENT-SIGNATURE or X-PAYMENT header. It checks the shape only
// (version and the presence of every field); Verifier.Verify checks the meaning.
func DecodePaymentPayload(h string) (*PaymentPayload, error) {
	raw, err := headerJSON(h)
	if err != nil {
		return nil, err
	}
	var p PaymentPayload
	if err := decodePayloadJSON(raw, &p); err != nil {
		return nil, &Error{Reason: ReasonInvalidPayload, Message: "header JSON: " + err.Error(), Err: err}
	}
	if err := p.checkShape(); err != nil {
		return nil, err
	}
	return &p, nil
}

// DecodePaymentRequired reads a PAYMENT-REQUIRED header.
func DecodePaymentRequired(h string) (*PaymentRequired, error) {
	var p PaymentRequired
	if err := decodeHeader(h, &p); err != nil {
		return nil, err
	}
	if p.X402Version != Version {
		return nil, refuse(ReasonInvalidVersion, "x402Version %d, want %d", p.X402Version, Version)
	}
	if len(p.Accepts) == 0 {
		return nil, refuse(ReasonInvalidPayload, "accepts is empty")
	}
	return &p, nil
}

// DecodeSettleResponse reads a PAYMENT-RESPONSE header.
func DecodeSettleResponse(h string) (*SettleResponse, error) {
	var s SettleResponse
	if err := decodeHeader(h, &s); err != nil {
		return nil, err
	}
	if s.Network == "" {
		return nil, refuse(ReasonInvalidPayload, "settlement response without network")
	}
	return &s, nil
}

// checkShape reports a payload whose version is wrong or whose required fields are missing.
func (p *PaymentPayload) checkShape() error {
	if p.X402Version != Version {
		return refuse(ReasonInvalidVersion, "x402Version %d, want %d", p.X402Version, Version)
	}
	a := &p.Payload.Authorization
	for _, f := range [...]struct{ name, v string }{
		{"accepted.scheme", p.Accepted.Scheme}, {"accepted.network", p.Accepted.Network},
		{"accepted.amount", p.Accepted.Amount}, {"accepted.asset", p.Accepted.Asset},
		{"accepted.payTo", p.Accepted.PayTo}, {"payload.signature", p.Payload.Signature},
		{"authorization.from", a.From}, {"authorization.to", a.To}, {"authorization.value", a.Value},
		{"authorization.validAfter", a.ValidAfter}, {"authorization.validBefore", a.ValidBefore},
		{"authorization.nonce", a.Nonce},
	} {
		if f.v == "" {
			return refuse(ReasonInvalidPayload, "%s is missing", f.name)
		}
	}
	return nil
}
