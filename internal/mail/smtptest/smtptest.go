// Package smtptest is a tiny SMTP server on loopback for tests: it speaks enough of RFC 5321
// (EHLO/HELO, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT) to take mail from a real
// client, and keeps every message it accepted.
package smtptest

import (
	"bufio"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// Message is one accepted message.
type Message struct {
	From string
	To   []string
	Data string // the message text, CRLF line ends, dot-unstuffed
}

// Server is a running test SMTP server.
type Server struct {
	Addr string
	// Refuse, when set, answers 554 to DATA (a server that refuses the mail).
	Refuse atomic.Bool

	ln   net.Listener
	mu   sync.Mutex
	msgs []Message
	wg   sync.WaitGroup
}

// Start listens on 127.0.0.1 and serves until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String(), ln: ln}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(func() { _ = ln.Close(); s.wg.Wait() })
	return s
}

// URL is the server as ARCADE_SMTP_URL.
func (s *Server) URL() string { return "smtp://" + s.Addr }

// Messages returns the messages accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			s.serve(c)
		}()
	}
}

func (s *Server) serve(c net.Conn) {
	r := bufio.NewReader(c)
	w := bufio.NewWriter(c)
	say := func(line string) { _, _ = w.WriteString(line + "\r\n"); _ = w.Flush() }
	say("220 smtptest ESMTP")
	var cur Message
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(line)
		switch {
		case strings.HasPrefix(verb, "EHLO"):
			say("250-smtptest")
			say("250 8BITMIME")
		case strings.HasPrefix(verb, "HELO"):
			say("250 smtptest")
		case strings.HasPrefix(verb, "MAIL FROM:"):
			cur = Message{From: strings.Trim(strings.Fields(line[len("MAIL FROM:"):] + " ")[0], "<>")}
			say("250 OK")
		case strings.HasPrefix(verb, "RCPT TO:"):
			if cur.From == "" {
				say("503 MAIL first")
				continue
			}
			cur.To = append(cur.To, strings.Trim(strings.TrimSpace(line[len("RCPT TO:"):]), "<>"))
			say("250 OK")
		case verb == "DATA":
			if len(cur.To) == 0 {
				say("503 RCPT first")
				continue
			}
			say("354 end with <CRLF>.<CRLF>")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			if s.Refuse.Load() {
				say("554 refused")
				cur = Message{}
				continue
			}
			cur.Data = data.String()
			s.mu.Lock()
			s.msgs = append(s.msgs, cur)
			s.mu.Unlock()
			cur = Message{}
			say("250 OK queued")
		case verb == "RSET":
			cur = Message{}
			say("250 OK")
		case verb == "NOOP":
			say("250 OK")
		case verb == "QUIT":
			say("221 bye")
			return
		default:
			say("502 command not implemented")
		}
	}
}
