package engine

import (
	"github.com/arcadehq/arcade/internal/poker/card"
	"github.com/arcadehq/arcade/internal/poker/eval"
)

// finish ends a hand that everyone but one player folded.
func (h *Hand) finish() {
	h.returnUncalled()
	h.buildPots()
	h.settle()
}

// startShowdown ranks the hands still in, forms the pots and fixes the order of showing (TDA
// Rule 17): the last aggressor of the final betting round first, else the first player left of
// the button, then clockwise.
func (h *Hand) startShowdown() {
	h.phase = Showdown
	h.res.Showdown = true
	var cards [7]card.Card
	copy(cards[2:], h.res.Board)
	for i := 0; i < h.n; i++ {
		if h.state[i] == active || h.state[i] == allIn {
			cards[0], cards[1] = h.res.Hole[i][0], h.res.Hole[i][1]
			h.rank[i] = eval.Eval7(cards)
		}
	}
	h.buildPots()

	first := h.aggressor
	if first < 0 || !h.InHand(first) {
		first = h.button
		for k := 0; k < h.n; k++ {
			first = h.nextSeat(first)
			if h.InHand(first) {
				break
			}
		}
	}
	h.sdLen, h.sdPos = 0, 0
	for k, i := 0, first; k < h.n; k, i = k+1, h.nextSeat(i) {
		if h.InHand(i) {
			h.sdOrder[h.sdLen] = int8(i)
			h.sdLen++
		}
	}
	if h.cfg.ManualShowdown {
		return
	}
	h.autoShowdown()
}

// autoShowdown shows or mucks every remaining hand in order: all of them when someone is all in
// (TDA Rule 16), otherwise a hand only when it can still win or tie a pot it is eligible for.
func (h *Hand) autoShowdown() {
	tabled := false
	for i := 0; i < h.n; i++ {
		if h.state[i] == allIn {
			tabled = true
			break
		}
	}
	for h.phase == Showdown {
		i := int(h.sdOrder[h.sdPos])
		show := tabled || h.canStillWin(i)
		h.showOrMuck(i, show)
	}
}

// FinishShowdown completes a manual showdown automatically from where it stands (for a replay
// whose record stops before every hand was shown or mucked, or a runtime whose player timed out).
func (h *Hand) FinishShowdown() {
	if h.phase == Showdown {
		h.autoShowdown()
	}
}

// canStillWin reports whether seat i's hand beats or ties the best hand shown so far in some pot
// it is eligible for.
func (h *Hand) canStillWin(i int) bool {
	bit := uint16(1) << i
	for p := range h.res.Pots {
		pot := &h.res.Pots[p]
		if pot.Eligible&bit == 0 {
			continue
		}
		var best eval.Rank
		for j := 0; j < h.n; j++ {
			if pot.Eligible&(1<<j) != 0 && h.res.Shown[j] && h.rank[j] > best {
				best = h.rank[j]
			}
		}
		if h.rank[i] >= best {
			return true
		}
	}
	return false
}

func (h *Hand) showdownAct(seat int, a Action) error {
	if seat != int(h.sdOrder[h.sdPos]) {
		if !h.InHand(seat) {
			if seat >= 0 && seat < h.n && h.state[seat] == folded {
				return ErrFolded
			}
			return ErrNotInHand
		}
		return ErrNotYourTurn
	}
	switch a.Kind {
	case Show:
		h.showOrMuck(seat, true)
	case Muck:
		h.showOrMuck(seat, false)
	case Fold, Check, Call, Raise:
		return ErrShowdown
	default:
		return ErrBadAction
	}
	return nil
}

func (h *Hand) showOrMuck(i int, show bool) {
	if show {
		h.res.Shown[i] = true
		h.res.Ranks[i] = h.rank[i]
		e := Event{Kind: EvShow, Seat: int8(i), N: 2}
		e.Cards[0], e.Cards[1] = h.res.Hole[i][0], h.res.Hole[i][1]
		h.emit(e)
	} else {
		h.res.Mucked[i] = true
		h.emit(Event{Kind: EvMuck, Seat: int8(i)})
	}
	h.sdPos++
	remaining := 0
	for _, s := range h.sdOrder[:h.sdLen] {
		if !h.res.Mucked[s] {
			remaining++
		}
	}
	// Done when everyone has spoken, or when all but one have mucked and that one has not shown:
	// the last live hand wins without being shown (TDA Rule 17).
	if h.sdPos == h.sdLen || (remaining == 1 && !h.anyShown()) {
		h.settle()
	}
}

func (h *Hand) anyShown() bool {
	for _, s := range h.sdOrder[:h.sdLen] {
		if h.res.Shown[s] {
			return true
		}
	}
	return false
}

// buildPots forms the pots from what each seat put in: ante layers first, then bet layers, each
// layer open to the seats still in that paid up to it (a seat that owed no ante, such as any seat
// but the big blind under a big-blind ante, is eligible for every ante layer; with
// Config.UntrimmedAntes every seat still in is eligible for every ante layer). Adjacent layers
// open to the same seats are one pot. A layer no seat still in can win goes back to the seats
// that paid it.
func (h *Hand) buildPots() {
	h.res.Pots = h.res.Pots[:0]
	var live uint16
	for i := 0; i < h.n; i++ {
		if h.state[i] == active || h.state[i] == allIn {
			live |= 1 << i
		}
	}
	// Ante layers.
	var refunds [MaxSeats]int64
	var levels [MaxSeats]int64
	nl := 0
	for i := 0; i < h.n; i++ {
		nl = insertLevel(&levels, nl, h.ante[i])
	}
	prev := int64(0)
	for k := 0; k < nl; k++ {
		lvl := levels[k]
		var amount int64
		var elig uint16
		for i := 0; i < h.n; i++ {
			amount += clamp(h.ante[i], prev, lvl)
			if live&(1<<i) != 0 && (h.ante[i] >= lvl || h.owedAnte[i] < lvl || h.cfg.UntrimmedAntes) {
				elig |= 1 << i
			}
		}
		if elig == 0 {
			for i := 0; i < h.n; i++ {
				refunds[i] += clamp(h.ante[i], prev, lvl)
			}
		} else {
			h.addPot(amount, elig)
		}
		prev = lvl
	}
	for i := 0; i < h.n; i++ {
		if refunds[i] > 0 {
			h.ante[i] -= refunds[i]
			h.refund(i, refunds[i])
		}
	}
	// Bet layers, at each total of a seat still in; the top one takes anything above.
	nl = 0
	for i := 0; i < h.n; i++ {
		if live&(1<<i) != 0 {
			nl = insertLevel(&levels, nl, h.total[i])
		}
	}
	prev = 0
	for k := 0; k < nl; k++ {
		lvl := levels[k]
		top := k == nl-1
		var amount int64
		var elig uint16
		for i := 0; i < h.n; i++ {
			if top {
				if h.total[i] > prev {
					amount += h.total[i] - prev
				}
			} else {
				amount += clamp(h.total[i], prev, lvl)
			}
			if live&(1<<i) != 0 && h.total[i] >= lvl {
				elig |= 1 << i
			}
		}
		h.addPot(amount, elig)
		prev = lvl
	}
}

// clamp is the part of a contribution c that falls in the layer (lo, hi].
func clamp(c, lo, hi int64) int64 {
	if c <= lo {
		return 0
	}
	if c > hi {
		c = hi
	}
	return c - lo
}

// insertLevel adds v (> 0) to the sorted distinct levels[:n] and returns the new length.
func insertLevel(levels *[MaxSeats]int64, n int, v int64) int {
	if v <= 0 {
		return n
	}
	j := n
	for j > 0 && levels[j-1] > v {
		j--
	}
	if j > 0 && levels[j-1] == v {
		return n
	}
	copy(levels[j+1:n+1], levels[j:n])
	levels[j] = v
	return n + 1
}

func (h *Hand) refund(i int, amount int64) {
	if amount <= 0 {
		return
	}
	h.stack[i] += amount
	h.res.Returned[i] += amount
	h.emit(Event{Kind: EvReturn, Seat: int8(i), Amount: amount})
}

func (h *Hand) addPot(amount int64, elig uint16) {
	if amount == 0 {
		return
	}
	if n := len(h.res.Pots); n > 0 && h.res.Pots[n-1].Eligible == elig {
		h.res.Pots[n-1].Amount += amount
		return
	}
	h.res.Pots = append(h.res.Pots, Pot{Amount: amount, Eligible: elig})
}

// settle takes the rake and pays every pot, splitting ties with the odd chips going one each to
// the winners in turn clockwise from the button (TDA Rule 20).
func (h *Hand) settle() {
	rakeOn := h.cfg.RakeBasisPoints > 0 && len(h.res.Board) >= 3 // no flop, no drop
	capLeft := h.cfg.RakeCap
	for p := range h.res.Pots {
		pot := &h.res.Pots[p]
		if rakeOn {
			// floor(amount × bp / 10000) without overflowing int64 for any amount
			bp := h.cfg.RakeBasisPoints
			r := pot.Amount/10000*bp + pot.Amount%10000*bp/10000
			if h.cfg.RakeCap > 0 && r > capLeft {
				r = capLeft
			}
			capLeft -= r
			pot.Rake = r
			h.res.Rake += r
			if r > 0 {
				h.emit(Event{Kind: EvRake, Seat: -1, Pot: uint8(p), Amount: r})
			}
		}
		// Winners: the best hand among eligible seats that did not muck; if every eligible seat
		// mucked, the best among them all (the pot must go to someone who paid into it).
		contenders := pot.Eligible
		for i := 0; i < h.n; i++ {
			if h.res.Mucked[i] {
				contenders &^= 1 << i
			}
		}
		if contenders == 0 {
			contenders = pot.Eligible
		}
		var winners uint16
		var best eval.Rank
		if contenders&(contenders-1) == 0 {
			winners = contenders
		} else {
			for i := 0; i < h.n; i++ {
				if contenders&(1<<i) == 0 {
					continue
				}
				switch r := h.rank[i]; {
				case r > best:
					best, winners = r, 1<<i
				case r == best:
					winners |= 1 << i
				}
			}
		}
		pot.Winners, pot.Best = winners, best
		k := int64(0)
		for w := winners; w != 0; w &= w - 1 {
			k++
		}
		net := pot.Amount - pot.Rake
		share, odd := net/k, net%k
		for j, i := 0, h.button; j < h.n; j++ {
			i = h.nextSeat(i)
			if winners&(1<<i) == 0 {
				continue
			}
			got := share
			if odd > 0 {
				got++
				odd--
			}
			h.stack[i] += got
			h.res.Won[i] += got
			h.emit(Event{Kind: EvWin, Seat: int8(i), Pot: uint8(p), Amount: got})
		}
	}
	for i := 0; i < h.n; i++ {
		h.res.Final[i] = h.stack[i]
	}
	h.phase = Complete
	h.toAct = -1
	h.emit(Event{Kind: EvEnd, Seat: -1})
}
