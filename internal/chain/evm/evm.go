// Package evm settles x402 payments and pays out on an EVM chain through go-ethereum's ethclient
// API (any JSON-RPC endpoint: Base, Base Sepolia, a local node, the simulated backend in tests).
// Settler submits the payer's EIP-3009 transferWithAuthorization; Payout sends an ERC-20
// transfer from the house wallet. Both sign with one key (the settlement wallet, which pays gas)
// and wait for the receipt: a reverted transaction is a refusal, a receipt that never came (a
// timeout, a dropped connection) an unknown outcome.
package evm

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rpc"
)

// Client is the part of go-ethereum's ethclient this package uses. *ethclient.Client (dialled to
// ARCADE_EVM_RPC_URL) and the simulated backend's client both implement it.
type Client interface {
	ChainID(ctx context.Context) (*big.Int, error)
	BlockNumber(ctx context.Context) (uint64, error)
	HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error)
	CallContract(ctx context.Context, msg ethereum.CallMsg, blockNumber *big.Int) ([]byte, error)
	EstimateGas(ctx context.Context, msg ethereum.CallMsg) (uint64, error)
	PendingNonceAt(ctx context.Context, account common.Address) (uint64, error)
	NonceAt(ctx context.Context, account common.Address, blockNumber *big.Int) (uint64, error)
	SuggestGasTipCap(ctx context.Context) (*big.Int, error)
	SendTransaction(ctx context.Context, tx *types.Transaction) error
	TransactionReceipt(ctx context.Context, txHash common.Hash) (*types.Receipt, error)
	FilterLogs(ctx context.Context, q ethereum.FilterQuery) ([]types.Log, error)
}

// tokenABI is the part of USDC's interface used here: EIP-3009 and ERC-20 transfers.
const tokenABI = `[
{"type":"function","name":"transferWithAuthorization","stateMutability":"nonpayable","outputs":[],"inputs":[
 {"name":"from","type":"address"},{"name":"to","type":"address"},{"name":"value","type":"uint256"},
 {"name":"validAfter","type":"uint256"},{"name":"validBefore","type":"uint256"},{"name":"nonce","type":"bytes32"},
 {"name":"v","type":"uint8"},{"name":"r","type":"bytes32"},{"name":"s","type":"bytes32"}]},
{"type":"function","name":"authorizationState","stateMutability":"view","outputs":[{"name":"","type":"bool"}],"inputs":[
 {"name":"authorizer","type":"address"},{"name":"nonce","type":"bytes32"}]},
{"type":"function","name":"transfer","stateMutability":"nonpayable","outputs":[{"name":"","type":"bool"}],"inputs":[
 {"name":"to","type":"address"},{"name":"value","type":"uint256"}]},
{"type":"function","name":"balanceOf","stateMutability":"view","outputs":[{"name":"","type":"uint256"}],"inputs":[
 {"name":"account","type":"address"}]},
{"type":"event","name":"Transfer","anonymous":false,"inputs":[
 {"name":"from","type":"address","indexed":true},{"name":"to","type":"address","indexed":true},{"name":"value","type":"uint256","indexed":false}]},
{"type":"event","name":"AuthorizationUsed","anonymous":false,"inputs":[
 {"name":"authorizer","type":"address","indexed":true},{"name":"nonce","type":"bytes32","indexed":true}]}
]`

// Token is the parsed token interface.
var Token = func() abi.ABI {
	a, err := abi.JSON(strings.NewReader(tokenABI))
	if err != nil {
		panic(fmt.Sprintf("evm: token ABI: %v", err))
	}
	return a
}()

var (
	topicTransfer          = Token.Events["Transfer"].ID
	topicAuthorizationUsed = Token.Events["AuthorizationUsed"].ID
)

// Wallet sends transactions from one key on one chain. Sends are serialised (one account nonce
// at a time); waiting for receipts is not.
type Wallet struct {
	Client  Client
	Key     *ecdsa.PrivateKey
	ChainID *big.Int
	// Poll is how often a receipt is asked for (default 1 s; Base makes a block every 2 s).
	Poll time.Duration
	// GasLimit, when set, skips gas estimation (and its preflight refusal): tests use it to have
	// a bad transaction mined and reverted on chain.
	GasLimit uint64

	mu sync.Mutex
}

// NewWallet checks that client serves chainID and returns a wallet sending from key.
func NewWallet(ctx context.Context, client Client, key *ecdsa.PrivateKey, chainID uint64) (*Wallet, error) {
	id, err := client.ChainID(ctx)
	if err != nil {
		return nil, fmt.Errorf("evm: chain id: %w", err)
	}
	if !id.IsUint64() || id.Uint64() != chainID {
		return nil, fmt.Errorf("evm: the RPC endpoint serves chain %s, the network is %d", id, chainID)
	}
	return &Wallet{Client: client, Key: key, ChainID: id}, nil
}

// Address is the sending account (it pays the gas).
func (w *Wallet) Address() common.Address { return crypto.PubkeyToAddress(w.Key.PublicKey) }

// errRevert is a call or transaction the EVM reverted; its message holds the reason if known.
type errRevert struct{ reason string }

func (e *errRevert) Error() string { return "execution reverted: " + e.reason }

// revertOf tells a revert (the node executed the call and it failed: JSON-RPC error code 3 or
// "execution reverted") from a failure to ask (connection, timeout), which proves nothing.
func revertOf(err error) *errRevert {
	if err == nil {
		return nil
	}
	msg := err.Error()
	var de rpc.DataError
	if errors.As(err, &de) {
		if s, ok := de.ErrorData().(string); ok {
			if b, derr := hexDecode(s); derr == nil {
				if r, uerr := abi.UnpackRevert(b); uerr == nil {
					return &errRevert{reason: r}
				}
			}
		}
	}
	if strings.Contains(msg, "execution reverted") {
		return &errRevert{reason: strings.TrimPrefix(strings.TrimSpace(msg[strings.Index(msg, "execution reverted")+len("execution reverted"):]), ": ")}
	}
	return nil
}

func hexDecode(s string) ([]byte, error) { return common.ParseHexOrString(s) }

// send signs and submits a call of the token at `to` with data and returns its hash. A revert
// found while estimating gas is an *errRevert and nothing is sent.
func (w *Wallet) send(ctx context.Context, to common.Address, data []byte) (common.Hash, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	tx, err := w.sign(ctx, to, data, nil)
	if err != nil {
		return common.Hash{}, err
	}
	if err := w.Client.SendTransaction(ctx, tx); err != nil {
		return tx.Hash(), fmt.Errorf("evm: send %s: %w", tx.Hash().Hex(), err)
	}
	return tx.Hash(), nil
}

// sign builds and signs a call of `to` with data at the account's pending nonce, offering the
// suggested tip and twice the head's base fee on top, but no more than maxFee per gas (nil: no
// bound). The caller holds w.mu until the transaction is sent (or given up), so two sends never
// share a nonce within a process. A revert found while estimating gas is an *errRevert.
func (w *Wallet) sign(ctx context.Context, to common.Address, data []byte, maxFee *big.Int) (*types.Transaction, error) {
	from := w.Address()
	gas := w.GasLimit
	if gas == 0 {
		est, err := w.Client.EstimateGas(ctx, ethereum.CallMsg{From: from, To: &to, Data: data})
		if r := revertOf(err); r != nil {
			return nil, r
		}
		if err != nil {
			return nil, fmt.Errorf("evm: estimate gas: %w", err)
		}
		gas = est + est/4
	}
	nonce, err := w.Client.PendingNonceAt(ctx, from)
	if err != nil {
		return nil, fmt.Errorf("evm: nonce: %w", err)
	}
	tip, err := w.Client.SuggestGasTipCap(ctx)
	if err != nil {
		return nil, fmt.Errorf("evm: gas tip: %w", err)
	}
	head, err := w.Client.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("evm: head: %w", err)
	}
	feeCap := new(big.Int).Add(tip, new(big.Int).Mul(head.BaseFee, big.NewInt(2)))
	tip, feeCap = bounded(tip, feeCap, maxFee)
	tx, err := types.SignNewTx(w.Key, types.LatestSignerForChainID(w.ChainID), &types.DynamicFeeTx{
		ChainID: w.ChainID, Nonce: nonce, GasTipCap: tip, GasFeeCap: feeCap, Gas: gas, To: &to, Data: data})
	if err != nil {
		return nil, fmt.Errorf("evm: sign: %w", err)
	}
	return tx, nil
}

// bounded lowers feeCap to maxFee (nil: no bound), and tip to the fee cap.
func bounded(tip, feeCap, maxFee *big.Int) (*big.Int, *big.Int) {
	if maxFee != nil && feeCap.Cmp(maxFee) > 0 {
		feeCap = new(big.Int).Set(maxFee)
	}
	if tip.Cmp(feeCap) > 0 {
		tip = new(big.Int).Set(feeCap)
	}
	return tip, feeCap
}

// wait polls for the receipt of hash until it comes or ctx ends (the outcome is then unknown).
func (w *Wallet) wait(ctx context.Context, hash common.Hash) (*types.Receipt, error) {
	poll := w.Poll
	if poll <= 0 {
		poll = time.Second
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		r, err := w.Client.TransactionReceipt(ctx, hash)
		if err == nil && r != nil {
			return r, nil
		}
		if err != nil && !errors.Is(err, ethereum.NotFound) {
			return nil, fmt.Errorf("evm: receipt of %s: %w", hash.Hex(), err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("evm: receipt of %s: %w", hash.Hex(), ctx.Err())
		case <-t.C:
		}
	}
}

// call runs a view function of the token.
func call(ctx context.Context, c Client, token common.Address, method string, args ...any) ([]any, error) {
	data, err := Token.Pack(method, args...)
	if err != nil {
		return nil, fmt.Errorf("evm: pack %s: %w", method, err)
	}
	out, err := c.CallContract(ctx, ethereum.CallMsg{To: &token, Data: data}, nil)
	if err != nil {
		return nil, fmt.Errorf("evm: %s: %w", method, err)
	}
	vals, err := Token.Unpack(method, out)
	if err != nil {
		return nil, fmt.Errorf("evm: %s: %w", method, err)
	}
	return vals, nil
}

// BalanceOf reads an account's token balance (atomic units).
func BalanceOf(ctx context.Context, c Client, token, account common.Address) (*big.Int, error) {
	v, err := call(ctx, c, token, "balanceOf", account)
	if err != nil {
		return nil, err
	}
	return v[0].(*big.Int), nil
}

// AuthorizationUsed reads the token's EIP-3009 authorizationState(authorizer, nonce).
func AuthorizationUsed(ctx context.Context, c Client, token, authorizer common.Address, nonce [32]byte) (bool, error) {
	v, err := call(ctx, c, token, "authorizationState", authorizer, nonce)
	if err != nil {
		return false, err
	}
	return v[0].(bool), nil
}

// transferIn reports whether receipt r holds token's Transfer(from, to, value).
func transferIn(r *types.Receipt, token, from, to common.Address, value *big.Int) bool {
	for _, l := range r.Logs {
		if l.Address == token && len(l.Topics) == 3 && l.Topics[0] == topicTransfer &&
			common.BytesToAddress(l.Topics[1][:]) == from && common.BytesToAddress(l.Topics[2][:]) == to &&
			new(big.Int).SetBytes(l.Data).Cmp(value) == 0 {
			return true
		}
	}
	return false
}
