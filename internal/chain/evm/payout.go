package evm

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/arcadehq/arcade/internal/chain"
)

// Payout pays withdrawals with an ERC-20 transfer of the token from the house wallet (the
// wallet's key holds the house's tokens and pays the gas). It implements chain.Payout.
type Payout struct {
	Wallet *Wallet
	Token  common.Address
}

// Pay implements chain.Payout: a revert (found while estimating gas, or on chain) is a
// *chain.Refused; no receipt is an unknown outcome.
func (p *Payout) Pay(ctx context.Context, to common.Address, amountMicro int64, ref string) (string, error) {
	if amountMicro < 1 || to == (common.Address{}) {
		return "", fmt.Errorf("evm: payout %s of %d to %s: bad amount or address", ref, amountMicro, to.Hex())
	}
	data, err := Token.Pack("transfer", to, big.NewInt(amountMicro))
	if err != nil {
		return "", fmt.Errorf("evm: pack transfer: %w", err)
	}
	hash, err := p.Wallet.send(ctx, p.Token, data)
	var rv *errRevert
	if errors.As(err, &rv) {
		return "", &chain.Refused{Reason: rv.reason}
	}
	if err != nil {
		return "", err
	}
	r, err := p.Wallet.wait(ctx, hash)
	if err != nil {
		return "", err
	}
	if r.Status != types.ReceiptStatusSuccessful || !transferIn(r, p.Token, p.Wallet.Address(), to, big.NewInt(amountMicro)) {
		return "", &chain.Refused{Reason: "transfer " + hash.Hex() + " reverted"}
	}
	return hash.Hex(), nil
}
