package credits

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/arcadehq/arcade/fairness"
	"github.com/arcadehq/arcade/internal/money"
)

// A strategy run stores its rounds packed in its own strategy_runs row (rounds_data) instead of
// a credit_rounds row per round. The format, version 1, is a byte string kept as standard base64
// (so both engines store the same TEXT):
//
//	byte     version (1)
//	uvarint  number of rounds
//	per round, in play order:
//	  byte     flags: bit 0 over (else under); bit 1 win; bit 2 same stake and target as the
//	           previous round (both omitted); bit 3 same payout as the previous winning round
//	           (omitted; a win only); no other bit
//	  uvarint  stake in whole credits (1–10000)      unless bit 2
//	  uvarint  target in hundredths (0–9999)         unless bit 2
//	  uvarint  roll in hundredths (0–9999)
//	  uvarint  payout in micro-credits (positive)    on a win, unless bit 3 (a loss pays 0)
//
// Strategies mostly repeat a bet, so a typical round takes three bytes (flags and roll).
// Round i (1-based) used nonce first_nonce + i − 1 of the run's seed (seed_id) with its client
// seed (client_seed), so each recomputes on its own once the seed is revealed.
const packVersion = 1

const (
	flagOver = 1 << iota
	flagWin
	flagSameBet
	flagSamePayout
	flagsAll = flagOver | flagWin | flagSameBet | flagSamePayout
)

// minPackedRound is the smallest encoding of one round (flags and a one-byte roll).
const minPackedRound = 2

// errCorruptRounds is wrapped by every decoding failure.
var errCorruptRounds = errors.New("credits: corrupt packed rounds")

// packedRound is one stored round of a run.
type packedRound struct {
	Bet    DiceBet
	Roll   int
	Win    bool
	Payout money.Amount
}

// roundPacker encodes a run's rounds as they are played.
type roundPacker struct {
	body       []byte
	n          int
	last       DiceBet      // the previous round's bet
	lastPayout money.Amount // the previous winning round's payout (0: none yet)
}

// add appends one round. It refuses what the format cannot hold exactly (a stake that is not
// a whole number of credits, a value out of bounds), so a run can never store a round it would
// read back differently.
func (p *roundPacker) add(b DiceBet, roll int, win bool, payout money.Amount) error {
	r := packedRound{Bet: b, Roll: roll, Win: win, Payout: payout}
	if err := r.check(); err != nil {
		return err
	}
	var flags byte
	if b.Over {
		flags |= flagOver
	}
	if win {
		flags |= flagWin
	}
	sameBet := p.n > 0 && b.Amount == p.last.Amount && b.Target == p.last.Target
	if sameBet {
		flags |= flagSameBet
	}
	samePayout := win && payout == p.lastPayout
	if samePayout {
		flags |= flagSamePayout
	}
	p.body = append(p.body, flags)
	if !sameBet {
		p.body = binary.AppendUvarint(p.body, uint64(b.Amount/money.Micro))
		p.body = binary.AppendUvarint(p.body, uint64(b.Target))
	}
	p.body = binary.AppendUvarint(p.body, uint64(roll))
	if win && !samePayout {
		p.body = binary.AppendUvarint(p.body, uint64(payout))
	}
	if win {
		p.lastPayout = payout
	}
	p.last = b
	p.n++
	return nil
}

// encode returns the packed rounds as stored.
func (p *roundPacker) encode() string {
	hdr := binary.AppendUvarint([]byte{packVersion}, uint64(p.n))
	raw := make([]byte, 0, len(hdr)+len(p.body))
	raw = append(append(raw, hdr...), p.body...)
	return base64.StdEncoding.EncodeToString(raw)
}

// maxPayout bounds a payout: the stake × 9700 / W with W ≥ 1.
const maxPayout = MaxAmount * fairness.CreditDiceReturnBP

// check validates a round's bounds (not the game's rules, which verification recomputes).
func (r packedRound) check() error {
	switch {
	case r.Bet.Amount < MinAmount || r.Bet.Amount > MaxAmount || r.Bet.Amount%money.Micro != 0:
		return fmt.Errorf("%w: stake %d", errCorruptRounds, r.Bet.Amount)
	case r.Bet.Target < 0 || r.Bet.Target >= fairness.CreditDiceRolls ||
		fairness.CreditDiceWinningRolls(r.Bet.Target, r.Bet.Over) == 0:
		return fmt.Errorf("%w: target %d", errCorruptRounds, r.Bet.Target)
	case r.Roll < 0 || r.Roll >= fairness.CreditDiceRolls:
		return fmt.Errorf("%w: roll %d", errCorruptRounds, r.Roll)
	case r.Win && (r.Payout <= 0 || r.Payout > maxPayout), !r.Win && r.Payout != 0:
		return fmt.Errorf("%w: payout %d (win %v)", errCorruptRounds, r.Payout, r.Win)
	}
	return nil
}

// unpackRounds decodes packed rounds, calling fn for each with its 1-based index. want is the
// number of rounds the run's row records (−1: any). It validates everything before trusting it
// — the header, every field's bounds, the count and that nothing trails — and fails with an
// error wrapping errCorruptRounds; fn may have seen some rounds by then.
func unpackRounds(data string, want int, fn func(i int, r packedRound)) error {
	if strings.ContainsAny(data, "\r\n") { // which the decoder would skip
		return fmt.Errorf("%w: line break", errCorruptRounds)
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(data)
	if err != nil {
		return fmt.Errorf("%w: %v", errCorruptRounds, err)
	}
	if len(raw) == 0 || raw[0] != packVersion {
		return fmt.Errorf("%w: unknown version", errCorruptRounds)
	}
	d := decoder{b: raw[1:]}
	n := d.uvarint(MaxRunRounds)
	switch {
	case d.err != nil:
		return d.err
	case want >= 0 && n != uint64(want):
		return fmt.Errorf("%w: %d rounds, the run records %d", errCorruptRounds, n, want)
	case n*minPackedRound > uint64(len(d.b)):
		return fmt.Errorf("%w: %d rounds cannot fit in %d bytes", errCorruptRounds, n, len(d.b))
	}
	var last packedRound
	var lastPayout money.Amount
	for i := 1; i <= int(n); i++ {
		flags := d.byte()
		if d.err == nil && flags&^flagsAll != 0 {
			return fmt.Errorf("round %d: %w: flags %#x", i, errCorruptRounds, flags)
		}
		r := packedRound{Bet: DiceBet{Over: flags&flagOver != 0}, Win: flags&flagWin != 0}
		switch {
		case flags&flagSameBet == 0:
			r.Bet.Amount = money.Amount(d.uvarint(uint64(MaxAmount/money.Micro))) * money.Micro
			r.Bet.Target = int(d.uvarint(fairness.CreditDiceRolls - 1))
		case i == 1:
			return fmt.Errorf("round 1: %w: no previous bet", errCorruptRounds)
		default:
			r.Bet.Amount, r.Bet.Target = last.Bet.Amount, last.Bet.Target
		}
		r.Roll = int(d.uvarint(fairness.CreditDiceRolls - 1))
		switch {
		case flags&flagSamePayout == 0 && r.Win:
			r.Payout = money.Amount(d.uvarint(uint64(maxPayout)))
		case flags&flagSamePayout == 0:
		case !r.Win || lastPayout == 0:
			return fmt.Errorf("round %d: %w: no previous payout to repeat", i, errCorruptRounds)
		default:
			r.Payout = lastPayout
		}
		if d.err != nil {
			return fmt.Errorf("round %d: %w", i, d.err)
		}
		if err := r.check(); err != nil {
			return fmt.Errorf("round %d: %w", i, err)
		}
		if fn != nil {
			fn(i, r)
		}
		if r.Win {
			lastPayout = r.Payout
		}
		last = r
	}
	if len(d.b) != 0 {
		return fmt.Errorf("%w: %d trailing bytes", errCorruptRounds, len(d.b))
	}
	return nil
}

// decoder reads fields, remembering the first failure.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint(limit uint64) uint64 {
	if d.err != nil {
		return 0
	}
	v, k := binary.Uvarint(d.b)
	if k <= 0 || (k > 1 && d.b[k-1] == 0) { // truncated, beyond 64 bits, or not minimal
		d.err = fmt.Errorf("%w: malformed number", errCorruptRounds)
		return 0
	}
	if v > limit {
		d.err = fmt.Errorf("%w: %d exceeds %d", errCorruptRounds, v, limit)
		return 0
	}
	d.b = d.b[k:]
	return v
}

func (d *decoder) byte() byte {
	if d.err != nil {
		return 0
	}
	if len(d.b) == 0 {
		d.err = fmt.Errorf("%w: truncated", errCorruptRounds)
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

// RunRoundID names round i (1-based) of a strategy run: "<runId>.<i>". Single rounds' ids are
// UUIDs and never contain a dot.
func RunRoundID(runID string, i int) string { return runID + "." + strconv.Itoa(i) }

// parseRunRoundID splits a run round's id; ok is false for anything else (a single round's id).
func parseRunRoundID(id string) (runID string, i int, ok bool) {
	runID, num, found := strings.Cut(id, ".")
	if !found || runID == "" || num == "" || len(num) > 6 || num[0] == '0' {
		return "", 0, false
	}
	for _, c := range num {
		if c < '0' || c > '9' {
			return "", 0, false
		}
	}
	i, _ = strconv.Atoi(num)
	if i > MaxRunRounds {
		return "", 0, false
	}
	return runID, i, true
}
