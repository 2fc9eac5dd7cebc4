package creditsapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/arcadehq/arcade/fairness"
	"github.com/arcadehq/arcade/internal/credits"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/ops"
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
	Balance             money.Decimal `json:"balance"`
	FaucetCredits       money.Decimal `json:"faucetCredits"`
	Withdrawable        money.Decimal `json:"withdrawable"`
	Pending             money.Decimal `json:"pendingWithdrawal"`
	DepositAlert        string        `json:"deposit_alert" jsonschema:"enum=ok,enum=low,enum=critical"`
	DepositAlertMessage *string       `json:"deposit_alert_message" jsonschema:"nullable"`
	DepositURL          string        `json:"deposit_url"`
	DepositThresholds   Thresholds    `json:"deposit_thresholds"`
	BalanceMilestone    *int          `json:"balance_milestone" jsonschema:"nullable"`
	MilestoneMessage    *string       `json:"milestone_message" jsonschema:"nullable"`
}

var milestones = []int{50000, 25000, 10000, 5000, 2000, 1000}

func balanceData(bal, granted, pending money.Amount) BalanceData {
	d := BalanceData{Balance: bal.Decimal(), FaucetCredits: (min(bal, granted)).Decimal(), Withdrawable: (credits.Withdrawable(bal, granted)).Decimal(), Pending: pending.Decimal(),
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
	Amount        money.Decimal `json:"amount"`
	Outcome       string        `json:"outcome" jsonschema:"enum=win,enum=loss"`
	Payout        money.Decimal `json:"payout"`
	PnL           money.Decimal `json:"pnl"`
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
	return Play{ID: r.ID, GameType: r.Game, Amount: r.Bet.Amount.Decimal(), Outcome: outcome(r.Win), Payout: r.Payout.Decimal(), PnL: r.PnL().Decimal(),
		CreatedAt: r.CreatedAt, ResultPayload: ResultPayload{Value: hundredths(r.Roll), Target: hundredths(r.Bet.Target),
			Condition: r.Bet.Condition(), Win: r.Win, Multiplier: multiplier(r.Bet)},
		Verification: Verification{ServerSeedHash: r.Commitment, ServerSeedID: r.SeedID, ClientSeed: r.ClientSeed, Nonce: r.Nonce}}
}

// RoundsData answers GET /api/me/rounds.
type RoundsData struct {
	Plays      []Play        `json:"plays"`
	SessionPnL money.Decimal `json:"sessionPnl"`
	RoundCount int           `json:"roundCount"`
	TotalCount int           `json:"totalCount"`
	Offset     int           `json:"offset"`
	Limit      int           `json:"limit"`
}

// TxItem is one line of GET /api/me/transactions.
type TxItem struct {
	ID        string         `json:"id"`
	Type      string         `json:"type" jsonschema:"enum=bet,enum=faucet,enum=withdrawal"`
	GameType  string         `json:"gameType,omitempty"`
	Amount    money.Decimal  `json:"amount"`
	Outcome   string         `json:"outcome,omitempty"`
	Payout    *money.Decimal `json:"payout,omitempty"`
	PnL       *money.Decimal `json:"pnl,omitempty"`
	Status    string         `json:"status,omitempty"`
	CreatedAt time.Time      `json:"createdAt"`
}

// TxData answers GET /api/me/transactions.
type TxData struct {
	Transactions []TxItem      `json:"transactions"`
	SessionPnL   money.Decimal `json:"sessionPnl"`
	Limit        int           `json:"limit"`
	Offset       int           `json:"offset"`
}

// Alert is a proof-of-life note for agents reporting to their humans.
type Alert struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// RecentPlay is a compact round in session stats.
type RecentPlay struct {
	Amount  money.Decimal `json:"amount"`
	Outcome string        `json:"outcome"`
	Payout  money.Decimal `json:"payout"`
	PnL     money.Decimal `json:"pnl"`
}

// StatsData answers GET /api/me/session-stats: everything "how am I doing?" needs in one call.
type StatsData struct {
	BalanceData
	Rounds            int           `json:"rounds"`
	SessionPnL        money.Decimal `json:"sessionPnl"`
	WinRate           float64       `json:"winRate"`
	Wagered           money.Decimal `json:"wagered"`
	RecentPlays       []RecentPlay  `json:"recentPlays"`
	ProofOfLifeAlerts []Alert       `json:"proof_of_life_alerts"`
	CurrentStreak     int           `json:"current_streak"`
	MaxWinStreak      int           `json:"max_win_streak"`
	MaxLossStreak     int           `json:"max_loss_streak"`
	ProfitFactor      *float64      `json:"profit_factor" jsonschema:"nullable"`
	RollingWinRate10  *float64      `json:"rolling_win_rate_10" jsonschema:"nullable"`
	RollingWinRate20  *float64      `json:"rolling_win_rate_20" jsonschema:"nullable"`
}

// RoundDetail answers GET /api/me/rounds/{id}.
type RoundDetail struct {
	Play
	Roll   json.Number `json:"result" jsonschema:"type=number"`
	Target json.Number `json:"target" jsonschema:"type=number"`
	// NextSeed is set when revealing retired your active seed: the seed that now serves you.
	NextSeed *SeedData `json:"nextSeed,omitempty"`
}

func balanceOf(b credits.Balance) BalanceData {
	return balanceData(b.Available, b.FaucetGranted, b.Pending)
}

func (a *API) registerHistory(rt *httpapi.Router) {
	a.handle(rt, a.Ops.Balance, httpapi.Op{Method: "GET", Path: "/api/me/balance", ID: "getBalance", Tag: "account", Resp: BalanceData{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			b, err := a.Ops.Balance.Invoke(r.Context(), c, ops.None{})
			return 0, balanceOf(b), err
		})
	list := func(r *http.Request, c ops.Caller, maxLimit int) (int, any, error) {
		limit, err := intParam(r, "limit", credits.DefaultListLimit, 1, maxLimit)
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
		p, err := a.Ops.Rounds.Invoke(r.Context(), c, credits.RoundsQuery{Game: game, Limit: limit, Offset: offset})
		if err != nil {
			return 0, nil, err
		}
		d := RoundsData{Plays: []Play{}, RoundCount: len(p.Rounds), TotalCount: p.Total, Offset: offset, Limit: limit}
		for _, x := range p.Rounds {
			d.Plays = append(d.Plays, play(x))
			d.SessionPnL += x.PnL().Decimal()
		}
		return 0, d, nil
	}
	get := func(r *http.Request, c ops.Caller) (int, any, error) {
		reveal := false
		switch r.URL.Query().Get("reveal") {
		case "", "0", "false":
		case "1", "true":
			reveal = true
		default:
			return 0, nil, errs.Invalid("reveal", "must be 1 or 0")
		}
		v, err := a.Ops.Round.Invoke(r.Context(), c, credits.RoundGet{ID: r.PathValue("id"), Reveal: reveal})
		if err != nil {
			return 0, nil, err
		}
		d := RoundDetail{Play: play(v.Round), Roll: hundredths(v.Round.Roll), Target: hundredths(v.Round.Bet.Target)}
		d.Verification.VerificationFormula = formula
		if v.Revealed != nil {
			d.Verification.ServerSeed = &v.Revealed.Seed
		}
		if v.Rotated != nil {
			d.NextSeed = &SeedData{ServerSeedID: v.Rotated.ID, ServerSeedHash: v.Rotated.Commitment, ClientSeed: v.Rotated.ClientSeed,
				NextServerSeedHash: v.Rotated.NextCommitment}
		}
		return 0, d, nil
	}
	reveal := []httpapi.Param{{Name: "reveal", Enum: []string{"0", "1", "true", "false"}}}
	pages := func(max int) []httpapi.Param {
		return []httpapi.Param{{Name: "limit", Type: "integer", Description: "1–" + strconv.Itoa(max) + ", default 50"},
			{Name: "offset", Type: "integer"}, {Name: "gameType", Enum: []string{"dice"}}}
	}
	a.handle(rt, a.Ops.Rounds, httpapi.Op{Method: "GET", Path: "/api/me/rounds", ID: "listRounds", Tag: "account",
		Summary: "Recent rounds, newest first, with data.sessionPnl (over the listed rounds) and data.roundCount.",
		Params:  pages(200), Resp: RoundsData{}},
		func(r *http.Request, c ops.Caller) (int, any, error) { return list(r, c, 200) })
	a.handle(rt, a.Ops.Round, httpapi.Op{Method: "GET", Path: "/api/me/rounds/{id}", ID: "getRound", Tag: "account",
		Params: reveal, Resp: RoundDetail{}}, get)
	// The real system's legacy names for the same reads (its agent skill still uses them).
	a.handle(rt, a.Ops.Rounds, httpapi.Op{Method: "GET", Path: "/api/me/bets", ID: "listBets", Tag: "account",
		Summary: "Legacy alias of GET /api/me/rounds (limit up to 10000).", Params: pages(credits.MaxListLimit), Resp: RoundsData{}},
		func(r *http.Request, c ops.Caller) (int, any, error) { return list(r, c, credits.MaxListLimit) })
	a.handle(rt, a.Ops.Round, httpapi.Op{Method: "GET", Path: "/api/me/bets/{id}", ID: "getBet", Tag: "account",
		Summary: "Legacy alias of GET /api/me/rounds/{id}.", Params: reveal, Resp: RoundDetail{}}, get)
	a.handle(rt, a.Ops.Transactions, httpapi.Op{Method: "GET", Path: "/api/me/transactions", ID: "listTransactions", Tag: "account",
		Params: []httpapi.Param{{Name: "type", Enum: []string{"all", "round", "bet", "faucet", "withdrawal"}},
			{Name: "limit", Type: "integer", Description: "1–200, default 50"}, {Name: "offset", Type: "integer"}},
		Resp: TxData{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			limit, err := intParam(r, "limit", credits.DefaultListLimit, 1, 200)
			if err != nil {
				return 0, nil, err
			}
			offset, err := intParam(r, "offset", 0, 0, 1<<30)
			if err != nil {
				return 0, nil, err
			}
			es, err := a.Ops.Transactions.Invoke(r.Context(), c, credits.TxQuery{Kind: r.URL.Query().Get("type"), Limit: limit, Offset: offset})
			if err != nil {
				return 0, nil, err
			}
			return 0, txData(es, limit, offset), nil
		})
	a.handle(rt, a.Ops.Stats, httpapi.Op{Method: "GET", Path: "/api/me/session-stats", ID: "sessionStats", Tag: "account",
		Params: []httpapi.Param{{Name: "gameType", Enum: []string{"dice"}}, {Name: "limit", Type: "integer", Description: "recent plays, 1–100, default 50"}},
		Resp:   StatsData{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			limit, err := intParam(r, "limit", credits.DefaultStatsLimit, 1, 100)
			if err != nil {
				return 0, nil, err
			}
			game, err := gameType(r)
			if err != nil {
				return 0, nil, err
			}
			st, err := a.Ops.Stats.Invoke(r.Context(), c, credits.StatsQuery{Game: game, Limit: limit})
			if err != nil {
				return 0, nil, err
			}
			d := StatsData{BalanceData: balanceOf(st.Balance)}
			fillStats(&d, st.Totals, st.Recent)
			return 0, d, nil
		})
}

func txData(es []credits.Entry, limit, offset int) TxData {
	d := TxData{Transactions: []TxItem{}, Limit: limit, Offset: offset}
	for _, e := range es {
		it := TxItem{ID: e.ID, Type: e.Type, Amount: e.Amount.Decimal(), Status: e.Status, CreatedAt: e.CreatedAt}
		if e.Type == "bet" {
			pnl, payout := e.Payout-e.Amount, e.Payout
			it.GameType, it.Outcome, it.Payout, it.PnL = e.Game, outcome(e.Win), money.DecimalPtr(&payout), money.DecimalPtr(&pnl)
			d.SessionPnL += pnl.Decimal()
		}
		d.Transactions = append(d.Transactions, it)
	}
	return d
}

func gameType(r *http.Request) (string, error) {
	switch g := r.URL.Query().Get("gameType"); g {
	case "", credits.GameDice:
		return g, nil
	}
	return "", errs.Invalid("gameType", `must be "dice"`)
}

// RunStatusData answers GET /api/me/runs/{id}.
type RunStatusData struct {
	RunID         string        `json:"runId"`
	Status        string        `json:"status" jsonschema:"enum=completed"`
	RoundsPlayed  int           `json:"roundsPlayed"`
	Wagered       money.Decimal `json:"wagered"`
	Returned      money.Decimal `json:"returned"`
	SessionPnL    money.Decimal `json:"sessionPnl"`
	StoppedReason string        `json:"stoppedReason"`
	CreatedAt     time.Time     `json:"createdAt"`
}

// OddsData answers GET /api/games/dice/odds.
type OddsData struct {
	WinProbability json.Number   `json:"winProbability" jsonschema:"type=number,description=percent"`
	Multiplier     money.Decimal `json:"multiplier"`
	PayoutIfWin    money.Decimal `json:"payoutIfWin"`
	ExpectedValue  money.Decimal `json:"expectedValue"`
	HouseEdge      int           `json:"houseEdge" jsonschema:"description=percent"`
}

// LimitsData answers GET /api/limits.
type LimitsData struct {
	MinBet              money.Decimal `json:"minBet"`
	MaxBet              money.Decimal `json:"maxBet"`
	MinWithdrawal       money.Decimal `json:"minWithdrawal"`
	FaucetAmount        money.Decimal `json:"faucetAmount"`
	FaucetCooldownSecs  int64         `json:"faucetCooldownSeconds"`
	MaxRunRounds        int64         `json:"maxRunRounds"`
	MaxSimRounds        int64         `json:"maxSimulationRounds"`
	MaxSimSessions      int64         `json:"maxSimulationSessions"`
	PerKeyPerSecond     *float64      `json:"requestsPerSecondPerKey" jsonschema:"nullable,description=null when off"`
	SignUpsPerMinute    *float64      `json:"signUpsPerMinutePerAddress" jsonschema:"nullable"`
	ToolCallsPerMinute  int           `json:"toolCallsPerMinute"`
	AgentCallsPerMinute int           `json:"toolCallsPerMinuteWithAgentToken"`
}

func (a *API) registerInfo(rt *httpapi.Router) {
	a.handle(rt, a.Ops.RunStatus, httpapi.Op{Method: "GET", Path: "/api/me/runs/{id}", ID: "getRun", Tag: "strategies", Resp: RunStatusData{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			s, err := a.Ops.RunStatus.Invoke(r.Context(), c, credits.ByID{ID: r.PathValue("id")})
			return 0, RunStatusData{RunID: s.ID, Status: "completed", RoundsPlayed: s.Rounds, Wagered: s.Wagered.Decimal(), Returned: s.Returned.Decimal(),
				SessionPnL: (s.Returned - s.Wagered).Decimal(), StoppedReason: s.StopReason, CreatedAt: s.CreatedAt}, err
		})
	a.handle(rt, a.Ops.Odds, httpapi.Op{Method: "GET", Path: "/api/games/dice/odds", ID: "diceOdds", Tag: "dice",
		Params: []httpapi.Param{{Name: "target", Type: "number", Required: true, Description: "0–99.99"},
			{Name: "condition", Required: true, Enum: []string{"over", "under"}}, {Name: "amount", Type: "number", Description: "credits, default 1"}},
		Resp: OddsData{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			q := r.URL.Query()
			in := credits.OddsInput{Amount: money.Micro}
			var err error
			if q.Get("target") == "" {
				return 0, nil, errs.Missing("target")
			}
			if in.Target, err = fairness.ParseCreditDiceTarget(q.Get("target")); err != nil {
				return 0, nil, errs.Invalid("target", "must be a number from 0 to 99.99 with at most two decimals")
			}
			switch q.Get("condition") {
			case "over":
				in.Over = true
			case "under":
			case "":
				return 0, nil, errs.Missing("condition")
			default:
				return 0, nil, errs.Invalid("condition", `must be "over" or "under"`)
			}
			if s := q.Get("amount"); s != "" {
				if in.Amount, err = money.Parse(s); err != nil {
					return 0, nil, errs.Invalid("amount", "must be a number of credits with at most 6 decimals")
				}
			}
			o, err := a.Ops.Odds.Invoke(r.Context(), c, in)
			return 0, OddsData{WinProbability: hundredths(o.WinningRolls), Multiplier: o.Multiplier.Decimal(), PayoutIfWin: o.Payout.Decimal(),
				ExpectedValue: o.Expected.Decimal(), HouseEdge: 3}, err
		})
	a.handle(rt, a.Ops.Limits, httpapi.Op{Method: "GET", Path: "/api/limits", ID: "limits", Tag: "meta", Resp: LimitsData{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			l, err := a.Ops.Limits.Invoke(r.Context(), c, ops.None{})
			return 0, LimitsOf(l), err
		})
}

// LimitsOf renders the enforced limits as /api publishes them.
func LimitsOf(l credits.Limits) LimitsData {
	d := LimitsData{MinBet: l.MinBet.Decimal(), MaxBet: l.MaxBet.Decimal(), MinWithdrawal: l.MinWithdrawal.Decimal(), FaucetAmount: l.FaucetAmount.Decimal(),
		FaucetCooldownSecs: int64(l.FaucetCooldown / time.Second), MaxRunRounds: l.MaxRunRounds, MaxSimRounds: l.MaxSimRounds,
		MaxSimSessions: l.MaxSimSessions, ToolCallsPerMinute: l.ToolCallsPerMinute, AgentCallsPerMinute: l.AgentCallsPerMinute}
	if l.PerKeyPerSecond > 0 {
		d.PerKeyPerSecond = &l.PerKeyPerSecond
	}
	if l.SignUpsPerMinute > 0 {
		d.SignUpsPerMinute = &l.SignUpsPerMinute
	}
	return d
}
