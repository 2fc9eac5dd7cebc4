package x402pay

import (
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/common/math"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/signer/core/apitypes"
)

// Domain is the token's EIP-712 domain.
type Domain struct {
	Name, Version     string
	ChainID           *big.Int
	VerifyingContract common.Address
}

// DomainOf returns the domain an offer asks the payer to sign under: extra.name and
// extra.version, the chain id of its "eip155:<id>" network, and the asset as the verifying
// contract.
func DomainOf(r Requirements) (Domain, error) {
	id, ok := strings.CutPrefix(r.Network, "eip155:")
	chain, cok := new(big.Int).SetString(id, 10)
	if !ok || !cok || chain.Sign() <= 0 {
		return Domain{}, fmt.Errorf("x402pay: network %q is not eip155:<chain id>", r.Network)
	}
	var name, version string
	if json.Unmarshal(r.Extra["name"], &name) != nil || json.Unmarshal(r.Extra["version"], &version) != nil ||
		name == "" || version == "" {
		return Domain{}, errors.New("x402pay: offer lacks extra.name and extra.version (the token's EIP-712 domain)")
	}
	if !common.IsHexAddress(r.Asset) {
		return Domain{}, fmt.Errorf("x402pay: asset %q is not an address", r.Asset)
	}
	return Domain{name, version, chain, common.HexToAddress(r.Asset)}, nil
}

// TypedData returns the EIP-712 typed data of a TransferWithAuthorization, as EIP-3009 defines
// it, for go-ethereum's generic encoder.
func TypedData(d Domain, a Authorization) apitypes.TypedData {
	return apitypes.TypedData{
		Types: apitypes.Types{
			"EIP712Domain": {
				{Name: "name", Type: "string"},
				{Name: "version", Type: "string"},
				{Name: "chainId", Type: "uint256"},
				{Name: "verifyingContract", Type: "address"},
			},
			"TransferWithAuthorization": {
				{Name: "from", Type: "address"},
				{Name: "to", Type: "address"},
				{Name: "value", Type: "uint256"},
				{Name: "validAfter", Type: "uint256"},
				{Name: "validBefore", Type: "uint256"},
				{Name: "nonce", Type: "bytes32"},
			},
		},
		PrimaryType: "TransferWithAuthorization",
		Domain: apitypes.TypedDataDomain{
			Name: d.Name, Version: d.Version,
			ChainId:           (*math.HexOrDecimal256)(d.ChainID),
			VerifyingContract: d.VerifyingContract.Hex(),
		},
		Message: apitypes.TypedDataMessage{
			"from": a.From, "to": a.To, "value": a.Value,
			"validAfter": a.ValidAfter, "validBefore": a.ValidBefore, "nonce": a.Nonce,
		},
	}
}

// SignTransfer signs a under d with key and returns the 65-byte signature r ‖ s ‖ v as 0x hex,
// v being 27 or 28 as wallets write it.
func SignTransfer(key *ecdsa.PrivateKey, d Domain, a Authorization) (string, error) {
	digest, _, err := apitypes.TypedDataAndHash(TypedData(d, a))
	if err != nil {
		return "", fmt.Errorf("x402pay: hash authorization: %w", err)
	}
	sig, err := crypto.Sign(digest, key)
	if err != nil {
		return "", fmt.Errorf("x402pay: sign: %w", err)
	}
	sig[64] += 27
	return hexutil.Encode(sig), nil
}
