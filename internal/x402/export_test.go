package x402

// FastPayloadJSON exposes the fast payload reader to the tests: the payload and whether the
// fast path read it (false: it gave up).
func FastPayloadJSON(raw []byte) (*PaymentPayload, bool) {
	var p PaymentPayload
	r := fastReader{b: raw}
	if r.payload(&p) && r.end() {
		return &p, true
	}
	return nil, false
}
