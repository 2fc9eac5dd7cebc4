package x402

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/common"
)

// Network is an EVM payment network and the USDC-like EIP-3009 token Arcade is paid in on it.
// The token's EIP-712 domain is {TokenName, TokenVersion, ChainID, Asset}.
type Network struct {
	ID           string         // CAIP-2, "eip155:<ChainID>": the only form the official client accepts
	ChainID      uint64         //
	Asset        common.Address // the token contract, the EIP-712 verifyingContract
	TokenName    string         // EIP-712 domain name
	TokenVersion string         // EIP-712 domain version
	Decimals     int            // 6: amounts are micro-units
	Sandbox      bool           // the built-in network: no real money, labelled in every answer
	Label        string         // a human name: "Base", "Base Sepolia", "Arcade sandbox"
}

// SandboxChainID is the sandbox network's chain id: a local-development id (the one Hardhat and
// Anvil use), never a public chain's, so no signature made for the sandbox is valid anywhere
// real.
const SandboxChainID = 31337

// The built-in networks. Base and Base Sepolia are configuration (pick one by name); Sandbox is
// the embedded default. The sandbox token address is keccak256("arcade sandbox usdc")[12:], an
// address with no known code on any chain.
var (
	Base = Network{
		ID: "eip155:8453", ChainID: 8453,
		Asset:     common.HexToAddress("0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"),
		TokenName: "USD Coin", TokenVersion: "2", Decimals: 6, Label: "Base",
	}
	BaseSepolia = Network{
		ID: "eip155:84532", ChainID: 84532,
		Asset:     common.HexToAddress("0x036CbD53842c5426634e7929541eC2318f3dCF7e"),
		TokenName: "USDC", TokenVersion: "2", Decimals: 6, Label: "Base Sepolia",
	}
	Sandbox = Network{
		ID: "eip155:31337", ChainID: SandboxChainID,
		Asset:     common.HexToAddress("0x98D24D81EFDA78f53609a1A2644fB6Fa9ece618a"),
		TokenName: "Arcade Sandbox USDC", TokenVersion: "1", Decimals: 6, Sandbox: true,
		Label: "Arcade sandbox (no real money)",
	}
)

// NetworkByName returns a built-in network by its CAIP-2 id or its short name: "base",
// "base-sepolia", "sandbox".
func NetworkByName(name string) (Network, error) {
	for _, n := range []Network{Base, BaseSepolia, Sandbox} {
		if name == n.ID {
			return n, nil
		}
	}
	switch strings.ToLower(name) {
	case "base":
		return Base, nil
	case "base-sepolia":
		return BaseSepolia, nil
	case "sandbox", "":
		return Sandbox, nil
	}
	return Network{}, fmt.Errorf("x402: unknown network %q (want base, base-sepolia, sandbox or eip155:<id>)", name)
}

// Validate reports a network whose ID does not spell its chain id as CAIP-2.
func (n Network) Validate() error {
	if n.ID != "eip155:"+strconv.FormatUint(n.ChainID, 10) || n.ChainID == 0 {
		return fmt.Errorf("x402: network id %q does not match chain id %d", n.ID, n.ChainID)
	}
	if n.TokenName == "" || n.TokenVersion == "" || n.Asset == (common.Address{}) {
		return fmt.Errorf("x402: network %s needs a token address, name and version", n.ID)
	}
	return nil
}

// Requirement returns the exact-scheme offer to pay amountMicro of the network's token to payTo.
// maxTimeoutSeconds ≤ 0 means the default, 120 s.
func (n Network) Requirement(amountMicro int64, payTo common.Address, maxTimeoutSeconds int) Requirements {
	if maxTimeoutSeconds <= 0 {
		maxTimeoutSeconds = defaultMaxTimeout
	}
	return Requirements{
		Scheme:            SchemeExact,
		Network:           n.ID,
		Amount:            strconv.FormatInt(amountMicro, 10),
		Asset:             n.Asset.Hex(),
		PayTo:             payTo.Hex(),
		MaxTimeoutSeconds: maxTimeoutSeconds,
		Extra: &Extra{
			Name: n.TokenName, Version: n.TokenVersion,
			AssetTransferMethod: TransferMethodEIP3009, Sandbox: n.Sandbox,
		},
	}
}

// DomainSeparator returns the EIP-712 domain separator of the network's token.
func (n Network) DomainSeparator() [32]byte {
	return DomainSeparator(n.TokenName, n.TokenVersion, n.ChainID, n.Asset)
}
