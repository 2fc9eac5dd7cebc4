package llm

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// The chat-completions wire format (OpenAI's, which every compatible server speaks).

// Message is one chat message.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// ResponseFormat asks for JSON (type json_object or json_schema).
type ResponseFormat struct {
	Type       string      `json:"type"`
	JSONSchema *JSONSchema `json:"json_schema,omitempty"`
}

// JSONSchema names a schema for structured outputs.
type JSONSchema struct {
	Name   string         `json:"name"`
	Strict bool           `json:"strict"`
	Schema map[string]any `json:"schema"`
}

// Request is a chat-completions request.
type Request struct {
	Model          string          `json:"model"`
	Messages       []Message       `json:"messages"`
	Temperature    *float64        `json:"temperature,omitempty"`
	MaxTokens      int             `json:"max_tokens,omitempty"`
	ResponseFormat *ResponseFormat `json:"response_format,omitempty"`
	Stream         bool            `json:"stream,omitempty"`
}

// Response is a non-streamed answer (the fields read).
type Response struct {
	Choices []struct {
		Message      Message `json:"message"`
		FinishReason string  `json:"finish_reason"`
	} `json:"choices"`
}

// Chunk is one streamed piece.
type Chunk struct {
	Choices []struct {
		Delta struct {
			Content string `json:"content"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
}

// Kinds of failure, for the fallback reply and for tests.
var (
	ErrTimeout   = errors.New("the language model did not answer in time")
	ErrMalformed = errors.New("the language model's answer was malformed")
	ErrRefused   = errors.New("the language model chose a transition that does not leave this state")
)

// StatusError is an answer other than 200.
type StatusError struct {
	Status int
	Body   string // a short, redacted excerpt
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("the language model endpoint answered %d %s", e.Status, http.StatusText(e.Status))
	if e.Body != "" {
		s += ": " + e.Body
	}
	return s
}

const maxAnswer = 1 << 20 // bytes of one answer read

type client struct {
	http    *http.Client
	timeout time.Duration
}

func newClient(c Config) client {
	h := c.HTTP
	if h == nil {
		h = defaultHTTP
	}
	t := c.Timeout
	if t <= 0 {
		t = DefaultTimeout
	}
	return client{http: h, timeout: t}
}

var defaultHTTP = &http.Client{Transport: &http.Transport{Proxy: http.ProxyFromEnvironment, MaxIdleConnsPerHost: 64,
	IdleConnTimeout: 90 * time.Second, ResponseHeaderTimeout: 2 * time.Minute}}

// do sends req to e; onDelta non-nil streams (stream: true) and gets each piece of content.
// It returns the whole content.
func (c client) do(ctx context.Context, e Endpoint, req Request, onDelta func(string)) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req.Model = e.Model
	req.Stream = onDelta != nil
	body, err := json.Marshal(req)
	if err != nil {
		return "", fmt.Errorf("encode chat request: %w", err)
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL+"/chat/completions", bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("chat request: %w", err)
	}
	hr.Header.Set("Content-Type", "application/json")
	if req.Stream {
		hr.Header.Set("Accept", "text/event-stream")
	}
	if e.APIKey != "" {
		hr.Header.Set("Authorization", "Bearer "+e.APIKey)
	}
	res, err := c.http.Do(hr)
	if err != nil {
		return "", c.classify(ctx, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 300))
		snippet := strings.TrimSpace(string(b))
		if e.APIKey != "" {
			snippet = strings.ReplaceAll(snippet, e.APIKey, "[redacted]")
		}
		return "", &StatusError{Status: res.StatusCode, Body: snippet}
	}
	if !req.Stream {
		var r Response
		if err := json.NewDecoder(io.LimitReader(res.Body, maxAnswer)).Decode(&r); err != nil {
			return "", c.classify(ctx, fmt.Errorf("%w: %v", ErrMalformed, err))
		}
		if len(r.Choices) == 0 {
			return "", fmt.Errorf("%w: no choices", ErrMalformed)
		}
		return r.Choices[0].Message.Content, nil
	}
	return c.read(ctx, res.Body, onDelta)
}

// read consumes a stream of `data: {chunk}` events up to `data: [DONE]`.
func (c client) read(ctx context.Context, body io.Reader, onDelta func(string)) (string, error) {
	var out strings.Builder
	sc := bufio.NewScanner(io.LimitReader(body, maxAnswer))
	sc.Buffer(make([]byte, 64<<10), 256<<10)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "data:") {
			continue // event names, comments, blank separators
		}
		data := strings.TrimSpace(strings.TrimPrefix(line, "data:"))
		if data == "[DONE]" {
			return out.String(), nil
		}
		var ch Chunk
		if err := json.Unmarshal([]byte(data), &ch); err != nil {
			return out.String(), fmt.Errorf("%w: chunk %v", ErrMalformed, err)
		}
		if len(ch.Choices) == 0 || ch.Choices[0].Delta.Content == "" {
			continue
		}
		piece := ch.Choices[0].Delta.Content
		out.WriteString(piece)
		onDelta(piece)
	}
	if err := sc.Err(); err != nil {
		return out.String(), c.classify(ctx, err)
	}
	return out.String(), fmt.Errorf("%w: the stream ended without [DONE]", ErrMalformed)
}

func (c client) classify(ctx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w (%s)", ErrTimeout, c.timeout)
	}
	return fmt.Errorf("language model: %w", err)
}

// Check asks step's endpoint for a one-token completion: nil when the key and model are
// accepted. It is what validate-llm-key does.
func Check(ctx context.Context, c Config, k Keys) (model string, err error) {
	e := c.Endpoint(k, StepEval)
	_, err = newClient(c).do(ctx, e, Request{Messages: []Message{{Role: "user", Content: "Reply with OK."}}, MaxTokens: 1}, nil)
	return e.Model, err
}
