package service

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/arcadehq/arcade/internal/persona/llm"
	"github.com/arcadehq/arcade/internal/persona/rules"
	"github.com/arcadehq/arcade/internal/persona/turn"
	"github.com/arcadehq/arcade/internal/store"
)

// Which evaluator plays (docs/personas.md §7): the LLM evaluator when the server has an endpoint
// (Service.LLM, ARCADE_LLM_URL), with the server's key and model or those the client brings in
// the X-LLM-* headers for its request (llm.WithKeys); the rule-based one otherwise. The model is
// only ever called outside store writes (write functions run twice in tests and must be
// deterministic): a turn is judged on a snapshot before its write, and a session's opening line
// is written before the write that starts it, which replays it.

// llmOn reports whether the LLM evaluator plays.
func (s *Service) llmOn() bool { return s.LLM.Enabled() }

// llmEngine is eng playing with the LLM evaluator for this request; the definition's own lines
// (the rule-based evaluator) guide and back it up.
func (s *Service) llmEngine(ctx context.Context, p Stored, eng *turn.Engine) (*turn.Engine, error) {
	c, err := s.compiled(p)
	if err != nil {
		return nil, err
	}
	return eng.With(llm.New(s.LLM, llm.KeysFrom(ctx), c.eval)), nil
}

// Stream receives a streamed turn while it is played: Metadata once, before the reply is
// written (the answer without its message), then each Delta of the reply as the model writes it.
// Only the LLM evaluator streams; with the rule-based one the stream sees nothing and the caller
// renders the finished answer.
type Stream interface {
	Metadata(Reply)
	Delta(text string)
}

type streamKey struct{}

type streamState struct {
	Stream
	started atomic.Bool
}

// WithStream asks Message to stream its turn to st.
func WithStream(ctx context.Context, st Stream) context.Context {
	return context.WithValue(ctx, streamKey{}, &streamState{Stream: st})
}

// streaming wires ctx's stream, if any, into the turn: the engine's preview becomes the
// metadata, the model's pieces the deltas.
func streaming(ctx context.Context, sid string) context.Context {
	st, _ := ctx.Value(streamKey{}).(*streamState)
	if st == nil {
		return ctx
	}
	ctx = turn.WithPreview(ctx, func(r turn.Result) {
		st.started.Store(true)
		st.Metadata(Reply{SessionID: sid, Result: r})
	})
	return llm.WithDeltas(ctx, st.Delta)
}

// streamStarted reports whether ctx's stream has sent anything: a turn that then loses a race
// is not judged again (the player has seen its answer begin); the error ends the stream.
func streamStarted(ctx context.Context) bool {
	st, _ := ctx.Value(streamKey{}).(*streamState)
	return st != nil && st.started.Load()
}

type openingKey struct{}

// opening replays an opening line written before the write (the LLM evaluator's), so that both
// runs of the write function say the same words without calling the model.
type opening struct{ line string }

func (opening) Name() string { return llm.Name }
func (o opening) Reply(_ context.Context, in turn.ReplyInput) (string, error) {
	if in.Kind != turn.Opening {
		return "", errors.New("a precomputed opening line answers only an opening")
	}
	return o.line, nil
}
func (opening) Evaluate(context.Context, turn.Input) (turn.Decision, error) {
	return turn.Decision{}, errors.New("no evaluation inside a write")
}
func (opening) Extract(context.Context, turn.ExtractInput) (map[string]string, error) {
	return nil, errors.New("no extraction inside a write")
}

// precomputed is eng replaying ctx's opening line, if Start wrote one.
func precomputed(ctx context.Context, eng *turn.Engine) *turn.Engine {
	if line, ok := ctx.Value(openingKey{}).(string); ok {
		return eng.With(opening{line: line})
	}
	return eng
}

// openingLine asks the model for the opening line of the session Start is about to open, on a
// snapshot of the player's state, outside any write. When the snapshot refuses the start, ctx
// is returned as is: the write answers the same error.
func (s *Service) openingLine(ctx context.Context, me string, in StartInput) (context.Context, error) {
	if err := in.check(); err != nil {
		return ctx, err
	}
	var (
		p   Stored
		eng *turn.Engine
		doc progressDoc
	)
	err := s.DB.Read(ctx, func(ctx context.Context, q store.Q) (err error) {
		p, eng, doc, _, err = s.loadTurn(ctx, q, me, in.PlayRef)
		return err
	})
	if err != nil {
		return ctx, err
	}
	if eng, err = s.engine(p, s.Now); err != nil {
		return ctx, err
	}
	if eng, err = s.llmEngine(ctx, p, eng); err != nil {
		return ctx, err
	}
	st := doc.State
	started, err := eng.Start(ctx, &st, in.MachineID, turn.Player{Name: in.PlayerName, Gender: in.PlayerGender})
	if err != nil {
		return ctx, nil // the write refuses it the same way
	}
	return context.WithValue(ctx, openingKey{}, started.Reply), nil
}

// ValidateLLMKey checks the key a client brings (X-LLM-API-Key, else the server's) against the
// configured endpoint with a one-token completion.
func (s *Service) ValidateLLMKey(ctx context.Context, in LLMKey) (LLMKeyCheck, error) {
	if !s.llmOn() {
		return LLMKeyCheck{Valid: false, Model: in.Model, Error: "this server plays personas with the built-in " + rules.Name +
			" evaluator (no ARCADE_LLM_URL is configured): no language-model key is used or needed, and chat calls work without X-LLM-* headers"}, nil
	}
	k := llm.KeysFrom(ctx)
	if in.Model != "" {
		k.Model = in.Model
	}
	model, err := llm.Check(ctx, s.LLM, k)
	if err != nil {
		return LLMKeyCheck{Valid: false, Model: model, Error: err.Error()}, nil
	}
	return LLMKeyCheck{Valid: true, Model: model}, nil
}
