package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/money"
)

// Health serves /health, /health/live and /health/ready (spec 002's probes, shared by the whole
// server). The ledger invariant behind financial_reconciliation reads every transfer, so /health
// shows the auditor's latest result (audited on a schedule, ARCADE_AUDIT_SECONDS) instead of
// scanning on request.
type Health struct {
	Version  string
	Started  time.Time
	DB       Probe
	Audit    *ledger.Auditor
	Batches  *ledger.BatchCheck // the incremental check's running result (nil: none)
	Draining *atomic.Bool
	Now      func() time.Time
	// Game reads the poker tables' live figures (spec 002's game block); nil leaves it out.
	Game func() GameStats
	// Withdrawals reports whether a withdrawal service (a chain) is configured.
	Withdrawals bool
}

// GameStats is /health's game block: tables running, WebSocket connections, players being seated.
type GameStats struct {
	ActiveTables      int `json:"active_tables"`
	ActiveConnections int `json:"active_connections"`
	LobbyQueue        int `json:"lobby_queue"`
}

// Running is a background service's state.
type Running struct {
	Running bool `json:"running"`
}

// Probe is what the probes read from the database (the wiring adapts the store to it: surfaces
// run no SQL). The ledger's invariant comes from the auditor, which runs on a schedule.
type Probe interface {
	Ping(ctx context.Context) error
	EngineName() string
}

// HealthBody is the /health answer.
type HealthBody struct {
	Status        string         `json:"status" jsonschema:"enum=ok,enum=degraded,enum=unavailable"`
	Version       string         `json:"version"`
	UptimeSeconds float64        `json:"uptime_seconds"`
	Services      map[string]any `json:"services"`
	Game          *GameStats     `json:"game,omitempty"`
	// DepositsPending is 0: a deposit is verified and credited within its request.
	DepositsPending         int            `json:"deposits_pending"`
	Withdrawal              Running        `json:"withdrawal"`
	FinancialReconciliation Reconciliation `json:"financial_reconciliation"`
}

// Reconciliation summarises the ledger invariant in spec 002's units (cents and ucents of USDC;
// 1 ucent = 100 micro-USDC) plus Arcade's per-asset view.
type Reconciliation struct {
	UnitsMatch     bool                    `json:"units_match"`
	InvariantHolds bool                    `json:"invariant_holds"`
	DriftUcents    int64                   `json:"drift_ucents"`
	BalanceCents   int64                   `json:"balance_cents"`
	BalanceUcents  int64                   `json:"balance_ucents"`
	LockedCents    int64                   `json:"locked_cents"`
	LockedUcents   int64                   `json:"locked_ucents"`
	Assets         map[string]AssetSummary `json:"assets"`
	CheckedAt      time.Time               `json:"checked_at"`
	// Incremental is the running result of the check every write transaction makes of its own
	// ledger changes (Arcade addition); the rest of this object is the latest full audit.
	Incremental *ledger.BatchStatus `json:"incremental,omitempty"`
}

// AssetSummary is one asset's totals in micro-units.
type AssetSummary struct {
	SumMicro       int64 `json:"sum_micro"`
	AvailableMicro int64 `json:"available_micro"`
	InPlayMicro    int64 `json:"in_play_micro"`
	PendingMicro   int64 `json:"pending_micro"`
	DriftMicro     int64 `json:"drift_micro"`
}

// Status is a probe's answer.
type Status struct {
	Status string `json:"status"`
}

// ledgerReport returns the auditor's latest invariant report and when it was computed.
func (h *Health) ledgerReport(ctx context.Context) (ledger.Report, time.Time, error) {
	a := h.Audit.Latest(ctx)
	return a.Report, a.At, a.Err
}

// Register adds the probes, /metrics and /openapi.json's siblings to rt.
func (h *Health) Register(rt *Router, m *Metrics) {
	detail := map[string]any{"type": "object", "properties": map[string]any{"detail": map[string]any{"type": "string"}}}
	rt.Handle(Op{Method: "GET", Path: "/health/live", ID: "healthLive", Tag: "health", Summary: "Liveness probe: 200 while the process runs.",
		Resp: Status{}, Handler: func(w http.ResponseWriter, r *http.Request) { WriteJSON(w, 200, Status{"ok"}) }})
	rt.Handle(Op{Method: "GET", Path: "/health/ready", ID: "healthReady", Tag: "health",
		Summary: "Readiness probe: 200 when the database answers; 503 when it does not or while draining.",
		Resp:    Status{}, Errors: []int{503}, ErrBody: detail, Handler: h.ready})
	rt.Handle(Op{Method: "GET", Path: "/health", ID: "health", Tag: "health",
		Summary: "Comprehensive health: database, uptime, version, the poker tables (game) and the ledger invariant (financial_reconciliation).",
		Resp:    HealthBody{}, Errors: []int{503}, Handler: h.full})
	rt.Handle(Op{Method: "GET", Path: "/metrics", ID: "metrics", Tag: "health", Summary: "Prometheus metrics.",
		RespType: "text/plain", Resp: "", Handler: promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}).ServeHTTP})
}

func (h *Health) ready(w http.ResponseWriter, r *http.Request) {
	if h.Draining != nil && h.Draining.Load() {
		WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"detail": "draining"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := h.DB.Ping(ctx); err != nil {
		WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"detail": "database unavailable"})
		return
	}
	WriteJSON(w, http.StatusOK, Status{"ok"})
}

func (h *Health) full(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	body := HealthBody{Status: "ok", Version: h.Version, UptimeSeconds: h.Now().Sub(h.Started).Seconds(),
		Services: map[string]any{"database": "ok", "database_engine": h.DB.EngineName()}, Withdrawal: Running{h.Withdrawals}}
	if h.Game != nil {
		g := h.Game()
		body.Game = &g
	}
	code := http.StatusOK
	if err := h.DB.Ping(ctx); err != nil {
		body.Status, body.Services["database"] = "unavailable", "error"
		code = http.StatusServiceUnavailable
	}
	if h.Draining != nil && h.Draining.Load() {
		body.Services["server"] = "draining"
	}
	rep, at, err := h.ledgerReport(ctx)
	if err != nil {
		body.Services["ledger"] = "error"
		if body.Status == "ok" {
			body.Status = "degraded"
		}
	} else {
		body.FinancialReconciliation = reconcile(rep, at)
		if !rep.OK {
			body.Status = "degraded"
			body.Services["ledger"] = "invariant violated"
		} else {
			body.Services["ledger"] = "ok"
		}
	}
	if h.Batches != nil {
		st := h.Batches.Status()
		body.FinancialReconciliation.Incremental = &st
		if st.Violations > 0 {
			// A transaction broke the invariant since start: the next full audit will show
			// where; until the process restarts this stays visible.
			body.FinancialReconciliation.InvariantHolds, body.FinancialReconciliation.UnitsMatch = false, false
			body.Services["ledger"] = "invariant violated"
			if body.Status == "ok" {
				body.Status = "degraded"
			}
		}
	}
	WriteJSON(w, code, body)
}

func reconcile(r ledger.Report, now time.Time) Reconciliation {
	drift := map[money.Asset]money.Amount{}
	for _, d := range r.Drift {
		a := ledger.AssetOf(d.Account)
		if d.Stored > d.Computed {
			drift[a] += d.Stored - d.Computed
		} else {
			drift[a] += d.Computed - d.Stored
		}
	}
	usdc := r.ByKind[money.USDC]
	rec := Reconciliation{UnitsMatch: r.OK, InvariantHolds: r.OK, CheckedAt: now.UTC(),
		BalanceUcents: int64(usdc[ledger.User]) / 100, LockedUcents: int64(usdc[ledger.InPlay]) / 100,
		DriftUcents: int64(drift[money.USDC]) / 100, Assets: map[string]AssetSummary{}}
	rec.BalanceCents, rec.LockedCents = rec.BalanceUcents/100, rec.LockedUcents/100
	for _, a := range []money.Asset{money.Credit, money.USDC} {
		k := r.ByKind[a]
		rec.Assets[string(a)] = AssetSummary{SumMicro: int64(r.Sums[a]), AvailableMicro: int64(k[ledger.User]),
			InPlayMicro: int64(k[ledger.InPlay]), PendingMicro: int64(k[ledger.Pending]), DriftMicro: int64(drift[a])}
	}
	return rec
}

// WriteJSON writes v as JSON with the status code.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"detail":"internal error"}`)
	}
	WriteJSONBytes(w, status, b)
}

// WriteJSONBytes writes raw, JSON already encoded, as WriteJSON does.
func WriteJSONBytes(w http.ResponseWriter, status int, raw []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(raw, '\n'))
}
