// Package payments keeps x402 payments in the database: the NonceStore that lets every instance
// refuse a replayed authorization, the record of each accepted payment (in the transaction of
// what it bought), and its settlement in the ledger. The protocol itself (offers, verification)
// is package x402; the sandbox network settles here at once.
package payments

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/x402"
)

// Nonces is the database NonceStore: an authorization is used once it has a row in
// x402_payments, whichever instance wrote it.
type Nonces struct{ DB *store.DB }

var _ x402.NonceStore = Nonces{}

func keyArgs(k x402.NonceKey) []any {
	return []any{k.Network, strings.ToLower(k.Asset.Hex()), strings.ToLower(k.From.Hex()), "0x" + hex.EncodeToString(k.Nonce[:])}
}

// NonceUsed reports whether the authorization k was already accepted.
func (n Nonces) NonceUsed(ctx context.Context, k x402.NonceKey) (used bool, err error) {
	err = n.DB.Read(ctx, func(ctx context.Context, q store.Q) error {
		var one int
		err := q.QueryRow(ctx, `SELECT 1 FROM x402_payments WHERE network = ? AND asset = ? AND payer = ? AND nonce = ?`,
			keyArgs(k)...).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		used = err == nil
		return err
	})
	return used, err
}

// Recorded is the NonceStore of a verifier whose every accepted payment is recorded (Record or
// Charge) in the transaction of what it buys, as /api/v1's paywall does: it answers "unused"
// without reading, because the x402_payments primary key refuses a replay in that transaction,
// on every instance, with the same reason (invalid_transaction_state), before anything is kept
// or charged. The read it saves is about a fifth of a sandbox bet's CPU. A verifier that accepts
// without recording (a facilitator's /verify) needs Nonces.
type Recorded struct{}

var _ x402.NonceStore = Recorded{}

// NonceUsed implements x402.NonceStore: the record decides.
func (Recorded) NonceUsed(context.Context, x402.NonceKey) (bool, error) { return false, nil }

// Record accepts p in q, the transaction of what it pays for (kind, ref), for account. A second
// copy of the same authorization, on any instance, is x402's invalid_transaction_state and the
// caller's transaction must roll back.
func Record(ctx context.Context, q store.Q, now time.Time, p *x402.Payment, account, kind, ref string) error {
	return record(ctx, q, now, p, account, kind, ref, nil)
}

// record inserts the payment row, with its settlement transaction when it is known already.
func record(ctx context.Context, q store.Q, now time.Time, p *x402.Payment, account, kind, ref string, tx any) error {
	auth, err := json.Marshal(storedAuth{From: p.Authorization.From.Hex(), To: p.Authorization.To.Hex(),
		Value: hexWord(p.Authorization.Value), ValidAfter: hexWord(p.Authorization.ValidAfter),
		ValidBefore: hexWord(p.Authorization.ValidBefore), Nonce: "0x" + hex.EncodeToString(p.Authorization.Nonce[:])})
	if err != nil {
		return fmt.Errorf("payments: record: %w", err)
	}
	args := append(keyArgs(p.Nonce), account, p.AmountMicro, kind, ref, string(auth), "0x"+hex.EncodeToString(p.Signature[:]), now.UnixMicro(), tx)
	_, err = q.Exec(ctx, `INSERT INTO x402_payments (network, asset, payer, nonce, account_id, amount, kind, ref, auth_json, signature, created_at, tx_hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
	if store.IsUnique(err) {
		return &x402.Error{Reason: x402.ReasonInvalidTxState, Message: "this authorization was already used", Err: err}
	}
	if err != nil {
		return fmt.Errorf("payments: record: %w", err)
	}
	return nil
}

// storedAuth is an authorization as stored: addresses and 32-byte words in hex.
type storedAuth struct {
	From, To                       string
	Value, ValidAfter, ValidBefore string
	Nonce                          string
}

func hexWord(w x402.Word) string { return "0x" + hex.EncodeToString(w[:]) }

func parse32(s string) (out [32]byte, ok bool) {
	b, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	if err != nil || len(b) != 32 {
		return out, false
	}
	copy(out[:], b)
	return out, true
}

// Load reads back the accepted payment recorded for ref (a bet), to retry its settlement: the
// authorization, its signature and digest on its network, looked up first among the configured
// networks (whose token may not be a built-in one's), then the built-in ones.
func Load(ctx context.Context, q store.Q, ref string, networks ...x402.Network) (*x402.Payment, error) {
	var network, auth, sig string
	var amount int64
	err := q.QueryRow(ctx, `SELECT network, amount, auth_json, signature FROM x402_payments WHERE ref = ?`, ref).Scan(&network, &amount, &auth, &sig)
	if err != nil {
		return nil, fmt.Errorf("payments: load %s: %w", ref, err)
	}
	n, err := networkOf(network, networks)
	if err != nil {
		return nil, fmt.Errorf("payments: load %s: %w", ref, err)
	}
	var sa storedAuth
	if err := json.Unmarshal([]byte(auth), &sa); err != nil {
		return nil, fmt.Errorf("payments: load %s: %w", ref, err)
	}
	p := &x402.Payment{Network: &n, AmountMicro: amount}
	a := &p.Authorization
	a.From, a.To = common.HexToAddress(sa.From), common.HexToAddress(sa.To)
	var ok [4]bool
	var v, va, vb [32]byte
	v, ok[0] = parse32(sa.Value)
	va, ok[1] = parse32(sa.ValidAfter)
	vb, ok[2] = parse32(sa.ValidBefore)
	a.Nonce, ok[3] = parse32(sa.Nonce)
	sb, err := hex.DecodeString(strings.TrimPrefix(sig, "0x"))
	if ok != [4]bool{true, true, true, true} || err != nil || len(sb) != 65 {
		return nil, fmt.Errorf("payments: load %s: malformed stored authorization", ref)
	}
	a.Value, a.ValidAfter, a.ValidBefore = x402.Word(v), x402.Word(va), x402.Word(vb)
	copy(p.Signature[:], sb)
	p.Payer = a.From
	p.Digest = a.Digest(n.DomainSeparator())
	p.Nonce = x402.NonceKey{Network: n.ID, Asset: n.Asset, From: a.From, Nonce: a.Nonce}
	return p, nil
}

func networkOf(id string, networks []x402.Network) (x402.Network, error) {
	for _, n := range networks {
		if n.ID == id {
			return n, nil
		}
	}
	return x402.NetworkByName(id)
}

// Settled books a settled payment in the ledger: the USDC arrives from outside on the payer's
// in-house account (x402_payment) and goes on to the house for what it bought (kind), and the
// payment row gets its transaction. The payer's available balance is unchanged by the pair.
func Settled(ctx context.Context, q store.Q, now time.Time, p *x402.Payment, account, kind, ref, tx string) error {
	if err := post(ctx, q, now, p, account, kind, ref); err != nil {
		return err
	}
	args := append([]any{tx}, keyArgs(p.Nonce)...)
	if _, err := q.Exec(ctx, `UPDATE x402_payments SET tx_hash = ? WHERE network = ? AND asset = ? AND payer = ? AND nonce = ?`, args...); err != nil {
		return fmt.Errorf("payments: settled: %w", err)
	}
	return nil
}

// post books a settled payment's two transfers.
func post(ctx context.Context, q store.Q, now time.Time, p *x402.Payment, account, kind, ref string, also ...ledger.Transfer) error {
	amt := money.Amount(p.AmountMicro)
	user := ledger.UserAccount(account, money.USDC)
	if err := ledger.Post(ctx, q, now, append([]ledger.Transfer{
		{Asset: money.USDC, From: ledger.SystemAccount(ledger.External, money.USDC), To: user, Amount: amt, Kind: "x402_payment", Ref: ref},
		{Asset: money.USDC, From: user, To: ledger.SystemAccount(ledger.House, money.USDC), Amount: amt, Kind: kind, Ref: ref},
	}, also...)...); err != nil {
		return fmt.Errorf("payments: post: %w", err)
	}
	return nil
}

// Charge accepts and settles a payment in one transaction, for what the sandbox sells outright
// (reads of the balance, a bet's status, the manifest; a withdrawal's fee). It returns the
// receipt for PAYMENT-RESPONSE. Transfers in also are posted with the payment's (one posting:
// a bet's payout).
func Charge(ctx context.Context, q store.Q, now time.Time, p *x402.Payment, account, kind, ref string, also ...ledger.Transfer) (x402.SettleResponse, error) {
	if !p.Network.Sandbox {
		// On a chain only bets settle (they can wait in settling); a fixed-price call is refused
		// before its payment is recorded, so nothing is charged.
		return x402.SettleResponse{}, errs.Unavailablef("paying this call on %s is not available yet (bets are)", p.Network.ID)
	}
	tx := SandboxTx(p)
	if err := record(ctx, q, now, p, account, kind, ref, tx); err != nil {
		return x402.SettleResponse{}, err
	}
	if err := post(ctx, q, now, p, account, kind, ref, also...); err != nil {
		return x402.SettleResponse{}, err
	}
	return Receipt(p, tx), nil
}

// SandboxTx is the sandbox's settlement "transaction hash": the authorization's EIP-712 digest,
// unique per authorization and recomputable by the payer. No chain is involved.
func SandboxTx(p *x402.Payment) string { return "0x" + hex.EncodeToString(p.Digest[:]) }

// Receipt is the PAYMENT-RESPONSE of a settled payment.
func Receipt(p *x402.Payment, tx string) x402.SettleResponse {
	return x402.SettleResponse{Success: true, Transaction: tx, Network: p.Network.ID, Payer: p.Payer.Hex(),
		Amount: strconv.FormatInt(p.AmountMicro, 10)}
}
