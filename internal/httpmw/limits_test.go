package httpmw

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
)

// Sign-in, by API or on the parents' page, gets a tenth of the allowance; other parent pages
// and the API get the whole of it.
func TestSignInPagesGetTheSmallAllowance(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	h := protect(mux, 60) // 60 a minute, bursts of 10; sign-in 6 a minute, bursts of 1

	hits := func(client, path string, n int) (ok int, retryAfter string) {
		for i := 0; i < n; i++ {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.RemoteAddr = client + ":40000"
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code == http.StatusTooManyRequests {
				return ok, rec.Header().Get("Retry-After")
			}
			ok++
		}
		return ok, ""
	}
	for _, path := range []string{"/parent/sign-in?token=guess", "/v1/auth/magic-link/exchange"} {
		client := "192.0.2." + map[bool]string{true: "1", false: "2"}[path[1] == 'p']
		if ok, retry := hits(client, path, 5); ok != 1 || retry == "" {
			t.Errorf(
				"%s: %d requests let through before 429 (Retry-After %q); want 1 then 429 with Retry-After",
				path,
				ok,
				retry,
			)
		}
	}
	if ok, _ := hits("192.0.2.3", "/parent/plan?t=x", 10); ok != 10 {
		t.Errorf("/parent/plan: only %d of 10 requests let through; it should have the general allowance", ok)
	}
}

// A write whose handler works longer than Huma's body read timeout keeps its context, and the
// client's kept-alive connection keeps working. (Huma sets a read deadline to read the body and
// leaves it; the body was already read, so the deadline ended net/http's background read of
// the connection, which cancelled the connection's context: the write failed as cancelled after
// 5 s instead of waiting its 10 s for the workflow, and every later request on the connection
// failed at once — 503 "cannot reach its database" — for as long as the client kept it.)
func TestSlowWriteKeepsItsConnection(t *testing.T) {
	const bodyTimeout = 20 * time.Millisecond
	mux := http.NewServeMux()
	hapi := humago.New(mux, huma.DefaultConfig("test", "1"))
	type in struct {
		Body struct {
			A int `json:"a"`
		}
	}
	huma.Register(
		hapi,
		huma.Operation{
			Method:          http.MethodPost,
			Path:            "/slow",
			BodyReadTimeout: bodyTimeout,
			DefaultStatus:   http.StatusNoContent,
		},
		func(ctx context.Context, _ *in) (*struct{}, error) {
			time.Sleep(10 * bodyTimeout) // works past the body's deadline, however fast the machine
			if err := ctx.Err(); err != nil {
				return nil, huma.Error503ServiceUnavailable("context: " + err.Error())
			}
			return nil, nil
		},
	)
	srv := httptest.NewServer(protect(mux, 1000))
	defer srv.Close()
	var conns atomic.Int32
	client := &http.Client{
		Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conns.Add(1)
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}},
	}
	for i := range 3 {
		resp, err := client.Post(srv.URL+"/slow", "application/json", strings.NewReader(`{"a":1}`))
		if err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			t.Errorf("request %d answered %d %s", i+1, resp.StatusCode, got)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("the client dialled %d connections for 3 requests; want the one kept alive", n)
	}
}

// The server's read deadline still ends a client that sends its headers and then stalls its
// body.
func TestStalledBodyStillTimesOut(t *testing.T) {
	reached := make(chan error, 1)
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		reached <- err
	})
	srv := httptest.NewUnstartedServer(protect(mux, 1000))
	srv.Config.ReadTimeout = 50 * time.Millisecond
	srv.Start()
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Promise 100 bytes, send 2, then nothing.
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"")
	if err := <-reached; err == nil {
		t.Error("reading a stalled body succeeded; the read deadline should end it")
	}
}

// Behind trusted proxies the limit counts each client the proxy names in X-Forwarded-For; from
// anywhere else X-Forwarded-For is ignored, so a client cannot dodge the limit by making one up.
func TestRateLimitBehindTrustedProxies(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	h := protect(mux, 60, netip.MustParsePrefix("10.0.0.0/8")) // 60 a minute, bursts of 10
	send := func(peer, xff string) int {
		req := httptest.NewRequest(http.MethodGet, "/v1/me", nil)
		req.RemoteAddr = peer + ":40000"
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	// An untrusted client making up a new X-Forwarded-For every time is still one client.
	ok := 0
	for i := 0; i < 30; i++ {
		if send("192.0.2.9", fmt.Sprintf("198.51.100.%d", i)) == http.StatusOK {
			ok++
		}
	}
	if ok != 10 {
		t.Errorf("a client spoofing X-Forwarded-For got %d of 30 requests through; want the burst of 10", ok)
	}
	// Two clients behind the trusted proxy have an allowance each: one using all of its own
	// leaves the other's, though both arrive from the proxy's address.
	ok = 0
	for i := 0; i < 30; i++ {
		if send("10.1.2.3", "203.0.113.1") == http.StatusOK {
			ok++
		}
	}
	if ok != 10 {
		t.Errorf("client A behind the proxy got %d of 30 through; want 10", ok)
	}
	if code := send("10.1.2.3", "203.0.113.2"); code != http.StatusOK {
		t.Errorf("client B behind the proxy after A used its allowance: %d, want 200", code)
	}
	// A client behind the proxy prepending made-up addresses is still counted as itself (the
	// proxy appends the address it saw), and a chain of trusted proxies is walked through.
	for i := 0; i < 5; i++ {
		if code := send("10.1.2.3", fmt.Sprintf("198.51.100.%d, 10.9.9.9, 203.0.113.1", i)); code != http.StatusTooManyRequests {
			t.Errorf("client A with a made-up address in front: %d, want 429", code)
		}
	}
}

// protect is Protect as internal/app wires it: the API's and the parents' sign-in paths get the
// small allowance.
func protect(next http.Handler, perMinute int, trusted ...netip.Prefix) http.Handler {
	return Protect(next, Options{PerMinute: perMinute, SignInPaths: []string{"/v1/auth/", "/parent/sign-in"},
		MaxBody: 11 << 20, TrustedProxies: trusted})
}
