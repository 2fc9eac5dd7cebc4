package simreport

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/arcadehq/arcade/internal/credits/strategy"
	"github.com/arcadehq/arcade/internal/money"
)

func simulate(t *testing.T, id string, buckets int) *strategy.SimResult {
	t.Helper()
	p, ok := strategy.PresetByID(id)
	if !ok {
		t.Fatalf("no preset %s", id)
	}
	res, err := strategy.Simulate(context.Background(), strategy.SimSpec{Strategy: &p.Strategy, Rounds: 500, Sessions: 200,
		StartingBalance: 1000 * money.Micro, Seed: []byte("simreport"), Buckets: buckets}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &res
}

// svgShape decodes an SVG document with encoding/xml, failing on any malformed XML, and counts
// the bar rectangles and text elements.
func svgShape(t *testing.T, doc []byte) (bars int, texts []string) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	root := ""
	inText := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v\n%s", err, doc)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tok.Name.Local
				if tok.Name.Space != "http://www.w3.org/2000/svg" {
					t.Errorf("root namespace %q", tok.Name.Space)
				}
			}
			if tok.Name.Local == "rect" {
				for _, a := range tok.Attr {
					if a.Name.Local == "class" && a.Value == "bar" {
						bars++
					}
				}
			}
			inText = tok.Name.Local == "text"
		case xml.CharData:
			if inText {
				texts = append(texts, string(tok))
			}
		case xml.EndElement:
			inText = false
		}
	}
	if root != "svg" {
		t.Fatalf("root element %q, want svg", root)
	}
	return bars, texts
}

func TestSVGOneBarPerBucket(t *testing.T) {
	for _, c := range []struct {
		preset  string
		buckets int
	}{{"martingale-plus", 20}, {"oscar-grind", 7}, {"trend-follower", 1}, {"risk-manager", 50}} {
		res := simulate(t, c.preset, c.buckets)
		var buf bytes.Buffer
		title := `Final PnL — <"&'> ` + c.preset // hostile characters must be escaped
		if err := WriteSVG(&buf, res, title); err != nil {
			t.Fatal(err)
		}
		bars, texts := svgShape(t, buf.Bytes())
		if want := len(res.FinalBalance.Histogram); bars != want {
			t.Errorf("%s: %d bars, want one per bucket (%d)", c.preset, bars, want)
		}
		joined := strings.Join(texts, "\n")
		for _, want := range []string{title, "final profit and loss per session (credits)", "sessions"} {
			if !strings.Contains(joined, want) {
				t.Errorf("%s: no text %q in the plot", c.preset, want)
			}
		}
	}
}

// A distribution with a single value (every session ends alike) still plots one bar.
func TestSVGSingleValue(t *testing.T) {
	res := &strategy.SimResult{Seed: "00", Rounds: 1, Sessions: 3, StartingBalance: (10 * money.Micro).Decimal(),
		FinalBalance: strategy.Distribution{Histogram: []strategy.Bucket{{From: (10 * money.Micro).Decimal(), To: (10*money.Micro + 1).Decimal(), Count: 3}}}}
	var buf bytes.Buffer
	if err := WriteSVG(&buf, res, "flat"); err != nil {
		t.Fatal(err)
	}
	if bars, _ := svgShape(t, buf.Bytes()); bars != 1 {
		t.Fatalf("%d bars, want 1", bars)
	}
	if strings.Contains(buf.String(), "NaN") || strings.Contains(buf.String(), "Inf") {
		t.Fatalf("non-finite coordinate:\n%s", buf.String())
	}
}

func TestSummaryAndJSONAreReplayable(t *testing.T) {
	a, b := simulate(t, "adaptive-kelly", 0), simulate(t, "adaptive-kelly", 0)
	runA := Run{Strategy: "Adaptive Kelly", Source: "preset adaptive-kelly", Workers: 2, Elapsed: time.Second}
	runB := runA
	runB.Elapsed = 3 * time.Second
	var sa, sb bytes.Buffer
	if err := WriteSummary(&sa, a, runA); err != nil {
		t.Fatal(err)
	}
	if err := WriteSummary(&sb, b, runB); err != nil {
		t.Fatal(err)
	}
	la, lb := strings.Split(sa.String(), "\n"), strings.Split(sb.String(), "\n")
	if len(la) != len(lb) {
		t.Fatalf("summaries differ in length:\n%s\n%s", sa.String(), sb.String())
	}
	for i := range la {
		if la[i] != lb[i] && !strings.HasPrefix(la[i], "speed") {
			t.Errorf("line %d differs outside the timing line:\n%s\n%s", i, la[i], lb[i])
		}
	}
	for _, want := range []string{"PnL (credits)", "median", "p95", "max drawdown", "longest streaks", "win rate",
		"bust probability", "stop reasons", "rounds/s", "0x" + a.Seed} {
		if !strings.Contains(sa.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, sa.String())
		}
	}

	var ja, jb bytes.Buffer
	if err := WriteJSON(&ja, a, runA); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&jb, b, runB); err != nil {
		t.Fatal(err)
	}
	strip := func(raw []byte) map[string]any {
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("JSON output does not parse: %v", err)
		}
		if _, ok := m["timing"]; !ok {
			t.Fatal("no timing member")
		}
		delete(m, "timing")
		return m
	}
	ma, mb := strip(ja.Bytes()), strip(jb.Bytes())
	ra, _ := json.Marshal(ma)
	rb, _ := json.Marshal(mb)
	if !bytes.Equal(ra, rb) {
		t.Fatal("JSON documents of the same seed differ outside timing")
	}
	for _, k := range []string{"strategy", "seed", "pnl", "finalBalance", "sessionResults", "stopReasons", "bustProbability"} {
		if _, ok := ma[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
}

func TestBar(t *testing.T) {
	now := time.Unix(0, 0)
	var buf bytes.Buffer
	b := &Bar{W: &buf, Label: "simulating", Unit: "rounds", Width: 10, Now: func() time.Time { return now }}
	b.Update(0, 100)
	now = now.Add(10 * time.Millisecond)
	b.Update(10, 100) // too soon: not drawn
	now = now.Add(time.Second)
	b.Update(50, 100)
	b.Update(100, 100) // complete: always drawn
	b.Update(100, 100) // the same again: not drawn
	b.Finish()
	out := buf.String()
	if n := strings.Count(out, "\r"); n != 3 {
		t.Errorf("%d redraws, want 3: %q", n, out)
	}
	for _, want := range []string{"[=====>    ]  50.0%", "[==========] 100.0%", "ETA 1s", "100/100 rounds"} {
		if !strings.Contains(out, want) {
			t.Errorf("bar output lacks %q: %q", want, out)
		}
	}
	if !strings.HasSuffix(out, "\n") {
		t.Error("Finish does not end the line")
	}
}
