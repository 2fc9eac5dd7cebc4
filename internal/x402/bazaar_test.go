package x402_test

import (
	"encoding/json"
	"testing"

	"github.com/arcadehq/arcade/internal/x402"
)

func TestBazaar(t *testing.T) {
	for _, c := range []struct {
		method string
		key    string
		ok     bool
	}{
		{"POST", "body", true}, {"GET", "queryParams", true}, {"TRACE", "", false},
	} {
		ext, err := x402.Bazaar(x402.BazaarHTTP{
			Method: c.method, Input: map[string]any{"client_seed": "abc", "nonce": 1},
			InputSchema:   json.RawMessage(`{"type":"object","properties":{"client_seed":{"type":"string"}}}`),
			OutputExample: map[string]any{"status": "settling"},
		})
		if (err == nil) != c.ok {
			t.Fatalf("%s: %v", c.method, err)
		}
		if !c.ok {
			continue
		}
		var info struct {
			Input  map[string]json.RawMessage `json:"input"`
			Output struct {
				Type    string         `json:"type"`
				Example map[string]any `json:"example"`
			} `json:"output"`
		}
		if err := json.Unmarshal(ext.Info, &info); err != nil {
			t.Fatal(err)
		}
		if string(info.Input["type"]) != `"http"` || string(info.Input["method"]) != `"`+c.method+`"` ||
			info.Input[c.key] == nil || info.Output.Type != "json" || info.Output.Example["status"] != "settling" {
			t.Fatalf("%s: info %s", c.method, ext.Info)
		}
		var schema struct {
			Schema     string                     `json:"$schema"`
			Properties map[string]json.RawMessage `json:"properties"`
		}
		if err := json.Unmarshal(ext.Schema, &schema); err != nil || schema.Properties["input"] == nil || schema.Properties["output"] == nil {
			t.Fatalf("%s: schema %s (%v)", c.method, ext.Schema, err)
		}
		pr := x402.NewPaymentRequired(x402.Resource{URL: "https://arcade.test/x"},
			[]x402.Requirements{x402.Sandbox.Requirement(1, x402.Sandbox.Asset, 0)}, map[string]x402.Extension{x402.ExtensionBazaar: ext})
		h, err := x402.EncodeHeader(pr)
		if err != nil {
			t.Fatal(err)
		}
		back, err := x402.DecodePaymentRequired(h)
		if err != nil || string(back.Extensions[x402.ExtensionBazaar].Info) != string(ext.Info) || back.Accepts[0].MaxTimeoutSeconds != 120 {
			t.Fatalf("%+v %v", back, err)
		}
	}
}
