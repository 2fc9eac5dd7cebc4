package tools

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/invopop/jsonschema"

	"github.com/arcadehq/arcade/fairness"
	"github.com/arcadehq/arcade/internal/credits"
	"github.com/arcadehq/arcade/internal/credits/strategy"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/money"
)

// Formula says how a round's roll is recomputed (the same text the REST answers give).
const Formula = "roll = floor(u0 × 10000) / 100 where u0 is the big-endian uint32 of the first 4 bytes of " +
	"HMAC-SHA256(key = server seed bytes, message = clientSeed + \":\" + nonce) / 2^32; serverSeedHash = hex(SHA-256(server seed bytes)). " +
	"Check with: arcade verify --game credit-dice --server-seed HEX --client-seed C --nonce N --target X --condition over|under"

// ParseAgentToken checks an agent_token's form, agent_id:user_id:permissions[:signature], and
// returns the agent id. The signature is not verified (neither does the real system): the token
// only selects the rate-limit bucket and the agent bet cap, never an account.
func ParseAgentToken(tok string) (string, error) {
	if tok == "" {
		return "", errs.Missing("agent_token")
	}
	parts := strings.Split(tok, ":")
	if len(parts) < 3 || parts[0] == "" || len(tok) > 512 {
		return "", errs.Unauthenticated("Invalid token format: agent_token is agent_id:user_id:permissions[:signature]")
	}
	for _, r := range tok {
		if r < 0x21 || r == 0x7f || !unicode.IsPrint(r) {
			return "", errs.Unauthenticated("Invalid token format: printable characters only")
		}
	}
	return parts[0], nil
}

func hundredths(h int) json.Number { return json.Number(strategy.Hundredths(h).String()) }

func outcome(win bool) string {
	if win {
		return "win"
	}
	return "loss"
}

func intOr(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}

func int64Or(p *int64, def int64) int64 {
	if p == nil {
		return def
	}
	return *p
}

func rangeCheck(field string, v, lo, hi int) error {
	if v < lo || v > hi {
		return errs.Invalid(field, "must be an integer from %d to %d", lo, hi)
	}
	return nil
}

func gameType(g string, out *string) error {
	switch g {
	case "", credits.GameDice:
		*out = g
		return nil
	}
	return errs.Invalid("parameters.game_type", `must be "dice"`)
}

// param names a validation error's field as the tool's parameter: the domain's "id" becomes
// parameters.<name>, any other field is put under parameters.
func param(err error, name string) error {
	e := errs.As(err)
	if e == nil || e.Kind != errs.Validation {
		return err
	}
	c := *e
	switch {
	case (c.Field == "id" || c.Field == "") && name != "":
		c.Field = "parameters." + name
	case c.Field != "" && !strings.HasPrefix(c.Field, "parameters"):
		c.Field = "parameters." + camelToSnake(c.Field)
	}
	return &c
}

// camelToSnake renders a domain field name (clientSeed, maxRounds) as the tools spell their
// parameters (client_seed, max_rounds).
func camelToSnake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 && s[i-1] != '.' {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// nested renders a refusal the real executor reports inside a 200 result.
func nested(err error) map[string]any {
	e := errs.As(err)
	code, msg := "ERROR", err.Error()
	if e != nil {
		code, msg = e.Code, e.Message
		if code == "" {
			code = strings.ToUpper(strings.ReplaceAll(e.Kind.String(), " ", "_"))
		}
		if e.Field != "" {
			msg = e.Field + ": " + msg
		}
	}
	out := map[string]any{"success": false, "error": code, "message": msg}
	if e != nil {
		for k, v := range e.Data {
			out[k] = v
		}
	}
	return out
}

// diceBet reads a tool's dice parameters into a validated bet.
func diceBet(amount, target httpapi.Number, condition string) (credits.DiceBet, error) {
	var b credits.DiceBet
	if amount == "" {
		return b, errs.Missing("parameters.amount")
	}
	a, err := money.Parse(amount.String())
	if err != nil || a%money.Micro != 0 {
		return b, errs.Invalid("parameters.amount", "must be a whole number of credits from 1 to 10000")
	}
	b.Amount = a
	if target == "" {
		return b, errs.Missing("parameters.target")
	}
	if b.Target, err = fairness.ParseCreditDiceTarget(target.String()); err != nil {
		return b, errs.Invalid("parameters.target", "must be a number from 0 to 99.99 with at most two decimals")
	}
	switch condition {
	case "over":
		b.Over = true
	case "under":
	case "":
		return b, errs.Missing("parameters.condition")
	default:
		return b, errs.Invalid("parameters.condition", `must be "over" or "under"`)
	}
	if err := b.Validate(); err != nil {
		return b, param(err, "")
	}
	return b, nil
}

func creditsParam(field string, n httpapi.Number) (money.Amount, error) {
	a, err := money.Parse(n.String())
	if err != nil {
		return 0, errs.Invalid(field, "must be a number of credits with at most 6 decimals")
	}
	return a, nil
}

// ConfigParams is a basic strategy's config as the tools send it (snake_case keys; camelCase is
// accepted too). It is handed to the one config decoder in package strategy.
type ConfigParams map[string]json.RawMessage

// JSONSchema documents the config for the tool schema.
func (ConfigParams) JSONSchema() *jsonschema.Schema {
	props := jsonschema.NewProperties()
	add := func(name string, s *jsonschema.Schema) { props.Set(name, s) }
	add("amount", &jsonschema.Schema{Type: "integer", Minimum: json.Number("1"), Maximum: json.Number("10000")})
	add("target", &jsonschema.Schema{Type: "number", Minimum: json.Number("0"), Maximum: json.Number("99.99")})
	add("condition", &jsonschema.Schema{Type: "string", Enum: []any{"over", "under"}})
	prog := []any{}
	for _, p := range strategy.Progressions {
		prog = append(prog, string(p))
	}
	add("progression_type", &jsonschema.Schema{Type: "string", Enum: prog})
	add("max_bet", &jsonschema.Schema{Type: "integer", Minimum: json.Number("1")})
	add("max_consecutive_losses", &jsonschema.Schema{Type: "integer", Minimum: json.Number("1")})
	add("max_consecutive_wins", &jsonschema.Schema{Type: "integer", Minimum: json.Number("1")})
	return &jsonschema.Schema{Type: "object", Properties: props, Required: []string{"amount", "target", "condition"}}
}

// camel renders the config with the decoder's camelCase keys.
func (c ConfigParams) camel() []byte {
	m := make(map[string]json.RawMessage, len(c))
	for k, v := range c {
		m[snakeToCamel(k)] = v
	}
	b, _ := json.Marshal(m)
	return b
}

func snakeToCamel(s string) string {
	if !strings.Contains(s, "_") {
		return s
	}
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// inlineAdvanced decodes an inline advanced strategy parameter.
func inlineAdvanced(raw json.RawMessage) (*strategy.Advanced, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, errs.Missing("parameters.strategy")
	}
	return strategy.DecodeAdvanced(raw, "parameters.strategy")
}

func advancedMap(s credits.Saved) map[string]any {
	raw, _ := json.Marshal(s.Advanced)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	if m == nil {
		m = map[string]any{}
	}
	m["id"], m["createdAt"], m["updatedAt"] = s.ID, s.CreatedAt, s.UpdatedAt
	return m
}

func strategyResult(st credits.Saved) map[string]any {
	cfg, _ := json.Marshal(st.Config)
	return map[string]any{"id": st.ID, "name": st.Name, "game_type": st.GameType, "config": json.RawMessage(cfg),
		"progression_type": string(st.Config.ProgressionType), "created_at": st.CreatedAt, "updated_at": st.UpdatedAt,
		"performance_stats": map[string]any{"total_runs": 0, "avg_pnl": 0, "best_run": 0, "worst_run": 0, "win_rate": 0}}
}

func runResult(res credits.RunResult, advanced bool) map[string]any {
	results := make([]map[string]any, 0, len(res.Rounds))
	for _, r := range res.Rounds {
		it := map[string]any{"round": r.Round, "result": hundredths(r.Roll), "win": r.Win, "payout": r.Payout.Decimal(), "balance": r.Balance.Decimal(),
			"betAmount": r.Bet.Amount.Decimal(), "nonce": r.Nonce, "bet_id": r.RoundID}
		if advanced {
			rules := r.Executed
			if rules == nil {
				rules = []string{}
			}
			it["target"], it["condition"], it["executedRules"] = hundredths(r.Bet.Target), r.Bet.Condition(), rules
		}
		results = append(results, it)
	}
	winRate := 0.0
	if n := len(res.Rounds); n > 0 {
		winRate = float64(int64(10000*float64(res.Stats.Wins)/float64(n)+0.5)) / 100
	}
	out := map[string]any{"success": true, "session_id": res.RunID, "status": "completed", "total_rounds": len(res.Rounds),
		"rounds_played": len(res.Rounds), "final_balance": res.FinalBalance.Decimal(), "session_pnl": res.Stats.PnL, "stopped_reason": res.StopReason,
		"results": results, "total_wins": res.Stats.Wins, "total_losses": res.Stats.Losses, "win_rate": winRate,
		"verification": map[string]any{"server_seed_hash": res.Commitment, "server_seed_id": res.SeedID, "client_seed": res.ClientSeed}}
	if res.StopReason == "insufficient_balance" {
		out["deposit_url"] = "/api/credits/packages"
		out["deposit_alert_message"] = "Balance too low to continue: claim Free Credits (xpersona_claim_faucet) or buy a credit package."
	}
	return out
}

// balanceResult is get_balance's shape from the session statistics.
func balanceResult(st credits.Stats) map[string]any {
	bal := st.Balance.Available
	pnl := st.Totals.PnL()
	alert, msg := "ok", any(nil)
	switch {
	case bal < 10*money.Micro:
		alert, msg = "critical", "Balance is critically low: claim Free Credits or buy a credit package."
	case bal < 100*money.Micro:
		alert, msg = "low", "Balance is low: consider Free Credits or a credit package."
	}
	cur, best := 0, 0
	for i := len(st.Recent) - 1; i >= 0; i-- {
		if st.Recent[i].Win {
			cur = max(cur, 0) + 1
			best = max(best, cur)
		} else {
			cur = min(cur, 0) - 1
		}
	}
	winRate := 0.0
	if st.Totals.Rounds > 0 {
		winRate = float64(int64(10000*float64(st.Totals.Wins)/float64(st.Totals.Rounds)+0.5)) / 100
	}
	var milestone, milestoneMsg any
	for _, m := range []int64{50000, 25000, 10000, 5000, 2000, 1000} {
		if int64(bal) >= m*int64(money.Micro) {
			milestone, milestoneMsg = m, fmt.Sprintf("Balance passed %d credits.", m)
			break
		}
	}
	return map[string]any{"balance": bal.Decimal(), "initial_balance": (bal + st.Balance.Pending - pnl).Decimal(), "session_pnl": pnl.Decimal(),
		"total_rounds": st.Totals.Rounds, "win_rate": winRate, "current_streak": cur, "best_streak": best,
		"withdrawable": st.Balance.Withdrawable().Decimal(), "faucet_credits": st.Balance.FaucetPart().Decimal(), "usdc": st.USDC.Decimal(),
		"deposit_alert": alert, "deposit_alert_message": msg, "deposit_url": "/api/credits/packages",
		"deposit_thresholds": map[string]any{"low": 100, "critical": 10, "min_bet": 1},
		"balance_milestone":  milestone, "milestone_message": milestoneMsg,
		"proof_of_life_alerts": []any{map[string]any{"type": "summary", "message": fmt.Sprintf("%d rounds played, PnL %s credits, balance %s credits.",
			st.Totals.Rounds, pnl, bal)}}}
}

// historyResult is get_history's shape, with each round's real roll.
func historyResult(rs []credits.Round, offset int) map[string]any {
	hist := make([]any, 0, len(rs))
	var wins int
	var wagered, best, worst money.Amount
	var won, lost money.Amount
	for i, r := range rs {
		hist = append(hist, map[string]any{"bet_id": r.ID, "round": offset + i + 1, "result": hundredths(r.Roll), "win": r.Win,
			"payout": r.Payout.Decimal(), "bet_amount": r.Bet.Amount.Decimal(), "target": hundredths(r.Bet.Target), "condition": r.Bet.Condition(),
			"timestamp": r.CreatedAt, "provably_fair": map[string]any{"server_seed_hash": r.Commitment, "client_seed": r.ClientSeed, "nonce": r.Nonce}})
		wagered += r.Bet.Amount
		p := r.PnL()
		if r.Win {
			wins++
		}
		if p > 0 {
			won += p
		} else {
			lost -= p
		}
		if i == 0 || p > best {
			best = p
		}
		if i == 0 || p < worst {
			worst = p
		}
	}
	var avg money.Amount
	var pf any
	if n := len(rs); n > 0 {
		avg = wagered / money.Amount(n)
	}
	if lost > 0 {
		pf = float64(int64(100*float64(won)/float64(lost)+0.5)) / 100
	}
	return map[string]any{"history": hist, "statistics": map[string]any{"total_bets": len(rs), "total_wins": wins, "total_losses": len(rs) - wins,
		"avg_bet": avg.Decimal(), "best_win": best.Decimal(), "worst_loss": worst.Decimal(), "profit_factor": pf, "expected_value": (won - lost).Decimal()}}
}

// analyze computes analyze_patterns' figures from the real rolls.
func analyze(rs []credits.Round, kind string) map[string]any {
	buckets := []struct {
		name   string
		lo, hi int // hundredths, inclusive lo, exclusive hi
	}{{"0-16", 0, 1700}, {"17-33", 1700, 3400}, {"34-50", 3400, 5100}, {"51-66", 5100, 6700}, {"67-83", 6700, 8400}, {"84-100", 8400, 10001}}
	dist := map[string]int{}
	counts := map[int]int{}
	for _, b := range buckets {
		dist[b.name] = 0
	}
	for _, r := range rs {
		for _, b := range buckets {
			if r.Roll >= b.lo && r.Roll < b.hi {
				dist[b.name]++
			}
		}
		counts[r.Roll/100]++
	}
	type nc struct{ n, c int }
	var all []nc
	for n, c := range counts {
		all = append(all, nc{n, c})
	}
	// Most frequent whole-number rolls first; ties by number, so answers are stable.
	for i := 1; i < len(all); i++ {
		for j := i; j > 0 && (all[j].c > all[j-1].c || all[j].c == all[j-1].c && all[j].n < all[j-1].n); j-- {
			all[j], all[j-1] = all[j-1], all[j]
		}
	}
	hot := []int{}
	for i := 0; i < len(all) && i < 5; i++ {
		hot = append(hot, all[i].n)
	}
	cold := []int{}
	for n := 0; n < 100 && len(cold) < 5; n++ {
		if counts[n] == 0 {
			cold = append(cold, n)
		}
	}
	streak := "none"
	if len(rs) > 0 {
		streak = outcome(rs[0].Win)
	}
	if kind == "" {
		kind = "distribution"
	}
	return map[string]any{"analysis_type": kind, "rounds_analyzed": len(rs), "distribution": dist, "hot_numbers": hot, "cold_numbers": cold,
		"current_streak_type": streak, "recommended_target": 50, "confidence": 0,
		"note": "Every roll is independent and uniformly distributed: past rolls do not change the next one's odds (" +
			strconv.Itoa(len(rs)) + " rounds analysed)."}
}
