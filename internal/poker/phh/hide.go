package phh

import "github.com/arcadehq/arcade/internal/poker/card"

// Hide replaces the dealt hole cards of every player whom visible does not name with "????",
// except a player who showed them ("pN sm CARDS", which reveals them anyway). It is how a hand
// is served to people who did not hold those cards: the hand still replays to the same
// finishing stacks, since a folded or mucked hand's cards never decide a pot.
func Hide(h *Hand, visible func(player int) bool) {
	shown := map[int]bool{}
	for _, a := range h.Actions {
		if st, err := ParseAction(a); err == nil && st.Verb == ShowMuck && len(st.Cards) == 2 {
			shown[st.Player] = true
		}
	}
	for i, a := range h.Actions {
		st, err := ParseAction(a)
		if err != nil || st.Verb != DealHole || shown[st.Player] || visible(st.Player) {
			continue
		}
		st.Cards = []card.Card{Unknown, Unknown}
		h.Actions[i] = st.String()
	}
}

// Set sets a top-level field, appending it if the hand has none of that name.
func (h *Hand) Set(key string, v any) {
	for i, f := range h.Fields {
		if f.Key == key {
			h.Fields[i].Value = v
			return
		}
	}
	h.Fields = append(h.Fields, Field{Key: key, Value: v})
}

// Get returns a top-level field's value (nil if absent).
func (h *Hand) Get(key string) any {
	for _, f := range h.Fields {
		if f.Key == key {
			return f.Value
		}
	}
	return nil
}
