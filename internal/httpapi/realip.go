package httpapi

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// TrustedProxies are the load balancers and reverse proxies in front of the server
// (ARCADE_TRUSTED_PROXIES). Behind one, every connection comes from the proxy's address, so
// every per-address limit (sign-ups, MCP sessions, the connection cap per client) would count
// all clients as one. A request from a trusted proxy is attributed to the client the proxies
// name in X-Forwarded-For: the rightmost address there that is not itself a trusted proxy.
// Addresses left of it were written by the client and are never believed. A request from any
// other address keeps its own address, whatever its headers say.
type TrustedProxies []netip.Prefix

// ParseTrustedProxies reads a comma-separated list of IP addresses and CIDR prefixes.
func ParseTrustedProxies(s string) (TrustedProxies, error) {
	var out TrustedProxies
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxies: %q is neither an IP address nor a CIDR prefix", f)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

func (t TrustedProxies) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range t {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientOf returns the client address of a request that came from remote (host:port) with
// the given X-Forwarded-For header values: remote itself unless it is a trusted proxy.
func (t TrustedProxies) ClientOf(remote string, forwarded []string) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	peer = peer.Unmap()
	if !t.trusted(peer) {
		return peer, true
	}
	// Each proxy appends the address it saw; the last header line holds the nearest hops.
	for i := len(forwarded) - 1; i >= 0; i-- {
		hops := strings.Split(forwarded[i], ",")
		for j := len(hops) - 1; j >= 0; j-- {
			a, err := netip.ParseAddr(strings.TrimSpace(hops[j]))
			if err != nil {
				return peer, true // a malformed hop: stop at the last address we can vouch for
			}
			if a = a.Unmap(); !t.trusted(a) {
				return a, true
			}
			peer = a
		}
	}
	return peer, true
}

// Wrap attributes each request to its client (r.RemoteAddr, which ClientAddr reads) before
// next sees it. With no trusted proxies it returns next unchanged.
func (t TrustedProxies) Wrap(next http.Handler) http.Handler {
	if len(t) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, ok := t.ClientOf(r.RemoteAddr, r.Header.Values("X-Forwarded-For")); ok {
			r2 := *r
			r2.RemoteAddr = netip.AddrPortFrom(c, 0).String()
			r = &r2
		}
		next.ServeHTTP(w, r)
	})
}
