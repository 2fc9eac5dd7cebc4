package evm

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// Deposit errors: the hash names no mined transaction (yet), or its transaction moved none of
// the token to the address.
var (
	ErrTxNotFound = errors.New("evm: no mined transaction with this hash")
	ErrNoTransfer = errors.New("evm: the transaction transfers none of the token to the address")
)

// Deposits reads incoming token transfers to one address (the poker surface's deposits).
type Deposits struct {
	Client Client
	Token  common.Address
	To     common.Address
}

// Deposit is what one transaction moved to the address.
type Deposit struct {
	Amount        *big.Int       // the sum of the token's Transfer logs to the address
	From          common.Address // the sender of the first such log
	Confirmations uint64         // blocks from the transaction's to the head, both included
}

// Incoming reads the receipt of hash: a successful transaction with Transfer logs of the token
// to the address, and how deep it is.
func (d *Deposits) Incoming(ctx context.Context, hash common.Hash) (Deposit, error) {
	r, err := d.Client.TransactionReceipt(ctx, hash)
	if errors.Is(err, ethereum.NotFound) {
		return Deposit{}, ErrTxNotFound
	}
	if err != nil {
		return Deposit{}, fmt.Errorf("evm: receipt of %s: %w", hash.Hex(), err)
	}
	if r.Status != types.ReceiptStatusSuccessful {
		return Deposit{}, ErrNoTransfer
	}
	dep := Deposit{Amount: new(big.Int)}
	found := false
	for _, l := range r.Logs {
		if l.Address == d.Token && len(l.Topics) == 3 && l.Topics[0] == topicTransfer && common.BytesToAddress(l.Topics[2][:]) == d.To {
			if !found {
				dep.From, found = common.BytesToAddress(l.Topics[1][:]), true
			}
			dep.Amount.Add(dep.Amount, new(big.Int).SetBytes(l.Data))
		}
	}
	if !found || dep.Amount.Sign() == 0 {
		return Deposit{}, ErrNoTransfer
	}
	head, err := d.Client.BlockNumber(ctx)
	if err != nil {
		return Deposit{}, fmt.Errorf("evm: head: %w", err)
	}
	if n := r.BlockNumber.Uint64(); head >= n {
		dep.Confirmations = head - n + 1
	}
	return dep, nil
}
