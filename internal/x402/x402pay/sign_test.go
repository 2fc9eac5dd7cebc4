package x402pay

import (
	"encoding/json"
	"testing"
)

func TestDomainOf(t *testing.T) {
	extra := map[string]json.RawMessage{"name": json.RawMessage(`"USDC"`), "version": json.RawMessage(`"2"`)}
	for _, c := range []struct {
		name string
		r    Requirements
		ok   bool
	}{
		{"eip155", Requirements{Network: "eip155:84532", Asset: "0x036CbD53842c5426634e7929541eC2318f3dCF7e", Extra: extra}, true},
		{"v1 network name", Requirements{Network: "base-sepolia", Asset: "0x036CbD53842c5426634e7929541eC2318f3dCF7e", Extra: extra}, false},
		{"chain 0", Requirements{Network: "eip155:0", Asset: "0x036CbD53842c5426634e7929541eC2318f3dCF7e", Extra: extra}, false},
		{"no extra", Requirements{Network: "eip155:84532", Asset: "0x036CbD53842c5426634e7929541eC2318f3dCF7e"}, false},
		{"bad asset", Requirements{Network: "eip155:84532", Asset: "USDC", Extra: extra}, false},
	} {
		d, err := DomainOf(c.r)
		if (err == nil) != c.ok {
			t.Errorf("%s: %+v %v", c.name, d, err)
		}
	}
}
