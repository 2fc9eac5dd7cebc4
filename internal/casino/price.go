package casino

import "strconv"

// Stake is a stake tier of the /api/v1 games, chosen by ?stake=: the x402 price of the bet is
// its stake.
type Stake string

// The stake tiers.
const (
	StakeMicro    Stake = "micro"    // $0.10
	StakeStandard Stake = "standard" // $1.00
	StakeWhale    Stake = "whale"    // $10.00
)

// Item is one thing Arcade charges for over x402 on /api/v1.
type Item string

// The priced items: a bet at each stake tier, and the fixed-price routes.
const (
	ItemBetMicro    Item = "bet:micro"
	ItemBetStandard Item = "bet:standard"
	ItemBetWhale    Item = "bet:whale"
	ItemManifest    Item = "manifest"     // GET /api/v1, the paid discovery manifest
	ItemBalance     Item = "balance"      // GET /api/v1/balance
	ItemBetStatus   Item = "bet_status"   // GET /api/v1/bets/{id}
	ItemWithdrawFee Item = "withdraw_fee" // POST /api/v1/withdraw (free on the SIWE dashboard)
)

// Price is one line of the price table.
type Price struct {
	Item  Item   `json:"item"`
	Micro int64  `json:"amount_micro"` // micro-USDC
	USD   string `json:"amount_usd"`   // the same amount as a dollar string, "0.10"
	What  string `json:"description"`
}

// prices is the one price table: it feeds the 402 answers, /openapi.json's x-payment-info and
// every discovery file. The stake tiers are its first three lines.
var prices = [...]Price{
	{ItemBetMicro, 100_000, "", "a bet at stake micro"},
	{ItemBetStandard, 1_000_000, "", "a bet at stake standard"},
	{ItemBetWhale, 10_000_000, "", "a bet at stake whale"},
	{ItemManifest, 10_000, "", "the agent-facing discovery manifest"},
	{ItemBalance, 10_000, "", "reading the payer's in-house USDC balance"},
	{ItemBetStatus, 10_000, "", "reading one of the payer's bets"},
	{ItemWithdrawFee, 50_000, "", "an on-chain withdrawal to the payer address"},
}

// Prices returns the price table, each line with its dollar string.
func Prices() []Price {
	out := prices[:]
	res := make([]Price, len(out))
	for i, p := range out {
		p.USD = USD(p.Micro)
		res[i] = p
	}
	return res
}

// PriceOf returns the price of item in micro-USDC.
func PriceOf(item Item) (int64, bool) {
	for _, p := range prices {
		if p.Item == item {
			return p.Micro, true
		}
	}
	return 0, false
}

// Stakes returns the stake tiers from the smallest.
func Stakes() []Stake { return []Stake{StakeMicro, StakeStandard, StakeWhale} }

// ParseStake reads a ?stake= value; a bad one is a *ParamError for field stake.
func ParseStake(s string) (Stake, error) {
	switch st := Stake(s); st {
	case StakeMicro, StakeStandard, StakeWhale:
		return st, nil
	}
	return "", &ParamError{"stake", `must be "micro", "standard" or "whale"`}
}

// Item returns the price-table item of a bet at this stake.
func (s Stake) Item() Item { return Item("bet:" + string(s)) }

// Micro returns the stake, which is also the bet's x402 price, in micro-USDC (0 for an unknown
// tier).
func (s Stake) Micro() int64 {
	m, _ := PriceOf(s.Item())
	return m
}

// USD writes micro-USDC as dollars with at least two decimals and no trailing zeros beyond
// them: 100000 → "0.10", 10000000 → "10.00", 1 → "0.000001". m must be ≥ 0.
func USD(m int64) string {
	whole, frac := m/1_000_000, m%1_000_000
	f := strconv.FormatInt(frac+1_000_000, 10)[1:] // six digits
	for len(f) > 2 && f[len(f)-1] == '0' {
		f = f[:len(f)-1]
	}
	return strconv.FormatInt(whole, 10) + "." + f
}
