package tools

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/arcadehq/arcade/fairness"
	"github.com/arcadehq/arcade/internal/credits"
	"github.com/arcadehq/arcade/internal/credits/strategy"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/ops"
)

// AgentMaxBet caps one dice round placed by a caller that presents an agent_token (the real
// system's rule for delegated agents).
const AgentMaxBet = 100 * money.Micro

// Credits builds the 31 tools of spec 000's skill over its operations.
func Credits(o *credits.Ops, log *slog.Logger) *Set {
	s := &Set{byName: map[string]*Tool{}}

	add(s, "xpersona_auth_guest", "Create a guest account (action=create: returns guest_token, which is your API key, shown once) or check a token (action=login).",
		o.Guest, []string{"success", "guest_token", "user_id", "message", "starting_credits"},
		func(ctx context.Context, env Env, c ops.Caller, p struct {
			Action     string `json:"action" jsonschema:"required,enum=create,enum=login,enum=logout"`
			GuestToken string `json:"guest_token,omitempty" jsonschema:"description=for login: the token from create"`
		}) (any, error) {
			switch p.Action {
			case "create":
				su, err := o.Guest.Invoke(ctx, c, credits.AgentSignUp{})
				if err != nil {
					return nil, err
				}
				return map[string]any{"success": true, "guest_token": su.Key.Secret, "api_key": su.Key.Secret, "user_id": su.Account.ID,
					"message":          "Guest account created. guest_token is your API key: send it as Authorization: Bearer <guest_token>. It is shown once.",
					"starting_credits": su.Credits.Decimal()}, nil
			case "login":
				if p.GuestToken == "" {
					return nil, errs.Missing("parameters.guest_token")
				}
				who, err := env.Resolve(ctx, p.GuestToken)
				if err != nil {
					return nil, err
				}
				return map[string]any{"success": true, "guest_token": p.GuestToken, "user_id": who.ID(),
					"message": "Token valid: send it as Authorization: Bearer <guest_token>."}, nil
			case "logout":
				return nil, errs.Invalid("parameters.action", "logout is not needed: tokens are API keys; replace yours with POST /api/me/api-key")
			case "":
				return nil, errs.Missing("parameters.action")
			}
			return nil, errs.Invalid("parameters.action", "must be create or login")
		})
	add(s, "xpersona_auth_agent", "Register an AI agent: a new account with 100 starting credits; session_token is its API key (shown once).",
		o.Agent, []string{"success", "session_token", "permissions", "rate_limits"},
		func(ctx context.Context, env Env, c ops.Caller, p struct {
			AgentID     string   `json:"agent_id" jsonschema:"required,minLength=1,maxLength=64"`
			AgentToken  string   `json:"agent_token" jsonschema:"required,description=agent_id:user_id:permissions[:signature]"`
			Permissions []string `json:"permissions,omitempty"`
		}) (any, error) {
			if p.AgentID == "" {
				return nil, errs.Missing("parameters.agent_id")
			}
			if _, err := ParseAgentToken(p.AgentToken); err != nil {
				return nil, err
			}
			su, err := o.Agent.Invoke(ctx, c, credits.AgentSignUp{Name: p.AgentID})
			if err != nil {
				return nil, err
			}
			perms := p.Permissions
			if len(perms) == 0 {
				perms = []string{"bet", "strategy", "read"}
			}
			return map[string]any{"success": true, "session_token": su.Key.Secret, "api_key": su.Key.Secret, "user_id": su.Account.ID,
				"agent_id": su.Account.ID, "credits": su.Credits.Decimal(), "permissions": perms,
				"rate_limits": map[string]any{"max_bet_amount": AgentMaxBet.Decimal(), "tool_calls_per_minute": 60}}, nil
		})
	add(s, "xpersona_place_dice_round", "Play one provably-fair dice round: amount 1–10000 credits, target 0–99.99, condition over|under; optional client_seed.",
		o.Play, []string{"success", "result", "win", "payout", "balance", "server_seed_hash", "nonce", "bet_id"},
		func(ctx context.Context, env Env, c ops.Caller, p struct {
			Amount     httpapi.Number `json:"amount" jsonschema:"required,type=integer,minimum=1,maximum=10000"`
			Target     httpapi.Number `json:"target" jsonschema:"required,type=number,minimum=0,maximum=99.99"`
			Condition  string         `json:"condition" jsonschema:"required,enum=over,enum=under"`
			StrategyID string         `json:"strategy_id,omitempty"`
			ClientSeed string         `json:"client_seed,omitempty" jsonschema:"minLength=1,maxLength=128"`
		}) (any, error) {
			bet, err := diceBet(p.Amount, p.Target, p.Condition)
			if err != nil {
				return nil, err
			}
			if env.AgentID != "" && bet.Amount > AgentMaxBet {
				return nil, errs.Invalid("parameters.amount", "must be at most 100 credits for a call with an agent_token")
			}
			r, err := o.Play.Invoke(ctx, c, credits.DicePlay{Bet: bet, ClientSeed: p.ClientSeed})
			if err != nil {
				return nil, err
			}
			return map[string]any{"success": true, "result": hundredths(r.Roll), "win": r.Win, "payout": r.Payout.Decimal(), "balance": r.Balance.Decimal(),
				"server_seed_hash": r.Commitment, "client_seed": r.ClientSeed, "nonce": r.Nonce, "bet_id": r.ID, "amount": r.Bet.Amount.Decimal(),
				"target": hundredths(r.Bet.Target), "condition": r.Bet.Condition()}, nil
		})
	add(s, "xpersona_get_balance", "Balance with session figures, deposit alerts and proof-of-life alerts.",
		o.Stats, []string{"balance", "initial_balance", "session_pnl", "total_rounds", "win_rate", "current_streak", "best_streak", "deposit_alert"},
		func(ctx context.Context, env Env, c ops.Caller, _ struct{}) (any, error) {
			st, err := o.Stats.Invoke(ctx, c, credits.StatsQuery{Limit: 100})
			if err != nil {
				return nil, err
			}
			return balanceResult(st), nil
		})
	add(s, "xpersona_get_history", "Your recent rounds with their real rolls, and statistics over the page.",
		o.Rounds, []string{"history", "statistics"},
		func(ctx context.Context, env Env, c ops.Caller, p struct {
			Limit    *int   `json:"limit,omitempty" jsonschema:"minimum=1,maximum=200,default=50"`
			Offset   *int   `json:"offset,omitempty" jsonschema:"minimum=0,default=0"`
			GameType string `json:"game_type,omitempty" jsonschema:"enum=dice"`
		}) (any, error) {
			q := credits.RoundsQuery{Limit: intOr(p.Limit, 50), Offset: intOr(p.Offset, 0)}
			if err := gameType(p.GameType, &q.Game); err != nil {
				return nil, err
			}
			if err := rangeCheck("parameters.limit", q.Limit, 1, 200); err != nil {
				return nil, err
			}
			pg, err := o.Rounds.Invoke(ctx, c, q)
			if err != nil {
				return nil, err
			}
			return historyResult(pg.Rounds, q.Offset), nil
		})
	add(s, "xpersona_analyze_patterns", "Distribution, hot and cold numbers and the current streak over your recent rolls (each roll is independent).",
		o.Rounds, []string{"analysis"},
		func(ctx context.Context, env Env, c ops.Caller, p struct {
			GameType       string `json:"game_type,omitempty" jsonschema:"enum=dice"`
			LookbackRounds *int   `json:"lookback_rounds,omitempty" jsonschema:"minimum=1,maximum=1000,default=100"`
			AnalysisType   string `json:"analysis_type,omitempty" jsonschema:"enum=distribution,enum=streaks,enum=hot_cold,enum=variance"`
		}) (any, error) {
			q := credits.RoundsQuery{Limit: intOr(p.LookbackRounds, 100)}
			if err := gameType(p.GameType, &q.Game); err != nil {
				return nil, err
			}
			if err := rangeCheck("parameters.lookback_rounds", q.Limit, 1, 1000); err != nil {
				return nil, err
			}
			switch p.AnalysisType {
			case "", "distribution", "streaks", "hot_cold", "variance":
			default:
				return nil, errs.Invalid("parameters.analysis_type", "must be distribution, streaks, hot_cold or variance")
			}
			pg, err := o.Rounds.Invoke(ctx, c, q)
			if err != nil {
				return nil, err
			}
			return map[string]any{"analysis": analyze(pg.Rounds, p.AnalysisType)}, nil
		})
	add(s, "xpersona_run_strategy", "Run a basic dice strategy for real: strategy_id or an inline config; max_rounds 1–100000 (default 20).",
		o.Run, []string{"success", "session_id", "status", "total_rounds", "final_balance", "session_pnl", "stopped_reason", "results"},
		func(ctx context.Context, env Env, c ops.Caller, p struct {
			StrategyID string          `json:"strategy_id,omitempty"`
			Config     *ConfigParams   `json:"config,omitempty"`
			MaxRounds  *int64          `json:"max_rounds,omitempty" jsonschema:"minimum=1,maximum=100000,default=20"`
			ClientSeed string          `json:"client_seed,omitempty" jsonschema:"minLength=1,maxLength=128"`
			Raw        json.RawMessage `json:"-"`
		}) (any, error) {
			in := credits.RunInput{StrategyID: p.StrategyID, MaxRounds: int64Or(p.MaxRounds, credits.DefaultRunRounds), ClientSeed: p.ClientSeed}
			if p.StrategyID == "" {
				if p.Config == nil {
					return nil, errs.Invalid("parameters.strategy_id", "send strategy_id or config")
				}
				raw := p.Config.camel()
				cfg, err := strategy.DecodeConfig(raw, "parameters.config")
				if err != nil {
					return nil, err
				}
				in.Inline, in.InlineJSON = cfg, raw
			}
			res, err := o.Run.Invoke(ctx, c, in)
			if err != nil {
				return nil, err
			}
			return runResult(res, false), nil
		})
	add(s, "xpersona_list_strategies", "Your saved basic strategies.", o.Strategies, []string{"strategies"},
		func(ctx context.Context, env Env, c ops.Caller, p struct {
			GameType      string `json:"game_type,omitempty" jsonschema:"enum=dice"`
			IncludePublic bool   `json:"include_public,omitempty"`
		}) (any, error) {
			var g credits.GameFilter
			if err := gameType(p.GameType, &g.Game); err != nil {
				return nil, err
			}
			ss, err := o.Strategies.Invoke(ctx, c, g)
			if err != nil {
				return nil, err
			}
			out := []any{}
			for _, st := range ss {
				out = append(out, map[string]any{"id": st.ID, "name": st.Name, "description": "", "game_type": st.GameType,
					"created_at": st.CreatedAt, "times_run": 0, "avg_pnl": 0, "win_rate": 0, "is_public": false, "tags": []string{}})
			}
			return map[string]any{"strategies": out}, nil
		})
	add(s, "xpersona_get_strategy", "One saved basic strategy with its config and progression type.", o.Strategy,
		[]string{"id", "name", "game_type", "config", "progression_type", "created_at", "performance_stats"},
		func(ctx context.Context, env Env, c ops.Caller, p struct {
			StrategyID string `json:"strategy_id" jsonschema:"required"`
		}) (any, error) {
			st, err := o.Strategy.Invoke(ctx, c, credits.ByID{ID: p.StrategyID})
			if err != nil {
				return nil, param(err, "strategy_id")
			}
			return strategyResult(st), nil
		})
	add(s, "xpersona_create_strategy", "Save a basic strategy: name and config {amount, target, condition, progression_type?, max_bet?, ...}.",
		o.CreateStrategy, []string{"success", "strategy"},
		func(ctx context.Context, env Env, c ops.Caller, p struct {
			GameType string        `json:"game_type,omitempty" jsonschema:"enum=dice,default=dice"`
			Name     string        `json:"name" jsonschema:"required,minLength=1,maxLength=100"`
			Config   *ConfigParams `json:"config" jsonschema:"required"`
		}) (any, error) {
			if p.GameType == "" {
				p.GameType = credits.GameDice
			}
			if p.GameType != credits.GameDice {
				return nil, errs.Invalid("parameters.game_type", `must be "dice"`)
			}
			if p.Name == "" {
				return nil, errs.Missing("parameters.name")
			}
			if p.Config == nil {
				return nil, errs.Missing("parameters.config")
			}
			cfg, err := strategy.DecodeConfig(p.Config.camel(), "parameters.config")
			if err != nil {
				return nil, err
			}
			st, err := o.CreateStrategy.Invoke(ctx, c, credits.NewStrategy{GameType: p.GameType, Name: p.Name, Config: cfg})
			if err != nil {
				return nil, param(err, "")
			}
			return map[string]any{"success": true, "strategy": map[string]any{"id": st.ID, "name": st.Name}}, nil
		})
	add(s, "xpersona_update_strategy", "Change a saved basic strategy's name and/or config.", o.UpdateStrategy, []string{"success", "strategy"},
		func(ctx context.Context, env Env, c ops.Caller, p struct {
			StrategyID string        `json:"strategy_id" jsonschema:"required"`
			Name       *string       `json:"name,omitempty" jsonschema:"minLength=1,maxLength=100"`
			Config     *ConfigParams `json:"config,omitempty"`
		}) (any, error) {
			in := credits.StrategyPatch{ID: p.StrategyID, Name: p.Name}
			if p.Config != nil {
				cfg, err := strategy.DecodeConfig(p.Config.camel(), "parameters.config")
				if err != nil {
					return nil, err
				}
				in.Config = &cfg
			}
			st, err := o.UpdateStrategy.Invoke(ctx, c, in)
			if err != nil {
				return nil, param(err, "strategy_id")
			}
			return map[string]any{"success": true, "strategy": strategyResult(st)}, nil
		})
	add(s, "xpersona_delete_strategy", "Delete a saved basic strategy.", o.DeleteStrategy, []string{"success", "message"},
		func(ctx context.Context, env Env, c ops.Caller, p struct {
			StrategyID string `json:"strategy_id" jsonschema:"required"`
		}) (any, error) {
			if _, err := o.DeleteStrategy.Invoke(ctx, c, credits.ByID{ID: p.StrategyID}); err != nil {
				return nil, param(err, "strategy_id")
			}
			return map[string]any{"success": true, "message": "Strategy deleted successfully"}, nil
		})
	add(s, "xpersona_withdraw", "Request a withdrawal of at least 10,000 credits (Free Credits are not withdrawable); an operator approves it.",
		o.Withdraw, []string{"success", "message"},
		func(ctx context.Context, env Env, c ops.Caller, p struct {
			Amount    httpapi.Number `json:"amount" jsonschema:"required,type=number,minimum=10000"`
			WiseEmail string         `json:"wise_email" jsonschema:"required,maxLength=254"`
			FullName  string         `json:"full_name" jsonschema:"required,maxLength=200"`
			Currency  string         `json:"currency,omitempty" jsonschema:"enum=USD,enum=EUR,enum=GBP,default=USD"`
		}) (any, error) {
			amt, err := creditsParam("parameters.amount", p.Amount)
			if err != nil {
				return nil, err
			}
			switch {
			case p.WiseEmail == "":
				return nil, errs.Missing("parameters.wise_email")
			case p.FullName == "":
				return nil, errs.Missing("parameters.full_name")
			}
			if p.Currency == "" {
				p.Currency = "USD"
			}
			switch p.Currency {
			case "USD", "EUR", "GBP":
			default:
				return nil, errs.Invalid("parameters.currency", "must be USD, EUR or GBP")
			}
			w, err := o.Withdraw.Invoke(ctx, c, credits.WithdrawalRequest{Amount: amt, WiseEmail: p.WiseEmail, FullName: p.FullName, Currency: p.Currency})
			if k := errs.KindOf(err); k == errs.InsufficientBalance {
				return nested(err), nil
			} else if err != nil {
				return nil, param(err, "")
			}
			return map[string]any{"success": true, "withdrawal_id": w.ID, "status": w.Status, "amount": w.Amount.Decimal(),
				"message": "Withdrawal of " + w.Amount.String() + " credits requested; it is pending review."}, nil
		})
	add(s, "xpersona_get_transactions", "Credit history: rounds, Free Credits and withdrawals, newest first.", o.Transactions,
		[]string{"transactions", "total"},
		func(ctx context.Context, env Env, c ops.Caller, p struct {
			Limit  *int   `json:"limit,omitempty" jsonschema:"minimum=1,maximum=200,default=50"`
			Offset *int   `json:"offset,omitempty" jsonschema:"minimum=0"`
			Type   string `json:"type,omitempty" jsonschema:"enum=all,enum=bet,enum=faucet,enum=withdrawal"`
		}) (any, error) {
			es, err := o.Transactions.Invoke(ctx, c, credits.TxQuery{Kind: p.Type, Limit: intOr(p.Limit, 50), Offset: intOr(p.Offset, 0)})
			if err != nil {
				return nil, param(err, "")
			}
			out := []any{}
			for _, e := range es {
				it := map[string]any{"id": e.ID, "type": e.Type, "amount": e.Amount.Decimal(), "createdAt": e.CreatedAt}
				if e.Type == "bet" {
					it["gameType"], it["outcome"], it["payout"], it["pnl"] = e.Game, outcome(e.Win), e.Payout.Decimal(), (e.Payout - e.Amount).Decimal()
				}
				if e.Status != "" {
					it["status"] = e.Status
				}
				out = append(out, it)
			}
			return map[string]any{"transactions": out, "total": len(out)}, nil
		})
	add(s, "xpersona_verify_round", "A round with everything needed to recompute it; reveal=true rotates your seed if needed and reveals the server seed.",
		o.Round, []string{"bet", "verification"},
		func(ctx context.Context, env Env, c ops.Caller, p struct {
			BetID  string `json:"bet_id" jsonschema:"required"`
			Reveal bool   `json:"reveal,omitempty" jsonschema:"default=false"`
		}) (any, error) {
			v, err := o.Round.Invoke(ctx, c, credits.RoundGet{ID: p.BetID, Reveal: p.Reveal})
			if err != nil {
				return nil, param(err, "bet_id")
			}
			r := v.Round
			ver := map[string]any{"serverSeedHash": r.Commitment, "serverSeedId": r.SeedID, "clientSeed": r.ClientSeed, "nonce": r.Nonce,
				"verificationFormula": Formula}
			if v.Revealed != nil {
				ver["serverSeed"] = v.Revealed.Seed
			}
			return map[string]any{"bet": map[string]any{"id": r.ID, "gameType": r.Game, "amount": r.Bet.Amount.Decimal(), "outcome": outcome(r.Win),
				"payout": r.Payout.Decimal(), "createdAt": r.CreatedAt, "resultPayload": map[string]any{"value": hundredths(r.Roll),
					"target": hundredths(r.Bet.Target), "condition": r.Bet.Condition(), "win": r.Win}}, "verification": ver}, nil
		})
	add(s, "xpersona_list_advanced_strategies", "Your advanced (rule-based) strategies.", o.AdvancedStrategies, []string{"strategies"},
		func(ctx context.Context, env Env, c ops.Caller, _ struct{}) (any, error) {
			ss, err := o.AdvancedStrategies.Invoke(ctx, c, ops.None{})
			if err != nil {
				return nil, err
			}
			out := []any{}
			for _, st := range ss {
				m := advancedMap(st)
				out = append(out, map[string]any{"id": st.ID, "name": m["name"], "description": m["description"], "baseConfig": m["baseConfig"],
					"rules_count": len(st.Advanced.Rules), "executionMode": m["executionMode"], "createdAt": st.CreatedAt})
			}
			return map[string]any{"strategies": out}, nil
		})
	add(s, "xpersona_create_advanced_strategy", "Save an advanced strategy {name, baseConfig, rules, executionMode?, globalLimits?}; see xpersona_get_discovery.",
		o.SaveAdvanced, []string{"success", "strategy"},
		func(ctx context.Context, env Env, c ops.Caller, p struct {
			Strategy json.RawMessage `json:"strategy" jsonschema:"required,type=object"`
		}) (any, error) {
			st, err := inlineAdvanced(p.Strategy)
			if err != nil {
				return nil, err
			}
			saved, err := o.SaveAdvanced.Invoke(ctx, c, credits.SaveAdvanced{Strategy: st})
			if err != nil {
				return nil, param(err, "strategy")
			}
			return map[string]any{"success": true, "strategy": map[string]any{"id": saved.ID, "name": saved.Advanced.Name}}, nil
		})
	add(s, "xpersona_get_advanced_strategy", "One advanced strategy.", o.AdvancedStrategy, []string{"strategy"},
		func(ctx context.Context, env Env, c ops.Caller, p struct {
			StrategyID string `json:"strategy_id" jsonschema:"required"`
		}) (any, error) {
			st, err := o.AdvancedStrategy.Invoke(ctx, c, credits.ByID{ID: p.StrategyID})
			if err != nil {
				return nil, param(err, "strategy_id")
			}
			return map[string]any{"strategy": advancedMap(st)}, nil
		})
	add(s, "xpersona_update_advanced_strategy", "Update an advanced strategy: the top-level fields sent replace the stored ones.",
		o.SaveAdvanced, []string{"success", "strategy"},
		func(ctx context.Context, env Env, c ops.Caller, p struct {
			StrategyID string                     `json:"strategy_id" jsonschema:"required"`
			Strategy   map[string]json.RawMessage `json:"strategy" jsonschema:"required"`
		}) (any, error) {
			if p.Strategy == nil {
				return nil, errs.Missing("parameters.strategy")
			}
			cur, err := o.AdvancedStrategy.Invoke(ctx, c, credits.ByID{ID: p.StrategyID})
			if err != nil {
				return nil, param(err, "strategy_id")
			}
			st, err := credits.PatchAdvanced(cur, p.Strategy)
			if err != nil {
				return nil, param(err, "strategy")
			}
			saved, err := o.SaveAdvanced.Invoke(ctx, c, credits.SaveAdvanced{ID: p.StrategyID, Strategy: st})
			if err != nil {
				return nil, param(err, "strategy")
			}
			return map[string]any{"success": true, "strategy": advancedMap(saved)}, nil
		})
	add(s, "xpersona_delete_advanced_strategy", "Delete an advanced strategy.", o.DeleteAdvanced, []string{"success", "message"},
		func(ctx context.Context, env Env, c ops.Caller, p struct {
			StrategyID string `json:"strategy_id" jsonschema:"required"`
		}) (any, error) {
			if _, err := o.DeleteAdvanced.Invoke(ctx, c, credits.ByID{ID: p.StrategyID}); err != nil {
				return nil, param(err, "strategy_id")
			}
			return map[string]any{"success": true, "message": "Advanced strategy deleted successfully"}, nil
		})
	add(s, "xpersona_simulate_advanced_strategy", "Simulate an advanced strategy (strategy_id or inline strategy); no money moves.",
		o.Simulate, []string{"simulation"},
		func(ctx context.Context, env Env, c ops.Caller, p struct {
			StrategyID      string          `json:"strategy_id,omitempty"`
			Strategy        json.RawMessage `json:"strategy,omitempty" jsonschema:"type=object"`
			Rounds          *int64          `json:"rounds,omitempty" jsonschema:"minimum=1,maximum=10000,default=100"`
			StartingBalance httpapi.Number  `json:"starting_balance,omitempty" jsonschema:"type=number,default=1000"`
		}) (any, error) {
			in := credits.SimulateInput{StrategyID: p.StrategyID, Rounds: int64Or(p.Rounds, credits.DefaultSimRounds), Sessions: 1,
				StartingBalance: credits.DefaultSimStart}
			if p.StartingBalance != "" {
				var err error
				if in.StartingBalance, err = creditsParam("parameters.starting_balance", p.StartingBalance); err != nil {
					return nil, err
				}
			}
			if p.StrategyID == "" {
				if len(p.Strategy) == 0 {
					return nil, errs.Invalid("parameters.strategy_id", "send strategy_id or strategy")
				}
				st, err := inlineAdvanced(p.Strategy)
				if err != nil {
					return nil, err
				}
				in.Strategy = st
			}
			sim, err := o.Simulate.Invoke(ctx, c, in)
			if err != nil {
				return nil, param(err, "")
			}
			return map[string]any{"simulation": sim.Result.Reference().Simulation, "seed": sim.Seed}, nil
		})
	add(s, "xpersona_run_advanced_strategy", "Run an advanced strategy for real (strategy_id or inline strategy); max_rounds 1–100000 (default 20).",
		o.Run, []string{"success", "results", "session_pnl", "final_balance", "rounds_played", "stopped_reason", "total_wins", "total_losses", "win_rate"},
		func(ctx context.Context, env Env, c ops.Caller, p struct {
			StrategyID string          `json:"strategy_id,omitempty"`
			Strategy   json.RawMessage `json:"strategy,omitempty" jsonschema:"type=object"`
			MaxRounds  *int64          `json:"max_rounds,omitempty" jsonschema:"minimum=1,maximum=100000,default=20"`
			ClientSeed string          `json:"client_seed,omitempty" jsonschema:"minLength=1,maxLength=128"`
		}) (any, error) {
			in := credits.RunInput{Advanced: true, StrategyID: p.StrategyID, MaxRounds: int64Or(p.MaxRounds, credits.DefaultRunRounds), ClientSeed: p.ClientSeed}
			if p.StrategyID == "" {
				if len(p.Strategy) == 0 {
					return nil, errs.Invalid("parameters.strategy_id", "send strategy_id or strategy")
				}
				st, err := inlineAdvanced(p.Strategy)
				if err != nil {
					return nil, err
				}
				in.Inline, in.InlineJSON = st, p.Strategy
			}
			res, err := o.Run.Invoke(ctx, c, in)
			if err != nil {
				return nil, param(err, "")
			}
			return runResult(res, true), nil
		})
	add(s, "xpersona_stop_session", "Stop a strategy session (run). Runs finish within their call, so this reports the session's final figures.",
		o.RunStatus, []string{"success", "final_stats"},
		func(ctx context.Context, env Env, c ops.Caller, p struct {
			SessionID string `json:"session_id" jsonschema:"required"`
			Reason    string `json:"reason,omitempty" jsonschema:"maxLength=200"`
		}) (any, error) {
			r, err := o.RunStatus.Invoke(ctx, c, credits.ByID{ID: p.SessionID})
			if err != nil {
				return nil, param(err, "session_id")
			}
			return map[string]any{"success": true, "status": "completed", "final_stats": map[string]any{"rounds_played": r.Rounds,
				"session_pnl": (r.Returned - r.Wagered).Decimal(), "stopped_reason": r.StopReason}}, nil
		})
	add(s, "xpersona_get_session_status", "A strategy session's (run's) status and figures.", o.RunStatus,
		[]string{"session_id", "status", "current_round", "session_pnl", "recent_results"},
		func(ctx context.Context, env Env, c ops.Caller, p struct {
			SessionID string `json:"session_id" jsonschema:"required"`
		}) (any, error) {
			r, err := o.RunStatus.Invoke(ctx, c, credits.ByID{ID: p.SessionID})
			if err != nil {
				return nil, param(err, "session_id")
			}
			status := "completed"
			if r.Running {
				status = "running"
			}
			return map[string]any{"session_id": r.ID, "status": status, "current_round": r.Rounds, "session_pnl": (r.Returned - r.Wagered).Decimal(),
				"stopped_reason": r.StopReason, "recent_results": []any{}, "started_at": r.CreatedAt}, nil
		})
	add(s, "xpersona_notify", "Leave a notification for your human: it is written to the server's log with your account id.",
		o.Me, []string{"success", "notification_id"},
		func(ctx context.Context, env Env, c ops.Caller, p struct {
			Message string `json:"message" jsonschema:"required,minLength=1,maxLength=2000"`
			Type    string `json:"type,omitempty" jsonschema:"enum=info,enum=win,enum=loss,enum=alert,enum=milestone"`
			Channel string `json:"channel,omitempty" jsonschema:"enum=in_app,enum=discord,enum=slack,enum=telegram"`
		}) (any, error) {
			if p.Message == "" {
				return nil, errs.Missing("parameters.message")
			}
			if len(p.Message) > 2000 {
				return nil, errs.Invalid("parameters.message", "must be at most 2000 characters")
			}
			id, _ := uuid.NewV7()
			log.Info("agent notification", "account", c.ID(), "notification_id", id.String(), "type", p.Type, "channel", p.Channel, "message", p.Message)
			return map[string]any{"success": true, "notification_id": id.String()}, nil
		})
	add(s, "xpersona_get_limits", "The limits this server enforces.", o.Limits, []string{"min_bet", "max_bet", "max_bets_per_second", "agent_max_bet"},
		func(ctx context.Context, env Env, c ops.Caller, _ struct{}) (any, error) {
			l, err := o.Limits.Invoke(ctx, c, ops.None{})
			if err != nil {
				return nil, err
			}
			maxBet := l.MaxBet
			if env.AgentID != "" {
				maxBet = AgentMaxBet
			}
			var perSec any = l.PerKeyPerSecond
			var perHour any = int64(l.PerKeyPerSecond * 3600)
			if l.PerKeyPerSecond <= 0 {
				perSec, perHour = nil, nil
			}
			return map[string]any{"min_bet": l.MinBet.Decimal(), "max_bet": l.MaxBet.Decimal(), "max_bets_per_second": perSec, "max_bets_per_hour": perHour,
				"daily_loss_limit": nil, "agent_max_bet": maxBet.Decimal(), "min_withdrawal": l.MinWithdrawal.Decimal(), "faucet_amount": l.FaucetAmount.Decimal(),
				"faucet_cooldown_seconds": int64(l.FaucetCooldown / time.Second), "max_run_rounds": l.MaxRunRounds,
				"max_simulation_rounds": l.MaxSimRounds, "tool_calls_per_minute": l.ToolCallsPerMinute,
				"tool_calls_per_minute_with_agent_token": l.AgentCallsPerMinute}, nil
		})
	add(s, "xpersona_get_discovery", "Strategy-builder schema: triggers, actions, presets, game mechanics, platform limits.", o.Discovery,
		[]string{"success", "data"},
		func(ctx context.Context, env Env, c ops.Caller, p struct {
			Section string `json:"section,omitempty" jsonschema:"enum=strategy_builder,enum=game_mechanics,enum=platform,enum=all,default=all"`
		}) (any, error) {
			doc, err := o.Discovery.Invoke(ctx, c, credits.DiscoveryQuery{Section: p.Section})
			if err != nil {
				return nil, param(err, "")
			}
			return map[string]any{"success": true, "data": doc}, nil
		})
	add(s, "xpersona_calculate_odds", "Win probability, multiplier, expected value and risk of a dice bet (nothing is played).", o.Odds,
		[]string{"win_probability", "multiplier", "expected_value", "house_edge", "risk_rating"},
		func(ctx context.Context, env Env, c ops.Caller, p struct {
			Target    httpapi.Number `json:"target" jsonschema:"required,type=number,minimum=0,maximum=99.99"`
			Condition string         `json:"condition" jsonschema:"required,enum=over,enum=under"`
			BetAmount httpapi.Number `json:"bet_amount,omitempty" jsonschema:"type=number,default=1"`
		}) (any, error) {
			in := credits.OddsInput{Amount: money.Micro}
			if p.Target == "" {
				return nil, errs.Missing("parameters.target")
			}
			t, err := fairness.ParseCreditDiceTarget(p.Target.String())
			if err != nil {
				return nil, errs.Invalid("parameters.target", "must be a number from 0 to 99.99 with at most two decimals")
			}
			in.Target = t
			switch p.Condition {
			case "over":
				in.Over = true
			case "under":
			case "":
				return nil, errs.Missing("parameters.condition")
			default:
				return nil, errs.Invalid("parameters.condition", `must be "over" or "under"`)
			}
			if p.BetAmount != "" {
				if in.Amount, err = creditsParam("parameters.bet_amount", p.BetAmount); err != nil {
					return nil, err
				}
			}
			od, err := o.Odds.Invoke(ctx, c, in)
			if err != nil {
				return nil, param(err, "")
			}
			prob := float64(od.WinningRolls) / float64(fairness.CreditDiceRolls)
			risk := "medium"
			switch {
			case prob < 0.3:
				risk = "high"
			case prob > 0.7:
				risk = "low"
			}
			return map[string]any{"win_probability": json.Number(strategy.Hundredths(od.WinningRolls).String()), "multiplier": od.Multiplier.Decimal(),
				"payout_if_win": od.Payout.Decimal(), "expected_value": od.Expected.Decimal(), "house_edge": 3, "risk_rating": risk}, nil
		})
	add(s, "xpersona_claim_faucet", "Claim the hourly Free Credits (100).", o.Claim, []string{"success", "balance", "granted", "next_faucet_at"},
		func(ctx context.Context, env Env, c ops.Caller, _ struct{}) (any, error) {
			cl, err := o.Claim.Invoke(ctx, c, ops.None{})
			if e := errs.As(err); e != nil && e.Code == "FAUCET_COOLDOWN" {
				return map[string]any{"success": false, "error": "FAUCET_COOLDOWN", "next_faucet_at": e.Data["nextFaucetAt"], "message": e.Message}, nil
			}
			if err != nil {
				return nil, err
			}
			return map[string]any{"success": true, "balance": cl.Balance.Decimal(), "granted": cl.Granted.Decimal(), "next_faucet_at": cl.NextFaucetAt}, nil
		})
	add(s, "xpersona_list_credit_packages", "Credit packages for sale by card.", o.Packages, []string{"success", "packages"},
		func(ctx context.Context, env Env, c ops.Caller, _ struct{}) (any, error) {
			ps, err := o.Packages.Invoke(ctx, c, ops.None{})
			if err != nil {
				return nil, err
			}
			out := []any{}
			for _, p := range ps {
				out = append(out, map[string]any{"id": p.ID, "name": p.Name, "credits": p.Credits.Decimal(), "amount_cents": p.AmountCents})
			}
			return map[string]any{"success": true, "packages": out}, nil
		})
	add(s, "xpersona_create_checkout", "A card checkout URL for a credit package.", o.Checkout, []string{"success", "checkout_url"},
		func(ctx context.Context, env Env, c ops.Caller, p struct {
			PackageID string `json:"package_id" jsonschema:"required"`
		}) (any, error) {
			if p.PackageID == "" {
				return nil, errs.Missing("parameters.package_id")
			}
			ch, err := o.Checkout.Invoke(ctx, c, credits.ByID{ID: p.PackageID})
			switch errs.KindOf(err) {
			case errs.Internal:
				if err != nil {
					return nil, err
				}
			case errs.Validation, errs.NotFound, errs.Unavailable:
				return nested(err), nil
			default:
				return nil, err
			}
			return map[string]any{"success": true, "checkout_url": ch.URL, "session_id": ch.ID}, nil
		})
	return s
}
