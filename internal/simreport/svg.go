package simreport

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/arcadehq/arcade/internal/credits/strategy"
	"github.com/arcadehq/arcade/internal/money"
)

// Plot geometry, in SVG user units.
const (
	plotWidth   = 800
	plotHeight  = 480
	marginLeft  = 70
	marginRight = 24
	marginTop   = 64
	marginBot   = 64
	maxXTicks   = 8
	maxYTicks   = 6
)

// WriteSVG writes a histogram of the final profit and loss of every session: one bar per
// bucket of res.FinalBalance.Histogram (shifted by the starting balance, so the x axis reads in
// credits won or lost), with both axes, tick labels, a break-even line and a title. Each bar
// carries a <title> with its exact range and count, which browsers show on hover. The output is
// a standalone, well-formed SVG 1.1 document.
func WriteSVG(w io.Writer, res *strategy.SimResult, title string) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	hist := res.FinalBalance.Histogram

	x0, x1 := float64(marginLeft), float64(plotWidth-marginRight)
	y0, y1 := float64(plotHeight-marginBot), float64(marginTop) // y0 is the baseline
	var lo, hi money.Amount
	var maxCount int64
	if len(hist) > 0 {
		lo, hi = pnlOf(res, hist[0].From.Amount()), pnlOf(res, hist[len(hist)-1].To.Amount())
	}
	for _, b := range hist {
		maxCount = max(maxCount, b.Count)
	}
	yStep := niceStep(float64(maxCount), maxYTicks)
	yMax := math.Max(yStep, math.Ceil(float64(maxCount)/yStep)*yStep)
	xOf := func(a money.Amount) float64 {
		if hi == lo {
			return x0
		}
		return x0 + (x1-x0)*float64(a-lo)/float64(hi-lo)
	}
	yOf := func(c float64) float64 { return y0 - (y0-y1)*c/yMax }

	p(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	p(`<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n",
		plotWidth, plotHeight, plotWidth, plotHeight)
	p(`<rect x="0" y="0" width="%d" height="%d" fill="#ffffff"/>`+"\n", plotWidth, plotHeight)
	p(`<text class="title" x="%d" y="26" text-anchor="middle" font-size="16" font-weight="bold">%s</text>`+"\n", plotWidth/2, esc(title))
	p(`<text class="subtitle" x="%d" y="46" text-anchor="middle" fill="#555555">%s</text>`+"\n", plotWidth/2,
		esc(fmt.Sprintf("%d sessions × up to %d rounds, starting balance %s credits, seed 0x%s",
			res.Sessions, res.Rounds, res.StartingBalance, shortHex(res.Seed))))

	// Grid and y axis ticks.
	p(`<g class="y-axis" stroke="#dddddd">` + "\n")
	for c := 0.0; c <= yMax+yStep/2; c += yStep {
		y := yOf(c)
		p(`<line x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n", f(x0), f(y), f(x1), f(y))
		p(`<text x="%s" y="%s" text-anchor="end" dominant-baseline="middle" stroke="none" fill="#333333">%s</text>`+"\n",
			f(x0-6), f(y), strconv.FormatFloat(c, 'f', -1, 64))
	}
	p("</g>\n")

	// Bars: one per bucket, even an empty one (height 0), so the bars match the buckets.
	p(`<g class="bars" fill="#4a7bd0" stroke="#2f5ba8" stroke-width="0.5">` + "\n")
	for _, b := range hist {
		from, to := pnlOf(res, b.From.Amount()), pnlOf(res, b.To.Amount())
		bx0, bx1 := xOf(from), xOf(to)
		if hi == lo {
			bx1 = x1
		}
		top := yOf(float64(b.Count))
		p(`<rect class="bar" x="%s" y="%s" width="%s" height="%s"><title>%s</title></rect>`+"\n",
			f(bx0), f(top), f(math.Max(bx1-bx0, 0)), f(y0-top),
			esc(fmt.Sprintf("PnL [%s, %s) credits: %d sessions", from, to, b.Count)))
	}
	p("</g>\n")

	// Break-even line, when 0 is inside the range.
	if lo <= 0 && 0 <= hi && hi != lo {
		x := xOf(0)
		p(`<line class="break-even" x1="%s" y1="%s" x2="%s" y2="%s" stroke="#c0392b" stroke-width="1.5" stroke-dasharray="5,4"/>`+"\n",
			f(x), f(y0), f(x), f(y1))
		p(`<text x="%s" y="%s" text-anchor="start" fill="#c0392b">break-even</text>`+"\n", f(x+4), f(y1+12))
	}

	// Axes.
	p(`<g class="axes" stroke="#000000" stroke-width="1">` + "\n")
	p(`<line class="x-axis" x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n", f(x0), f(y0), f(x1), f(y0))
	p(`<line class="y-axis-line" x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n", f(x0), f(y0), f(x0), f(y1))
	p("</g>\n")

	// X ticks at round numbers of credits inside [lo, hi].
	p(`<g class="x-ticks" stroke="#000000">` + "\n")
	for _, t := range xTicks(lo, hi) {
		x := xOf(t)
		p(`<line x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n", f(x), f(y0), f(x), f(y0+5))
		p(`<text x="%s" y="%s" text-anchor="middle" stroke="none" fill="#333333">%s</text>`+"\n", f(x), f(y0+18), esc(t.String()))
	}
	p("</g>\n")

	p(`<text class="x-label" x="%s" y="%d" text-anchor="middle">final profit and loss per session (credits)</text>`+"\n",
		f((x0+x1)/2), plotHeight-18)
	p(`<text class="y-label" x="18" y="%s" text-anchor="middle" transform="rotate(-90 18 %s)">sessions</text>`+"\n",
		f((y0+y1)/2), f((y0+y1)/2))
	p("</svg>\n")
	return bw.Flush()
}

// xTicks returns round credit amounts spread over [lo, hi] (in micro-units).
func xTicks(lo, hi money.Amount) []money.Amount {
	if hi <= lo {
		return []money.Amount{lo}
	}
	span := float64(hi-lo) / float64(money.Micro)
	step := money.Amount(niceStep(span, maxXTicks) * float64(money.Micro))
	if step <= 0 {
		step = 1
	}
	first := lo / step * step
	if first < lo {
		first += step
	}
	var out []money.Amount
	for t := first; t <= hi && len(out) <= 2*maxXTicks; t += step {
		out = append(out, t)
	}
	return out
}

// niceStep returns a step of 1, 2 or 5 × 10^k (at least one micro-unit's worth, 1e-6) that cuts
// span into at most n intervals.
func niceStep(span float64, n int) float64 {
	if span <= 0 {
		return 1
	}
	raw := span / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if s := m * mag; s >= raw {
			return math.Max(s, 1e-6)
		}
	}
	return math.Max(10*mag, 1e-6)
}

// f formats a coordinate with at most two decimals.
func f(v float64) string { return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64) }

// esc escapes text for XML character data and attribute values.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func shortHex(h string) string {
	if len(h) > 16 {
		return h[:16] + "…"
	}
	return h
}
