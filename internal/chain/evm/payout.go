package evm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/arcadehq/arcade/internal/chain"
)

// Payout pays withdrawals with an ERC-20 transfer of the token from the house wallet (the
// wallet's key holds the house's tokens and pays the gas). It implements chain.Tracker: a
// payout's transaction is signed and recorded before it is sent, so its outcome can always be
// read back from the chain.
type Payout struct {
	Wallet *Wallet
	Token  common.Address
	// MaxFeeCap bounds the fee cap (wei per gas) of every payout transaction, replacements
	// included (nil: no bound), so a fee spike never drains the house: a payout signed at the
	// bound waits for the base fee to come down, and is not replaced past it.
	MaxFeeCap *big.Int
}

var _ chain.Tracker = (*Payout)(nil)

// Pay implements chain.Payout: a revert (found while estimating gas, or on chain) is a
// *chain.Refused; no receipt is an unknown outcome.
func (p *Payout) Pay(ctx context.Context, to common.Address, amountMicro int64, ref string) (string, error) {
	return p.PayRecorded(ctx, to, amountMicro, ref, nil)
}

// PayRecorded implements chain.Tracker. The wallet's lock is held from signing to sending, so
// the nonce is this transaction's alone within the process (another instance sharing the house
// key may sign the same nonce: then only one of the two is ever mined and Lookup tells the
// other Dropped).
func (p *Payout) PayRecorded(ctx context.Context, to common.Address, amountMicro int64, ref string,
	record func(context.Context, chain.Signed) error) (string, error) {
	if amountMicro < 1 || to == (common.Address{}) {
		return "", fmt.Errorf("evm: payout %s of %d to %s: bad amount or address", ref, amountMicro, to.Hex())
	}
	data, err := Token.Pack("transfer", to, big.NewInt(amountMicro))
	if err != nil {
		return "", fmt.Errorf("evm: pack transfer: %w", err)
	}
	w := p.Wallet
	w.mu.Lock()
	tx, err := w.sign(ctx, p.Token, data, p.MaxFeeCap)
	var rv *errRevert
	if errors.As(err, &rv) {
		w.mu.Unlock()
		return "", &chain.Refused{Reason: rv.reason}
	}
	if err != nil {
		w.mu.Unlock()
		return "", err
	}
	if record != nil {
		s, err := signedOf(tx)
		if err == nil {
			err = record(ctx, s)
		}
		if err != nil {
			w.mu.Unlock()
			return "", fmt.Errorf("evm: payout %s not sent: recording %s: %w", ref, tx.Hash().Hex(), err)
		}
	}
	err = w.Client.SendTransaction(ctx, tx)
	w.mu.Unlock()
	if err != nil {
		return "", fmt.Errorf("evm: send %s: %w", tx.Hash().Hex(), err)
	}
	r, err := w.wait(ctx, tx.Hash())
	if err != nil {
		return "", err
	}
	if r.Status != types.ReceiptStatusSuccessful || !transferIn(r, p.Token, w.Address(), to, big.NewInt(amountMicro)) {
		return "", &chain.Refused{Reason: "transfer " + tx.Hash().Hex() + " reverted"}
	}
	return tx.Hash().Hex(), nil
}

func signedOf(tx *types.Transaction) (chain.Signed, error) {
	raw, err := tx.MarshalBinary()
	if err != nil {
		return chain.Signed{}, fmt.Errorf("evm: encode %s: %w", tx.Hash().Hex(), err)
	}
	return chain.Signed{Tx: tx.Hash().Hex(), Nonce: tx.Nonce(), Raw: hexutil.Encode(raw)}, nil
}

// decode reads a recorded transaction back and checks it is what its record says.
func decode(s chain.Signed) (*types.Transaction, error) {
	raw, err := hexutil.Decode(s.Raw)
	if err != nil {
		return nil, fmt.Errorf("evm: recorded transaction %s: %w", s.Tx, err)
	}
	tx := new(types.Transaction)
	if err := tx.UnmarshalBinary(raw); err != nil {
		return nil, fmt.Errorf("evm: recorded transaction %s: %w", s.Tx, err)
	}
	if tx.Hash().Hex() != s.Tx || tx.Nonce() != s.Nonce {
		return nil, fmt.Errorf("evm: recorded transaction %s does not match its record (hash %s)", s.Tx, tx.Hash().Hex())
	}
	return tx, nil
}

// Lookup implements chain.Tracker. The account's mined nonce is read before the receipt: if
// the nonce had moved past the transaction's and no receipt is found afterwards, another
// transaction took the nonce and this one can never be mined.
func (p *Payout) Lookup(ctx context.Context, s chain.Signed) (chain.Outcome, error) {
	tx, err := decode(s)
	if err != nil {
		return chain.Unsent, err
	}
	from := p.Wallet.Address()
	mined, err := p.Wallet.Client.NonceAt(ctx, from, nil)
	if err != nil {
		return chain.Unsent, fmt.Errorf("evm: nonce of %s: %w", from.Hex(), err)
	}
	r, err := p.Wallet.Client.TransactionReceipt(ctx, tx.Hash())
	switch {
	case err == nil && r != nil:
		args, uerr := Token.Methods["transfer"].Inputs.Unpack(tx.Data()[min(4, len(tx.Data())):])
		if uerr != nil || len(args) != 2 {
			return chain.Unsent, fmt.Errorf("evm: recorded transaction %s is no transfer: %v", s.Tx, uerr)
		}
		to, _ := args[0].(common.Address)
		value, _ := args[1].(*big.Int)
		if r.Status == types.ReceiptStatusSuccessful && value != nil && transferIn(r, p.Token, from, to, value) {
			return chain.Paid, nil
		}
		return chain.Reverted, nil
	case err != nil && !errors.Is(err, ethereum.NotFound):
		return chain.Unsent, fmt.Errorf("evm: receipt of %s: %w", s.Tx, err)
	case mined > s.Nonce:
		return chain.Dropped, nil
	}
	return chain.Unsent, nil
}

// Broadcast implements chain.Tracker: the recorded transaction, byte for byte.
func (p *Payout) Broadcast(ctx context.Context, s chain.Signed) error {
	tx, err := decode(s)
	if err != nil {
		return err
	}
	if err := p.Wallet.Client.SendTransaction(ctx, tx); err != nil {
		return fmt.Errorf("evm: rebroadcast %s: %w", s.Tx, err)
	}
	return nil
}

// Replace implements chain.Tracker: attempts are one payout's recorded transactions, the
// original first. The replacement is the newest attempt again (the same nonce, gas, recipient
// and transfer) with its tip and fee cap each raised by a quarter over the highest any attempt
// offered (nodes replace a pooled transaction only for at least 10% more of both), and at least
// the suggested tip plus twice the head's base fee. Bounded by MaxFeeCap: when the bound leaves
// less than that raise, the answer is chain.ErrFeeBound and nothing is signed. A payout whose
// nonce is not the house's next (an earlier one is unmined) is chain.ErrBehind: a higher fee
// would not move it.
func (p *Payout) Replace(ctx context.Context, attempts []chain.Signed) (chain.Signed, error) {
	if len(attempts) == 0 {
		return chain.Signed{}, errors.New("evm: replace: no transaction to replace")
	}
	var last *types.Transaction
	tip, feeCap := new(big.Int), new(big.Int)
	for _, s := range attempts {
		tx, err := decode(s)
		if err != nil {
			return chain.Signed{}, err
		}
		if last != nil && (tx.Nonce() != last.Nonce() || tx.To() == nil || *tx.To() != *last.To() || !bytes.Equal(tx.Data(), last.Data())) {
			return chain.Signed{}, fmt.Errorf("evm: replace: %s and %s are not one payout", attempts[0].Tx, s.Tx)
		}
		last = tx
		tip, feeCap = bigMax(tip, tx.GasTipCap()), bigMax(feeCap, tx.GasFeeCap())
	}
	w := p.Wallet
	mined, err := w.Client.NonceAt(ctx, w.Address(), nil)
	if err != nil {
		return chain.Signed{}, fmt.Errorf("evm: nonce of %s: %w", w.Address().Hex(), err)
	}
	if mined < last.Nonce() {
		return chain.Signed{}, fmt.Errorf("%w: %s has nonce %d, the house's next is %d", chain.ErrBehind, attempts[len(attempts)-1].Tx, last.Nonce(), mined)
	}
	suggested, err := w.Client.SuggestGasTipCap(ctx)
	if err != nil {
		return chain.Signed{}, fmt.Errorf("evm: gas tip: %w", err)
	}
	head, err := w.Client.HeaderByNumber(ctx, nil)
	if err != nil {
		return chain.Signed{}, fmt.Errorf("evm: head: %w", err)
	}
	newTip := bigMax(raised(tip), suggested)
	newCap := bigMax(raised(feeCap), new(big.Int).Add(newTip, new(big.Int).Mul(head.BaseFee, big.NewInt(2))))
	newTip, newCap = bounded(newTip, newCap, p.MaxFeeCap)
	if newTip.Cmp(enough(tip)) < 0 || newCap.Cmp(enough(feeCap)) < 0 {
		return chain.Signed{}, fmt.Errorf("%w: %s offers a tip of %s and a fee cap of %s wei; the bound is %s", chain.ErrFeeBound,
			attempts[len(attempts)-1].Tx, tip, feeCap, p.MaxFeeCap)
	}
	tx, err := types.SignNewTx(w.Key, types.LatestSignerForChainID(w.ChainID), &types.DynamicFeeTx{
		ChainID: w.ChainID, Nonce: last.Nonce(), GasTipCap: newTip, GasFeeCap: newCap, Gas: last.Gas(), To: last.To(), Data: last.Data()})
	if err != nil {
		return chain.Signed{}, fmt.Errorf("evm: sign: %w", err)
	}
	return signedOf(tx)
}

// raised is a fee raised by a quarter (at least by 1 wei).
func raised(fee *big.Int) *big.Int {
	r := new(big.Int).Div(new(big.Int).Mul(fee, big.NewInt(125)), big.NewInt(100))
	return bigMax(r, new(big.Int).Add(fee, big.NewInt(1)))
}

// enough is the least fee a node takes to replace one offering fee: 10% more, rounded up.
func enough(fee *big.Int) *big.Int {
	r := new(big.Int).Mul(fee, big.NewInt(110))
	r.Add(r, big.NewInt(99))
	return r.Div(r, big.NewInt(100))
}

func bigMax(a, b *big.Int) *big.Int {
	if a.Cmp(b) >= 0 {
		return a
	}
	return b
}
