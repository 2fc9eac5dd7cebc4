package x402

import "encoding/json"

// Version is the x402 protocol version Arcade speaks.
const Version = 2

// SchemeExact is the only payment scheme Arcade offers: pay exactly the price.
const SchemeExact = "exact"

// Header names. HTTP header lookup is case-insensitive; these are the canonical spellings.
const (
	HeaderPaymentRequired   = "PAYMENT-REQUIRED"   // server → client on 402
	HeaderPaymentSignature  = "PAYMENT-SIGNATURE"  // client → server (v2 name)
	HeaderXPayment          = "X-PAYMENT"          // client → server (v1 name, accepted too)
	HeaderPaymentResponse   = "PAYMENT-RESPONSE"   // server → client with the settlement
	HeaderXPaymentResponse  = "X-PAYMENT-RESPONSE" // v1 name of PAYMENT-RESPONSE
	TransferMethodEIP3009   = "eip3009"            // the only extra.assetTransferMethod Arcade uses
	ExtensionBazaar         = "bazaar"             // the discovery extension's key
	defaultMaxTimeout       = 120
	maxResourceURLBytes     = 2048
	maxExtensionsJSONBytes  = 8 << 10
	maxRequirementsAccepted = 16
)

// Resource names what is being paid for.
type Resource struct {
	URL         string `json:"url"`
	Description string `json:"description,omitempty"`
	MimeType    string `json:"mimeType,omitempty"`
}

// Extra carries the token's EIP-712 domain name and version, which the payer needs to sign,
// and Arcade's sandbox label. Unknown members sent back by a client are ignored.
type Extra struct {
	Name                string `json:"name"`
	Version             string `json:"version"`
	AssetTransferMethod string `json:"assetTransferMethod,omitempty"`
	// Sandbox is true on the built-in sandbox network: no real money moves.
	Sandbox bool `json:"sandbox,omitempty"`
}

// Requirements is one way to pay (PaymentRequirements in the specification). Amount is a
// base-10 string of the asset's atomic units: micro-USDC.
type Requirements struct {
	Scheme            string `json:"scheme"`
	Network           string `json:"network"`
	Amount            string `json:"amount"`
	Asset             string `json:"asset"`
	PayTo             string `json:"payTo"`
	MaxTimeoutSeconds int    `json:"maxTimeoutSeconds"`
	Extra             *Extra `json:"extra,omitempty"`
}

// Extension is one entry of the extensions map: free-form info and a JSON schema describing it.
type Extension struct {
	Info   json.RawMessage `json:"info"`
	Schema json.RawMessage `json:"schema"`
}

// PaymentRequired is the 402 answer, sent base64-encoded in PAYMENT-REQUIRED and as the body.
type PaymentRequired struct {
	X402Version int                  `json:"x402Version"`
	Error       string               `json:"error,omitempty"`
	Resource    *Resource            `json:"resource,omitempty"`
	Accepts     []Requirements       `json:"accepts"`
	Extensions  map[string]Extension `json:"extensions,omitempty"`
}

// AuthorizationJSON is an EIP-3009 authorization as it travels: every field a string.
type AuthorizationJSON struct {
	From        string `json:"from"`
	To          string `json:"to"`
	Value       string `json:"value"`
	ValidAfter  string `json:"validAfter"`
	ValidBefore string `json:"validBefore"`
	Nonce       string `json:"nonce"`
}

// ExactPayload is the scheme-specific part of a payment: the signature and what it signs.
type ExactPayload struct {
	Signature     string            `json:"signature"`
	Authorization AuthorizationJSON `json:"authorization"`
}

// PaymentPayload is what the client sends in PAYMENT-SIGNATURE (or X-PAYMENT), base64-encoded.
type PaymentPayload struct {
	X402Version int                  `json:"x402Version"`
	Resource    *Resource            `json:"resource,omitempty"`
	Accepted    Requirements         `json:"accepted"`
	Payload     ExactPayload         `json:"payload"`
	Extensions  map[string]Extension `json:"extensions,omitempty"`
}

// SettleResponse is the settlement result, sent base64-encoded in PAYMENT-RESPONSE and
// answered by a facilitator's /settle. Transaction is "" when Success is false.
type SettleResponse struct {
	Success      bool   `json:"success"`
	ErrorReason  string `json:"errorReason,omitempty"`
	ErrorMessage string `json:"errorMessage,omitempty"`
	Transaction  string `json:"transaction"`
	Network      string `json:"network"`
	Payer        string `json:"payer,omitempty"`
	Amount       string `json:"amount,omitempty"`
}

// VerifyResponse is a facilitator's /verify answer.
type VerifyResponse struct {
	IsValid        bool   `json:"isValid"`
	InvalidReason  string `json:"invalidReason,omitempty"`
	InvalidMessage string `json:"invalidMessage,omitempty"`
	Payer          string `json:"payer,omitempty"`
}

// FacilitatorRequest is the body of a facilitator's /verify and /settle.
type FacilitatorRequest struct {
	X402Version         int            `json:"x402Version"`
	PaymentPayload      PaymentPayload `json:"paymentPayload"`
	PaymentRequirements Requirements   `json:"paymentRequirements"`
}

// SupportedKind is one (version, scheme, network) a facilitator handles.
type SupportedKind struct {
	X402Version int             `json:"x402Version"`
	Scheme      string          `json:"scheme"`
	Network     string          `json:"network"`
	Extra       json.RawMessage `json:"extra,omitempty"`
}

// Supported is a facilitator's /supported answer.
type Supported struct {
	Kinds      []SupportedKind     `json:"kinds"`
	Extensions []string            `json:"extensions"`
	Signers    map[string][]string `json:"signers,omitempty"`
}
