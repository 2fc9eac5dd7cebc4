package tools

import (
	"context"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/httpapi/personaapi"
	"github.com/arcadehq/arcade/internal/ops"
	"github.com/arcadehq/arcade/internal/persona/service"
)

// playParams name a conversation: the persona, the player and optionally the machine.
type playParams struct {
	PersonaID     string `json:"persona_id" jsonschema:"required,description=a persona id from persona_list (the shipped examples: merchant-kael and captain-sera)"`
	UserSessionID string `json:"user_session_id" jsonschema:"required,maxLength=200,description=your id for the player (any string you keep; the player is your key plus this id)"`
	MachineID     string `json:"machine_id,omitempty" jsonschema:"description=a machine_key; absent: the current machine (the primary one before any)"`
}

func (p playParams) ref() (service.PlayRef, error) {
	if p.PersonaID == "" {
		return service.PlayRef{}, errs.Missing("parameters.persona_id")
	}
	if p.UserSessionID == "" {
		return service.PlayRef{}, errs.Missing("parameters.user_session_id")
	}
	return service.PlayRef{PersonaID: p.PersonaID, UserSessionID: p.UserSessionID, MachineID: p.MachineID, Web: true}, nil
}

// Personas builds the persona tools over the persona operations: list, start, play a message,
// progress and reset. They play like the web chat: any public persona, and the caller's own.
func Personas(o *service.Ops) *Set {
	s := &Set{byName: map[string]*Tool{}}
	add(s, "persona_list", "List the NPC personas you can talk to: the public ones (the shipped examples first), or with mine=true your own.",
		o.List, []string{"personas"},
		func(ctx context.Context, env Env, c ops.Caller, p struct {
			Mine  bool `json:"mine,omitempty" jsonschema:"description=only your own personas (needs your API key)"`
			Limit *int `json:"limit,omitempty" jsonschema:"minimum=1,maximum=100,default=20"`
		}) (any, error) {
			in := service.ListQuery{PublicOnly: true, Mine: p.Mine, Limit: intOr(p.Limit, service.DefaultListLimit)}
			if err := rangeCheck("parameters.limit", in.Limit, 1, service.MaxListLimit); err != nil {
				return nil, err
			}
			list, err := o.List.Invoke(ctx, c, in)
			if err != nil {
				return nil, err
			}
			out := make([]personaapi.PersonaItem, 0, len(list))
			for _, x := range list {
				out = append(out, personaapi.Item(x))
			}
			return map[string]any{"personas": out}, nil
		})
	add(s, "persona_start", "Start a conversation with a persona's machine (replacing an earlier one) and get the NPC's opening line.",
		o.Start, []string{"session_id", "machine_id", "message", "persona_name"},
		func(ctx context.Context, env Env, c ops.Caller, p struct {
			playParams
			PlayerName   string `json:"player_name,omitempty" jsonschema:"maxLength=200"`
			PlayerGender string `json:"player_gender,omitempty" jsonschema:"enum=female,enum=male,enum=non-binary"`
		}) (any, error) {
			ref, err := p.ref()
			if err != nil {
				return nil, err
			}
			st, err := o.Start.Invoke(ctx, c, service.StartInput{PlayRef: ref, PlayerName: p.PlayerName, PlayerGender: p.PlayerGender})
			if err != nil {
				return nil, err
			}
			return personaapi.SessionInitOf(st), nil
		})
	add(s, "persona_message", "Say one thing to a persona in a started conversation: the NPC's reply, state, score, decision, outcome and unlocked machines.",
		o.Message, []string{"message", "current_state", "score", "decision", "outcome", "follow_up", "machine_completed", "unlocked_machines"},
		func(ctx context.Context, env Env, c ops.Caller, p struct {
			playParams
			Message string `json:"message" jsonschema:"required,minLength=1,maxLength=4000"`
		}) (any, error) {
			ref, err := p.ref()
			if err != nil {
				return nil, err
			}
			if p.Message == "" {
				return nil, errs.Missing("parameters.message")
			}
			r, err := o.Message.Invoke(ctx, c, service.MessageInput{PlayRef: ref, Message: p.Message})
			if err != nil {
				return nil, err
			}
			return personaapi.ChatResponseOf(r), nil
		})
	add(s, "persona_progress", "Your player's progress with a persona: relationship level, total score, completed and available machines, carried variables.",
		o.Progress, []string{"relationship_level", "total_score", "completed_machines", "available_machines", "cross_machine_vars"},
		func(ctx context.Context, env Env, c ops.Caller, p playParams) (any, error) {
			ref, err := p.ref()
			if err != nil {
				return nil, err
			}
			pr, err := o.Progress.Invoke(ctx, c, ref)
			if err != nil {
				return nil, err
			}
			return personaapi.ProgressOf(pr), nil
		})
	add(s, "persona_reset", "Reset your player's progress and every conversation with a persona (start over).",
		o.ResetProgress, []string{"persona_id", "message"},
		func(ctx context.Context, env Env, c ops.Caller, p playParams) (any, error) {
			ref, err := p.ref()
			if err != nil {
				return nil, err
			}
			r, err := o.ResetProgress.Invoke(ctx, c, ref)
			if err != nil {
				return nil, err
			}
			return personaapi.ProgressReset{PersonaID: r.PersonaID, Message: r.Message}, nil
		})
	return s
}

// Merge returns a set with s's tools, then o's. A name in both panics: a programming error the
// first test run catches.
func (s *Set) Merge(o *Set) *Set {
	out := &Set{byName: map[string]*Tool{}}
	for _, set := range []*Set{s, o} {
		for _, t := range set.list {
			if _, dup := out.byName[t.Name]; dup {
				panic("tools: duplicate tool " + t.Name)
			}
			out.list = append(out.list, t)
			out.byName[t.Name] = t
		}
	}
	return out
}
