package turn

import "github.com/arcadehq/arcade/internal/persona"

// Progress is a player's standing with a persona (spec 003's progress answer, minus ids).
type Progress struct {
	CurrentMachine    string            `json:"current_machine_key,omitempty"`
	RelationshipLevel int               `json:"relationship_level"`
	TotalScore        int               `json:"total_score"`
	Completed         []Completion      `json:"completed_machines"`
	Available         []string          `json:"available_machines"`
	RoutePath         []string          `json:"route_path"`
	Vars              map[string]string `json:"cross_machine_vars"`
	HasLinks          bool              `json:"has_links"`
}

// RelationshipLevel is how well the player stands with the persona, which no source defines.
// Arcade's definition: over the latest completion of each machine, +1 for ACCEPT, 0 for REJECT,
// −1 for KICK_OUT, summed and floored at 0. It therefore counts the persona's machines the
// player has won, minus the ones they were thrown out of; it never depends on how many times a
// machine was replayed, only on how it last ended, and a fresh player is at 0.
func RelationshipLevel(completed []Completion) int {
	n := 0
	for _, c := range completed {
		switch c.Outcome {
		case persona.Accept:
			n++
		case persona.KickOutOut:
			n--
		}
	}
	return max(n, 0)
}

// TotalScore is the sum of the latest score of each completed machine.
func TotalScore(completed []Completion) int {
	n := 0
	for _, c := range completed {
		n += c.Score
	}
	return n
}

// Progress summarises st.
func (e *Engine) Progress(st State) Progress {
	vars := make(map[string]string, len(st.Vars))
	for k, v := range st.Vars {
		vars[k] = v
	}
	return Progress{
		CurrentMachine:    st.CurrentMachine,
		RelationshipLevel: RelationshipLevel(st.Completed),
		TotalScore:        TotalScore(st.Completed),
		Completed:         append([]Completion{}, st.Completed...),
		Available:         e.Available(st),
		RoutePath:         append([]string{}, st.RoutePath...),
		Vars:              vars,
		HasLinks:          len(e.def.MachineLinks) > 0,
	}
}

// Available lists the machines the player may enter, in definition order.
func (e *Engine) Available(st State) []string {
	out := []string{}
	for _, m := range e.def.Machines {
		if e.IsAvailable(st, m.MachineKey) {
			out = append(out, m.MachineKey)
		}
	}
	return out
}

// MachineInfo describes one machine for a player (the SDK's MachineInfo, minus ids).
type MachineInfo struct {
	MachineKey     string `json:"machine_key"`
	Name           string `json:"name"`
	Description    string `json:"description"`
	HasSession     bool   `json:"has_session"`
	SessionOutcome string `json:"session_outcome,omitempty"`
	// IsLinked: some link points at this machine (it starts locked unless it is an entry machine).
	IsLinked  bool `json:"is_linked"`
	Available bool `json:"available"`
}

// Machines lists every machine with the player's standing on it, in definition order.
func (e *Engine) Machines(st State) []MachineInfo {
	out := make([]MachineInfo, 0, len(e.def.Machines))
	for _, m := range e.def.Machines {
		s, ok := st.Sessions[m.MachineKey]
		out = append(out, MachineInfo{MachineKey: m.MachineKey, Name: m.Name, Description: m.Description,
			HasSession: ok, SessionOutcome: s.Outcome, IsLinked: e.def.Linked(m.MachineKey),
			Available: e.IsAvailable(st, m.MachineKey)})
	}
	return out
}
