// Package evmtest is a real local EVM for tests: go-ethereum's simulated backend (chain id 1337)
// with TestUSDC deployed, the EIP-3009 token whose Solidity source, compiler pin and committed
// artifacts sit in contracts/ (TestBytecodeFromSource proves the bytecode is the source's). The
// client mines every transaction at once, as a development node does.
//
// Regenerate the artifacts after editing the source: go generate ./internal/chain/evm/evmtest
package evmtest

//go:generate sh -c "cd contracts/solc && npm ci --no-audit --no-fund --loglevel=error && node compile.mjs > ../TestUSDC.json.tmp && node -e 'const d=JSON.parse(require(\"fs\").readFileSync(\"../TestUSDC.json.tmp\",\"utf8\"));require(\"fs\").writeFileSync(\"../TestUSDC.abi\",JSON.stringify(d.abi,null,1)+\"\\n\");require(\"fs\").writeFileSync(\"../TestUSDC.bin\",d.bin+\"\\n\")' && rm ../TestUSDC.json.tmp"

import (
	"context"
	"crypto/ecdsa"
	_ "embed"
	"math/big"
	"strings"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/accounts/abi/bind"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient/simulated"

	"github.com/arcadehq/arcade/internal/chain/evm"
	"github.com/arcadehq/arcade/internal/x402"
)

// The committed compiler output of contracts/TestUSDC.sol.
var (
	//go:embed contracts/TestUSDC.abi
	ABIJSON string
	//go:embed contracts/TestUSDC.bin
	BinHex string
)

// ChainID is the simulated backend's chain id.
const ChainID = 1337

// Chain is one simulated chain with TestUSDC deployed.
type Chain struct {
	Backend *simulated.Backend
	Client  *Client
	Minter  *ecdsa.PrivateKey // deployed the token; may mint
	Token   common.Address
	Network x402.Network // eip155:1337, the token, its EIP-712 name and version
	ABI     abi.ABI
}

// Client is the simulated backend's ethclient, mining each sent transaction at once.
type Client struct {
	simulated.Client
	backend *simulated.Backend
	mu      sync.Mutex
}

// SendTransaction submits tx and mines a block with it.
func (c *Client) SendTransaction(ctx context.Context, tx *types.Transaction) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.Client.SendTransaction(ctx, tx); err != nil {
		return err
	}
	c.backend.Commit()
	return nil
}

var _ evm.Client = (*Client)(nil)

// Key returns a new key whose account holds 100 ETH on every chain New makes (for gas).
func Key(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// New starts a chain in which each of funded holds 100 ETH, deploys TestUSDC with the EIP-712
// domain name and version given ("USD Coin", "2" as on Base) and stops the chain at cleanup.
func New(t testing.TB, name, version string, funded ...*ecdsa.PrivateKey) *Chain {
	t.Helper()
	minter := Key(t)
	eth := new(big.Int).Mul(big.NewInt(100), big.NewInt(1e18))
	alloc := types.GenesisAlloc{crypto.PubkeyToAddress(minter.PublicKey): {Balance: eth}}
	for _, k := range funded {
		alloc[crypto.PubkeyToAddress(k.PublicKey)] = types.Account{Balance: eth}
	}
	b := simulated.NewBackend(alloc)
	t.Cleanup(func() { _ = b.Close() })
	c := &Chain{Backend: b, Client: &Client{Client: b.Client(), backend: b}, Minter: minter}
	var err error
	if c.ABI, err = abi.JSON(strings.NewReader(ABIJSON)); err != nil {
		t.Fatal(err)
	}
	opts, err := bind.NewKeyedTransactorWithChainID(minter, big.NewInt(ChainID))
	if err != nil {
		t.Fatal(err)
	}
	addr, tx, _, err := bind.DeployContract(opts, c.ABI, common.FromHex(strings.TrimSpace(BinHex)), c.Client, name, version)
	if err != nil {
		t.Fatalf("deploy TestUSDC: %v", err)
	}
	if r, err := bind.WaitMined(context.Background(), c.Client, tx); err != nil || r.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("deploy TestUSDC: %v %+v", err, r)
	}
	c.Token = addr
	c.Network = x402.Network{ID: "eip155:1337", ChainID: ChainID, Asset: addr, TokenName: name, TokenVersion: version,
		Decimals: 6, Label: "simulated chain"}
	return c
}

// Mint gives to amountMicro new tokens.
func (c *Chain) Mint(t testing.TB, to common.Address, amountMicro int64) {
	t.Helper()
	opts, err := bind.NewKeyedTransactorWithChainID(c.Minter, big.NewInt(ChainID))
	if err != nil {
		t.Fatal(err)
	}
	tx, err := bind.NewBoundContract(c.Token, c.ABI, c.Client, c.Client, c.Client).Transact(opts, "mint", to, big.NewInt(amountMicro))
	if err != nil {
		t.Fatalf("mint: %v", err)
	}
	if r, err := bind.WaitMined(context.Background(), c.Client, tx); err != nil || r.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("mint: %v %+v", err, r)
	}
}

// Balance reads an address's token balance.
func (c *Chain) Balance(t testing.TB, who common.Address) int64 {
	t.Helper()
	b, err := evm.BalanceOf(context.Background(), c.Client, c.Token, who)
	if err != nil {
		t.Fatal(err)
	}
	return b.Int64()
}

// Wallet returns a settlement wallet sending from key on this chain.
func (c *Chain) Wallet(t testing.TB, key *ecdsa.PrivateKey) *evm.Wallet {
	t.Helper()
	w, err := evm.NewWallet(context.Background(), c.Client, key, ChainID)
	if err != nil {
		t.Fatal(err)
	}
	return w
}
