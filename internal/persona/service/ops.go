package service

import (
	"context"

	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/ops"
	"github.com/arcadehq/arcade/internal/persona"
	"github.com/arcadehq/arcade/internal/persona/turn"
)

// Ops are the persona operations, declared once in the registry.
type Ops struct {
	List          *ops.Def[ListQuery, []Summary]
	Get           *ops.Def[ByID, Stored]
	Full          *ops.Def[ByID, Stored]
	Save          *ops.Def[SaveInput, Stored]
	Delete        *ops.Def[ByID, ByID]
	Publish       *ops.Def[ByID, Published]
	Progress      *ops.Def[PlayRef, Progress]
	ResetProgress *ops.Def[PlayRef, ResetResult]
	Available     *ops.Def[PlayRef, []turn.MachineInfo]
	SDKList       *ops.Def[ops.None, []Summary]
	Start         *ops.Def[StartInput, SessionInit]
	Message       *ops.Def[MessageInput, Reply]
	Session       *ops.Def[PlayRef, SessionStatus]
	History       *ops.Def[PlayRef, History]
	Reset         *ops.Def[PlayRef, ResetResult]
	Machines      *ops.Def[PlayRef, []turn.MachineInfo]
	ValidateLLM   *ops.Def[LLMKey, LLMKeyCheck]
	CreateKey     *ops.Def[KeyName, NewKey]
	Keys          *ops.Def[ops.None, []account.KeyInfo]
	RevokeKey     *ops.Def[ByID, ByID]
	Me            *ops.Def[ops.None, account.Account]
	Migrate       *ops.Def[MigrateInput, Migrated]
	Schema        *ops.Def[ops.None, []byte]
}

// KeyName names a new SDK key.
type KeyName struct{ Name string }

// NewKey is a new SDK key: the secret is shown once.
type NewKey struct {
	Secret string
	account.KeyInfo
}

// LLMKey is what a client sends to check its language-model key: the model (the key itself
// comes in the X-LLM-API-Key header, carried by llm.WithKeys, never stored).
type LLMKey struct{ Model string }

// LLMKeyCheck answers validate-llm-key.
type LLMKeyCheck struct {
	Valid bool
	Model string
	Error string
}

// ByID names one persona.
type ByID struct{ ID string }

// Declare adds the persona operations to r.
func (s *Service) Declare(r *ops.Registry) *Ops {
	o := &Ops{}
	nf := []errs.Kind{errs.NotFound}
	owner := []errs.Kind{errs.NotFound, errs.Forbidden}
	play := []errs.Kind{errs.NotFound, errs.Forbidden, errs.Conflict}
	o.List = ops.Add(r, &ops.Def[ListQuery, []Summary]{D: ops.Desc{Name: "persona.list", Access: ops.Public, Errors: []errs.Kind{errs.Unauthorized},
		Summary: "List personas: the public ones (the shipped examples first), or with my_personas=true the caller's own."},
		Run: func(ctx context.Context, c ops.Caller, in ListQuery) ([]Summary, error) {
			return s.List(ctx, c.ID(), in)
		}})
	o.Get = ops.Add(r, &ops.Def[ByID, Stored]{D: ops.Desc{Name: "persona.get", Access: ops.Public, Errors: nf,
		Summary: "One persona: name, description, identity prompt, owner and publication."},
		Run: func(ctx context.Context, c ops.Caller, in ByID) (Stored, error) { return s.Get(ctx, c.ID(), in.ID) }})
	o.Full = ops.Add(r, &ops.Def[ByID, Stored]{D: ops.Desc{Name: "persona.full", Access: ops.Public, Errors: nf,
		Summary: "One persona's whole definition: machines, states, transitions, variables and machine links."},
		Run: func(ctx context.Context, c ops.Caller, in ByID) (Stored, error) { return s.Get(ctx, c.ID(), in.ID) }})
	o.Save = ops.Add(r, &ops.Def[SaveInput, Stored]{D: ops.Desc{Name: "persona.save", Access: ops.Player,
		Errors:  []errs.Kind{errs.NotFound, errs.Forbidden, errs.TooLarge},
		Summary: "Create a persona, or update the caller's persona_id, from a definition (validated; errors name the JSON path)."},
		Run: func(ctx context.Context, c ops.Caller, in SaveInput) (Stored, error) { return s.Save(ctx, c.ID(), in) }})
	o.Delete = ops.Add(r, &ops.Def[ByID, ByID]{D: ops.Desc{Name: "persona.delete", Access: ops.Player, Errors: owner,
		Summary: "Delete the caller's persona with every session, chat history and progress."},
		Run: func(ctx context.Context, c ops.Caller, in ByID) (ByID, error) {
			return in, s.Delete(ctx, c.ID(), in.ID)
		}})
	o.Publish = ops.Add(r, &ops.Def[ByID, Published]{D: ops.Desc{Name: "persona.publish", Access: ops.Player, Errors: owner,
		Summary: "Publish the caller's persona and get its play link."},
		Run: func(ctx context.Context, c ops.Caller, in ByID) (Published, error) {
			return s.Publish(ctx, c.ID(), in.ID)
		}})
	o.Progress = ops.Add(r, &ops.Def[PlayRef, Progress]{D: ops.Desc{Name: "persona.progress", Access: ops.Player, Errors: nf,
		Summary: "A player's progress with a persona: relationship level, total score, completions, route, variables."},
		Run: func(ctx context.Context, c ops.Caller, in PlayRef) (Progress, error) {
			in.Web = true
			return s.Progress(ctx, c.ID(), in)
		}})
	o.ResetProgress = ops.Add(r, &ops.Def[PlayRef, ResetResult]{D: ops.Desc{Name: "persona.progress.reset", Access: ops.Player,
		Errors: []errs.Kind{errs.NotFound, errs.Conflict}, Summary: "Reset a player's progress and every session with a persona."},
		Run: func(ctx context.Context, c ops.Caller, in PlayRef) (ResetResult, error) {
			in.Web = true
			return s.ResetProgress(ctx, c.ID(), in)
		}})
	o.Available = ops.Add(r, &ops.Def[PlayRef, []turn.MachineInfo]{D: ops.Desc{Name: "persona.machines.available", Access: ops.Player,
		Errors: nf, Summary: "The machines a player may enter now."},
		Run: func(ctx context.Context, c ops.Caller, in PlayRef) ([]turn.MachineInfo, error) {
			in.Web = true
			all, err := s.Machines(ctx, c.ID(), in)
			out := []turn.MachineInfo{}
			for _, m := range all {
				if m.Available {
					out = append(out, m)
				}
			}
			return out, err
		}})
	o.SDKList = ops.Add(r, &ops.Def[ops.None, []Summary]{D: ops.Desc{Name: "persona.sdk.list", Access: ops.Player,
		Summary: "The personas an SDK key may play: the shipped examples and the key owner's published personas."},
		Run: func(ctx context.Context, c ops.Caller, _ ops.None) ([]Summary, error) { return s.SDKList(ctx, c.ID()) }})
	o.Start = ops.Add(r, &ops.Def[StartInput, SessionInit]{D: ops.Desc{Name: "persona.sdk.start", Access: ops.Player, Errors: play,
		Summary: "Start a session with a persona's machine (the primary one by default) and get the NPC's opening line."},
		Run: func(ctx context.Context, c ops.Caller, in StartInput) (SessionInit, error) {
			return s.Start(ctx, c.ID(), in)
		}})
	o.Message = ops.Add(r, &ops.Def[MessageInput, Reply]{D: ops.Desc{Name: "persona.sdk.message", Access: ops.Player,
		Errors:  []errs.Kind{errs.NotFound, errs.Forbidden, errs.Conflict, errs.TooLarge},
		Summary: "Send a player message: the NPC's reply, state, score, decision, outcome and unlocked machines."},
		Run: func(ctx context.Context, c ops.Caller, in MessageInput) (Reply, error) {
			return s.Message(ctx, c.ID(), in)
		}})
	o.Session = ops.Add(r, &ops.Def[PlayRef, SessionStatus]{D: ops.Desc{Name: "persona.sdk.session", Access: ops.Player, Errors: play,
		Summary: "A session's state, score and outcome."},
		Run: func(ctx context.Context, c ops.Caller, in PlayRef) (SessionStatus, error) {
			return s.Session(ctx, c.ID(), in)
		}})
	o.History = ops.Add(r, &ops.Def[PlayRef, History]{D: ops.Desc{Name: "persona.sdk.history", Access: ops.Player, Errors: play,
		Summary: "A session with its chat history."},
		Run: func(ctx context.Context, c ops.Caller, in PlayRef) (History, error) {
			return s.History(ctx, c.ID(), in)
		}})
	o.Reset = ops.Add(r, &ops.Def[PlayRef, ResetResult]{D: ops.Desc{Name: "persona.sdk.reset", Access: ops.Player, Errors: play,
		Summary: "Delete one machine's session and its history (progress stays)."},
		Run: func(ctx context.Context, c ops.Caller, in PlayRef) (ResetResult, error) {
			return s.Reset(ctx, c.ID(), in)
		}})
	o.Machines = ops.Add(r, &ops.Def[PlayRef, []turn.MachineInfo]{D: ops.Desc{Name: "persona.sdk.machines", Access: ops.Player,
		Errors: play, Summary: "Every machine of a persona with the player's session, outcome, link and availability."},
		Run: func(ctx context.Context, c ops.Caller, in PlayRef) ([]turn.MachineInfo, error) {
			return s.Machines(ctx, c.ID(), in)
		}})
	o.ValidateLLM = ops.Add(r, &ops.Def[LLMKey, LLMKeyCheck]{D: ops.Desc{Name: "persona.sdk.validate_llm_key", Access: ops.Player,
		Summary: "Check a language-model key against the server's endpoint with a one-token completion " +
			"(without an endpoint configured, personas are played by the rule-based evaluator and no key is needed)."},
		Run: func(ctx context.Context, c ops.Caller, in LLMKey) (LLMKeyCheck, error) {
			return s.ValidateLLMKey(ctx, in)
		}})
	o.CreateKey = ops.Add(r, &ops.Def[KeyName, NewKey]{D: ops.Desc{Name: "persona.sdk.keys.create", Access: ops.Player,
		Summary: "Issue a pk_live_ key for the persona SDK (shown once; the account's other keys keep working)."},
		Run: func(ctx context.Context, c ops.Caller, in KeyName) (NewKey, error) {
			k, info, err := s.Accounts.IssueNamedKey(ctx, c.ID(), account.PrefixSDK, in.Name)
			return NewKey{Secret: k.Secret, KeyInfo: info}, err
		}})
	o.Keys = ops.Add(r, &ops.Def[ops.None, []account.KeyInfo]{D: ops.Desc{Name: "persona.sdk.keys.list", Access: ops.Player,
		Summary: "The account's active pk_live_ keys, by prefix (never the secret)."},
		Run: func(ctx context.Context, c ops.Caller, _ ops.None) ([]account.KeyInfo, error) {
			return s.Accounts.KeysWithPrefix(ctx, c.ID(), account.PrefixSDK)
		}})
	o.RevokeKey = ops.Add(r, &ops.Def[ByID, ByID]{D: ops.Desc{Name: "persona.sdk.keys.revoke", Access: ops.Player, Errors: nf,
		Summary: "Revoke one of the account's pk_live_ keys; it stops working at once."},
		Run: func(ctx context.Context, c ops.Caller, in ByID) (ByID, error) {
			if in.ID == "" {
				return in, errs.Missing("key_id")
			}
			return in, s.Accounts.RevokeKeyWithPrefix(ctx, c.ID(), account.PrefixSDK, in.ID)
		}})
	o.Me = ops.Add(r, &ops.Def[ops.None, account.Account]{D: ops.Desc{Name: "persona.auth.me", Access: ops.Player,
		Summary: "The signed-in account as the web chat reads it: id, email, display name."},
		Run: func(_ context.Context, c ops.Caller, _ ops.None) (account.Account, error) { return c.Account, nil }})
	o.Migrate = ops.Add(r, &ops.Def[MigrateInput, Migrated]{D: ops.Desc{Name: "persona.progress.migrate", Access: ops.Player,
		Summary: "Move one of the caller's players' progress with every persona (sessions and history included) to another " +
			"of its players (by default the web chat's, user_session_id \"web\"); personas the receiving player already has " +
			"progress with are skipped."},
		Run: func(ctx context.Context, c ops.Caller, in MigrateInput) (Migrated, error) {
			return s.MigrateProgress(ctx, c.ID(), in)
		}})
	o.Schema = ops.Add(r, &ops.Def[ops.None, []byte]{D: ops.Desc{Name: "persona.schema", Access: ops.Public,
		Summary: "The JSON Schema (draft 2020-12) of the persona definition that save takes."},
		Run: func(context.Context, ops.Caller, ops.None) ([]byte, error) { return persona.Schema() }})
	return o
}
