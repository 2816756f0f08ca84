package api

import (
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Handler wraps the mux with the outermost HTTP protections: security headers on every response,
// a body size limit, a deadline for every request, no invisible control characters, and
// per-client rate limits (429 with Retry-After). Sign-in endpoints get a
// tenth of the allowance (asking for a link, exchanging one by API or on the parents' sign-in
// page), so links cannot be used to flood a parent's inbox or guess secrets. Requests from
// trustedProxies are counted against the client they forward (X-Forwarded-For).
func Handler(mux *http.ServeMux, perMinute int, trustedProxies ...netip.Prefix) http.Handler {
	general := newLimiter(perMinute)
	signIn := newLimiter(max(perMinute/10, 3))
	return securityHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l := general
		if strings.HasPrefix(r.URL.Path, "/v1/auth/") || strings.HasPrefix(r.URL.Path, "/parent/sign-in") {
			l = signIn
		}
		if wait, ok := l.allow(clientKey(r, trustedProxies)); !ok {
			w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(wait.Seconds()))))
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprintf(w, `{"title":"Too Many Requests","status":429,"detail":"Too many requests from this address. Wait %d seconds and try again."}`, int(math.Ceil(wait.Seconds())))
			return
		}
		if r.ContentLength > maxBody {
			tooLarge(w)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 60*time.Second)
		defer cancel()
		http.MaxBytesHandler(readDeadlinesForBody(refuseControls(mux)), maxBody).ServeHTTP(w, r.WithContext(ctx))
	}))
}

// readDeadlinesForBody lets read deadlines set below (Huma sets one of 5 s to read a body, and
// leaves it) reach the connection only while the request's body is still being read. Once the
// body has been read to its end, net/http reads the connection in the background to notice a
// client going away; a deadline then ends that read and cancels the connection's context: the
// request fails as cancelled however long its own budget, and so does every later request on
// the kept-alive connection. The server's ReadTimeout still bounds reading the request.
func readDeadlinesForBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		read := &atomic.Bool{}
		if r.Body == nil || r.Body == http.NoBody {
			read.Store(true)
		} else {
			r.Body = &eofBody{ReadCloser: r.Body, read: read}
		}
		next.ServeHTTP(bodyDeadlines{ResponseWriter: w, read: read}, r)
	})
}

// eofBody notes when its body has been read to the end.
type eofBody struct {
	io.ReadCloser
	read *atomic.Bool
}

func (b *eofBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.read.Store(true)
	}
	return n, err
}

// bodyDeadlines drops read deadlines once the body has been read.
type bodyDeadlines struct {
	http.ResponseWriter
	read *atomic.Bool
}

func (w bodyDeadlines) SetReadDeadline(t time.Time) error {
	if w.read.Load() {
		return nil
	}
	return http.NewResponseController(w.ResponseWriter).SetReadDeadline(t)
}

func (w bodyDeadlines) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// maxBody is the most any request may send: just over the largest operation's own limit (the
// pupil import's), so an operation's limit, which Huma answers with 413, is always met first.
const maxBody = importMaxBytes + 1

// tooLarge answers a body over every limit.
func tooLarge(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(http.StatusRequestEntityTooLarge)
	fmt.Fprintf(w, `{"title":"Request Entity Too Large","status":413,"detail":"The request is too large: no request may send more than %d MB. Nothing was changed."}`, maxBody>>20)
}

// clientKey identifies the client a request is counted against: the address it comes from, or,
// when that is a trusted proxy, the nearest address in X-Forwarded-For that is not one. Walking
// from the right means only addresses the trusted proxies themselves appended are believed; what
// a client writes in the header itself sits further left and is never reached.
func clientKey(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !isTrusted(peer, trusted) {
		return host
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a trusted proxy wrote something that is not an address: count the last one it did
		}
		client = a.Unmap()
		if !isTrusted(client, trusted) {
			break
		}
	}
	return client.String()
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	a = a.Unmap()
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

type limiter struct {
	mu      sync.Mutex
	perMin  int
	clients map[string]*bucket
	swept   time.Time
}

type bucket struct {
	l    *rate.Limiter
	seen time.Time
}

func newLimiter(perMinute int) *limiter {
	return &limiter{perMin: perMinute, clients: map[string]*bucket{}, swept: time.Now()}
}

// allow takes one request from the client's bucket, or says how long until one is free.
func (l *limiter) allow(key string) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if now.Sub(l.swept) > time.Minute { // forget quiet clients so the map stays small
		for k, c := range l.clients {
			if now.Sub(c.seen) > 10*time.Minute {
				delete(l.clients, k)
			}
		}
		l.swept = now
	}
	c, ok := l.clients[key]
	if !ok {
		c = &bucket{l: rate.NewLimiter(rate.Limit(float64(l.perMin)/60), max(l.perMin/6, 1))}
		l.clients[key] = c
	}
	c.seen = now
	res := c.l.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return d, false
	}
	return 0, true
}
