package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/arcadehq/arcade/internal/money"
)

// Defaults of a Client built without WithHTTPClient.
const (
	// DefaultConns is the idle connections per host the default transport keeps.
	DefaultConns = 64
	// DefaultTimeout bounds one request.
	DefaultTimeout = 30 * time.Second
	// maxBody bounds how much of an answer is read (a 100,000-round strategy run is ~20 MB).
	maxBody = 64 << 20
)

// ErrNoBaseURL is returned by New when no option gave a base URL.
var ErrNoBaseURL = errors.New("client: no base URL (set ARCADE_BASE_URL or pass WithBaseURL)")

// Client talks to one Arcade server with one API key (or none, for the public routes).
type Client struct {
	base string // scheme://host[:port][/prefix], no trailing slash
	key  string
	hc   *http.Client
	ua   string
}

// Option configures New.
type Option func(*Client) error

// WithBaseURL sets the server, e.g. http://127.0.0.1:8080.
func WithBaseURL(u string) Option {
	return func(c *Client) error { c.base = u; return nil }
}

// WithAPIKey sets the API key sent as Authorization: Bearer.
func WithAPIKey(key string) Option {
	return func(c *Client) error { c.key = key; return nil }
}

// WithHTTPClient replaces the HTTP client (its transport, timeout and redirect policy).
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("client: nil *http.Client")
		}
		c.hc = hc
		return nil
	}
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(c *Client) error { c.ua = ua; return nil }
}

// FromEnv reads the base URL and the API key through getenv: ARCADE_BASE_URL, else
// XPERSONA_BASE_URL; ARCADE_API_KEY, else XPERSONA_API_KEY. Unset variables leave the Client as
// the earlier options made it, and later options override it.
func FromEnv(getenv func(string) string) Option {
	return func(c *Client) error {
		if v := firstSet(getenv, "ARCADE_BASE_URL", "XPERSONA_BASE_URL"); v != "" {
			c.base = v
		}
		if v := firstSet(getenv, "ARCADE_API_KEY", "XPERSONA_API_KEY"); v != "" {
			c.key = v
		}
		return nil
	}
}

func firstSet(getenv func(string) string, names ...string) string {
	for _, n := range names {
		if v := getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// New returns a Client configured by opts, applied in order. A base URL is required; without
// WithHTTPClient the Client gets its own transport (NewHTTPClient(DefaultConns)).
func New(opts ...Option) (*Client, error) {
	c := &Client{ua: "arcade-client"}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	if c.base == "" {
		return nil, ErrNoBaseURL
	}
	u, err := url.Parse(c.base)
	switch {
	case err != nil:
		return nil, fmt.Errorf("client: base URL %q: %w", c.base, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("client: base URL %q: want http:// or https://", c.base)
	case u.Host == "":
		return nil, fmt.Errorf("client: base URL %q has no host", c.base)
	case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return nil, fmt.Errorf("client: base URL %q must be a plain scheme://host[:port][/path]", c.base)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	c.base = u.String()
	if c.hc == nil {
		c.hc = NewHTTPClient(DefaultConns)
	}
	return c, nil
}

// NewHTTPClient returns an HTTP client for conns concurrent requests to one host: that many idle
// connections are kept per host so that they are reused rather than redialled, no proxy from
// the environment, redirects not followed, DefaultTimeout on every request.
func NewHTTPClient(conns int) *http.Client {
	conns = max(conns, 2)
	tr := &http.Transport{
		Proxy:               nil, // only the base URL is spoken to
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
		ForceAttemptHTTP2:   true,
	}
	return &http.Client{Transport: tr, Timeout: DefaultTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// WithKey returns a Client for key that shares c's base URL and connections.
func (c *Client) WithKey(key string) *Client {
	d := *c
	d.key = key
	return &d
}

// BaseURL returns the server's base URL, without a trailing slash.
func (c *Client) BaseURL() string { return c.base }

// APIKey returns the key the Client sends ("" for none).
func (c *Client) APIKey() string { return c.key }

// HTTPClient returns the underlying HTTP client.
func (c *Client) HTTPClient() *http.Client { return c.hc }

// CloseIdleConnections closes the transport's idle connections.
func (c *Client) CloseIdleConnections() { c.hc.CloseIdleConnections() }

// Error is a failure answer of the server: any non-2xx status, or a body with success false.
type Error struct {
	Method     string        // "POST"
	Path       string        // "/api/games/dice/round"
	Status     int           // HTTP status
	Code       string        // the envelope's error, e.g. INSUFFICIENT_BALANCE; "" if the body had none
	Message    string        // the envelope's message, or the start of a non-JSON body
	Field      string        // the request field at fault (VALIDATION_ERROR)
	RetryAfter time.Duration // the Retry-After header; 0 when absent
	Body       []byte        // the whole failure body, for members beyond these (nextFaucetAt, ...)
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d", e.Method, e.Path, e.Status)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	} else if e.Field != "" {
		b.WriteString(": " + e.Field)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	return b.String()
}

// AsError returns the *Error in err's chain, or nil.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// HasCode reports whether err is a server answer with the given error code.
func HasCode(err error, code string) bool {
	e := AsError(err)
	return e != nil && e.Code == code
}

// Amount is a count of micro-units: 1 credit is 1,000,000. It reads and writes the JSON
// numbers of the API (decimals with up to six places) exactly.
type Amount int64

// Credits returns n whole credits as an Amount.
func Credits(n int64) Amount { return Amount(n) * Amount(money.Micro) }

// String formats a as a decimal ("12", "0.5").
func (a Amount) String() string { return money.Amount(a).String() }

// MarshalJSON writes a as a JSON number in credits.
func (a Amount) MarshalJSON() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalJSON reads a JSON number in credits with at most six decimals; null is 0.
func (a *Amount) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*a = 0
		return nil
	}
	v, ok := parseMicro(b)
	if !ok {
		return fmt.Errorf("amount: want a JSON number with at most six decimals within ±%d, got %.24s", int64(math.MaxInt64/1_000_000), b)
	}
	*a = v
	return nil
}

// parseMicro reads [-]digits[.digits] with at most six fractional digits as micro-units,
// exactly and without allocating (the hot path of every answer); exponents are refused.
func parseMicro(b []byte) (Amount, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	var whole, frac uint64
	i, digits := 0, 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if whole > (math.MaxInt64/1_000_000)/10+1 {
			return 0, false
		}
		whole = whole*10 + uint64(b[i]-'0')
		digits++
	}
	if digits == 0 {
		return 0, false
	}
	scale := uint64(1_000_000)
	if i < len(b) && b[i] == '.' {
		i++
		n := 0
		for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
			if n == 6 {
				return 0, false
			}
			scale /= 10
			frac += uint64(b[i]-'0') * scale
			n++
		}
		if n == 0 {
			return 0, false
		}
	}
	if i != len(b) || whole > math.MaxInt64/1_000_000 {
		return 0, false
	}
	v := whole*1_000_000 + frac
	if v > math.MaxInt64 {
		return 0, false
	}
	if neg {
		return -Amount(v), true
	}
	return Amount(v), true
}

// request is one call.
type request struct {
	method, path string
	query        url.Values
	body         any    // marshalled as JSON when not nil
	raw          []byte // the body already encoded, instead of body
	idem         string // Idempotency-Key header
	public       bool   // no Authorization header
}

// Do sends one request to path (e.g. "/api/me/balance"): body, if not nil, is sent as JSON,
// idempotencyKey, if not empty, as the Idempotency-Key header, and the Client's key as the
// bearer. The data of a success answer is decoded into out; with out nil a 2xx answer is read
// but not decoded at all, the cheapest call there is (a load generator's). Failures are *Error,
// as from the typed methods.
func (c *Client) Do(ctx context.Context, method, path string, body []byte, idempotencyKey string, out any) error {
	req := request{method: method, path: path, raw: body, idem: idempotencyKey}
	if out == nil {
		_, _, err := c.send(ctx, req)
		return err
	}
	data, err := call[json.RawMessage](ctx, c, req)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(*data, out); err != nil {
		return fmt.Errorf("%s %s: decoding the answer's data: %w", method, path, err)
	}
	return nil
}

// envelope is a success answer.
type envelope[T any] struct {
	Success *bool `json:"success"`
	Data    T     `json:"data"`
}

// failure is a failure answer.
type failure struct {
	Error   string `json:"error"`
	Code    string `json:"code"` // the tools endpoint puts the code here and words in error
	Message string `json:"message"`
	Field   string `json:"field"`
}

// call sends req and decodes the data of a success answer into a T.
func call[T any](ctx context.Context, c *Client, req request) (*T, error) {
	var out envelope[T]
	status, raw, err := c.send(ctx, req)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("%s %s: decoding the answer: %w", req.method, req.path, err)
	}
	if out.Success != nil && !*out.Success {
		return nil, c.failure(req, status, nil, raw)
	}
	return &out.Data, nil
}

// send performs req and returns the status and body of a 2xx answer; other answers become *Error.
func (c *Client) send(ctx context.Context, req request) (int, []byte, error) {
	var rd io.Reader
	if req.body != nil {
		b, err := json.Marshal(req.body)
		if err != nil {
			return 0, nil, fmt.Errorf("%s %s: encoding the request: %w", req.method, req.path, err)
		}
		req.raw = b
	}
	if req.raw != nil {
		rd = bytes.NewReader(req.raw)
	}
	u := c.base + req.path
	if len(req.query) > 0 {
		u += "?" + req.query.Encode()
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, u, rd)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w", req.method, req.path, err)
	}
	hr.Header.Set("Accept", "application/json")
	if c.ua != "" {
		hr.Header.Set("User-Agent", c.ua)
	}
	if req.raw != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if c.key != "" && !req.public {
		hr.Header.Set("Authorization", "Bearer "+c.key)
	}
	if req.idem != "" {
		hr.Header.Set("Idempotency-Key", req.idem)
	}
	res, err := c.hc.Do(hr)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w", req.method, req.path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: reading the answer: %w", req.method, req.path, err)
	}
	_, _ = io.Copy(io.Discard, res.Body) // so the connection goes back to the pool
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return res.StatusCode, nil, c.failure(req, res.StatusCode, res.Header, raw)
	}
	return res.StatusCode, raw, nil
}

func (c *Client) failure(req request, status int, h http.Header, raw []byte) *Error {
	e := &Error{Method: req.method, Path: req.path, Status: status, Body: raw}
	var f failure
	if json.Unmarshal(raw, &f) == nil {
		e.Code, e.Message, e.Field = f.Error, f.Message, f.Field
		if f.Code != "" {
			e.Code, e.Message = f.Code, f.Error
		}
	} else {
		e.Message = strings.TrimSpace(string(raw[:min(len(raw), 200)]))
	}
	if h != nil {
		e.RetryAfter = retryAfter(h.Get("Retry-After"), time.Now())
	}
	return e
}

// retryAfter reads a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
