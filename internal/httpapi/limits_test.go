package httpapi

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestHeavyBound: with room for one heavy request, a second one while the first runs answers
// 503 with Retry-After at once; once the first is done the next one runs.
func TestHeavyBound(t *testing.T) {
	rt := NewRouter(slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	rt.SetHeavyLimit(1)
	entered, release := make(chan struct{}), make(chan struct{})
	rt.Handle(Op{Method: "POST", Path: "/sim", ID: "sim", Heavy: true, Handler: func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
		w.WriteHeader(200)
	}})
	if ops := rt.Ops(); len(ops[0].Errors) != 1 || ops[0].Errors[0] != 503 {
		t.Fatalf("the 503 of a heavy op is not documented: %v", ops[0].Errors)
	}
	first := make(chan int, 1)
	go func() {
		w := httptest.NewRecorder()
		rt.ServeHTTP(w, httptest.NewRequest("POST", "/sim", nil))
		first <- w.Code
	}()
	<-entered
	w := httptest.NewRecorder()
	rt.ServeHTTP(w, httptest.NewRequest("POST", "/sim", nil))
	if w.Code != 503 || w.Header().Get("Retry-After") == "" || !strings.Contains(w.Body.String(), "SERVER_BUSY") {
		t.Fatalf("second heavy request: %d %v %s", w.Code, w.Header(), w.Body)
	}
	release <- struct{}{}
	if c := <-first; c != 200 {
		t.Fatalf("first heavy request: %d", c)
	}
	go func() { <-entered; release <- struct{}{} }()
	w = httptest.NewRecorder()
	rt.ServeHTTP(w, httptest.NewRequest("POST", "/sim", nil))
	if w.Code != 200 {
		t.Fatalf("heavy request after the first finished: %d", w.Code)
	}
}

// TestLimitListener: past the per-client cap a connection is answered 503 and closed; closing
// a held connection makes room again.
func TestLimitListener(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := LimitListener(inner, ConnLimits{Total: 10, PerClient: 2})
	defer ln.Close()
	accepted := make(chan net.Conn, 10)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	dial := func() net.Conn {
		c, err := net.Dial("tcp", inner.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a, b := dial(), dial()
	sa, sb := <-accepted, <-accepted
	c := dial()
	got, _ := io.ReadAll(c)
	if !strings.HasPrefix(string(got), "HTTP/1.1 503") {
		t.Fatalf("third connection from one client: %q, want a 503", got)
	}
	c.Close()
	sa.Close()
	a.Close()
	d := dial()
	sd := <-accepted
	for _, x := range []net.Conn{b, sb, d, sd} {
		x.Close()
	}
}
