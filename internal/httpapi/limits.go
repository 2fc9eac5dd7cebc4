package httpapi

import (
	"net"
	"net/http"
	"sync"
)

// Flood protection at the edge: a listener that refuses connections past a cap per client
// address and in all (before they cost a goroutine and a file descriptor each for as long as a
// slow client likes), and a bound on concurrent CPU-heavy requests (Op.Heavy).

// ConnLimits caps open connections: PerClient per remote IP address, Total in all (0: no cap).
type ConnLimits struct {
	Total, PerClient int
}

// LimitListener wraps ln so that a connection past a cap is closed at once, with a short 503
// answer, instead of being served. Behind a load balancer every connection comes from its
// address: set PerClient to 0 there.
func LimitListener(ln net.Listener, l ConnLimits) net.Listener {
	if l.Total <= 0 && l.PerClient <= 0 {
		return ln
	}
	return &limitListener{Listener: ln, l: l, per: map[string]int{}}
}

type limitListener struct {
	net.Listener
	l ConnLimits

	mu      sync.Mutex
	total   int
	per     map[string]int
	refused int64
}

// tooMany is written to a refused connection: clients that read it learn why and when to retry.
const tooMany = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: 78\r\n\r\n" +
	`{"success":false,"error":"TOO_MANY_CONNECTIONS","message":"too many connections"}`

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		host, _, _ := net.SplitHostPort(c.RemoteAddr().String())
		l.mu.Lock()
		if (l.l.Total > 0 && l.total >= l.l.Total) || (l.l.PerClient > 0 && l.per[host] >= l.l.PerClient) {
			l.refused++
			l.mu.Unlock()
			// The answer fits in the socket buffer: writing it does not block the accept loop.
			_, _ = c.Write([]byte(tooMany))
			_ = c.Close()
			continue
		}
		l.total++
		l.per[host]++
		l.mu.Unlock()
		return &limitConn{Conn: c, l: l, host: host}, nil
	}
}

// Refused counts connections refused so far.
func (l *limitListener) Refused() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.refused
}

type limitConn struct {
	net.Conn
	l    *limitListener
	host string
	once sync.Once
}

func (c *limitConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		c.l.total--
		if c.l.per[c.host]--; c.l.per[c.host] <= 0 {
			delete(c.l.per, c.host)
		}
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}

// SetHeavyLimit bounds how many Heavy operations run at once (n <= 0: no bound). Past it they
// answer 503 with Retry-After at once, rather than queueing CPU work that starves every other
// request (a simulation or a long strategy run takes seconds of CPU). Call before Handle.
func (rt *Router) SetHeavyLimit(n int) {
	if n > 0 {
		rt.heavy = make(chan struct{}, n)
	}
}

const busyBody = `{"success":false,"error":"SERVER_BUSY","message":"too many simulations and strategy runs at once; retry after the Retry-After seconds"}`

func (rt *Router) bounded(h http.HandlerFunc) http.HandlerFunc {
	if rt.heavy == nil {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) {
		select {
		case rt.heavy <- struct{}{}:
			defer func() { <-rt.heavy }()
			h(w, r)
		default:
			w.Header().Set("Retry-After", "1")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(busyBody + "\n"))
		}
	}
}
