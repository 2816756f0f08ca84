package httpmw

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Limit refuses what no surface should take, before next sees it: more requests from a client
// than its allowance (429 with Retry-After; the sign-in paths get a tenth of it), a body over
// o.MaxBody (413), and a request running past o.Timeout (its context ends). Requests from
// o.TrustedProxies are counted against the client they forward (X-Forwarded-For).
func Limit(next http.Handler, o Options) http.Handler {
	general := newLimiter(o.PerMinute)
	signIn := newLimiter(max(o.PerMinute/10, 3))
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	maxBody := o.MaxBody
	if maxBody <= 0 {
		maxBody = 1 << 20
	}
	inner := http.MaxBytesHandler(readDeadlinesForBody(next), maxBody)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l := general
		for _, p := range o.SignInPaths {
			if strings.HasPrefix(r.URL.Path, p) {
				l = signIn
				break
			}
		}
		if wait, ok := l.allow(ClientKey(r, o.TrustedProxies)); !ok {
			secs := int(math.Ceil(wait.Seconds()))
			w.Header().Set("Retry-After", fmt.Sprint(secs))
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprintf(
				w,
				`{"title":"Too Many Requests","status":429,"detail":"Too many requests from this address. Wait %d seconds and try again."}`,
				secs,
			)
			return
		}
		if r.ContentLength > maxBody {
			TooLarge(w, maxBody)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		inner.ServeHTTP(w, r.WithContext(ctx))
	})
}

// TooLarge answers a body over every limit: no request may send more than maxBody bytes.
func TooLarge(w http.ResponseWriter, maxBody int64) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(http.StatusRequestEntityTooLarge)
	fmt.Fprintf(
		w,
		`{"title":"Request Entity Too Large","status":413,"detail":"The request is too large: no request may send more than %d MB. Nothing was changed."}`,
		maxBody>>20,
	)
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
