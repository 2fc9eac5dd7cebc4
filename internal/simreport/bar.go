package simreport

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Bar is a one-line progress bar redrawn in place with a carriage return:
//
//	simulating [=========>          ]  47.3%  4.73M/10.00M rounds  3s elapsed, ETA 4s
//
// Update may be called as often as the work likes; the line is redrawn at most every Every
// (default 100 ms) and always when the work is complete. Bar is not safe for concurrent use:
// strategy.Simulate never calls its progress function concurrently.
type Bar struct {
	W     io.Writer
	Label string           // "simulating"
	Unit  string           // "rounds"
	Width int              // cells of the bar; default 30
	Every time.Duration    // least time between redraws; default 100 ms
	Now   func() time.Time // clock; default time.Now

	start, last time.Time
	lastDone    int64
	drawn       bool
	lineLen     int
}

// Update reports that done of total units are complete.
func (b *Bar) Update(done, total int64) {
	now := b.now()
	if b.start.IsZero() {
		b.start = now
	}
	every := b.Every
	if every == 0 {
		every = 100 * time.Millisecond
	}
	if b.drawn && (done == b.lastDone || done < total && now.Sub(b.last) < every) {
		return
	}
	b.last, b.lastDone, b.drawn = now, done, true
	b.draw(done, total, now.Sub(b.start))
}

// Finish ends the bar's line so that what follows starts on a fresh line.
func (b *Bar) Finish() {
	if b.drawn {
		fmt.Fprintln(b.W)
	}
	b.drawn = false
}

func (b *Bar) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

func (b *Bar) draw(done, total int64, elapsed time.Duration) {
	width := b.Width
	if width <= 0 {
		width = 30
	}
	frac := 1.0
	if total > 0 {
		frac = min(max(float64(done)/float64(total), 0), 1)
	}
	filled := int(frac * float64(width))
	bar := strings.Repeat("=", filled)
	if filled < width {
		bar += ">" + strings.Repeat(" ", width-filled-1)
	}
	line := fmt.Sprintf("%s [%s] %5.1f%%  %s/%s %s", b.Label, bar, 100*frac, count(done), count(total), b.Unit)
	// No speed here: the simulator counts the rounds a session did not play once it stopped as
	// done, so done/elapsed would overstate it; the summary reports the real rate.
	if done >= total {
		line += "  in " + elapsed.Round(time.Millisecond).String()
	} else if s := elapsed.Seconds(); s > 0 && done > 0 {
		eta := time.Duration(float64(total-done) / float64(done) * s * float64(time.Second))
		line += "  " + elapsed.Round(time.Second).String() + " elapsed, ETA " + eta.Round(time.Second).String()
	}
	pad := ""
	if n := b.lineLen - len(line); n > 0 {
		pad = strings.Repeat(" ", n) // wipe the tail of a longer previous line
	}
	b.lineLen = len(line)
	fmt.Fprint(b.W, "\r"+line+pad)
}

// count formats a count compactly: 950, 12.3k, 4.56M.
func count(n int64) string {
	switch {
	case n >= 1e6:
		return fmt.Sprintf("%.2fM", float64(n)/1e6)
	case n >= 1e4:
		return fmt.Sprintf("%.1fk", float64(n)/1e3)
	}
	return fmt.Sprint(n)
}

// IsTerminal reports whether w is a character device (a terminal), the test for drawing a
// progress bar by default.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
