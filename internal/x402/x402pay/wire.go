package x402pay

import "encoding/json"

// The x402 v2 wire types, as the specification writes them. Unknown members are kept where a
// client must echo them (extra, extensions).

// Resource is what is paid for.
type Resource struct {
	URL         string `json:"url"`
	Description string `json:"description,omitempty"`
	MimeType    string `json:"mimeType,omitempty"`
}

// Requirements is one offer of a 402 answer.
type Requirements struct {
	Scheme            string                     `json:"scheme"`
	Network           string                     `json:"network"`
	Amount            string                     `json:"amount"`
	Asset             string                     `json:"asset"`
	PayTo             string                     `json:"payTo"`
	MaxTimeoutSeconds int                        `json:"maxTimeoutSeconds"`
	Extra             map[string]json.RawMessage `json:"extra,omitempty"`
}

// PaymentRequired is the 402 answer.
type PaymentRequired struct {
	X402Version int                        `json:"x402Version"`
	Error       string                     `json:"error,omitempty"`
	Resource    *Resource                  `json:"resource,omitempty"`
	Accepts     []Requirements             `json:"accepts"`
	Extensions  map[string]json.RawMessage `json:"extensions,omitempty"`
}

// Authorization is the EIP-3009 authorization as it travels: all strings.
type Authorization struct {
	From        string `json:"from"`
	To          string `json:"to"`
	Value       string `json:"value"`
	ValidAfter  string `json:"validAfter"`
	ValidBefore string `json:"validBefore"`
	Nonce       string `json:"nonce"`
}

// Payload is the exact scheme's signed authorization.
type Payload struct {
	Signature     string        `json:"signature"`
	Authorization Authorization `json:"authorization"`
}

// PaymentPayload is what PAYMENT-SIGNATURE carries, base64-encoded.
type PaymentPayload struct {
	X402Version int                        `json:"x402Version"`
	Resource    *Resource                  `json:"resource,omitempty"`
	Accepted    Requirements               `json:"accepted"`
	Payload     Payload                    `json:"payload"`
	Extensions  map[string]json.RawMessage `json:"extensions,omitempty"`
}

// SettleResponse is what PAYMENT-RESPONSE carries.
type SettleResponse struct {
	Success      bool   `json:"success"`
	ErrorReason  string `json:"errorReason,omitempty"`
	ErrorMessage string `json:"errorMessage,omitempty"`
	Transaction  string `json:"transaction"`
	Network      string `json:"network"`
	Payer        string `json:"payer,omitempty"`
	Amount       string `json:"amount,omitempty"`
}
