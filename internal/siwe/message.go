package siwe

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// ErrMalformed is matched (errors.Is) by every *ParseError.
var ErrMalformed = errors.New("siwe: malformed message")

// ParseError reports a message that is not EIP-4361; Field names the part at fault.
type ParseError struct {
	Field string
	Msg   string
}

func (e *ParseError) Error() string { return "siwe: " + e.Field + ": " + e.Msg }

// Is makes errors.Is(err, ErrMalformed) true.
func (e *ParseError) Is(target error) bool { return target == ErrMalformed }

func bad(field, format string, args ...any) error {
	return &ParseError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// MaxMessageBytes bounds the messages Parse reads.
const MaxMessageBytes = 8 << 10

const (
	headerSuffix = " wants you to sign in with your Ethereum account:"
	preURI       = "URI: "
	preVersion   = "Version: "
	preChainID   = "Chain ID: "
	preNonce     = "Nonce: "
	preIssuedAt  = "Issued At: "
	preExpires   = "Expiration Time: "
	preNotBefore = "Not Before: "
	preRequestID = "Request ID: "
	resources    = "Resources:"
)

// Message is an EIP-4361 message. Times are kept as written (they are part of the signed
// text); the methods IssuedAtTime, ExpirationTimeValue and NotBeforeTime parse them.
type Message struct {
	Scheme         string // optional, e.g. "https"; "" when absent
	Domain         string // RFC 3986 authority: [userinfo@]host[:port]
	Address        string // EIP-55 checksummed
	Statement      string // optional; "" when absent
	URI            string
	Version        string // "1"
	ChainID        uint64
	Nonce          string // at least 8 letters and digits
	IssuedAt       string // RFC 3339
	ExpirationTime string // optional
	NotBefore      string // optional
	RequestID      string // optional
	HasRequestID   bool   // a Request ID line is present (it may be empty)
	Resources      []string
	HasResources   bool // a Resources: line is present (it may list none)
}

// Parse reads an EIP-4361 message strictly; errors are *ParseError.
func Parse(s string) (*Message, error) {
	if len(s) > MaxMessageBytes {
		return nil, bad("message", "longer than %d bytes", MaxMessageBytes)
	}
	lines := strings.Split(s, "\n")
	i := 0
	next := func() (string, bool) {
		if i >= len(lines) {
			return "", false
		}
		i++
		return lines[i-1], true
	}
	var m Message
	head, _ := next()
	prefix, ok := strings.CutSuffix(head, headerSuffix)
	if !ok || prefix == "" {
		return nil, bad("domain", "the first line must be \"<domain> wants you to sign in with your Ethereum account:\"")
	}
	if sch, dom, found := strings.Cut(prefix, "://"); found {
		m.Scheme, m.Domain = sch, dom
	} else {
		m.Domain = prefix
	}
	m.Address, _ = next()
	if l, ok := next(); !ok || l != "" {
		return nil, bad("address", "must be followed by an empty line")
	}
	l, ok := next()
	if !ok {
		return nil, bad("uri", "missing")
	}
	if l != "" {
		m.Statement = l
		if l, ok = next(); !ok || l != "" {
			return nil, bad("statement", "must be one line followed by an empty line")
		}
	}
	field := func(name, pre string, optional bool) (string, bool, error) {
		if i >= len(lines) || !strings.HasPrefix(lines[i], pre) {
			if optional {
				return "", false, nil
			}
			return "", false, bad(name, "missing or out of order (want a line starting %q)", pre)
		}
		i++
		return lines[i-1][len(pre):], true, nil
	}
	var err error
	var chain string
	for _, f := range []struct {
		name, pre string
		dst       *string
	}{
		{"uri", preURI, &m.URI}, {"version", preVersion, &m.Version}, {"chainId", preChainID, &chain},
		{"nonce", preNonce, &m.Nonce}, {"issuedAt", preIssuedAt, &m.IssuedAt},
	} {
		if *f.dst, _, err = field(f.name, f.pre, false); err != nil {
			return nil, err
		}
	}
	if m.ChainID, err = parseChainID(chain); err != nil {
		return nil, err
	}
	if m.ExpirationTime, _, err = field("expirationTime", preExpires, true); err != nil {
		return nil, err
	}
	if m.NotBefore, _, err = field("notBefore", preNotBefore, true); err != nil {
		return nil, err
	}
	if m.RequestID, m.HasRequestID, err = field("requestId", preRequestID, true); err != nil {
		return nil, err
	}
	if i < len(lines) && lines[i] == resources {
		i++
		m.HasResources = true
		for i < len(lines) {
			r, ok := strings.CutPrefix(lines[i], "- ")
			if !ok {
				return nil, bad("resources", "each resource is a line \"- <uri>\"")
			}
			m.Resources = append(m.Resources, r)
			i++
		}
	}
	if i < len(lines) {
		return nil, bad("message", "unexpected line %d: %.40q", i+1, lines[i])
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

func parseChainID(s string) (uint64, error) {
	if s == "" || (s[0] == '0' && len(s) > 1) || strings.TrimLeft(s, "0123456789") != "" {
		return 0, bad("chainId", "must be a decimal integer")
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil || v == 0 {
		return 0, bad("chainId", "must be a decimal integer from 1 to 2^64−1")
	}
	return v, nil
}

// Validate checks every field by EIP-4361's grammar; Parse calls it, and a message built from
// fields must pass it before it is rendered or verified.
func (m *Message) Validate() error {
	if m.Scheme != "" && !validScheme(m.Scheme) {
		return bad("scheme", "not an RFC 3986 scheme")
	}
	if !validAuthority(m.Domain) {
		return bad("domain", "not an RFC 3986 authority")
	}
	if !common.IsHexAddress(m.Address) || !strings.HasPrefix(m.Address, "0x") || common.HexToAddress(m.Address).Hex() != m.Address {
		return bad("address", "must be a 0x address with its EIP-55 checksum")
	}
	if strings.ContainsAny(m.Statement, "\r\n") {
		return bad("statement", "must be one line")
	}
	if !validURI(m.URI) {
		return bad("uri", "not an RFC 3986 URI")
	}
	if m.Version != "1" {
		return bad("version", "must be 1")
	}
	if m.ChainID == 0 {
		return bad("chainId", "missing")
	}
	if len(m.Nonce) < 8 || strings.TrimLeft(m.Nonce, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
		return bad("nonce", "must be at least 8 letters and digits")
	}
	if _, err := parseTime(m.IssuedAt); err != nil {
		return bad("issuedAt", "%v", err)
	}
	if m.ExpirationTime != "" {
		if _, err := parseTime(m.ExpirationTime); err != nil {
			return bad("expirationTime", "%v", err)
		}
	}
	if m.NotBefore != "" {
		if _, err := parseTime(m.NotBefore); err != nil {
			return bad("notBefore", "%v", err)
		}
	}
	if strings.ContainsAny(m.RequestID, "\r\n") {
		return bad("requestId", "must be one line")
	}
	for _, r := range m.Resources {
		if !validURI(r) {
			return bad("resources", "%.60q is not an RFC 3986 URI", r)
		}
	}
	return nil
}

// String renders the message in EIP-4361's layout; for a parsed message it is the input.
func (m *Message) String() string {
	var b strings.Builder
	if m.Scheme != "" {
		b.WriteString(m.Scheme + "://")
	}
	b.WriteString(m.Domain + headerSuffix + "\n" + m.Address + "\n\n")
	if m.Statement != "" {
		b.WriteString(m.Statement + "\n")
	}
	b.WriteString("\n" + preURI + m.URI + "\n" + preVersion + m.Version + "\n" +
		preChainID + strconv.FormatUint(m.ChainID, 10) + "\n" + preNonce + m.Nonce + "\n" + preIssuedAt + m.IssuedAt)
	if m.ExpirationTime != "" {
		b.WriteString("\n" + preExpires + m.ExpirationTime)
	}
	if m.NotBefore != "" {
		b.WriteString("\n" + preNotBefore + m.NotBefore)
	}
	if m.HasRequestID || m.RequestID != "" {
		b.WriteString("\n" + preRequestID + m.RequestID)
	}
	if m.HasResources || len(m.Resources) > 0 {
		b.WriteString("\n" + resources)
		for _, r := range m.Resources {
			b.WriteString("\n- " + r)
		}
	}
	return b.String()
}

// parseTime reads an RFC 3339 date-time (fractional seconds optional; Z or an offset). Dates
// that do not exist (February 31) are refused.
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("not an RFC 3339 date-time")
	}
	return t, nil
}

// IssuedAtTime returns Issued At.
func (m *Message) IssuedAtTime() (time.Time, error) { return parseTime(m.IssuedAt) }

func validScheme(s string) bool {
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlpha(c) && !isDigit(c) && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isHex(c byte) bool   { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func isUnreserved(c byte) bool {
	return isAlpha(c) || isDigit(c) || c == '-' || c == '.' || c == '_' || c == '~'
}

func isSubDelim(c byte) bool { return strings.IndexByte("!$&'()*+,;=", c) >= 0 }

// validPctChars reports whether s holds only the given characters and well-formed %XX escapes.
func validPctChars(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' {
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return false
			}
			i += 2
			continue
		}
		if !ok(c) {
			return false
		}
	}
	return true
}

// validAuthority checks RFC 3986 authority = [userinfo "@"] host [":" port], host being an
// IP literal in brackets, or a reg-name / IPv4 address.
func validAuthority(a string) bool {
	if a == "" {
		return false
	}
	if at := strings.LastIndexByte(a, '@'); at >= 0 {
		if !validPctChars(a[:at], func(c byte) bool { return isUnreserved(c) || isSubDelim(c) || c == ':' }) {
			return false
		}
		a = a[at+1:]
	}
	host, port := a, ""
	if strings.HasPrefix(a, "[") {
		end := strings.IndexByte(a, ']')
		if end < 0 {
			return false
		}
		host, port = a[1:end], a[end+1:]
		if host == "" || strings.Trim(host, "0123456789abcdefABCDEF:.") != "" {
			return false
		}
		if port != "" {
			p, ok := strings.CutPrefix(port, ":")
			if !ok {
				return false
			}
			port = p
		}
	} else {
		if c := strings.LastIndexByte(a, ':'); c >= 0 {
			host, port = a[:c], a[c+1:]
		}
		if host == "" || !validPctChars(host, func(c byte) bool { return isUnreserved(c) || isSubDelim(c) }) {
			return false
		}
	}
	return strings.Trim(port, "0123456789") == ""
}

// validURI checks an absolute RFC 3986 URI: a scheme, then only URI characters, and a parse by
// net/url.
func validURI(s string) bool {
	sch, rest, ok := strings.Cut(s, ":")
	if !ok || !validScheme(sch) {
		return false
	}
	if !validPctChars(rest, func(c byte) bool {
		return isUnreserved(c) || isSubDelim(c) || strings.IndexByte(":/?#[]@", c) >= 0
	}) {
		return false
	}
	_, err := url.Parse(s)
	return err == nil
}
