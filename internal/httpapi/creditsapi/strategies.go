package creditsapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"time"

	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/credits"
	"github.com/arcadehq/arcade/internal/credits/strategy"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/store"
)

// StrategyData is a stored basic strategy as the real system shows it.
type StrategyData struct {
	ID        string          `json:"id"`
	GameType  string          `json:"gameType"`
	Name      string          `json:"name"`
	Config    json.RawMessage `json:"config"`
	CreatedAt time.Time       `json:"createdAt"`
	UpdatedAt time.Time       `json:"updatedAt"`
}

// StrategyList lists strategies.
type StrategyList struct {
	Strategies []StrategyData `json:"strategies"`
}

// StrategyRequest creates or updates a basic strategy.
type StrategyRequest struct {
	GameType string          `json:"gameType,omitempty" jsonschema:"enum=dice"`
	Name     *string         `json:"name,omitempty"`
	Config   json.RawMessage `json:"config,omitempty"`
}

// AdvancedData is a stored advanced strategy.
type AdvancedData struct {
	Strategy json.RawMessage `json:"strategy"`
}

// AdvancedList lists advanced strategies.
type AdvancedList struct {
	Strategies []json.RawMessage `json:"strategies"`
}

// Deleted answers a delete.
type Deleted struct {
	ID string `json:"id"`
}

// RunRequest runs a strategy: a saved one by id, or one given inline.
type RunRequest struct {
	StrategyID string          `json:"strategyId,omitempty"`
	Config     json.RawMessage `json:"config,omitempty"`
	Strategy   json.RawMessage `json:"strategy,omitempty"`
	MaxRounds  httpapi.Number  `json:"maxRounds,omitempty" jsonschema:"type=integer,minimum=1,maximum=100000"`
}

// RunResultItem is one round of a run.
type RunResultItem struct {
	Round         int          `json:"round"`
	RoundID       string       `json:"roundId"`
	Result        json.Number  `json:"result" jsonschema:"type=number"`
	Win           bool         `json:"win"`
	Payout        money.Amount `json:"payout"`
	Balance       money.Amount `json:"balance"`
	BetAmount     money.Amount `json:"betAmount"`
	Target        json.Number  `json:"target" jsonschema:"type=number"`
	Condition     string       `json:"condition"`
	Nonce         uint64       `json:"nonce"`
	ExecutedRules []string     `json:"executedRules,omitempty"`
}

// RunData answers run-strategy and run-advanced-strategy (camelCase as the REST API, snake_case
// as the OpenClaw tool results, both present).
type RunData struct {
	RunID         string          `json:"runId"`
	Results       []RunResultItem `json:"results"`
	SessionPnL    money.Amount    `json:"sessionPnl"`
	SessionPnL2   money.Amount    `json:"session_pnl"`
	FinalBalance  money.Amount    `json:"finalBalance"`
	FinalBalance2 money.Amount    `json:"final_balance"`
	RoundsPlayed  int             `json:"roundsPlayed"`
	StoppedReason string          `json:"stoppedReason"`
	Stopped2      string          `json:"stopped_reason"`
	TotalWins     int64           `json:"totalWins"`
	TotalLosses   int64           `json:"totalLosses"`
	WinRate       float64         `json:"winRate"`
	MaxDrawdown   money.Amount    `json:"maxDrawdown"`
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
	Strategy        json.RawMessage `json:"strategy,omitempty"`
	Rounds          httpapi.Number  `json:"rounds,omitempty" jsonschema:"type=integer,minimum=1,maximum=10000"`
	Sessions        httpapi.Number  `json:"sessions,omitempty" jsonschema:"type=integer,minimum=1,maximum=1000"`
	StartingBalance httpapi.Number  `json:"startingBalance,omitempty" jsonschema:"type=number"`
	Seed            string          `json:"seed,omitempty" jsonschema:"description=replay a simulation exactly: any string"`
}

// SimulateData answers simulate: the reference system's shape for the first session plus the
// distribution over all sessions.
type SimulateData struct {
	Simulation json.RawMessage `json:"simulation"`
	Summary    json.RawMessage `json:"summary"`
	Seed       string          `json:"seed"`
}

func strategyData(s credits.Saved) StrategyData {
	raw, _ := json.Marshal(s.Config)
	return StrategyData{ID: s.ID, GameType: s.GameType, Name: s.Name, Config: raw, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

func advancedJSON(s credits.Saved) json.RawMessage {
	raw, _ := json.Marshal(s.Advanced)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	m["id"], m["createdAt"], m["updatedAt"] = s.ID, s.CreatedAt, s.UpdatedAt
	out, _ := json.Marshal(m)
	return out
}

func decodeBody(r *http.Request, v any) ([]byte, error) {
	raw, err := httpapi.ReadBody(r)
	if err != nil {
		return nil, err
	}
	return raw, httpapi.DecodeJSON(raw, v)
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
	a.handle(rt, httpapi.Op{Method: "GET", Path: "/api/discovery", ID: "discovery", Tag: "strategies",
		Summary: "Strategy-builder schema: triggers, actions, global limits, presets, game mechanics, platform limits (no auth).",
		Params:  []httpapi.Param{{Name: "section", Enum: []string{"strategy_builder", "game_mechanics", "platform"}}},
		Resp:    map[string]any{}, Errors: []int{400}},
		func(r *http.Request, _ account.Account) (int, any, error) {
			doc := strategy.Discovery()
			doc.Platform.RateLimits = map[string]any{
				"perApiKey":         map[string]any{"perSecond": a.PerKey.Limit().PerSecond, "burst": a.PerKey.Limit().Burst, "off": a.PerKey.Limit().Off()},
				"signUpsPerAddress": map[string]any{"perMinute": a.SignUp.Limit().PerSecond * 60, "burst": a.SignUp.Limit().Burst, "off": a.SignUp.Limit().Off()},
				"onLimit":           "429 RATE_LIMITED with a Retry-After header (seconds)",
			}
			if sec := r.URL.Query().Get("section"); sec != "" {
				part, ok := doc.Section(sec)
				if !ok {
					return 0, nil, errs.Invalid("section", "must be strategy_builder, game_mechanics or platform")
				}
				return 0, part, nil
			}
			return 0, doc, nil
		})

	// Basic strategies.
	a.handle(rt, httpapi.Op{Method: "GET", Path: "/api/me/strategies", ID: "listStrategies", Tag: "strategies", Auth: httpapi.AuthBearer,
		Summary: "Your basic strategies (optional ?gameType=dice).", Params: []httpapi.Param{{Name: "gameType", Enum: []string{"dice"}}},
		Resp: StrategyList{}, Errors: []int{400}},
		func(r *http.Request, me account.Account) (int, any, error) {
			game, err := gameType(r)
			if err != nil {
				return 0, nil, err
			}
			var ss []credits.Saved
			if err := a.DB.Read(r.Context(), func(ctx context.Context, q store.Q) (err error) {
				ss, err = credits.ListStrategies(ctx, q, me.ID, game)
				return err
			}); err != nil {
				return 0, nil, err
			}
			out := StrategyList{Strategies: []StrategyData{}}
			for _, s := range ss {
				out.Strategies = append(out.Strategies, strategyData(s))
			}
			return 0, out, nil
		})
	a.handle(rt, httpapi.Op{Method: "POST", Path: "/api/me/strategies", ID: "createStrategy", Tag: "strategies", Auth: httpapi.AuthBearer,
		Summary: "Create a basic strategy {gameType, name, config}; config {amount, target, condition, progressionType?, maxPlay|maxBet?, ...}.",
		Body:    StrategyRequest{}, Resp: StrategyData{}, RespStatus: http.StatusCreated, Errors: []int{400}},
		func(r *http.Request, me account.Account) (int, any, error) {
			var req StrategyRequest
			if _, err := decodeBody(r, &req); err != nil {
				return 0, nil, err
			}
			if req.GameType == "" {
				return 0, nil, errs.Missing("gameType")
			}
			if req.GameType != credits.GameDice {
				return 0, nil, errs.Invalid("gameType", `must be "dice"`)
			}
			if req.Name == nil {
				return 0, nil, errs.Missing("name")
			}
			if len(req.Config) == 0 {
				return 0, nil, errs.Missing("config")
			}
			c, err := strategy.DecodeConfig(req.Config, "config")
			if err != nil {
				return 0, nil, err
			}
			var s credits.Saved
			err = a.DB.Write(r.Context(), func(ctx context.Context, q store.Q) (err error) {
				s, err = credits.CreateStrategy(ctx, q, store.Now(ctx), me.ID, req.GameType, *req.Name, c)
				return err
			})
			return http.StatusCreated, strategyData(s), err
		})
	a.handle(rt, httpapi.Op{Method: "GET", Path: "/api/me/strategies/{id}", ID: "getStrategy", Tag: "strategies", Auth: httpapi.AuthBearer,
		Summary: "One of your basic strategies.", Resp: StrategyData{}, Errors: []int{404}},
		func(r *http.Request, me account.Account) (int, any, error) {
			var s credits.Saved
			err := a.DB.Read(r.Context(), func(ctx context.Context, q store.Q) (err error) {
				s, err = credits.GetStrategy(ctx, q, me.ID, r.PathValue("id"))
				return err
			})
			return 0, strategyData(s), err
		})
	a.handle(rt, httpapi.Op{Method: "PATCH", Path: "/api/me/strategies/{id}", ID: "updateStrategy", Tag: "strategies", Auth: httpapi.AuthBearer,
		Summary: "Update a basic strategy's name and/or config.", Body: StrategyRequest{}, Resp: StrategyData{}, Errors: []int{400, 404}},
		func(r *http.Request, me account.Account) (int, any, error) {
			var req StrategyRequest
			if _, err := decodeBody(r, &req); err != nil {
				return 0, nil, err
			}
			var c *strategy.Config
			if len(req.Config) > 0 {
				cfg, err := strategy.DecodeConfig(req.Config, "config")
				if err != nil {
					return 0, nil, err
				}
				c = &cfg
			}
			var s credits.Saved
			err := a.DB.Write(r.Context(), func(ctx context.Context, q store.Q) (err error) {
				s, err = credits.UpdateStrategy(ctx, q, store.Now(ctx), me.ID, r.PathValue("id"), req.Name, c)
				return err
			})
			return 0, strategyData(s), err
		})
	a.handle(rt, httpapi.Op{Method: "DELETE", Path: "/api/me/strategies/{id}", ID: "deleteStrategy", Tag: "strategies", Auth: httpapi.AuthBearer,
		Summary: "Delete a basic strategy.", Resp: Deleted{}, Errors: []int{404}},
		func(r *http.Request, me account.Account) (int, any, error) {
			id := r.PathValue("id")
			err := a.DB.Write(r.Context(), func(ctx context.Context, q store.Q) error { return credits.DeleteStrategy(ctx, q, me.ID, id) })
			return 0, Deleted{ID: id}, err
		})
	a.handle(rt, httpapi.Op{Method: "POST", Path: "/api/games/dice/run-strategy", ID: "runStrategy", Heavy: true, Tag: "strategies", Auth: httpapi.AuthBearer,
		Summary: "Run a basic strategy for real: strategyId or inline config, maxRounds (default 20, max 100000). The whole run is one transaction; every round is stored and verifiable.",
		Params:  []httpapi.Param{{Name: "Idempotency-Key", In: "header"}},
		Body:    RunRequest{}, Resp: RunData{}, Errors: []int{400, 404, 409}},
		func(r *http.Request, me account.Account) (int, any, error) {
			return a.run(r, me, false)
		})

	// Advanced strategies.
	a.handle(rt, httpapi.Op{Method: "GET", Path: "/api/me/advanced-strategies", ID: "listAdvancedStrategies", Tag: "strategies", Auth: httpapi.AuthBearer,
		Summary: "Your advanced (rule-based) strategies.", Resp: AdvancedList{}},
		func(r *http.Request, me account.Account) (int, any, error) {
			var ss []credits.Saved
			if err := a.DB.Read(r.Context(), func(ctx context.Context, q store.Q) (err error) {
				ss, err = credits.ListAdvanced(ctx, q, me.ID)
				return err
			}); err != nil {
				return 0, nil, err
			}
			out := AdvancedList{Strategies: []json.RawMessage{}}
			for _, s := range ss {
				out.Strategies = append(out.Strategies, advancedJSON(s))
			}
			return 0, out, nil
		})
	a.handle(rt, httpapi.Op{Method: "POST", Path: "/api/me/advanced-strategies", ID: "createAdvancedStrategy", Tag: "strategies", Auth: httpapi.AuthBearer,
		Summary: "Create an advanced strategy {name, baseConfig, rules, globalLimits?, executionMode?}; see GET /api/discovery for the vocabulary. Duplicate names are 409.",
		Body:    map[string]any{}, Resp: AdvancedData{}, RespStatus: http.StatusCreated, Errors: []int{400, 409}},
		func(r *http.Request, me account.Account) (int, any, error) {
			return a.saveAdvanced(r, http.StatusCreated, func(ctx context.Context, q store.Q, st *strategy.Advanced) (credits.Saved, error) {
				return credits.CreateAdvanced(ctx, q, store.Now(ctx), me.ID, st)
			})
		})
	a.handle(rt, httpapi.Op{Method: "GET", Path: "/api/me/advanced-strategies/{id}", ID: "getAdvancedStrategy", Tag: "strategies", Auth: httpapi.AuthBearer,
		Summary: "One of your advanced strategies.", Resp: AdvancedData{}, Errors: []int{404}},
		func(r *http.Request, me account.Account) (int, any, error) {
			var s credits.Saved
			err := a.DB.Read(r.Context(), func(ctx context.Context, q store.Q) (err error) {
				s, err = credits.GetAdvanced(ctx, q, me.ID, r.PathValue("id"))
				return err
			})
			if err != nil {
				return 0, nil, err
			}
			return 0, AdvancedData{Strategy: advancedJSON(s)}, nil
		})
	a.handle(rt, httpapi.Op{Method: "PATCH", Path: "/api/me/advanced-strategies/{id}", ID: "updateAdvancedStrategy", Tag: "strategies", Auth: httpapi.AuthBearer,
		Summary: "Replace an advanced strategy (send the whole strategy).", Body: map[string]any{}, Resp: AdvancedData{}, Errors: []int{400, 404, 409}},
		func(r *http.Request, me account.Account) (int, any, error) {
			return a.saveAdvanced(r, http.StatusOK, func(ctx context.Context, q store.Q, st *strategy.Advanced) (credits.Saved, error) {
				return credits.UpdateAdvanced(ctx, q, store.Now(ctx), me.ID, r.PathValue("id"), st)
			})
		})
	a.handle(rt, httpapi.Op{Method: "DELETE", Path: "/api/me/advanced-strategies/{id}", ID: "deleteAdvancedStrategy", Tag: "strategies", Auth: httpapi.AuthBearer,
		Summary: "Delete an advanced strategy.", Resp: Deleted{}, Errors: []int{404}},
		func(r *http.Request, me account.Account) (int, any, error) {
			id := r.PathValue("id")
			err := a.DB.Write(r.Context(), func(ctx context.Context, q store.Q) error { return credits.DeleteAdvanced(ctx, q, me.ID, id) })
			return 0, Deleted{ID: id}, err
		})
	sim := func(byID bool) handlerFunc {
		return func(r *http.Request, me account.Account) (int, any, error) {
			var req SimulateRequest
			if _, err := decodeBody(r, &req); err != nil {
				return 0, nil, err
			}
			var st *strategy.Advanced
			if byID {
				err := a.DB.Read(r.Context(), func(ctx context.Context, q store.Q) error {
					s, err := credits.GetAdvanced(ctx, q, me.ID, r.PathValue("id"))
					st = s.Advanced
					return err
				})
				if err != nil {
					return 0, nil, err
				}
			} else {
				if len(req.Strategy) == 0 {
					return 0, nil, errs.Missing("strategy")
				}
				var err error
				if st, err = strategy.DecodeAdvanced(req.Strategy, "strategy"); err != nil {
					return 0, nil, err
				}
			}
			return a.simulate(r.Context(), st, req)
		}
	}
	a.handle(rt, httpapi.Op{Method: "POST", Path: "/api/me/advanced-strategies/simulate", ID: "simulateAdvancedStrategy", Heavy: true, Tag: "strategies", Auth: httpapi.AuthBearer,
		Summary: "Simulate an inline advanced strategy (no money moves): rounds ≤ 10000 (default 100), sessions ≤ 1000, startingBalance (default 1000), seed to replay.",
		Body:    SimulateRequest{}, Resp: SimulateData{}, Errors: []int{400}}, sim(false))
	a.handle(rt, httpapi.Op{Method: "POST", Path: "/api/me/advanced-strategies/{id}/simulate", ID: "simulateSavedAdvancedStrategy", Heavy: true, Tag: "strategies", Auth: httpapi.AuthBearer,
		Summary: "Simulate one of your advanced strategies (no money moves).", Body: SimulateRequest{}, Resp: SimulateData{}, Errors: []int{400, 404}}, sim(true))
	a.handle(rt, httpapi.Op{Method: "POST", Path: "/api/games/dice/run-advanced-strategy", ID: "runAdvancedStrategy", Heavy: true, Tag: "strategies", Auth: httpapi.AuthBearer,
		Summary: "Run an advanced strategy for real: strategyId or inline strategy, maxRounds (default 20, max 100000). One transaction; every round stored and verifiable.",
		Params:  []httpapi.Param{{Name: "Idempotency-Key", In: "header"}},
		Body:    RunRequest{}, Resp: RunData{}, Errors: []int{400, 404, 409}},
		func(r *http.Request, me account.Account) (int, any, error) {
			return a.run(r, me, true)
		})
}

// saveAdvanced decodes an advanced strategy from the body and stores it with save.
func (a *API) saveAdvanced(r *http.Request, status int, save func(context.Context, store.Q, *strategy.Advanced) (credits.Saved, error)) (int, any, error) {
	raw, err := httpapi.ReadBody(r)
	if err != nil {
		return 0, nil, err
	}
	st, err := strategy.DecodeAdvanced(raw, "")
	if err != nil {
		return 0, nil, err
	}
	var s credits.Saved
	err = a.DB.Write(r.Context(), func(ctx context.Context, q store.Q) (err error) {
		s, err = save(ctx, q, st)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return status, AdvancedData{Strategy: advancedJSON(s)}, nil
}

func (a *API) simulate(ctx context.Context, st *strategy.Advanced, req SimulateRequest) (int, any, error) {
	rounds, err := optInt("rounds", req.Rounds, 100, 1, 10_000)
	if err != nil {
		return 0, nil, err
	}
	sessions, err := optInt("sessions", req.Sessions, 1, 1, 1000)
	if err != nil {
		return 0, nil, err
	}
	start := 1000 * money.Micro
	if req.StartingBalance != "" {
		if start, err = creditsAmount("startingBalance", req.StartingBalance); err != nil {
			return 0, nil, err
		}
		if start <= 0 || start > 1_000_000_000*money.Micro {
			return 0, nil, errs.Invalid("startingBalance", "must be above 0 and at most 1000000000 credits")
		}
	}
	seed := req.Seed
	if len(seed) > 128 {
		return 0, nil, errs.Invalid("seed", "must be at most 128 characters")
	}
	if seed == "" {
		b := make([]byte, 8)
		if _, err := a.Rand.Read(b); err != nil {
			return 0, nil, err
		}
		seed = hex.EncodeToString(b)
	}
	master := sha256.Sum256([]byte(seed))
	res, err := strategy.Simulate(ctx, strategy.SimSpec{Strategy: st, Rounds: rounds, Sessions: int(sessions),
		StartingBalance: start, Seed: master[:]}, nil)
	if err != nil {
		return 0, nil, err
	}
	ref := res.Reference()
	simRaw, _ := json.Marshal(ref.Simulation)
	sumRaw, _ := json.Marshal(res)
	return 0, SimulateData{Simulation: simRaw, Summary: sumRaw, Seed: seed}, nil
}

func (a *API) run(r *http.Request, me account.Account, advanced bool) (int, any, error) {
	var req RunRequest
	raw, err := decodeBody(r, &req)
	if err != nil {
		return 0, nil, err
	}
	maxRounds, err := optInt("maxRounds", req.MaxRounds, 20, 1, credits.MaxRunRounds)
	if err != nil {
		return 0, nil, err
	}
	var inline strategy.Strategy
	switch {
	case req.StrategyID != "":
	case advanced && len(req.Strategy) > 0:
		if inline, err = strategy.DecodeAdvanced(req.Strategy, "strategy"); err != nil {
			return 0, nil, err
		}
	case !advanced && len(req.Config) > 0:
		c, err := strategy.DecodeConfig(req.Config, "config")
		if err != nil {
			return 0, nil, err
		}
		inline = c
	case advanced:
		return 0, nil, errs.Invalid("strategyId", "send strategyId or an inline strategy")
	default:
		return 0, nil, errs.Invalid("strategyId", "send strategyId or an inline config")
	}
	scope := "run-strategy"
	if advanced {
		scope = "run-advanced-strategy"
	}
	return a.moneyMove(r, me, scope, raw, func(ctx context.Context, q store.Q, now time.Time) (any, error) {
		st := inline
		if st == nil {
			if advanced {
				s, err := credits.GetAdvanced(ctx, q, me.ID, req.StrategyID)
				if err != nil {
					return nil, err
				}
				st = s.Advanced
			} else {
				s, err := credits.GetStrategy(ctx, q, me.ID, req.StrategyID)
				if err != nil {
					if errs.KindOf(err) == errs.NotFound {
						return nil, &errs.Error{Kind: errs.NotFound, Code: "STRATEGY_NOT_FOUND", Message: "strategy not found"}
					}
					return nil, err
				}
				st = s.Config
			}
		}
		res, err := credits.RunStrategy(ctx, q, now, a.Seeds, me.ID, req.StrategyID, st, maxRounds)
		if err != nil {
			return nil, err
		}
		return runData(res, advanced), nil
	})
}

func runData(res credits.RunResult, advanced bool) RunData {
	d := RunData{RunID: res.RunID, Results: make([]RunResultItem, 0, len(res.Rounds)), SessionPnL: res.Stats.PnL, SessionPnL2: res.Stats.PnL,
		FinalBalance: res.FinalBalance, FinalBalance2: res.FinalBalance, RoundsPlayed: len(res.Rounds),
		StoppedReason: res.StopReason, Stopped2: res.StopReason, TotalWins: res.Stats.Wins, TotalLosses: res.Stats.Losses,
		MaxDrawdown: res.Stats.MaxDrawdown,
		Verification: RunVerification{ServerSeedHash: res.Commitment, ServerSeedID: res.SeedID, ClientSeed: res.ClientSeed,
			Note: "round i used nonce firstNonce + i - 1; reveal with GET /api/me/rounds/{roundId}?reveal=1"}}
	if len(res.Rounds) > 0 {
		d.Verification.FirstNonce = res.Rounds[0].Nonce
		d.WinRate = round2(100 * float64(res.Stats.Wins) / float64(len(res.Rounds)))
	}
	for _, r := range res.Rounds {
		it := RunResultItem{Round: r.Round, RoundID: r.RoundID, Result: hundredths(r.Roll), Win: r.Win, Payout: r.Payout, Balance: r.Balance,
			BetAmount: r.Bet.Amount, Target: hundredths(r.Bet.Target), Condition: r.Bet.Condition(), Nonce: r.Nonce}
		if advanced {
			it.ExecutedRules = r.Executed
		}
		d.Results = append(d.Results, it)
	}
	return d
}
