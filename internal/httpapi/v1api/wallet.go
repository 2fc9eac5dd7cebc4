package v1api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/arcadehq/arcade/internal/casino"
	"github.com/arcadehq/arcade/internal/casino/bets"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/x402"
)

// NetworkInfo is one network Arcade is paid on.
type NetworkInfo struct {
	Network      string `json:"network"`
	Label        string `json:"label"`
	Asset        string `json:"asset"`
	TokenName    string `json:"token_name"`
	TokenVersion string `json:"token_version"`
	Sandbox      bool   `json:"sandbox"`
}

// Manifest is GET /api/v1, the paid agent-facing discovery manifest.
type Manifest struct {
	Name        string           `json:"name"`
	Description string           `json:"description"`
	Chain       string           `json:"chain"`
	Asset       string           `json:"asset"`
	PayTo       string           `json:"pay_to"`
	Sandbox     bool             `json:"sandbox"`
	Networks    []NetworkInfo    `json:"networks"`
	Games       []string         `json:"games"`
	Stakes      []StakeInfo      `json:"stakes"`
	Prices      []casino.Price   `json:"prices"`
	Payouts     casino.PayTables `json:"payouts"`
	Flow        []string         `json:"flow"`
}

func manifest(out any) any {
	m := out.(bets.Manifest)
	r := Manifest{Name: "Arcade", Description: "Provably-fair casino for AI agents, paid per call with x402 (USDC, EIP-3009).",
		PayTo: m.PayTo, Prices: m.Prices, Payouts: m.Tables, Stakes: stakes(casino.Stakes()),
		Flow: []string{"GET /api/v1/seed/commit (free): snapshot the commitment",
			"POST /api/v1/games/{game}?stake=micro|standard|whale with {client_seed, nonce (increasing), ...}: pay the 402",
			"GET /api/v1/bets/{id}: settled, payout in your in-house balance",
			"GET /api/v1/seed/reveal?seed_id=... once rotated: recompute with arcade verify",
			"POST /api/v1/withdraw {amount_micro}: to the payer address"}}
	for _, g := range m.Games {
		r.Games = append(r.Games, string(g))
	}
	for i, n := range m.Networks {
		r.Networks = append(r.Networks, NetworkInfo{n.ID, n.Label, n.Asset.Hex(), n.TokenName, n.TokenVersion, n.Sandbox})
		if i == 0 {
			r.Chain, r.Asset, r.Sandbox = n.ID, n.Asset.Hex(), n.Sandbox
		}
	}
	return r
}

// BalanceResponse is GET /api/v1/balance.
type BalanceResponse struct {
	Wallet    string    `json:"wallet"`
	USDCMicro int64     `json:"usdc_micro"`
	UpdatedAt time.Time `json:"updated_at"`
}

// WithdrawBody is POST /api/v1/withdraw's body. The destination is the payer, never a field.
type WithdrawBody struct {
	AmountMicro int64 `json:"amount_micro" jsonschema:"minimum=1"`
}

type withdrawWire struct {
	AmountMicro httpapi.Number `json:"amount_micro"`
}

// WithdrawResponse answers a withdrawal.
type WithdrawResponse struct {
	WithdrawalID string    `json:"withdrawal_id"`
	TxHash       string    `json:"tx_hash"`
	Status       string    `json:"status"`
	To           string    `json:"to"`
	AmountMicro  int64     `json:"amount_micro"`
	Network      string    `json:"network"`
	Sandbox      bool      `json:"sandbox"`
	CreatedAt    time.Time `json:"created_at"`
}

// acceptParam is spec 001's Accept header of the manifest and the balance: always JSON.
var acceptParam = httpapi.Param{Name: "Accept", In: "header", Description: "Response content negotiation. Always JSON in practice."}

func (a *API) registerWallet(rt *httpapi.Router) {
	none := func(*http.Request) (any, error) { return nil, nil }
	a.handle(rt, route{op: a.Ops.Manifest, http: httpapi.Op{Method: "GET", Path: "/api/v1", ID: "getDiscovery", Tag: "discovery",
		Summary: "Agent-facing discovery manifest (paid).", Resp: Manifest{}, Params: []httpapi.Param{acceptParam}},
		decode: none, render: manifest, bazaar: x402.BazaarHTTP{Method: "GET"}, items: []casino.Item{casino.ItemManifest}})
	a.handle(rt, route{op: a.Ops.Balance, http: httpapi.Op{Method: "GET", Path: "/api/v1/balance", ID: "v1GetBalance", Tag: "wallet",
		Summary: "Read the in-house USDC balance for the x402 payer wallet.", Resp: BalanceResponse{}, Params: []httpapi.Param{acceptParam}},
		decode: none, bazaar: x402.BazaarHTTP{Method: "GET"}, items: []casino.Item{casino.ItemBalance},
		render: func(out any) any {
			b := out.(bets.Balance)
			return BalanceResponse{b.Wallet, b.USDCMicro, b.UpdatedAt}
		}})
	a.handle(rt, route{op: a.Ops.Bet, http: httpapi.Op{Method: "GET", Path: "/api/v1/bets/{id}", ID: "v1GetBet", Tag: "wallet",
		Summary: "Fetch a specific bet by id (only the payer can view their own bets).", Resp: BetResponse{}},
		decode: func(r *http.Request) (any, error) { return bets.ByID{ID: r.PathValue("id")}, nil },
		render: betResponse, bazaar: x402.BazaarHTTP{Method: "GET"}, items: []casino.Item{casino.ItemBetStatus}})
	a.handle(rt, route{op: a.Ops.Withdraw, http: httpapi.Op{Method: "POST", Path: "/api/v1/withdraw", ID: "v1Withdraw", Tag: "wallet",
		Summary: "Withdraw USDC on-chain to the x402 payer address. Destination is the payer wallet — never a body field.",
		Body:    WithdrawBody{}, Resp: WithdrawResponse{}},
		decode: decodeWithdraw,
		render: func(out any) any {
			w := out.(bets.Withdrawal)
			return WithdrawResponse{WithdrawalID: w.ID, TxHash: w.Tx, Status: w.Status, To: w.Address, AmountMicro: w.AmountMic,
				Network: w.Network, Sandbox: sandboxNetwork(w.Network), CreatedAt: w.CreatedAt}
		},
		bazaar: x402.BazaarHTTP{Method: "POST", Input: map[string]any{"amount_micro": 1000000}}, items: []casino.Item{casino.ItemWithdrawFee}})
}

// decodeWithdraw reads WithdrawBody.
func decodeWithdraw(r *http.Request) (any, error) {
	raw, err := httpapi.ReadBody(r)
	if err != nil {
		return nil, err
	}
	var b withdrawWire
	if err := httpapi.DecodeJSON(raw, &b); err != nil {
		return nil, err
	}
	if b.AmountMicro == "" {
		return nil, errs.Missing("amount_micro")
	}
	n, err := strconv.ParseInt(string(b.AmountMicro), 10, 64)
	if err != nil || n < 1 {
		return nil, errs.Invalid("amount_micro", "must be a whole number of micro-USDC, at least 1")
	}
	return bets.WithdrawInput{AmountMicro: n}, nil
}
