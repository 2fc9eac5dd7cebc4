package creditsapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/arcadehq/arcade/internal/credits"
	"github.com/arcadehq/arcade/internal/credits/strategy"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/ops"
)

// StrategyData is a stored basic strategy as the real system shows it.
type StrategyData struct {
	ID        string     `json:"id"`
	GameType  string     `json:"gameType"`
	Name      string     `json:"name"`
	Config    ConfigJSON `json:"config"`
	CreatedAt time.Time  `json:"createdAt"`
	UpdatedAt time.Time  `json:"updatedAt"`
}

// StrategyList lists strategies.
type StrategyList struct {
	Strategies []StrategyData `json:"strategies"`
}

// StrategyRequest creates or updates a basic strategy.
type StrategyRequest struct {
	GameType string     `json:"gameType,omitempty" jsonschema:"enum=dice"`
	Name     *string    `json:"name,omitempty"`
	Config   ConfigJSON `json:"config,omitempty"`
}

// AdvancedBody documents an advanced strategy as sent (the decoder in package strategy is the
// authority: it names the exact field at fault; GET /api/discovery lists the trigger and action
// vocabulary).
type AdvancedBody struct {
	Name          string         `json:"name" jsonschema:"required,minLength=1,maxLength=100"`
	Description   string         `json:"description,omitempty"`
	BaseConfig    BaseConfigBody `json:"baseConfig" jsonschema:"required"`
	Rules         []RuleBody     `json:"rules" jsonschema:"required,minItems=1"`
	GlobalLimits  map[string]any `json:"globalLimits,omitempty" jsonschema:"description=maxBet, minBet, maxRounds, stopIfBalanceBelow, stopIfBalanceAbove, stopOnConsecutiveLosses, stopOnConsecutiveWins, stopOnProfitAbove, stopOnLossAbove"`
	ExecutionMode string         `json:"executionMode,omitempty" jsonschema:"enum=sequential,enum=all_matching"`
	IsPublic      bool           `json:"isPublic,omitempty"`
	Tags          []string       `json:"tags,omitempty"`
}

// BaseConfigBody is the bet an advanced strategy starts from.
type BaseConfigBody struct {
	Amount    float64 `json:"amount" jsonschema:"required,minimum=1,maximum=10000,description=whole credits"`
	Target    float64 `json:"target" jsonschema:"required,minimum=0,exclusiveMaximum=100"`
	Condition string  `json:"condition" jsonschema:"required,enum=over,enum=under"`
}

// RuleBody is one trigger → action rule.
type RuleBody struct {
	ID             string    `json:"id" jsonschema:"required,maxLength=64"`
	Name           string    `json:"name,omitempty"`
	Order          int64     `json:"order" jsonschema:"required"`
	Enabled        bool      `json:"enabled" jsonschema:"required"`
	Trigger        ValueBody `json:"trigger" jsonschema:"required"`
	Action         ValueBody `json:"action" jsonschema:"required"`
	CooldownRounds int64     `json:"cooldownRounds,omitempty" jsonschema:"minimum=0"`
	MaxExecutions  int64     `json:"maxExecutions,omitempty" jsonschema:"minimum=0"`
}

// ValueBody is a trigger or action: a type from GET /api/discovery and its value.
type ValueBody struct {
	Type   string   `json:"type" jsonschema:"required"`
	Value  *float64 `json:"value,omitempty"`
	Value2 *float64 `json:"value2,omitempty"`
}

// AdvancedPatchBody is a partial advanced strategy: every field optional.
type AdvancedPatchBody struct {
	Name          string          `json:"name,omitempty" jsonschema:"minLength=1,maxLength=100"`
	Description   string          `json:"description,omitempty"`
	BaseConfig    *BaseConfigBody `json:"baseConfig,omitempty"`
	Rules         []RuleBody      `json:"rules,omitempty"`
	GlobalLimits  map[string]any  `json:"globalLimits,omitempty"`
	ExecutionMode string          `json:"executionMode,omitempty" jsonschema:"enum=sequential,enum=all_matching"`
	IsPublic      *bool           `json:"isPublic,omitempty"`
	Tags          []string        `json:"tags,omitempty"`
}

// AdvancedData is a stored advanced strategy.
type AdvancedData struct {
	Strategy StrategyJSON `json:"strategy"`
}

// AdvancedList lists advanced strategies.
type AdvancedList struct {
	Strategies []StrategyJSON `json:"strategies"`
}

// Deleted answers a delete.
type Deleted struct {
	ID string `json:"id"`
}

// RunRequest runs a strategy: a saved one by id, or one given inline.
type RunRequest struct {
	StrategyID string         `json:"strategyId,omitempty"`
	Config     ConfigJSON     `json:"config,omitempty"`
	Strategy   StrategyJSON   `json:"strategy,omitempty"`
	MaxRounds  httpapi.Number `json:"maxRounds,omitempty" jsonschema:"type=integer,minimum=1,maximum=100000"`
	ClientSeed string         `json:"clientSeed,omitempty" jsonschema:"minLength=1,maxLength=128,description=play the run on your own client seed (see GET /api/me/seed)"`
}

// RunResultItem is one round of a run.
type RunResultItem struct {
	Round         int           `json:"round"`
	RoundID       string        `json:"roundId"`
	Result        json.Number   `json:"result" jsonschema:"type=number"`
	Win           bool          `json:"win"`
	Payout        money.Decimal `json:"payout"`
	Balance       money.Decimal `json:"balance"`
	BetAmount     money.Decimal `json:"betAmount"`
	Target        json.Number   `json:"target" jsonschema:"type=number"`
	Condition     string        `json:"condition"`
	Nonce         uint64        `json:"nonce"`
	ExecutedRules []string      `json:"executedRules,omitempty"`
}

// RunData answers run-strategy and run-advanced-strategy (camelCase as the REST API, snake_case
// as the OpenClaw tool results, both present).
type RunData struct {
	RunID         string          `json:"runId"`
	Results       []RunResultItem `json:"results"`
	SessionPnL    money.Decimal   `json:"sessionPnl"`
	SessionPnL2   money.Decimal   `json:"session_pnl"`
	FinalBalance  money.Decimal   `json:"finalBalance"`
	FinalBalance2 money.Decimal   `json:"final_balance"`
	RoundsPlayed  int             `json:"roundsPlayed"`
	StoppedReason string          `json:"stoppedReason"`
	Stopped2      string          `json:"stopped_reason"`
	TotalWins     int64           `json:"totalWins"`
	TotalLosses   int64           `json:"totalLosses"`
	WinRate       float64         `json:"winRate"`
	MaxDrawdown   money.Decimal   `json:"maxDrawdown"`
	Verification  RunVerification `json:"verification"`
}

// RunVerification says how to check every round of a run.
type RunVerification struct {
	ServerSeedHash string `json:"serverSeedHash"`
	ServerSeedID   string `json:"serverSeedId"`
	ClientSeed     string `json:"clientSeed"`
	FirstNonce     uint64 `json:"firstNonce"`
	Note           string `json:"note"`
}

// SimulateRequest runs the simulator.
type SimulateRequest struct {
	Strategy        StrategyJSON   `json:"strategy,omitempty"`
	Rounds          httpapi.Number `json:"rounds,omitempty" jsonschema:"type=integer,minimum=1,maximum=10000"`
	Sessions        httpapi.Number `json:"sessions,omitempty" jsonschema:"type=integer,minimum=1,maximum=1000"`
	StartingBalance httpapi.Number `json:"startingBalance,omitempty" jsonschema:"type=number"`
	Seed            string         `json:"seed,omitempty" jsonschema:"description=replay a simulation exactly: any string"`
}

// SimulateData answers simulate: the reference system's shape for the first session plus the
// distribution over all sessions.
type SimulateData struct {
	Simulation strategy.ReferenceSimulation `json:"simulation"`
	Summary    *strategy.SimResult          `json:"summary"`
	Seed       string                       `json:"seed"`
}

func strategyData(s credits.Saved) StrategyData {
	raw, _ := json.Marshal(s.Config)
	return StrategyData{ID: s.ID, GameType: s.GameType, Name: s.Name, Config: raw, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

// AdvancedJSON renders a stored advanced strategy with its id and times, as the real system does.
func AdvancedJSON(s credits.Saved) StrategyJSON {
	raw, _ := json.Marshal(s.Advanced)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	if m == nil {
		m = map[string]any{}
	}
	m["id"], m["createdAt"], m["updatedAt"] = s.ID, s.CreatedAt, s.UpdatedAt
	out, _ := json.Marshal(m)
	return out
}

func optInt(field string, n httpapi.Number, def, lo, hi int64) (int64, error) {
	if n == "" {
		return def, nil
	}
	a, err := wholeCredits(field, n) // integer parsing with the same strictness
	if err != nil {
		return 0, errs.Invalid(field, "must be an integer from %d to %d", lo, hi)
	}
	v := int64(a / money.Micro)
	if v < lo || v > hi {
		return 0, errs.Invalid(field, "must be an integer from %d to %d", lo, hi)
	}
	return v, nil
}

func (a *API) registerStrategies(rt *httpapi.Router) {
	a.handle(rt, a.Ops.Discovery, httpapi.Op{Method: "GET", Path: "/api/discovery", ID: "discovery", Tag: "strategies",
		Summary: "Strategy-builder schema: triggers, actions, global limits, presets, game mechanics, platform limits (no auth).",
		Params:  []httpapi.Param{{Name: "section", Enum: []string{"strategy_builder", "game_mechanics", "platform", "all"}}},
		Resp:    strategy.DiscoveryDoc{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			doc, err := a.Ops.Discovery.Invoke(r.Context(), c, credits.DiscoveryQuery{Section: r.URL.Query().Get("section")})
			return 0, doc, err
		})

	// Basic strategies.
	a.handle(rt, a.Ops.Strategies, httpapi.Op{Method: "GET", Path: "/api/me/strategies", ID: "listStrategies", Tag: "strategies",
		Summary: "Your basic strategies (optional ?gameType=dice).", Params: []httpapi.Param{{Name: "gameType", Enum: []string{"dice"}}},
		Resp: StrategyList{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			game, err := gameType(r)
			if err != nil {
				return 0, nil, err
			}
			ss, err := a.Ops.Strategies.Invoke(r.Context(), c, credits.GameFilter{Game: game})
			out := StrategyList{Strategies: []StrategyData{}}
			for _, s := range ss {
				out.Strategies = append(out.Strategies, strategyData(s))
			}
			return 0, out, err
		})
	a.handle(rt, a.Ops.CreateStrategy, httpapi.Op{Method: "POST", Path: "/api/me/strategies", ID: "createStrategy", Tag: "strategies",
		Summary: "Create a basic strategy {gameType, name, config}; config {amount, target, condition, progressionType?, maxPlay|maxBet?, ...}.",
		Body:    StrategyRequest{}, Resp: StrategyData{}, RespStatus: http.StatusCreated},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			var req StrategyRequest
			if _, err := decodeBody(r, &req); err != nil {
				return 0, nil, err
			}
			in, err := newStrategy(req)
			if err != nil {
				return 0, nil, err
			}
			s, err := a.Ops.CreateStrategy.Invoke(r.Context(), c, in)
			return http.StatusCreated, strategyData(s), err
		})
	a.handle(rt, a.Ops.Strategy, httpapi.Op{Method: "GET", Path: "/api/me/strategies/{id}", ID: "getStrategy", Tag: "strategies",
		Resp: StrategyData{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			s, err := a.Ops.Strategy.Invoke(r.Context(), c, credits.ByID{ID: r.PathValue("id")})
			return 0, strategyData(s), err
		})
	a.handle(rt, a.Ops.UpdateStrategy, httpapi.Op{Method: "PATCH", Path: "/api/me/strategies/{id}", ID: "updateStrategy", Tag: "strategies",
		Body: StrategyRequest{}, Resp: StrategyData{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			var req StrategyRequest
			if _, err := decodeBody(r, &req); err != nil {
				return 0, nil, err
			}
			in, err := strategyPatch(r.PathValue("id"), req)
			if err != nil {
				return 0, nil, err
			}
			s, err := a.Ops.UpdateStrategy.Invoke(r.Context(), c, in)
			return 0, strategyData(s), err
		})
	a.handle(rt, a.Ops.DeleteStrategy, httpapi.Op{Method: "DELETE", Path: "/api/me/strategies/{id}", ID: "deleteStrategy", Tag: "strategies",
		Resp: Deleted{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			d, err := a.Ops.DeleteStrategy.Invoke(r.Context(), c, credits.ByID{ID: r.PathValue("id")})
			return 0, Deleted{ID: d.ID}, err
		})
	a.handle(rt, a.Ops.Run, httpapi.Op{Method: "POST", Path: "/api/games/dice/run-strategy", ID: "runStrategy", Tag: "strategies",
		Summary: "Run a basic strategy for real: strategyId or inline config, maxRounds (default 20, max 100000); every round is stored and verifiable.",
		Body:    RunRequest{}, Resp: RunData{}},
		func(r *http.Request, c ops.Caller) (int, any, error) { return a.run(r, c, false) })

	// Advanced strategies.
	a.handle(rt, a.Ops.AdvancedStrategies, httpapi.Op{Method: "GET", Path: "/api/me/advanced-strategies", ID: "listAdvancedStrategies", Tag: "strategies",
		Resp: AdvancedList{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			ss, err := a.Ops.AdvancedStrategies.Invoke(r.Context(), c, ops.None{})
			out := AdvancedList{Strategies: []StrategyJSON{}}
			for _, s := range ss {
				out.Strategies = append(out.Strategies, AdvancedJSON(s))
			}
			return 0, out, err
		})
	a.handle(rt, a.Ops.SaveAdvanced, httpapi.Op{Method: "POST", Path: "/api/me/advanced-strategies", ID: "createAdvancedStrategy", Tag: "strategies",
		Summary: "Create an advanced strategy {name, baseConfig, rules, globalLimits?, executionMode?}; see GET /api/discovery for the vocabulary. Duplicate names are 409.",
		Body:    AdvancedBody{}, Resp: AdvancedData{}, RespStatus: http.StatusCreated},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			raw, err := httpapi.ReadBody(r)
			if err != nil {
				return 0, nil, err
			}
			if err := httpapi.CheckJSONText(raw); err != nil {
				return 0, nil, err
			}
			st, err := strategy.DecodeAdvanced(raw, "")
			if err != nil {
				return 0, nil, err
			}
			s, err := a.Ops.SaveAdvanced.Invoke(r.Context(), c, credits.SaveAdvanced{Strategy: st})
			return http.StatusCreated, AdvancedData{Strategy: AdvancedJSON(s)}, err
		})
	a.handle(rt, a.Ops.AdvancedStrategy, httpapi.Op{Method: "GET", Path: "/api/me/advanced-strategies/{id}", ID: "getAdvancedStrategy", Tag: "strategies",
		Resp: AdvancedData{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			s, err := a.Ops.AdvancedStrategy.Invoke(r.Context(), c, credits.ByID{ID: r.PathValue("id")})
			return 0, AdvancedData{Strategy: AdvancedJSON(s)}, err
		})
	a.handle(rt, a.Ops.SaveAdvanced, httpapi.Op{Method: "PATCH", Path: "/api/me/advanced-strategies/{id}", ID: "updateAdvancedStrategy", Tag: "strategies",
		Summary: "Update an advanced strategy: the top-level fields sent replace the stored ones (name, description, baseConfig, rules, globalLimits, executionMode, tags); the result is validated whole.",
		Body:    AdvancedPatchBody{}, Resp: AdvancedData{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			raw, err := httpapi.ReadBody(r)
			if err != nil {
				return 0, nil, err
			}
			var patch map[string]json.RawMessage
			if err := httpapi.DecodeJSON(raw, &patch); err != nil {
				return 0, nil, err
			}
			id := r.PathValue("id")
			cur, err := a.Ops.AdvancedStrategy.Invoke(r.Context(), c, credits.ByID{ID: id})
			if err != nil {
				return 0, nil, err
			}
			st, err := credits.PatchAdvanced(cur, patch)
			if err != nil {
				return 0, nil, err
			}
			s, err := a.Ops.SaveAdvanced.Invoke(r.Context(), c, credits.SaveAdvanced{ID: id, Strategy: st})
			return 0, AdvancedData{Strategy: AdvancedJSON(s)}, err
		})
	a.handle(rt, a.Ops.DeleteAdvanced, httpapi.Op{Method: "DELETE", Path: "/api/me/advanced-strategies/{id}", ID: "deleteAdvancedStrategy", Tag: "strategies",
		Resp: Deleted{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			d, err := a.Ops.DeleteAdvanced.Invoke(r.Context(), c, credits.ByID{ID: r.PathValue("id")})
			return 0, Deleted{ID: d.ID}, err
		})
	sim := func(byID bool) handlerFunc {
		return func(r *http.Request, c ops.Caller) (int, any, error) {
			var req SimulateRequest
			if _, err := decodeOptional(r, &req); err != nil {
				return 0, nil, err
			}
			in, err := simulateInput(req)
			if err != nil {
				return 0, nil, err
			}
			if byID {
				in.StrategyID = r.PathValue("id")
			} else if in.Strategy == nil {
				return 0, nil, errs.Missing("strategy")
			}
			sim, err := a.Ops.Simulate.Invoke(r.Context(), c, in)
			if err != nil {
				return 0, nil, err
			}
			return 0, SimulateData{Simulation: sim.Result.Reference().Simulation, Summary: &sim.Result, Seed: sim.Seed}, nil
		}
	}
	a.handle(rt, a.Ops.Simulate, httpapi.Op{Method: "POST", Path: "/api/me/advanced-strategies/simulate", ID: "simulateAdvancedStrategy", Tag: "strategies",
		Summary: "Simulate an inline advanced strategy (no money moves): rounds ≤ 10000 (default 100), sessions ≤ 1000, startingBalance (default 1000), seed to replay.",
		Body:    SimulateRequest{}, Resp: SimulateData{}}, sim(false))
	a.handle(rt, a.Ops.Simulate, httpapi.Op{Method: "POST", Path: "/api/me/advanced-strategies/{id}/simulate", ID: "simulateSavedAdvancedStrategy", Tag: "strategies",
		Summary: "Simulate one of your advanced strategies (no money moves).", Body: SimulateRequest{}, Resp: SimulateData{}}, sim(true))
	a.handle(rt, a.Ops.Run, httpapi.Op{Method: "POST", Path: "/api/games/dice/run-advanced-strategy", ID: "runAdvancedStrategy", Tag: "strategies",
		Summary: "Run an advanced strategy for real: strategyId or inline strategy, maxRounds (default 20, max 100000); every round stored and verifiable.",
		Body:    RunRequest{}, Resp: RunData{}},
		func(r *http.Request, c ops.Caller) (int, any, error) { return a.run(r, c, true) })
}

func newStrategy(req StrategyRequest) (credits.NewStrategy, error) {
	if req.GameType == "" {
		return credits.NewStrategy{}, errs.Missing("gameType")
	}
	if req.GameType != credits.GameDice {
		return credits.NewStrategy{}, errs.Invalid("gameType", `must be "dice"`)
	}
	if req.Name == nil {
		return credits.NewStrategy{}, errs.Missing("name")
	}
	if len(req.Config) == 0 {
		return credits.NewStrategy{}, errs.Missing("config")
	}
	c, err := strategy.DecodeConfig([]byte(req.Config), "config")
	if err != nil {
		return credits.NewStrategy{}, err
	}
	return credits.NewStrategy{GameType: req.GameType, Name: *req.Name, Config: c}, nil
}

func strategyPatch(id string, req StrategyRequest) (credits.StrategyPatch, error) {
	p := credits.StrategyPatch{ID: id, Name: req.Name}
	if len(req.Config) > 0 {
		cfg, err := strategy.DecodeConfig([]byte(req.Config), "config")
		if err != nil {
			return p, err
		}
		p.Config = &cfg
	}
	return p, nil
}

func simulateInput(req SimulateRequest) (credits.SimulateInput, error) {
	in := credits.SimulateInput{StartingBalance: credits.DefaultSimStart, Seed: req.Seed}
	var err error
	if in.Rounds, err = optInt("rounds", req.Rounds, credits.DefaultSimRounds, 1, credits.MaxSimRounds); err != nil {
		return in, err
	}
	if in.Sessions, err = optInt("sessions", req.Sessions, 1, 1, credits.MaxSimSessions); err != nil {
		return in, err
	}
	if req.StartingBalance != "" {
		if in.StartingBalance, err = creditsAmount("startingBalance", req.StartingBalance); err != nil {
			return in, err
		}
	}
	if len(req.Strategy) > 0 {
		if in.Strategy, err = strategy.DecodeAdvanced([]byte(req.Strategy), "strategy"); err != nil {
			return in, err
		}
	}
	return in, nil
}

func (a *API) run(r *http.Request, c ops.Caller, advanced bool) (int, any, error) {
	var req RunRequest
	if _, err := decodeBody(r, &req); err != nil {
		return 0, nil, err
	}
	in, err := runInput(req, advanced)
	if err != nil {
		return 0, nil, err
	}
	res, err := a.Ops.Run.Invoke(r.Context(), c, in)
	if err != nil {
		return 0, nil, err
	}
	return 0, runData(res, advanced), nil
}

func runInput(req RunRequest, advanced bool) (credits.RunInput, error) {
	in := credits.RunInput{Advanced: advanced, StrategyID: req.StrategyID, ClientSeed: req.ClientSeed}
	var err error
	if in.MaxRounds, err = optInt("maxRounds", req.MaxRounds, credits.DefaultRunRounds, 1, credits.MaxRunRounds); err != nil {
		return in, err
	}
	switch {
	case req.StrategyID != "":
	case advanced && len(req.Strategy) > 0:
		in.InlineJSON = []byte(req.Strategy)
		if in.Inline, err = strategy.DecodeAdvanced([]byte(req.Strategy), "strategy"); err != nil {
			return in, err
		}
	case !advanced && len(req.Config) > 0:
		in.InlineJSON = []byte(req.Config)
		c, err := strategy.DecodeConfig([]byte(req.Config), "config")
		if err != nil {
			return in, err
		}
		in.Inline = c
	}
	return in, nil
}
func runData(res credits.RunResult, advanced bool) RunData {
	d := RunData{RunID: res.RunID, Results: make([]RunResultItem, 0, len(res.Rounds)), SessionPnL: res.Stats.PnL, SessionPnL2: res.Stats.PnL,
		FinalBalance: res.FinalBalance.Decimal(), FinalBalance2: res.FinalBalance.Decimal(), RoundsPlayed: len(res.Rounds),
		StoppedReason: res.StopReason, Stopped2: res.StopReason, TotalWins: res.Stats.Wins, TotalLosses: res.Stats.Losses,
		MaxDrawdown: res.Stats.MaxDrawdown,
		Verification: RunVerification{ServerSeedHash: res.Commitment, ServerSeedID: res.SeedID, ClientSeed: res.ClientSeed,
			Note: "round i used nonce firstNonce + i - 1; reveal with GET /api/me/rounds/{roundId}?reveal=1"}}
	if len(res.Rounds) > 0 {
		d.Verification.FirstNonce = res.Rounds[0].Nonce
		d.WinRate = round2(100 * float64(res.Stats.Wins) / float64(len(res.Rounds)))
	}
	for _, r := range res.Rounds {
		it := RunResultItem{Round: r.Round, RoundID: r.RoundID, Result: hundredths(r.Roll), Win: r.Win, Payout: r.Payout.Decimal(), Balance: r.Balance.Decimal(),
			BetAmount: r.Bet.Amount.Decimal(), Target: hundredths(r.Bet.Target), Condition: r.Bet.Condition(), Nonce: r.Nonce}
		if advanced {
			it.ExecutedRules = r.Executed
		}
		d.Results = append(d.Results, it)
	}
	return d
}
