package phh

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/arcadehq/arcade/internal/poker/card"
)

// Unknown stands for a card written "??" (hidden).
const Unknown card.Card = 0xFF

// Verb is what an action line does.
type Verb uint8

// Verbs of NT hands.
const (
	NoOp      Verb = iota // a comment only
	DealHole              // d dh pN CARDS
	DealBoard             // d db CARDS
	Fold                  // pN f
	CheckCall             // pN cc
	BetRaise              // pN cbr AMOUNT (raise-to)
	ShowMuck              // pN sm [CARDS|-]: no cards is a muck
)

// Step is one parsed action line.
type Step struct {
	Verb    Verb
	Player  int // 1-based; 0 for the dealer
	Cards   []card.Card
	Amount  int64
	Comment string
	Known   bool // ShowMuck: "-" (the cards already dealt) or cards given
}

// ParseAction reads one PHH action string.
func ParseAction(s string) (Step, error) {
	var st Step
	body := s
	if i := strings.IndexByte(s, '#'); i >= 0 {
		body, st.Comment = s[:i], strings.TrimSpace(s[i+1:])
	}
	f := strings.Fields(body)
	if len(f) == 0 {
		if st.Comment == "" && strings.TrimSpace(s) != "" {
			return st, fmt.Errorf("%w: %q", ErrAction, s)
		}
		return st, nil
	}
	bad := func(why string) (Step, error) { return Step{}, fmt.Errorf("%w: %q: %s", ErrAction, s, why) }
	if f[0] == "d" {
		if len(f) < 2 {
			return bad("dealer action without a verb")
		}
		switch f[1] {
		case "dh":
			if len(f) != 4 {
				return bad("want d dh pN CARDS")
			}
			p, err := player(f[2])
			if err != nil {
				return bad(err.Error())
			}
			cs, err := cards(f[3])
			if err != nil {
				return bad(err.Error())
			}
			if len(cs) != 2 {
				return bad("NT deals two hole cards")
			}
			return Step{Verb: DealHole, Player: p, Cards: cs, Comment: st.Comment}, nil
		case "db":
			if len(f) != 3 {
				return bad("want d db CARDS")
			}
			cs, err := cards(f[2])
			if err != nil {
				return bad(err.Error())
			}
			if len(cs) < 1 || len(cs) > 5 {
				return bad("a board deal has 1 to 5 cards")
			}
			return Step{Verb: DealBoard, Cards: cs, Comment: st.Comment}, nil
		}
		return bad(fmt.Sprintf("dealer verb %q is not used in NT", f[1]))
	}
	p, err := player(f[0])
	if err != nil {
		return bad(err.Error())
	}
	if len(f) < 2 {
		return bad("player action without a verb")
	}
	st.Player = p
	switch f[1] {
	case "f", "cc":
		if len(f) != 2 {
			return bad("unexpected operand")
		}
		st.Verb = Fold
		if f[1] == "cc" {
			st.Verb = CheckCall
		}
	case "cbr":
		if len(f) != 3 {
			return bad("want pN cbr AMOUNT")
		}
		v, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil || v <= 0 {
			return bad("amount is not a positive whole number")
		}
		st.Verb, st.Amount = BetRaise, v
	case "sm":
		st.Verb = ShowMuck
		switch {
		case len(f) == 2:
		case len(f) == 3 && f[2] == "-":
			st.Known = true
		case len(f) == 3:
			cs, err := cards(f[2])
			if err != nil {
				return bad(err.Error())
			}
			if len(cs) != 2 {
				return bad("NT shows two cards")
			}
			st.Cards, st.Known = cs, true
		default:
			return bad("unexpected operand")
		}
	default:
		return bad(fmt.Sprintf("player verb %q is not used in NT", f[1]))
	}
	return st, nil
}

func player(s string) (int, error) {
	if len(s) < 2 || s[0] != 'p' {
		return 0, fmt.Errorf("%q is not a player", s)
	}
	n, err := strconv.Atoi(s[1:])
	if err != nil || n < 1 || n > 99 || s[1] == '0' || s[1] == '+' {
		return 0, fmt.Errorf("%q is not a player", s)
	}
	return n, nil
}

// cards reads cards written back to back; "??" is an Unknown card.
func cards(s string) ([]card.Card, error) {
	if len(s)%2 != 0 || len(s) == 0 {
		return nil, fmt.Errorf("%q is not a list of cards", s)
	}
	out := make([]card.Card, 0, len(s)/2)
	for i := 0; i < len(s); i += 2 {
		if s[i] == '?' && s[i+1] == '?' {
			out = append(out, Unknown)
			continue
		}
		c, err := card.Parse(s[i : i+2])
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// String writes the step as a PHH action string.
func (st Step) String() string {
	var b strings.Builder
	p := "p" + strconv.Itoa(st.Player)
	switch st.Verb {
	case DealHole:
		b.WriteString("d dh " + p + " " + cardsString(st.Cards))
	case DealBoard:
		b.WriteString("d db " + cardsString(st.Cards))
	case Fold:
		b.WriteString(p + " f")
	case CheckCall:
		b.WriteString(p + " cc")
	case BetRaise:
		b.WriteString(p + " cbr " + strconv.FormatInt(st.Amount, 10))
	case ShowMuck:
		b.WriteString(p + " sm")
		if len(st.Cards) > 0 {
			b.WriteString(" " + cardsString(st.Cards))
		} else if st.Known {
			b.WriteString(" -")
		}
	}
	if st.Comment != "" {
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		b.WriteString("# " + st.Comment)
	}
	return b.String()
}

func cardsString(cs []card.Card) string {
	var b strings.Builder
	for _, c := range cs {
		if c == Unknown {
			b.WriteString("??")
		} else {
			b.WriteString(c.String())
		}
	}
	return b.String()
}
