package httpapi

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestTrustedProxies(t *testing.T) {
	tp, err := ParseTrustedProxies("10.0.0.0/8, 192.168.1.5 ,::1")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, remote string
		xff          []string
		want         string
	}{
		{"untrusted peer keeps its address", "203.0.113.7:5000", []string{"1.2.3.4"}, "203.0.113.7"},
		{"no header from a proxy: the proxy", "10.1.2.3:80", nil, "10.1.2.3"},
		{"one proxy", "10.1.2.3:80", []string{"198.51.100.9"}, "198.51.100.9"},
		{"client-written hops are ignored", "10.1.2.3:80", []string{"6.6.6.6, 198.51.100.9"}, "198.51.100.9"},
		{"two proxies", "10.1.2.3:80", []string{"198.51.100.9, 192.168.1.5"}, "198.51.100.9"},
		{"header lines in order", "10.1.2.3:80", []string{"6.6.6.6", "198.51.100.9, 10.9.9.9"}, "198.51.100.9"},
		{"all hops trusted: the farthest", "10.1.2.3:80", []string{"10.0.0.1, 10.0.0.2"}, "10.0.0.1"},
		{"a malformed hop stops the walk", "10.1.2.3:80", []string{"6.6.6.6, garbage, 10.0.0.2"}, "10.0.0.2"},
		{"IPv6 loopback proxy", "[::1]:80", []string{"2001:db8::1"}, "2001:db8::1"},
		{"IPv4-mapped peer", "[::ffff:10.1.2.3]:80", []string{"198.51.100.9"}, "198.51.100.9"},
	} {
		var got string
		h := tp.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = ClientAddr(r) }))
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.remote
		for _, v := range c.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		h.ServeHTTP(httptest.NewRecorder(), r)
		if got != c.want {
			t.Errorf("%s: client %q, want %q", c.name, got, c.want)
		}
	}
	if _, err := ParseTrustedProxies("10.0.0.0/8,nope"); err == nil {
		t.Error("a bad entry was accepted")
	}
	var none TrustedProxies
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.1.2.3:80"
	got := ""
	r.Header.Set("X-Forwarded-For", "198.51.100.9")
	none.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = ClientAddr(r) })).ServeHTTP(httptest.NewRecorder(), r)
	if got != "10.1.2.3" {
		t.Errorf("without trusted proxies the header was believed: %q", got)
	}
}

func FuzzClientOf(f *testing.F) {
	tp, _ := ParseTrustedProxies("10.0.0.0/8,::1")
	f.Add("10.1.2.3:80", "198.51.100.9, 10.0.0.2")
	f.Add("203.0.113.7:5000", "1.2.3.4")
	f.Add("[::1]:1", ",,, ::ffff:1.2.3.4 ,")
	f.Fuzz(func(t *testing.T, remote, xff string) {
		c, ok := tp.ClientOf(remote, []string{xff})
		if ok && !c.IsValid() {
			t.Fatalf("invalid client for %q %q", remote, xff)
		}
		// Only a trusted peer may be replaced by a header's address.
		if ok && !tp.trusted(c) {
			if p, _ := tp.ClientOf(remote, nil); p != c && !tp.trusted(p) {
				t.Fatalf("untrusted peer %v replaced by %v", p, c)
			}
		}
	})
}
