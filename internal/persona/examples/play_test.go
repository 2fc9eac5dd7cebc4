package examples

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/persona"
	"github.com/arcadehq/arcade/internal/persona/rules"
	"github.com/arcadehq/arcade/internal/persona/turn"
)

// fakeClock advances one second per reading, so every stamp is distinct and reproducible.
type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time {
	c.t = c.t.Add(time.Second)
	return c.t
}

// game is a player with a stored state and a stored history, as the service will keep them.
type game struct {
	t       *testing.T
	eng     *turn.Engine
	st      turn.State
	history map[string][]turn.Message
}

func newGame(t *testing.T, slug string) *game {
	t.Helper()
	ex, err := Get(slug)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := rules.New(ex.Definition)
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{t: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)}
	return &game{t: t, eng: turn.New(ex.Definition, ev, clock.Now), history: map[string][]turn.Message{}}
}

func (g *game) start(machine string) turn.Started {
	g.t.Helper()
	s, err := g.eng.Start(context.Background(), &g.st, machine, turn.Player{Name: "Ada", Gender: "female"})
	if err != nil {
		g.t.Fatalf("start %q: %v", machine, err)
	}
	if s.Evaluator != rules.Name {
		g.t.Fatalf("evaluator %q", s.Evaluator)
	}
	g.history[s.MachineKey] = append(g.history[s.MachineKey], s.Messages...)
	return s
}

func (g *game) say(msg string) turn.Result {
	g.t.Helper()
	r, err := g.eng.Turn(context.Background(), &g.st, "", msg, g.history[g.st.CurrentMachine])
	if err != nil {
		g.t.Fatalf("say %q: %v", msg, err)
	}
	if r.Evaluator != rules.Name {
		g.t.Fatalf("evaluator %q", r.Evaluator)
	}
	for _, m := range r.Messages {
		g.history[m.MachineKey] = append(g.history[m.MachineKey], m)
	}
	return r
}

// step is one expected exchange.
type step struct {
	say       string
	state     string
	score     int
	decision  string
	followUp  bool
	outcome   string
	redirects int
	reply     string // a fragment the reply must contain
}

func (g *game) play(steps []step) turn.Result {
	g.t.Helper()
	var r turn.Result
	for i, s := range steps {
		r = g.say(s.say)
		if r.StateKey != s.state || r.Score != s.score || r.Decision != s.decision || r.FollowUp != s.followUp ||
			r.Outcome != s.outcome || r.RedirectCount != s.redirects || !strings.Contains(r.Reply, s.reply) {
			g.t.Fatalf("step %d %q:\n got state=%s score=%d decision=%q follow_up=%v outcome=%q redirects=%d reply=%q\nwant state=%s score=%d decision=%q follow_up=%v outcome=%q redirects=%d reply~%q",
				i, s.say, r.StateKey, r.Score, r.Decision, r.FollowUp, r.Outcome, r.RedirectCount, r.Reply,
				s.state, s.score, s.decision, s.followUp, s.outcome, s.redirects, s.reply)
		}
		if r.MachineCompleted != (s.outcome != "") {
			g.t.Fatalf("step %d: machine_completed=%v with outcome %q", i, r.MachineCompleted, s.outcome)
		}
	}
	return r
}

func TestKaelDealThenTheJob(t *testing.T) {
	g := newGame(t, "merchant-kael")
	open := g.start("")
	if open.MachineKey != "haggle" || !strings.Contains(open.Reply, "Ada") || !strings.Contains(open.Reply, "wary") {
		t.Fatalf("opening %+v", open)
	}
	if got := g.eng.Available(g.st); !reflect.DeepEqual(got, []string{"haggle"}) {
		t.Fatalf("available before play: %v", got)
	}
	r := g.play([]step{
		{say: "Hello there", state: "haggling", score: 1, decision: "pass", reply: "What do you want to buy"},
		{say: "I want to buy a lantern", state: "haggling", score: 1, decision: "redirect", redirects: 1, reply: "Name a price"},
		{say: "Maybe, I am not sure", state: "haggling", score: 1, followUp: true, redirects: 1, reply: "Name a number"},
		{say: "60 gold", state: "deal", score: 3, decision: "pass", outcome: "ACCEPT", redirects: 1, reply: "60 gold for the lantern. Done, Ada."},
	})
	if want := []turn.Unlock{{MachineKey: "smuggle", Name: "A quiet job", IsAutoAdvance: true}}; !reflect.DeepEqual(r.Unlocked, want) {
		t.Fatalf("unlocked %+v", r.Unlocked)
	}
	if want := map[string]string{"item": "lantern", "price": "60"}; !reflect.DeepEqual(r.Extracted, want) {
		t.Fatalf("extracted %v", r.Extracted)
	}
	if r.Advanced == nil || r.Advanced.MachineKey != "smuggle" || !strings.Contains(r.Advanced.Reply, "You bought the lantern fairly, Ada") {
		t.Fatalf("auto-advance %+v", r.Advanced)
	}
	if n := len(r.Messages); n != 3 || r.Messages[2].MachineKey != "smuggle" {
		t.Fatalf("messages %+v", r.Messages)
	}
	p := g.eng.Progress(g.st)
	if p.CurrentMachine != "smuggle" || p.RelationshipLevel != 1 || p.TotalScore != 3 ||
		!reflect.DeepEqual(p.RoutePath, []string{"haggle", "smuggle"}) ||
		!reflect.DeepEqual(p.Available, []string{"haggle", "smuggle"}) || !p.HasLinks ||
		p.Vars["item"] != "lantern" || p.Vars["price"] != "60" || len(p.Completed) != 1 ||
		p.Completed[0] != (turn.Completion{MachineKey: "haggle", Outcome: "ACCEPT", Score: 3, CompletedAt: p.Completed[0].CompletedAt}) {
		t.Fatalf("progress %+v", p)
	}

	// The carried price reaches the pass/fail machine's template and its typed expression.
	r = g.play([]step{
		{say: "How much will you pay me?", state: "pitch", followUp: true, reply: "You paid me 60 gold"},
		{say: "Hmm.", state: "pitch", decision: "redirect", redirects: 1, reply: "Yes or no, Ada?"},
		{say: "Yes, deal.", state: "agreed", decision: "pass", outcome: "ACCEPT", redirects: 1, reply: "Midnight"},
	})
	if r.ScoringMode != persona.PassFailMode || len(r.Unlocked) != 0 {
		t.Fatalf("result %+v", r)
	}
	p = g.eng.Progress(g.st)
	if p.RelationshipLevel != 2 || p.TotalScore != 3 || len(p.Completed) != 2 {
		t.Fatalf("progress %+v", p)
	}
	infos := g.eng.Machines(g.st)
	if !infos[1].HasSession || infos[1].SessionOutcome != "ACCEPT" || !infos[1].IsLinked || infos[2].Available {
		t.Fatalf("machines %+v", infos)
	}

	// A finished conversation takes no more messages.
	if _, err := g.eng.Turn(context.Background(), &g.st, "smuggle", "hello?", nil); errs.KindOf(err) != errs.Conflict {
		t.Fatalf("turn after the end: %v", err)
	}
	// Reset of one machine drops its session and keeps progress; the machine can be replayed.
	if err := g.eng.Reset(&g.st, "smuggle"); err != nil {
		t.Fatal(err)
	}
	if _, ok := g.st.Sessions["smuggle"]; ok || len(g.st.Completed) != 2 {
		t.Fatalf("after reset %+v", g.st)
	}
	g.start("smuggle")
	g.play([]step{{say: "No, never.", state: "pitch", decision: "reject", outcome: "REJECT", reply: "Pity"}})
	if p := g.eng.Progress(g.st); p.RelationshipLevel != 1 || len(p.Completed) != 2 || p.Completed[1].Outcome != "REJECT" {
		t.Fatalf("progress after replay %+v", p)
	}
	// Resetting progress forgets everything: the linked machine locks again.
	turn.ResetProgress(&g.st)
	if p := g.eng.Progress(g.st); p.RelationshipLevel != 0 || len(p.Completed) != 0 || len(p.Vars) != 0 ||
		!reflect.DeepEqual(p.Available, []string{"haggle"}) {
		t.Fatalf("progress after reset %+v", p)
	}
	if _, err := g.eng.Start(context.Background(), &g.st, "smuggle", turn.Player{}); errs.As(err) == nil || errs.As(err).Code != turn.CodeMachineLocked {
		t.Fatalf("start locked: %v", err)
	}
}

func TestKaelLowballUnlocksTheApology(t *testing.T) {
	g := newGame(t, "merchant-kael")
	g.start("haggle")
	r := g.play([]step{
		{say: "Good day", state: "haggling", score: 1, decision: "pass"},
		// reject in scoring mode: penalty, then along the pass transition to the terminal.
		{say: "I will buy your knife for 30 gold", state: "deal", score: 0, decision: "reject", outcome: "REJECT", reply: "30 gold? An insult."},
	})
	if want := []turn.Unlock{{MachineKey: "apology", Name: "Making amends"}}; !reflect.DeepEqual(r.Unlocked, want) || r.Advanced != nil {
		t.Fatalf("unlocked %+v advanced %+v", r.Unlocked, r.Advanced)
	}
	if g.st.CurrentMachine != "haggle" {
		t.Fatalf("current %q", g.st.CurrentMachine)
	}
	g.start("apology")
	g.play([]step{
		{say: "What?", state: "cold", decision: "redirect", redirects: 1, reply: "waiting"},
		{say: "I am sorry.", state: "forgiven", score: 3, decision: "pass", outcome: "ACCEPT", redirects: 1, reply: "Apology accepted"},
	})
	p := g.eng.Progress(g.st)
	if p.RelationshipLevel != 1 || p.TotalScore != 3 || !reflect.DeepEqual(p.RoutePath, []string{"haggle", "apology"}) {
		t.Fatalf("progress %+v", p)
	}
}

func TestKaelKickOutAndEarlyFail(t *testing.T) {
	g := newGame(t, "merchant-kael")
	g.start("")
	r := g.play([]step{{say: "I'll rob you blind", state: "greeting", score: -5, decision: "kick_out", outcome: "KICK_OUT", reply: "Thief!"}})
	if len(r.Unlocked) != 1 || r.Unlocked[0].MachineKey != "apology" { // score -5 ≤ 0
		t.Fatalf("unlocked %+v", r.Unlocked)
	}
	if p := g.eng.Progress(g.st); p.RelationshipLevel != 0 || p.TotalScore != -5 {
		t.Fatalf("progress %+v", p)
	}

	g = newGame(t, "merchant-kael")
	g.start("")
	g.play([]step{
		{say: "Give me stuff", state: "greeting", score: -1, decision: "redirect", redirects: 1, reply: "manners"},
		{say: "Now", state: "greeting", score: -2, decision: "redirect", redirects: 2},
		// score -3 reaches the early-fail bound: REJECT at once.
		{say: "NOW", state: "greeting", score: -3, decision: "redirect", outcome: "REJECT", redirects: 3, reply: "No. We are done here."},
	})
}

func TestSeraGateUnlocksTwoMachines(t *testing.T) {
	g := newGame(t, "captain-sera")
	g.start("")
	r := g.play([]step{
		{say: "Why?", state: "challenge", decision: "redirect", redirects: 1, reply: "Your name"},
		{say: "My name is Brennan", state: "purpose", score: 1, decision: "pass", redirects: 1, reply: "your business in the city, Brennan?"},
		{say: "Why do you ask?", state: "purpose", score: 1, followUp: true, redirects: 1, reply: "Because I decide"},
		{say: "I come to trade wool", state: "through", score: 3, decision: "pass", outcome: "ACCEPT", redirects: 1, reply: "Pass, Brennan."},
	})
	want := []turn.Unlock{{MachineKey: "barracks", Name: "The watch wants you", IsAutoAdvance: true}, {MachineKey: "tavern", Name: "Off duty"}}
	if !reflect.DeepEqual(r.Unlocked, want) {
		t.Fatalf("unlocked %+v", r.Unlocked)
	}
	if r.Advanced == nil || r.Advanced.MachineKey != "barracks" || !strings.Contains(r.Advanced.Reply, "You talk straight, Brennan") {
		t.Fatalf("advanced %+v", r.Advanced)
	}
	g.play([]step{{say: "I run to my post at the gate", state: "sworn", decision: "pass", outcome: "ACCEPT", reply: "Welcome to the watch"}})
	g.start("tavern")
	g.play([]step{{say: "Talk to me", state: "bar", decision: "redirect", redirects: 1, reply: "I said make it quick."}})
	// Reset one machine: its session goes, progress stays, and it plays again from the start.
	if err := g.eng.Reset(&g.st, "tavern"); err != nil {
		t.Fatal(err)
	}
	if infos := g.eng.Machines(g.st); infos[2].HasSession || !infos[2].Available {
		t.Fatalf("tavern after reset %+v", infos[2])
	}
	g.start("tavern")
	g.play([]step{{say: "A round of ale?", state: "friends", score: 3, decision: "pass", outcome: "ACCEPT"}})
	p := g.eng.Progress(g.st)
	if p.RelationshipLevel != 3 || p.TotalScore != 6 || !reflect.DeepEqual(p.RoutePath, []string{"gate", "barracks", "tavern"}) || p.Vars["alias"] != "Brennan" {
		t.Fatalf("progress %+v", p)
	}
}

func TestSeraRejectAndKickOut(t *testing.T) {
	g := newGame(t, "captain-sera")
	g.start("")
	r := g.play([]step{
		{say: "My name is Vex", state: "purpose", score: 1, decision: "pass"},
		{say: "That's a secret", state: "through", score: 0, decision: "reject", outcome: "REJECT", reply: "wait outside"},
	})
	// always fires whatever the outcome; score_gte 3 does not.
	if len(r.Unlocked) != 1 || r.Unlocked[0].MachineKey != "tavern" || r.Advanced != nil {
		t.Fatalf("unlocked %+v", r.Unlocked)
	}
	g.history = map[string][]turn.Message{}
	turn.ResetProgress(&g.st)
	g.start("gate")
	g.play([]step{{say: "I will attack you", state: "challenge", score: -2, decision: "kick_out", outcome: "KICK_OUT", reply: "Seize them"}})
}

// A turn that fails leaves the stored state exactly as it was.
func TestFailedTurnChangesNothing(t *testing.T) {
	g := newGame(t, "merchant-kael")
	g.start("")
	before, _ := json.Marshal(g.st)
	for _, msg := range []string{"", "   ", strings.Repeat("x", turn.MaxMessageBytes+1), "\xff"} {
		if _, err := g.eng.Turn(context.Background(), &g.st, "", msg, nil); !errors.Is(err, errs.ErrValidation) && errs.KindOf(err) != errs.TooLarge {
			t.Fatalf("message %.10q: %v", msg, err)
		}
	}
	if _, err := g.eng.Turn(context.Background(), &g.st, "apology", "sorry", nil); errs.KindOf(err) != errs.NotFound {
		t.Fatalf("no session: %v", err)
	}
	if _, err := g.eng.Turn(context.Background(), &g.st, "nope", "hi", nil); errs.KindOf(err) != errs.NotFound {
		t.Fatalf("unknown machine: %v", err)
	}
	after, _ := json.Marshal(g.st)
	if string(before) != string(after) {
		t.Fatalf("state changed:\n%s\n%s", before, after)
	}
}

// The state round-trips through JSON, as the caller stores it, and play continues identically.
func TestStateRoundTrip(t *testing.T) {
	g := newGame(t, "merchant-kael")
	g.start("")
	g.say("hello")
	g.say("I want to buy a lamp for 55 gold")
	raw, err := json.Marshal(g.st)
	if err != nil {
		t.Fatal(err)
	}
	var back turn.State
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Clone(), g.st.Clone()) {
		t.Fatalf("round trip:\n%+v\n%+v", back, g.st)
	}
}

// FuzzPlay sends arbitrary messages to every shipped persona: a turn either applies or is refused
// as bad input, never any other error, and the state always survives a JSON round trip.
func FuzzPlay(f *testing.F) {
	for _, m := range []string{"hello", "I want to buy a lantern for 60 gold", "maybe", "My name is Ada", "yes", "", "\xff", "rob"} {
		f.Add(m, m, m)
	}
	all, err := All()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, a, b, c string) {
		for _, ex := range all {
			g := newGame(t, ex.Slug)
			g.start("")
			for _, msg := range []string{a, b, c} {
				r, err := g.eng.Turn(context.Background(), &g.st, "", msg, g.history[g.st.CurrentMachine])
				if err != nil {
					k := errs.KindOf(err)
					if k != errs.Validation && k != errs.TooLarge && k != errs.Conflict {
						t.Fatalf("%s %q: %v", ex.Slug, msg, err)
					}
					continue
				}
				for _, m := range r.Messages {
					g.history[m.MachineKey] = append(g.history[m.MachineKey], m)
				}
			}
			raw, err := json.Marshal(g.st)
			if err != nil {
				t.Fatal(err)
			}
			var back turn.State
			if err := json.Unmarshal(raw, &back); err != nil {
				t.Fatal(err)
			}
		}
	})
}
