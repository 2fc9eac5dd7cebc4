package ledger

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/arcadehq/arcade/internal/store"
)

// Reader is what the auditor needs of the store: one consistent snapshot.
type Reader interface {
	Read(ctx context.Context, fn func(ctx context.Context, q store.Q) error) error
}

var _ Reader = (*store.DB)(nil)

// Audit runs the full invariant check (Check) in one read-only snapshot.
func Audit(ctx context.Context, db Reader) (Report, error) {
	var r Report
	err := db.Read(ctx, func(ctx context.Context, q store.Q) (err error) {
		r, err = Check(ctx, q)
		return err
	})
	return r, err
}

// Auditor runs the full check on a schedule and keeps the latest result, so that /health reads
// a result instead of scanning every transfer on request: the check reads the whole ledger, and
// its cost grows with it (see BenchmarkAudit) and with every instance that asks.
type Auditor struct {
	DB    Reader
	Every time.Duration // how often Run audits; a result older than this is stale
	Now   func() time.Time
	Log   *slog.Logger

	mu     sync.Mutex // one audit at a time
	last   Audited
	hasRun bool
}

// Audited is one audit's outcome.
type Audited struct {
	Report Report
	At     time.Time
	Took   time.Duration
	Err    error
}

// Latest returns the last audit, running one first if there is none or it is older than Every
// (Every 0: only the first request audits; later ones read the result of Run or AuditNow).
func (a *Auditor) Latest(ctx context.Context) Audited {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.hasRun && (a.Every <= 0 || a.now().Sub(a.last.At) < a.Every) {
		return a.last
	}
	return a.auditLocked(ctx)
}

// AuditNow runs an audit and records it.
func (a *Auditor) AuditNow(ctx context.Context) Audited {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.auditLocked(ctx)
}

func (a *Auditor) auditLocked(ctx context.Context) Audited {
	start := time.Now()
	r, err := Audit(ctx, a.DB)
	a.last = Audited{Report: r, At: a.now(), Took: time.Since(start), Err: err}
	a.hasRun = true
	if a.Log != nil {
		switch {
		case err != nil:
			a.Log.Error("ledger audit failed", "err", err)
		case !r.OK:
			a.Log.Error("ledger invariant violated", "err", r.Err(), "transfers", r.Transfers)
		default:
			a.Log.Info("ledger audit", "transfers", r.Transfers, "took", a.last.Took.String())
		}
	}
	return a.last
}

// Run audits every Every until ctx ends (nothing if Every is 0).
func (a *Auditor) Run(ctx context.Context) {
	if a.Every <= 0 {
		return
	}
	t := time.NewTicker(a.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			a.AuditNow(ctx)
		}
	}
}

func (a *Auditor) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}
