package creditsapi

import (
	"fmt"

	"github.com/arcadehq/arcade/internal/credits"
	"github.com/arcadehq/arcade/internal/money"
)

// fillStats computes session stats. Totals (rounds, PnL, win rate, wagered) are all-time; streaks,
// profit factor and rolling win rates are over the recent rounds (newest first in rs), which is
// what an agent deciding its next move cares about. Rolling rates are percentages (the reference
// system divides them by ten, a bug), null below 10 and 20 plays.
func fillStats(d *StatsData, t credits.Totals, rs []credits.Round) {
	d.Rounds, d.SessionPnL, d.Wagered = t.Rounds, t.PnL().Decimal(), t.Wagered.Decimal()
	if t.Rounds > 0 {
		d.WinRate = round2(100 * float64(t.Wins) / float64(t.Rounds))
	}
	d.RecentPlays = []RecentPlay{}
	var won, lost money.Amount
	for _, r := range rs {
		d.RecentPlays = append(d.RecentPlays, RecentPlay{Amount: r.Bet.Amount.Decimal(), Outcome: outcome(r.Win), Payout: r.Payout.Decimal(), PnL: r.PnL().Decimal()})
		if p := r.PnL(); p > 0 {
			won += p
		} else {
			lost -= p
		}
	}
	// Streaks: walk from oldest to newest.
	cur := 0
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i].Win {
			if cur < 0 {
				cur = 0
			}
			cur++
			d.MaxWinStreak = max(d.MaxWinStreak, cur)
		} else {
			if cur > 0 {
				cur = 0
			}
			cur--
			d.MaxLossStreak = max(d.MaxLossStreak, -cur)
		}
	}
	d.CurrentStreak = cur
	if lost > 0 {
		pf := round2(float64(won) / float64(lost))
		d.ProfitFactor = &pf
	}
	d.RollingWinRate10, d.RollingWinRate20 = rolling(rs, 10), rolling(rs, 20)
	d.ProofOfLifeAlerts = []Alert{{Type: "summary", Message: fmt.Sprintf("%d rounds played, PnL %s credits, win rate %.2f%%, balance %s credits.",
		t.Rounds, t.PnL(), d.WinRate, d.Balance)}}
	if t.Rounds > 0 && t.Rounds%100 == 0 {
		d.ProofOfLifeAlerts = append(d.ProofOfLifeAlerts, Alert{Type: "rounds", Message: fmt.Sprintf("Milestone: %d rounds played.", t.Rounds)})
	}
	if cur <= -5 || cur >= 5 {
		d.ProofOfLifeAlerts = append(d.ProofOfLifeAlerts, Alert{Type: "streak", Message: fmt.Sprintf("Current streak: %+d.", cur)})
	}
	if pnl := t.PnL(); pnl != 0 {
		d.ProofOfLifeAlerts = append(d.ProofOfLifeAlerts, Alert{Type: "session_pnl", Message: fmt.Sprintf("All-time PnL: %s credits.", pnl)})
	}
}

func rolling(rs []credits.Round, n int) *float64 {
	if len(rs) < n {
		return nil
	}
	w := 0
	for _, r := range rs[:n] {
		if r.Win {
			w++
		}
	}
	v := round2(100 * float64(w) / float64(n))
	return &v
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }
