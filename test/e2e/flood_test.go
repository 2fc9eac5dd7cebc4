package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestFloodServerAnswers holds thousands of connections that send a request's headers and one
// byte of a 100-byte body (as an adversarial probe did, until the server ran out of file
// descriptors and stopped answering), plus sixteen large simulations at once, against a server
// whose descriptor limit is 1,024; ordinary requests from another client address keep being
// answered. The flood comes from 127.0.0.1, everything else from 127.0.0.2. Latency of the
// ordinary requests with and without the flood is logged (no threshold: the machines are shared).
func TestFloodServerAnswers(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	dir := t.TempDir()
	cmd := exec.Command("sh", "-c", "ulimit -n 1024 && exec "+binary+" serve")
	cmd.Env = append(os.Environ(), "ARCADE_ADDR=127.0.0.1:0", "ARCADE_DATA_DIR="+dir, "ARCADE_DATABASE_URL=",
		"ARCADE_DRAIN_SECONDS=0", "ARCADE_LOG_LEVEL=error", "ARCADE_SIGNUP_RATE=0", "ARCADE_RATE_LIMIT=0",
		"ARCADE_HTTP_READ_TIMEOUT=120") // the flood holds its connections for the whole test
	// e.g. ARCADE_TEST_FLOOD_ENV="ARCADE_MAX_CONNS=0 ARCADE_MAX_CONNS_PER_CLIENT=0" to see it fail
	cmd.Env = append(cmd.Env, strings.Fields(os.Getenv("ARCADE_TEST_FLOOD_ENV"))...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	var base string
	select {
	case base = <-found:
	case <-time.After(30 * time.Second):
		t.Fatalf("server did not start:\n%s", logs.String())
	}
	addr := strings.TrimPrefix(base, "http://")

	// Ordinary clients come from 127.0.0.2; a hung server fails them after 20 s.
	client := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{
		DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}).DialContext}}
	do := func(method, path, key, body string) (int, http.Header, error) {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := client.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		if method == "POST" && path == "/api/auth/guest" {
			var b struct {
				Data struct {
					APIKey string `json:"apiKey"`
				} `json:"data"`
			}
			_ = json.Unmarshal(raw, &b)
			return res.StatusCode, http.Header{"Key": {b.Data.APIKey}}, nil
		}
		return res.StatusCode, res.Header, nil
	}
	_, h, err := do("POST", "/api/auth/guest", "", "")
	if err != nil || h.Get("Key") == "" {
		t.Fatalf("sign-up: %v", err)
	}
	key := h.Get("Key")
	ordinary := func(label string) []time.Duration {
		var lat []time.Duration
		for i := range 40 {
			path, k := "/health/live", ""
			if i%2 == 1 {
				path, k = "/api/me", key
			}
			t0 := time.Now()
			code, _, err := do("GET", path, k, "")
			if err != nil || code != 200 {
				t.Fatalf("%s: GET %s: %d %v", label, path, code, err)
			}
			lat = append(lat, time.Since(t0))
		}
		slices.Sort(lat)
		return lat
	}
	quiet := ordinary("without the flood")

	// The flood: slow bodies from 127.0.0.1.
	const flood = 3000
	var conns []net.Conn
	refused := 0
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}, Timeout: 5 * time.Second}
	for range flood {
		c, err := d.Dial("tcp", addr)
		if err != nil {
			refused++
			continue
		}
		if _, err := fmt.Fprintf(c, "POST /api/faucet HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"); err != nil {
			refused++
			c.Close()
			continue
		}
		conns = append(conns, c)
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	// Connections the server refused were answered 503 and closed at once. A loaded server may
	// not have accepted and answered any yet when the first look comes (the kernel completes the
	// handshakes by itself): look again until one has been, with a generous deadline.
	answered := make([]bool, len(conns))
	for deadline := time.Now().Add(30 * time.Second); ; {
		for i, c := range conns {
			if answered[i] {
				continue
			}
			c.SetReadDeadline(time.Now().Add(time.Millisecond))
			b := make([]byte, 12)
			if n, _ := c.Read(b); n > 0 && strings.HasPrefix(string(b[:n]), "HTTP/1.1 503") {
				refused++
				answered[i] = true
			}
		}
		if refused > 0 || time.Now().After(deadline) {
			break
		}
	}

	// Sixteen large simulations at once, beside the flood.
	var wg sync.WaitGroup
	codes := make([]int, 16)
	retryAfter := make([]string, 16)
	sim := `{"strategy":{"name":"flat","baseConfig":{"amount":1,"target":50,"condition":"over"},"rules":[{"id":"r1","order":1,"enabled":true,"trigger":{"type":"loss"},"action":{"type":"double_bet"}}]},"rounds":10000,"sessions":200}`
	for i := range codes {
		wg.Go(func() {
			code, h, err := do("POST", "/api/me/advanced-strategies/simulate", key, sim)
			if err != nil {
				t.Errorf("simulate: %v", err)
				return
			}
			codes[i], retryAfter[i] = code, h.Get("Retry-After")
		})
	}
	loud := ordinary("during the flood")
	wg.Wait()
	ran, busy := 0, 0
	for i, c := range codes {
		switch {
		case c == 200:
			ran++
		case c == 503 && retryAfter[i] != "":
			busy++
		default:
			t.Errorf("simulation %d: %d %s", i, c, retryAfter[i])
		}
	}
	if refused == 0 {
		t.Errorf("none of %d flood connections was refused", flood)
	}
	pct := func(l []time.Duration, p int) time.Duration { return l[(len(l)-1)*p/100] }
	t.Logf("flood: %d connections held, %d refused; simulations: %d ran, %d answered 503 with Retry-After", len(conns)-refused, refused, ran, busy)
	t.Logf("ordinary requests without the flood: p50 %v p99 %v; during it: p50 %v p99 %v",
		pct(quiet, 50), pct(quiet, 99), pct(loud, 50), pct(loud, 99))
}
