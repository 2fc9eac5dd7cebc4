package creditsapi

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/credits"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/seeds"
	"github.com/arcadehq/arcade/internal/store"
)

// Thresholds are the deposit alert levels the real system publishes.
type Thresholds struct {
	Low      int `json:"low"`
	Critical int `json:"critical"`
	MinBet   int `json:"min_bet"`
	MinPlay  int `json:"min_play"`
}

// BalanceData answers GET /api/me/balance.
type BalanceData struct {
	Balance             money.Amount `json:"balance"`
	FaucetCredits       money.Amount `json:"faucetCredits"`
	Withdrawable        money.Amount `json:"withdrawable"`
	Pending             money.Amount `json:"pendingWithdrawal"`
	DepositAlert        string       `json:"deposit_alert" jsonschema:"enum=ok,enum=low,enum=critical"`
	DepositAlertMessage *string      `json:"deposit_alert_message" jsonschema:"nullable"`
	DepositURL          string       `json:"deposit_url"`
	DepositThresholds   Thresholds   `json:"deposit_thresholds"`
	BalanceMilestone    *int         `json:"balance_milestone" jsonschema:"nullable"`
	MilestoneMessage    *string      `json:"milestone_message" jsonschema:"nullable"`
}

var milestones = []int{50000, 25000, 10000, 5000, 2000, 1000}

func balanceData(bal, granted, pending money.Amount) BalanceData {
	d := BalanceData{Balance: bal, FaucetCredits: min(bal, granted), Withdrawable: credits.Withdrawable(bal, granted), Pending: pending,
		DepositAlert: "ok", DepositURL: "/api/credits/packages", DepositThresholds: Thresholds{Low: 100, Critical: 10, MinBet: 1, MinPlay: 1}}
	switch {
	case bal < 10*money.Micro:
		d.DepositAlert, d.DepositAlertMessage = "critical", optional("Balance is critically low: claim Free Credits (POST /api/faucet) or buy a credit package.")
	case bal < 100*money.Micro:
		d.DepositAlert, d.DepositAlertMessage = "low", optional("Balance is low: consider Free Credits or a credit package.")
	}
	for _, m := range milestones {
		if bal >= money.Amount(m)*money.Micro {
			d.BalanceMilestone = &m
			d.MilestoneMessage = optional("Balance passed " + money.Amount(int64(m)*int64(money.Micro)).String() + " credits.")
			break
		}
	}
	return d
}

// Play is one round in a listing.
type Play struct {
	ID            string        `json:"id"`
	GameType      string        `json:"gameType"`
	Amount        money.Amount  `json:"amount"`
	Outcome       string        `json:"outcome" jsonschema:"enum=win,enum=loss"`
	Payout        money.Amount  `json:"payout"`
	PnL           money.Amount  `json:"pnl"`
	CreatedAt     time.Time     `json:"createdAt"`
	ResultPayload ResultPayload `json:"resultPayload"`
	Verification  Verification  `json:"verification"`
}

// ResultPayload is the stored outcome, as the real system names it.
type ResultPayload struct {
	Value      json.Number `json:"value" jsonschema:"type=number"`
	Target     json.Number `json:"target" jsonschema:"type=number"`
	Condition  string      `json:"condition"`
	Win        bool        `json:"win"`
	Multiplier json.Number `json:"multiplier" jsonschema:"type=number"`
}

func outcome(win bool) string {
	if win {
		return "win"
	}
	return "loss"
}

func play(r credits.Round) Play {
	return Play{ID: r.ID, GameType: r.Game, Amount: r.Bet.Amount, Outcome: outcome(r.Win), Payout: r.Payout, PnL: r.PnL(),
		CreatedAt: r.CreatedAt, ResultPayload: ResultPayload{Value: hundredths(r.Roll), Target: hundredths(r.Bet.Target),
			Condition: r.Bet.Condition(), Win: r.Win, Multiplier: multiplier(r.Bet)},
		Verification: Verification{ServerSeedHash: r.Commitment, ServerSeedID: r.SeedID, ClientSeed: r.ClientSeed, Nonce: r.Nonce}}
}

// RoundsData answers GET /api/me/rounds.
type RoundsData struct {
	Plays      []Play       `json:"plays"`
	SessionPnL money.Amount `json:"sessionPnl"`
	RoundCount int          `json:"roundCount"`
	TotalCount int          `json:"totalCount"`
	Offset     int          `json:"offset"`
	Limit      int          `json:"limit"`
}

// TxItem is one line of GET /api/me/transactions.
type TxItem struct {
	ID        string        `json:"id"`
	Type      string        `json:"type" jsonschema:"enum=bet,enum=faucet,enum=withdrawal"`
	GameType  string        `json:"gameType,omitempty"`
	Amount    money.Amount  `json:"amount"`
	Outcome   string        `json:"outcome,omitempty"`
	Payout    *money.Amount `json:"payout,omitempty"`
	PnL       *money.Amount `json:"pnl,omitempty"`
	Status    string        `json:"status,omitempty"`
	CreatedAt time.Time     `json:"createdAt"`
}

// TxData answers GET /api/me/transactions.
type TxData struct {
	Transactions []TxItem     `json:"transactions"`
	SessionPnL   money.Amount `json:"sessionPnl"`
	Limit        int          `json:"limit"`
	Offset       int          `json:"offset"`
}

// Alert is a proof-of-life note for agents reporting to their humans.
type Alert struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// RecentPlay is a compact round in session stats.
type RecentPlay struct {
	Amount  money.Amount `json:"amount"`
	Outcome string       `json:"outcome"`
	Payout  money.Amount `json:"payout"`
	PnL     money.Amount `json:"pnl"`
}

// StatsData answers GET /api/me/session-stats: everything "how am I doing?" needs in one call.
type StatsData struct {
	BalanceData
	Rounds            int          `json:"rounds"`
	SessionPnL        money.Amount `json:"sessionPnl"`
	WinRate           float64      `json:"winRate"`
	Wagered           money.Amount `json:"wagered"`
	RecentPlays       []RecentPlay `json:"recentPlays"`
	ProofOfLifeAlerts []Alert      `json:"proof_of_life_alerts"`
	CurrentStreak     int          `json:"current_streak"`
	MaxWinStreak      int          `json:"max_win_streak"`
	MaxLossStreak     int          `json:"max_loss_streak"`
	ProfitFactor      *float64     `json:"profit_factor" jsonschema:"nullable"`
	RollingWinRate10  *float64     `json:"rolling_win_rate_10" jsonschema:"nullable"`
	RollingWinRate20  *float64     `json:"rolling_win_rate_20" jsonschema:"nullable"`
}

// RoundDetail answers GET /api/me/rounds/{id}.
type RoundDetail struct {
	Play
	Roll   json.Number `json:"result" jsonschema:"type=number"`
	Target json.Number `json:"target" jsonschema:"type=number"`
}

func (a *API) balance(ctx context.Context, q store.Q, me string) (BalanceData, error) {
	h, err := ledger.HoldingsOf(ctx, q, me, money.Credit)
	if err != nil {
		return BalanceData{}, err
	}
	granted, err := credits.FaucetGranted(ctx, q, me)
	if err != nil {
		return BalanceData{}, err
	}
	return balanceData(h.Available, granted, h.Pending), nil
}

func (a *API) registerHistory(rt *httpapi.Router) {
	a.handle(rt, httpapi.Op{Method: "GET", Path: "/api/me/balance", ID: "getBalance", Tag: "account", Auth: httpapi.AuthBearer,
		Summary: "Balance in credits (data.balance), withdrawable part and deposit alerts.", Resp: BalanceData{}},
		func(r *http.Request, me account.Account) (int, any, error) {
			var d BalanceData
			err := a.DB.Read(r.Context(), func(ctx context.Context, q store.Q) (err error) { d, err = a.balance(ctx, q, me.ID); return })
			return 0, d, err
		})
	a.handle(rt, httpapi.Op{Method: "GET", Path: "/api/me/rounds", ID: "listRounds", Tag: "account", Auth: httpapi.AuthBearer,
		Summary: "Recent rounds, newest first, with data.sessionPnl (over the listed rounds) and data.roundCount.",
		Params: []httpapi.Param{{Name: "limit", Type: "integer", Description: "1–200, default 50"}, {Name: "offset", Type: "integer"},
			{Name: "gameType", Enum: []string{"dice"}}},
		Resp: RoundsData{}, Errors: []int{400}},
		func(r *http.Request, me account.Account) (int, any, error) {
			limit, err := intParam(r, "limit", 50, 1, 200)
			if err != nil {
				return 0, nil, err
			}
			offset, err := intParam(r, "offset", 0, 0, 1<<30)
			if err != nil {
				return 0, nil, err
			}
			game, err := gameType(r)
			if err != nil {
				return 0, nil, err
			}
			var rs []credits.Round
			var total int
			if err := a.DB.Read(r.Context(), func(ctx context.Context, q store.Q) (err error) {
				rs, total, err = credits.Rounds(ctx, q, me.ID, game, limit, offset)
				return err
			}); err != nil {
				return 0, nil, err
			}
			d := RoundsData{Plays: []Play{}, RoundCount: len(rs), TotalCount: total, Offset: offset, Limit: limit}
			for _, x := range rs {
				d.Plays = append(d.Plays, play(x))
				d.SessionPnL += x.PnL()
			}
			return 0, d, nil
		})
	a.handle(rt, httpapi.Op{Method: "GET", Path: "/api/me/rounds/{id}", ID: "getRound", Tag: "account", Auth: httpapi.AuthBearer,
		Summary: "One round with everything needed to recompute its roll; reveal=1 rotates your seed if it is still active and reveals the seed that served the round.",
		Params:  []httpapi.Param{{Name: "reveal", Enum: []string{"0", "1", "true", "false"}}},
		Resp:    RoundDetail{}, Errors: []int{400, 404}},
		func(r *http.Request, me account.Account) (int, any, error) {
			reveal := false
			switch r.URL.Query().Get("reveal") {
			case "", "0", "false":
			case "1", "true":
				reveal = true
			default:
				return 0, nil, errs.Invalid("reveal", "must be 1 or 0")
			}
			var round credits.Round
			var rev *seeds.Revealed
			load := func(ctx context.Context, q store.Q) (err error) {
				round, err = credits.GetRound(ctx, q, me.ID, r.PathValue("id"))
				return err
			}
			var err error
			if !reveal {
				err = a.DB.Read(r.Context(), load)
			} else {
				// Revealing rotates first (DESIGN §5): the seed is never used again once shown.
				now := a.Now() // once per write, not once per run of its function
				err = a.DB.WriteFor(r.Context(), me.ID, func(ctx context.Context, q store.Q) error {
					if err := load(ctx, q); err != nil {
						return err
					}
					rv, err := seeds.Reveal(ctx, q, round.SeedID)
					if err != nil {
						if _, _, err := a.Seeds.Rotate(ctx, q, now, me.ID, credits.SeedScope); err != nil {
							return err
						}
						if rv, err = seeds.Reveal(ctx, q, round.SeedID); err != nil {
							return err
						}
					}
					rev = &rv
					return nil
				})
			}
			if err != nil {
				return 0, nil, err
			}
			d := RoundDetail{Play: play(round), Roll: hundredths(round.Roll), Target: hundredths(round.Bet.Target)}
			d.Verification.VerificationFormula = formula
			if rev != nil {
				d.Verification.ServerSeed = &rev.Seed
			}
			return 0, d, nil
		})
	a.handle(rt, httpapi.Op{Method: "GET", Path: "/api/me/transactions", ID: "listTransactions", Tag: "account", Auth: httpapi.AuthBearer,
		Summary: "Credit history: rounds (type bet), Free Credits claims and withdrawals, newest first.",
		Params: []httpapi.Param{{Name: "type", Enum: []string{"all", "round", "bet", "faucet", "withdrawal"}},
			{Name: "limit", Type: "integer", Description: "1–200, default 50"}, {Name: "offset", Type: "integer"}},
		Resp: TxData{}, Errors: []int{400}},
		func(r *http.Request, me account.Account) (int, any, error) {
			limit, err := intParam(r, "limit", 50, 1, 200)
			if err != nil {
				return 0, nil, err
			}
			offset, err := intParam(r, "offset", 0, 0, 1<<30)
			if err != nil {
				return 0, nil, err
			}
			kind := r.URL.Query().Get("type")
			if kind == "" {
				kind = "all"
			}
			var es []credits.Entry
			if err := a.DB.Read(r.Context(), func(ctx context.Context, q store.Q) (err error) {
				es, err = credits.Transactions(ctx, q, me.ID, kind, limit, offset)
				return err
			}); err != nil {
				return 0, nil, err
			}
			d := TxData{Transactions: []TxItem{}, Limit: limit, Offset: offset}
			for _, e := range es {
				it := TxItem{ID: e.ID, Type: e.Type, Amount: e.Amount, Status: e.Status, CreatedAt: e.CreatedAt}
				if e.Type == "bet" {
					pnl, payout := e.Payout-e.Amount, e.Payout
					it.GameType, it.Outcome, it.Payout, it.PnL = e.Game, outcome(e.Win), &payout, &pnl
					d.SessionPnL += pnl
				}
				d.Transactions = append(d.Transactions, it)
			}
			return 0, d, nil
		})
	a.handle(rt, httpapi.Op{Method: "GET", Path: "/api/me/session-stats", ID: "sessionStats", Tag: "account", Auth: httpapi.AuthBearer,
		Summary: "AI-first: balance, all-time rounds, PnL and win rate, recent plays, streaks and alerts in one call.",
		Params:  []httpapi.Param{{Name: "gameType", Enum: []string{"dice"}}, {Name: "limit", Type: "integer", Description: "recent plays, 1–100, default 50"}},
		Resp:    StatsData{}, Errors: []int{400}},
		func(r *http.Request, me account.Account) (int, any, error) {
			limit, err := intParam(r, "limit", 50, 1, 100)
			if err != nil {
				return 0, nil, err
			}
			game, err := gameType(r)
			if err != nil {
				return 0, nil, err
			}
			var d StatsData
			var rs []credits.Round
			var t credits.Totals
			if err := a.DB.Read(r.Context(), func(ctx context.Context, q store.Q) (err error) {
				if d.BalanceData, err = a.balance(ctx, q, me.ID); err != nil {
					return err
				}
				if rs, _, err = credits.Rounds(ctx, q, me.ID, game, limit, 0); err != nil {
					return err
				}
				t, err = credits.RoundTotals(ctx, q, me.ID, game)
				return err
			}); err != nil {
				return 0, nil, err
			}
			fillStats(&d, t, rs)
			return 0, d, nil
		})
}

func gameType(r *http.Request) (string, error) {
	switch g := r.URL.Query().Get("gameType"); g {
	case "", credits.GameDice:
		return g, nil
	}
	return "", errs.Invalid("gameType", `must be "dice"`)
}
