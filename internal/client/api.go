package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// SignUp answers guest sign-up and agent registration: the API key is shown only here.
type SignUp struct {
	APIKey       string `json:"apiKey"`
	APIKeyPrefix string `json:"apiKeyPrefix"`
	ID           string `json:"id"`      // guest sign-up
	AgentID      string `json:"agentId"` // agent registration
	UserID       string `json:"userId"`
	Credits      Amount `json:"credits"` // granted at sign-up (agents: 100 credits; guests: 0)
}

// GuestSignUp creates a guest account (POST /api/auth/guest, no key needed). The new key is in
// the result; c.WithKey(result.APIKey) talks as the guest.
func (c *Client) GuestSignUp(ctx context.Context) (*SignUp, error) {
	return call[SignUp](ctx, c, request{method: http.MethodPost, path: "/api/auth/guest", public: true})
}

// RegisterAgent registers an AI agent with an optional name (POST /api/auth/agent/register, no
// key needed); the account starts with 100 credits.
func (c *Client) RegisterAgent(ctx context.Context, name string) (*SignUp, error) {
	var body any = struct{}{}
	if name != "" {
		body = struct {
			Name string `json:"name"`
		}{name}
	}
	return call[SignUp](ctx, c, request{method: http.MethodPost, path: "/api/auth/agent/register", body: body, public: true})
}

// Me is the current account (GET /api/me).
type Me struct {
	ID           string    `json:"id"`
	Email        *string   `json:"email"`
	Name         *string   `json:"name"`
	AccountType  string    `json:"accountType"`
	Credits      Amount    `json:"credits"`
	Balance      Amount    `json:"balance"`
	USDC         Amount    `json:"usdc"`
	APIKeyPrefix string    `json:"apiKeyPrefix"`
	CreatedAt    time.Time `json:"createdAt"`
}

// Me reads the current account.
func (c *Client) Me(ctx context.Context) (*Me, error) {
	return call[Me](ctx, c, request{method: http.MethodGet, path: "/api/me"})
}

// Thresholds are the deposit alert levels, in whole credits.
type Thresholds struct {
	Low      int `json:"low"`
	Critical int `json:"critical"`
	MinBet   int `json:"min_bet"`
	MinPlay  int `json:"min_play"`
}

// Balance is GET /api/me/balance.
type Balance struct {
	Balance             Amount     `json:"balance"`
	FaucetCredits       Amount     `json:"faucetCredits"`
	Withdrawable        Amount     `json:"withdrawable"`
	PendingWithdrawal   Amount     `json:"pendingWithdrawal"`
	DepositAlert        string     `json:"deposit_alert"` // ok, low, critical
	DepositAlertMessage *string    `json:"deposit_alert_message"`
	DepositURL          string     `json:"deposit_url"`
	DepositThresholds   Thresholds `json:"deposit_thresholds"`
	BalanceMilestone    *int       `json:"balance_milestone"`
	MilestoneMessage    *string    `json:"milestone_message"`
}

// Balance reads the balance.
func (c *Client) Balance(ctx context.Context) (*Balance, error) {
	return call[Balance](ctx, c, request{method: http.MethodGet, path: "/api/me/balance"})
}

// Faucet answers a Free Credits claim.
type Faucet struct {
	Balance      Amount    `json:"balance"`
	Granted      Amount    `json:"granted"`
	NextFaucetAt time.Time `json:"nextFaucetAt"`
	ClaimID      string    `json:"claimId"`
}

// ClaimFaucet claims the hourly Free Credits (POST /api/faucet). A non-empty idempotencyKey makes
// retries replay the first answer. While cooling down it fails with code FAUCET_COOLDOWN.
func (c *Client) ClaimFaucet(ctx context.Context, idempotencyKey string) (*Faucet, error) {
	return call[Faucet](ctx, c, request{method: http.MethodPost, path: "/api/faucet", idem: idempotencyKey})
}

// DiceBet is one dice round to play.
type DiceBet struct {
	Amount    Amount      // stake; the server takes whole credits, 1–10000
	Target    json.Number // 0–99.99, at most two decimals: "50", "49.5"
	Condition string      // "over" or "under"
	// ClientSeed, if not empty, is sent as the round's clientSeed.
	ClientSeed string
	// IdempotencyKey, if not empty, is sent as the Idempotency-Key header: a retry with the same
	// key and body replays the first answer and moves no money again.
	IdempotencyKey string
}

// DicePath is the route PlayDice posts to.
const DicePath = "/api/games/dice/round"

// EncodeDiceBet returns the JSON body PlayDice sends for b (without its Idempotency-Key), for
// use with Do. The target must be a plain decimal number.
func EncodeDiceBet(b DiceBet) ([]byte, error) { return diceBody(b) }

// diceBody encodes b as the round's JSON body. It is written by hand (the hot path of a load
// generator): the target is checked to be a plain decimal number, and the strings go through
// the JSON encoder unless they are plain ASCII words.
func diceBody(b DiceBet) ([]byte, error) {
	if _, ok := parseMicro([]byte(b.Target)); !ok {
		return nil, fmt.Errorf("target %q is not a decimal number", b.Target)
	}
	out := make([]byte, 0, 96+len(b.ClientSeed))
	out = append(out, `{"amount":`...)
	out = append(out, b.Amount.String()...)
	out = append(out, `,"target":`...)
	out = append(out, b.Target...)
	out = append(out, `,"condition":`...)
	out = appendString(out, b.Condition)
	if b.ClientSeed != "" {
		out = append(out, `,"clientSeed":`...)
		out = appendString(out, b.ClientSeed)
	}
	return append(out, '}'), nil
}

func appendString(out []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always encodes
			return append(out, q...)
		}
	}
	out = append(out, '"')
	out = append(out, s...)
	return append(out, '"')
}

// Verification is what recomputing a roll needs; ServerSeed and VerificationFormula come only
// with GetRound (the seed only once revealed).
type Verification struct {
	ServerSeedHash      string  `json:"serverSeedHash"`
	ServerSeedID        string  `json:"serverSeedId"`
	ClientSeed          string  `json:"clientSeed"`
	Nonce               uint64  `json:"nonce"`
	ServerSeed          *string `json:"serverSeed"`
	VerificationFormula string  `json:"verificationFormula"`
}

// DiceResult answers a dice round.
type DiceResult struct {
	BetID        string       `json:"betId"`
	RoundID      string       `json:"roundId"`
	Balance      Amount       `json:"balance"`
	Result       json.Number  `json:"result"` // the roll, 0–99.99
	Win          bool         `json:"win"`
	Payout       Amount       `json:"payout"`
	Amount       Amount       `json:"amount"`
	Target       json.Number  `json:"target"`
	Condition    string       `json:"condition"`
	Multiplier   json.Number  `json:"multiplier"`
	PnL          Amount       `json:"pnl"`
	Verification Verification `json:"verification"`
}

// PlayDice plays one round (POST /api/games/dice/round). Without the balance to cover it, it
// fails with code INSUFFICIENT_BALANCE.
func (c *Client) PlayDice(ctx context.Context, b DiceBet) (*DiceResult, error) {
	raw, err := diceBody(b)
	if err != nil {
		return nil, fmt.Errorf("POST %s: %w", DicePath, err)
	}
	return call[DiceResult](ctx, c, request{method: http.MethodPost, path: DicePath, raw: raw, idem: b.IdempotencyKey})
}

// ResultPayload is a round's stored outcome.
type ResultPayload struct {
	Value      json.Number `json:"value"`
	Target     json.Number `json:"target"`
	Condition  string      `json:"condition"`
	Win        bool        `json:"win"`
	Multiplier json.Number `json:"multiplier"`
}

// Play is one round in a listing.
type Play struct {
	ID            string        `json:"id"`
	GameType      string        `json:"gameType"`
	Amount        Amount        `json:"amount"`
	Outcome       string        `json:"outcome"` // win, loss
	Payout        Amount        `json:"payout"`
	PnL           Amount        `json:"pnl"`
	CreatedAt     time.Time     `json:"createdAt"`
	ResultPayload ResultPayload `json:"resultPayload"`
	Verification  Verification  `json:"verification"`
}

// Rounds is a page of rounds, newest first.
type Rounds struct {
	Plays      []Play `json:"plays"`
	SessionPnL Amount `json:"sessionPnl"` // over the listed rounds
	RoundCount int    `json:"roundCount"`
	TotalCount int    `json:"totalCount"`
	Offset     int    `json:"offset"`
	Limit      int    `json:"limit"`
}

// Page selects a page of a listing; zero values take the server's defaults.
type Page struct {
	Limit  int
	Offset int
}

func (p Page) query(q url.Values) url.Values {
	if p.Limit > 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	if p.Offset > 0 {
		q.Set("offset", strconv.Itoa(p.Offset))
	}
	return q
}

// ListRounds lists rounds (GET /api/me/rounds); gameType "" or "dice".
func (c *Client) ListRounds(ctx context.Context, gameType string, p Page) (*Rounds, error) {
	q := p.query(url.Values{})
	if gameType != "" {
		q.Set("gameType", gameType)
	}
	return call[Rounds](ctx, c, request{method: http.MethodGet, path: "/api/me/rounds", query: q})
}

// Round is one round in detail (GET /api/me/rounds/{id}).
type Round struct {
	Play
	Result json.Number `json:"result"`
	Target json.Number `json:"target"`
}

// GetRound reads one round; reveal rotates the account's seed if the round's seed is still
// active and reveals it (Verification.ServerSeed).
func (c *Client) GetRound(ctx context.Context, id string, reveal bool) (*Round, error) {
	var q url.Values
	if reveal {
		q = url.Values{"reveal": {"1"}}
	}
	return call[Round](ctx, c, request{method: http.MethodGet, path: "/api/me/rounds/" + url.PathEscape(id), query: q})
}

// Transaction is one line of the credit history.
type Transaction struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"` // bet, faucet, withdrawal
	GameType  string    `json:"gameType"`
	Amount    Amount    `json:"amount"`
	Outcome   string    `json:"outcome"`
	Payout    *Amount   `json:"payout"`
	PnL       *Amount   `json:"pnl"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"createdAt"`
}

// Transactions is a page of the credit history.
type Transactions struct {
	Transactions []Transaction `json:"transactions"`
	SessionPnL   Amount        `json:"sessionPnl"`
	Limit        int           `json:"limit"`
	Offset       int           `json:"offset"`
}

// ListTransactions lists the credit history (GET /api/me/transactions); kind is "" (all), "all",
// "round", "bet", "faucet" or "withdrawal".
func (c *Client) ListTransactions(ctx context.Context, kind string, p Page) (*Transactions, error) {
	q := p.query(url.Values{})
	if kind != "" {
		q.Set("type", kind)
	}
	return call[Transactions](ctx, c, request{method: http.MethodGet, path: "/api/me/transactions", query: q})
}

// Alert is a proof-of-life note.
type Alert struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// RecentPlay is a compact round in session stats.
type RecentPlay struct {
	Amount  Amount `json:"amount"`
	Outcome string `json:"outcome"`
	Payout  Amount `json:"payout"`
	PnL     Amount `json:"pnl"`
}

// SessionStats is GET /api/me/session-stats. Rates are percentages.
type SessionStats struct {
	Balance
	Rounds            int          `json:"rounds"`
	SessionPnL        Amount       `json:"sessionPnl"`
	WinRate           float64      `json:"winRate"`
	Wagered           Amount       `json:"wagered"`
	RecentPlays       []RecentPlay `json:"recentPlays"`
	ProofOfLifeAlerts []Alert      `json:"proof_of_life_alerts"`
	CurrentStreak     int          `json:"current_streak"`
	MaxWinStreak      int          `json:"max_win_streak"`
	MaxLossStreak     int          `json:"max_loss_streak"`
	ProfitFactor      *float64     `json:"profit_factor"`
	RollingWinRate10  *float64     `json:"rolling_win_rate_10"`
	RollingWinRate20  *float64     `json:"rolling_win_rate_20"`
}

// SessionStats reads the session stats; gameType "" or "dice", limit 0 for the default.
func (c *Client) SessionStats(ctx context.Context, gameType string, limit int) (*SessionStats, error) {
	q := Page{Limit: limit}.query(url.Values{})
	if gameType != "" {
		q.Set("gameType", gameType)
	}
	return call[SessionStats](ctx, c, request{method: http.MethodGet, path: "/api/me/session-stats", query: q})
}

// StrategyConfig is a basic dice strategy. Zero optional members are left out.
type StrategyConfig struct {
	Amount               Amount      `json:"amount"` // base stake, whole credits
	Target               json.Number `json:"target"`
	Condition            string      `json:"condition"`
	ProgressionType      string      `json:"progressionType,omitempty"` // flat (default), martingale, paroli, dalembert, fibonacci, labouchere, oscar, kelly
	MaxBet               Amount      `json:"maxBet,omitempty"`
	MaxConsecutiveLosses int64       `json:"maxConsecutiveLosses,omitempty"`
	MaxConsecutiveWins   int64       `json:"maxConsecutiveWins,omitempty"`
	UnitStep             json.Number `json:"unitStep,omitempty"`
	StopAfterRounds      int64       `json:"stopAfterRounds,omitempty"`
	StopIfBalanceBelow   Amount      `json:"stopIfBalanceBelow,omitempty"`
	StopIfBalanceAbove   Amount      `json:"stopIfBalanceAbove,omitempty"`
	LabouchereLine       []int64     `json:"labouchereLine,omitempty"`
}

// Strategy is a saved basic strategy.
type Strategy struct {
	ID        string         `json:"id"`
	GameType  string         `json:"gameType"`
	Name      string         `json:"name"`
	Config    StrategyConfig `json:"config"`
	CreatedAt time.Time      `json:"createdAt"`
	UpdatedAt time.Time      `json:"updatedAt"`
}

// ListStrategies lists the saved basic strategies; gameType "" or "dice".
func (c *Client) ListStrategies(ctx context.Context, gameType string) ([]Strategy, error) {
	var q url.Values
	if gameType != "" {
		q = url.Values{"gameType": {gameType}}
	}
	l, err := call[struct {
		Strategies []Strategy `json:"strategies"`
	}](ctx, c, request{method: http.MethodGet, path: "/api/me/strategies", query: q})
	if err != nil {
		return nil, err
	}
	return l.Strategies, nil
}

type strategyBody struct {
	GameType string          `json:"gameType,omitempty"`
	Name     *string         `json:"name,omitempty"`
	Config   *StrategyConfig `json:"config,omitempty"`
}

// CreateStrategy saves a basic dice strategy.
func (c *Client) CreateStrategy(ctx context.Context, name string, cfg StrategyConfig) (*Strategy, error) {
	return call[Strategy](ctx, c, request{method: http.MethodPost, path: "/api/me/strategies",
		body: strategyBody{GameType: "dice", Name: &name, Config: &cfg}})
}

// GetStrategy reads one saved strategy.
func (c *Client) GetStrategy(ctx context.Context, id string) (*Strategy, error) {
	return call[Strategy](ctx, c, request{method: http.MethodGet, path: "/api/me/strategies/" + url.PathEscape(id)})
}

// StrategyUpdate changes a strategy's name, its config, or both (nil leaves it).
type StrategyUpdate struct {
	Name   *string
	Config *StrategyConfig
}

// UpdateStrategy updates a saved strategy.
func (c *Client) UpdateStrategy(ctx context.Context, id string, u StrategyUpdate) (*Strategy, error) {
	return call[Strategy](ctx, c, request{method: http.MethodPatch, path: "/api/me/strategies/" + url.PathEscape(id),
		body: strategyBody{Name: u.Name, Config: u.Config}})
}

// DeleteStrategy deletes a saved strategy.
func (c *Client) DeleteStrategy(ctx context.Context, id string) error {
	_, err := call[struct {
		ID string `json:"id"`
	}](ctx, c, request{method: http.MethodDelete, path: "/api/me/strategies/" + url.PathEscape(id)})
	return err
}

// RunStrategy runs a basic strategy for real: a saved one by StrategyID, or Config inline.
type RunStrategy struct {
	StrategyID string
	Config     *StrategyConfig
	MaxRounds  int // 0: the server's default (20)
}

// RunRound is one round of a run.
type RunRound struct {
	Round     int         `json:"round"`
	RoundID   string      `json:"roundId"`
	Result    json.Number `json:"result"`
	Win       bool        `json:"win"`
	Payout    Amount      `json:"payout"`
	Balance   Amount      `json:"balance"`
	BetAmount Amount      `json:"betAmount"`
	Target    json.Number `json:"target"`
	Condition string      `json:"condition"`
	Nonce     uint64      `json:"nonce"`
}

// RunVerification says how to check every round of a run.
type RunVerification struct {
	ServerSeedHash string `json:"serverSeedHash"`
	ServerSeedID   string `json:"serverSeedId"`
	ClientSeed     string `json:"clientSeed"`
	FirstNonce     uint64 `json:"firstNonce"`
	Note           string `json:"note"`
}

// RunResult answers a strategy run.
type RunResult struct {
	RunID         string          `json:"runId"`
	Results       []RunRound      `json:"results"`
	SessionPnL    Amount          `json:"sessionPnl"`
	FinalBalance  Amount          `json:"finalBalance"`
	RoundsPlayed  int             `json:"roundsPlayed"`
	StoppedReason string          `json:"stoppedReason"` // max_rounds, balance_below, balance_above, insufficient_balance, ...
	TotalWins     int64           `json:"totalWins"`
	TotalLosses   int64           `json:"totalLosses"`
	WinRate       float64         `json:"winRate"`
	MaxDrawdown   Amount          `json:"maxDrawdown"`
	Verification  RunVerification `json:"verification"`
}

// RunStrategy plays a strategy (POST /api/games/dice/run-strategy).
func (c *Client) RunStrategy(ctx context.Context, r RunStrategy) (*RunResult, error) {
	if (r.StrategyID == "") == (r.Config == nil) {
		return nil, errors.New("client: RunStrategy wants exactly one of StrategyID and Config")
	}
	body := struct {
		StrategyID string          `json:"strategyId,omitempty"`
		Config     *StrategyConfig `json:"config,omitempty"`
		MaxRounds  int             `json:"maxRounds,omitempty"`
	}{r.StrategyID, r.Config, r.MaxRounds}
	return call[RunResult](ctx, c, request{method: http.MethodPost, path: "/api/games/dice/run-strategy", body: body})
}

// WithdrawRequest asks for a withdrawal (at least 10,000 credits; Free Credits excluded).
type WithdrawRequest struct {
	Amount         Amount
	WiseEmail      string
	FullName       string
	Currency       string
	IdempotencyKey string // sent as the Idempotency-Key header when not empty
}

// Withdrawal is a withdrawal and its status (pending, approved, rejected).
type Withdrawal struct {
	ID        string     `json:"id"`
	Amount    Amount     `json:"amount"`
	Status    string     `json:"status"`
	Currency  string     `json:"currency"`
	Note      string     `json:"note"`
	AccountID string     `json:"accountId"`
	CreatedAt time.Time  `json:"createdAt"`
	DecidedAt *time.Time `json:"decidedAt"`
	Message   string     `json:"message"`
}

// Withdraw requests a withdrawal (POST /api/me/withdraw); the amount is held as pending.
func (c *Client) Withdraw(ctx context.Context, w WithdrawRequest) (*Withdrawal, error) {
	body := struct {
		Amount    Amount `json:"amount"`
		WiseEmail string `json:"wiseEmail,omitempty"`
		FullName  string `json:"fullName,omitempty"`
		Currency  string `json:"currency,omitempty"`
	}{w.Amount, w.WiseEmail, w.FullName, w.Currency}
	return call[Withdrawal](ctx, c, request{method: http.MethodPost, path: "/api/me/withdraw", body: body, idem: w.IdempotencyKey})
}

// RateLimits are the limits the server publishes in GET /api/discovery?section=platform.
type RateLimits struct {
	PerAPIKey struct {
		PerSecond float64 `json:"perSecond"`
		Burst     int     `json:"burst"`
		Off       bool    `json:"off"`
	} `json:"perApiKey"`
	SignUpsPerAddress struct {
		PerMinute float64 `json:"perMinute"`
		Burst     int     `json:"burst"`
		Off       bool    `json:"off"`
	} `json:"signUpsPerAddress"`
}

// RateLimits reads the published rate limits (public).
func (c *Client) RateLimits(ctx context.Context) (*RateLimits, error) {
	p, err := call[struct {
		Platform struct {
			RateLimits *RateLimits `json:"rateLimits"`
		} `json:"platform"`
	}](ctx, c, request{method: http.MethodGet, path: "/api/discovery", query: url.Values{"section": {"platform"}}, public: true})
	if err != nil {
		return nil, err
	}
	if p.Platform.RateLimits == nil {
		return nil, errors.New("GET /api/discovery: no platform.rateLimits in the answer")
	}
	return p.Platform.RateLimits, nil
}

// Live requests GET /health/live and returns nil on a 2xx answer.
func (c *Client) Live(ctx context.Context) error {
	_, _, err := c.send(ctx, request{method: http.MethodGet, path: "/health/live", public: true})
	return err
}

// Reconciliation is the ledger check /health publishes.
type Reconciliation struct {
	InvariantHolds bool      `json:"invariant_holds"`
	CheckedAt      time.Time `json:"checked_at"`
	Assets         map[string]struct {
		SumMicro   int64 `json:"sum_micro"`
		DriftMicro int64 `json:"drift_micro"`
	} `json:"assets"`
}

// Reconciliation reads the ledger invariant from GET /health (which answers 503 when unhealthy;
// the check is returned whenever the body carries it).
func (c *Client) Reconciliation(ctx context.Context) (*Reconciliation, error) {
	req := request{method: http.MethodGet, path: "/health", public: true}
	_, raw, err := c.send(ctx, req)
	if e := AsError(err); e != nil {
		raw = e.Body
	} else if err != nil {
		return nil, err
	}
	var h struct {
		Rec *Reconciliation `json:"financial_reconciliation"`
	}
	if jerr := json.Unmarshal(raw, &h); jerr != nil || h.Rec == nil {
		if err != nil {
			return nil, err
		}
		return nil, errors.New("GET /health: no financial_reconciliation in the answer")
	}
	return h.Rec, nil
}
