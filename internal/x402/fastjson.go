package x402

import (
	"encoding/json"
	"strconv"
)

// decodePayloadJSON decodes a PaymentPayload. It first tries a fast reader that understands
// only the canonical shape real clients send (exact key names, each once; plain ASCII strings
// without escapes; integers; no nulls) and gives up on anything else, in which case
// encoding/json decodes the input with its usual rules. So the result is always what
// encoding/json gives (FuzzFastPayloadJSON checks it); the fast reader only saves the second
// scan and the reflection that make encoding/json cost about a quarter of a verification.
func decodePayloadJSON(raw []byte, p *PaymentPayload) error {
	r := fastReader{b: raw}
	if r.payload(p) && r.end() {
		return nil
	}
	*p = PaymentPayload{}
	return json.Unmarshal(raw, p)
}

// fastReader reads canonical JSON; every method returns false to give up.
type fastReader struct {
	b []byte
	i int
}

func (r *fastReader) ws() {
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

func (r *fastReader) byte(c byte) bool {
	r.ws()
	if r.i < len(r.b) && r.b[r.i] == c {
		r.i++
		return true
	}
	return false
}

func (r *fastReader) end() bool { r.ws(); return r.i == len(r.b) }

// str reads a string of printable ASCII without escapes.
func (r *fastReader) str() (string, bool) {
	b, ok := r.bytes()
	return string(b), ok
}

// bytes reads a string of printable ASCII without escapes and returns its bytes, in place.
func (r *fastReader) bytes() ([]byte, bool) {
	r.ws()
	if r.i >= len(r.b) || r.b[r.i] != '"' {
		return nil, false
	}
	start := r.i + 1
	for j := start; j < len(r.b); j++ {
		c := r.b[j]
		if c == '"' {
			r.i = j + 1
			return r.b[start:j], true
		}
		if c < 0x20 || c > 0x7e || c == '\\' {
			return nil, false
		}
	}
	return nil, false
}

// int reads a JSON integer that fits in an int.
func (r *fastReader) int() (int, bool) {
	r.ws()
	start := r.i
	if r.i < len(r.b) && r.b[r.i] == '-' {
		r.i++
	}
	d := r.i
	for r.i < len(r.b) && r.b[r.i] >= '0' && r.b[r.i] <= '9' {
		r.i++
	}
	if r.i == d || (r.b[d] == '0' && r.i-d > 1) {
		return 0, false
	}
	if r.i < len(r.b) && (r.b[r.i] == '.' || r.b[r.i] == 'e' || r.b[r.i] == 'E') {
		return 0, false
	}
	v, err := strconv.Atoi(string(r.b[start:r.i]))
	return v, err == nil
}

func (r *fastReader) boolean() (bool, bool) {
	r.ws()
	switch {
	case len(r.b)-r.i >= 4 && string(r.b[r.i:r.i+4]) == "true":
		r.i += 4
		return true, true
	case len(r.b)-r.i >= 5 && string(r.b[r.i:r.i+5]) == "false":
		r.i += 5
		return false, true
	}
	return false, false
}

// raw returns the bytes of one JSON object or array (validated), as json.RawMessage keeps them.
func (r *fastReader) raw() (json.RawMessage, bool) {
	r.ws()
	if r.i >= len(r.b) || (r.b[r.i] != '{' && r.b[r.i] != '[') {
		return nil, false
	}
	start, depth, inStr := r.i, 0, false
	for j := r.i; j < len(r.b); j++ {
		c := r.b[j]
		switch {
		case inStr:
			if c == '\\' {
				j++
			} else if c == '"' {
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
			if depth == 0 {
				v := r.b[start : j+1]
				if !json.Valid(v) {
					return nil, false
				}
				r.i = j + 1
				return append(json.RawMessage(nil), v...), true
			}
		}
	}
	return nil, false
}

// object reads {"key": value, …}, calling field for each key; field reads the value. A key seen
// twice gives up (encoding/json would keep the last).
func (r *fastReader) object(field func(key []byte) bool) bool {
	if !r.byte('{') {
		return false
	}
	if r.byte('}') {
		return true
	}
	var seen [16][]byte
	n := 0
	for {
		k, ok := r.bytes()
		if !ok || !r.byte(':') {
			return false
		}
		for _, s := range seen[:n] {
			if string(s) == string(k) {
				return false
			}
		}
		if n == len(seen) {
			return false
		}
		seen[n] = k
		n++
		if !field(k) {
			return false
		}
		if r.byte(',') {
			continue
		}
		return r.byte('}')
	}
}

func (r *fastReader) payload(p *PaymentPayload) bool {
	return r.object(func(k []byte) bool {
		var ok bool
		switch string(k) {
		case "x402Version":
			p.X402Version, ok = r.int()
		case "resource":
			p.Resource = new(Resource)
			ok = r.resource(p.Resource)
		case "accepted":
			ok = r.requirements(&p.Accepted)
		case "payload":
			ok = r.exact(&p.Payload)
		case "extensions":
			p.Extensions = map[string]Extension{}
			ok = r.object(func(name []byte) bool {
				var e Extension
				if !r.object(func(k []byte) bool {
					var ok bool
					switch string(k) {
					case "info":
						e.Info, ok = r.raw()
					case "schema":
						e.Schema, ok = r.raw()
					}
					return ok
				}) {
					return false
				}
				p.Extensions[string(name)] = e
				return true
			})
		}
		return ok
	})
}

func (r *fastReader) resource(res *Resource) bool {
	return r.object(func(k []byte) bool {
		var ok bool
		switch string(k) {
		case "url":
			res.URL, ok = r.str()
		case "description":
			res.Description, ok = r.str()
		case "mimeType":
			res.MimeType, ok = r.str()
		}
		return ok
	})
}

func (r *fastReader) requirements(q *Requirements) bool {
	return r.object(func(k []byte) bool {
		var ok bool
		switch string(k) {
		case "scheme":
			q.Scheme, ok = r.str()
		case "network":
			q.Network, ok = r.str()
		case "amount":
			q.Amount, ok = r.str()
		case "asset":
			q.Asset, ok = r.str()
		case "payTo":
			q.PayTo, ok = r.str()
		case "maxTimeoutSeconds":
			q.MaxTimeoutSeconds, ok = r.int()
		case "extra":
			q.Extra = new(Extra)
			ok = r.object(func(k []byte) bool {
				var ok bool
				switch string(k) {
				case "name":
					q.Extra.Name, ok = r.str()
				case "version":
					q.Extra.Version, ok = r.str()
				case "assetTransferMethod":
					q.Extra.AssetTransferMethod, ok = r.str()
				case "sandbox":
					q.Extra.Sandbox, ok = r.boolean()
				}
				return ok
			})
		}
		return ok
	})
}

func (r *fastReader) exact(e *ExactPayload) bool {
	return r.object(func(k []byte) bool {
		var ok bool
		switch string(k) {
		case "signature":
			e.Signature, ok = r.str()
		case "authorization":
			a := &e.Authorization
			ok = r.object(func(k []byte) bool {
				var ok bool
				switch string(k) {
				case "from":
					a.From, ok = r.str()
				case "to":
					a.To, ok = r.str()
				case "value":
					a.Value, ok = r.str()
				case "validAfter":
					a.ValidAfter, ok = r.str()
				case "validBefore":
					a.ValidBefore, ok = r.str()
				case "nonce":
					a.Nonce, ok = r.str()
				}
				return ok
			})
		}
		return ok
	})
}
