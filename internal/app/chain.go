package app

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/arcadehq/arcade/internal/casino/bets"
	"github.com/arcadehq/arcade/internal/chain"
	"github.com/arcadehq/arcade/internal/chain/evm"
	"github.com/arcadehq/arcade/internal/x402"
	"github.com/arcadehq/arcade/internal/x402/facilitator"
)

// Settlement modes of a chain network (ARCADE_X402_SETTLEMENT).
const (
	SettleRPC         = "rpc"         // transferWithAuthorization sent by Arcade through ARCADE_EVM_RPC_URL
	SettleFacilitator = "facilitator" // /settle of the facilitator at ARCADE_X402_FACILITATOR_URL
)

// ChainConfig is how /api/v1 payments settle and withdrawals pay out on a chain network (any
// network but the sandbox). See docs/x402.md.
type ChainConfig struct {
	Settlement     string            // ARCADE_X402_SETTLEMENT: rpc or facilitator (default: rpc with an RPC URL, else facilitator)
	RPCURL         string            // ARCADE_EVM_RPC_URL: the chain's JSON-RPC endpoint
	SettlerKey     *ecdsa.PrivateKey // ARCADE_EVM_SETTLER_KEY (hex): sends the settlements and pays their gas
	PayoutKey      *ecdsa.PrivateKey // ARCADE_EVM_PAYOUT_KEY (hex): the house wallet paying withdrawals (default: the settler key)
	FacilitatorURL string            // ARCADE_X402_FACILITATOR_URL
	// FacilitatorHeader is sent with every facilitator call (ARCADE_X402_FACILITATOR_AUTH: an
	// Authorization header value, if the facilitator wants one).
	FacilitatorHeader string
}

// chainFromEnv reads the network (ARCADE_X402_NETWORK, and for a token of one's own
// ARCADE_X402_ASSET, ARCADE_X402_TOKEN_NAME, ARCADE_X402_TOKEN_VERSION) and, off the sandbox,
// its settlement.
func chainFromEnv(c *Config, getenv func(string) string) error {
	name := getenv("ARCADE_X402_NETWORK")
	n, err := x402.NetworkByName(name)
	if err != nil {
		id, custom := strings.CutPrefix(name, "eip155:")
		var chainID uint64
		if _, serr := fmt.Sscan(id, &chainID); !custom || serr != nil || getenv("ARCADE_X402_ASSET") == "" {
			return fmt.Errorf("ARCADE_X402_NETWORK: %w (eip155:<chain id> needs ARCADE_X402_ASSET, ARCADE_X402_TOKEN_NAME and ARCADE_X402_TOKEN_VERSION)", err)
		}
		n = x402.Network{ID: name, ChainID: chainID, Decimals: 6, Label: name}
	}
	if v := getenv("ARCADE_X402_ASSET"); v != "" {
		if n.Sandbox {
			return fmt.Errorf("ARCADE_X402_ASSET: the sandbox's token is built in")
		}
		if !common.IsHexAddress(v) {
			return fmt.Errorf("ARCADE_X402_ASSET: want a 0x address, got %q", v)
		}
		n.Asset = common.HexToAddress(v)
	}
	for env, f := range map[string]*string{"ARCADE_X402_TOKEN_NAME": &n.TokenName, "ARCADE_X402_TOKEN_VERSION": &n.TokenVersion} {
		if v := getenv(env); v != "" {
			if n.Sandbox {
				return fmt.Errorf("%s: the sandbox's token is built in", env)
			}
			*f = v
		}
	}
	if err := n.Validate(); err != nil {
		return fmt.Errorf("ARCADE_X402_NETWORK: %w", err)
	}
	c.X402Network = n
	if n.Sandbox {
		return nil
	}
	cc := ChainConfig{RPCURL: getenv("ARCADE_EVM_RPC_URL"), FacilitatorURL: getenv("ARCADE_X402_FACILITATOR_URL"),
		FacilitatorHeader: getenv("ARCADE_X402_FACILITATOR_AUTH"), Settlement: getenv("ARCADE_X402_SETTLEMENT")}
	for env, k := range map[string]**ecdsa.PrivateKey{"ARCADE_EVM_SETTLER_KEY": &cc.SettlerKey, "ARCADE_EVM_PAYOUT_KEY": &cc.PayoutKey} {
		if v := getenv(env); v != "" {
			key, err := crypto.HexToECDSA(strings.TrimPrefix(v, "0x"))
			if err != nil {
				return fmt.Errorf("%s: want a 32-byte hex private key", env)
			}
			*k = key
		}
	}
	c.Chain = cc
	return c.Chain.validate(n, c.X402PayTo)
}

func (cc *ChainConfig) validate(n x402.Network, payTo common.Address) error {
	if cc.Settlement == "" {
		cc.Settlement = SettleFacilitator
		if cc.RPCURL != "" {
			cc.Settlement = SettleRPC
		}
	}
	switch cc.Settlement {
	case SettleRPC:
		if cc.RPCURL == "" || cc.SettlerKey == nil {
			return fmt.Errorf("ARCADE_X402_SETTLEMENT=rpc on %s needs ARCADE_EVM_RPC_URL and ARCADE_EVM_SETTLER_KEY", n.ID)
		}
	case SettleFacilitator:
		if cc.FacilitatorURL == "" {
			return fmt.Errorf("ARCADE_X402_NETWORK=%s needs ARCADE_X402_FACILITATOR_URL or ARCADE_EVM_RPC_URL (how payments settle)", n.ID)
		}
	default:
		return fmt.Errorf("ARCADE_X402_SETTLEMENT: want rpc or facilitator, got %q", cc.Settlement)
	}
	if payTo == (common.Address{}) && cc.payoutKey() == nil {
		return fmt.Errorf("ARCADE_X402_NETWORK=%s needs ARCADE_X402_PAY_TO (or a payout key, whose address is then the payee)", n.ID)
	}
	return nil
}

func (cc *ChainConfig) payoutKey() *ecdsa.PrivateKey {
	if cc.PayoutKey != nil {
		return cc.PayoutKey
	}
	return cc.SettlerKey
}

// payTo is the casino's receiving address: configured, or the house wallet's on a chain, or the
// sandbox's.
func (a *App) payTo() common.Address {
	switch {
	case a.Cfg.X402PayTo != (common.Address{}):
		return a.Cfg.X402PayTo
	case !a.Cfg.X402Network.Sandbox && a.Cfg.X402Network.ID != "" && a.Cfg.Chain.payoutKey() != nil:
		return crypto.PubkeyToAddress(a.Cfg.Chain.payoutKey().PublicKey)
	}
	return SandboxPayTo
}

// settlement builds the Settler and Payout of the configured network: the sandbox's, or the
// chain's through its RPC endpoint (deps.EVM in tests) or facilitator.
func (a *App) settlement(ctx context.Context, n x402.Network, deps Deps) (bets.Settler, chain.Payout, error) {
	if n.Sandbox {
		return bets.Sandbox{}, chain.Sandbox{}, nil
	}
	cc := a.Cfg.Chain
	if err := cc.validate(n, a.Cfg.X402PayTo); err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	client := deps.EVM
	if client == nil && cc.RPCURL != "" {
		c, err := ethclient.DialContext(ctx, cc.RPCURL)
		if err != nil {
			return nil, nil, fmt.Errorf("ARCADE_EVM_RPC_URL: %w", err)
		}
		client = c
	}
	a.evm = client           // the poker deposits read the same chain
	var confirm *evm.Settler // reads the chain (no key needed) to confirm a facilitator's "already used"
	var payout chain.Payout = unavailablePayout{n.ID}
	if client != nil {
		w, err := evm.NewWallet(ctx, client, cc.SettlerKey, n.ChainID)
		if err != nil {
			return nil, nil, fmt.Errorf("ARCADE_EVM_RPC_URL: %w", err)
		}
		confirm = &evm.Settler{Wallet: w, Network: n}
		if k := cc.payoutKey(); k != nil {
			pw := w // one key, one wallet: settlements and payouts take its nonces one at a time
			if cc.SettlerKey == nil || crypto.PubkeyToAddress(k.PublicKey) != crypto.PubkeyToAddress(cc.SettlerKey.PublicKey) {
				if pw, err = evm.NewWallet(ctx, client, k, n.ChainID); err != nil {
					return nil, nil, err
				}
			}
			payout = &evm.Payout{Wallet: pw, Token: n.Asset, MaxFeeCap: a.Cfg.PayoutMaxFee}
		}
	}
	if cc.Settlement == SettleRPC {
		return confirm, payout, nil
	}
	fc := &facilitator.Client{BaseURL: cc.FacilitatorURL}
	if cc.FacilitatorHeader != "" {
		fc.Header = map[string][]string{"Authorization": {cc.FacilitatorHeader}}
	}
	switch s, err := fc.Supported(ctx); {
	case err != nil:
		a.Log.Warn("x402 facilitator unreachable at start; settlements wait for it", "url", cc.FacilitatorURL, "err", err)
	case !facilitator.Supports(s, x402.SchemeExact, n.ID):
		return nil, nil, fmt.Errorf("ARCADE_X402_FACILITATOR_URL: the facilitator does not support exact payments on %s", n.ID)
	}
	fs := &facilitator.Settler{Client: fc}
	if confirm != nil {
		fs.Confirm = confirm.Settled
	}
	return fs, payout, nil
}

// unavailablePayout refuses every payout (nothing is sent, so the withdrawal is refunded):
// withdrawals need a house wallet and an RPC endpoint.
type unavailablePayout struct{ network string }

func (u unavailablePayout) Pay(context.Context, common.Address, int64, string) (string, error) {
	return "", &chain.Refused{Reason: "withdrawals on " + u.network + " need ARCADE_EVM_RPC_URL and ARCADE_EVM_PAYOUT_KEY"}
}
