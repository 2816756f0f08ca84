package httpmw

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The security headers are on answers the handlers never see too: a body over every limit, a
// rate-limited client.
func TestSecurityHeadersOnEveryAnswer(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	h := Protect(mux, Options{PerMinute: 12, MaxBody: 16}) // bursts of 2
	for _, c := range []struct {
		name, body string
		want       int
	}{{"allowed", `{}`, 204}, {"too large", `{"a":"0123456789abcdef"}`, 413}, {"rate-limited", `{}`, 429}} {
		r := httptest.NewRequest("POST", "/x", strings.NewReader(c.body))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != c.want {
			t.Fatalf("%s: %d, want %d", c.name, w.Code, c.want)
		}
		if w.Header().Get("Cache-Control") != "no-store" || w.Header().Get("X-Frame-Options") != "DENY" ||
			!strings.Contains(w.Header().Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("%s: headers %v", c.name, w.Header())
		}
		if w.Header().Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS over plain HTTP", c.name)
		}
	}
	r := httptest.NewRequest("GET", "/x", nil)
	r.Header.Set("X-Forwarded-Proto", "https")
	w := httptest.NewRecorder()
	Protect(mux, Options{PerMinute: 600}).ServeHTTP(w, r)
	if w.Header().Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS behind a TLS proxy")
	}
}

// A surface that needs more than the base policy (the staff pages' own scripts and styles) sets
// its own; the other headers stay.
func TestASurfaceSetsItsOwnPolicy(t *testing.T) {
	const own = "default-src 'self'; frame-ancestors 'none'"
	h := SecurityHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", own)
	}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if got := w.Header().Get("Content-Security-Policy"); got != own {
		t.Errorf("Content-Security-Policy %q, want the surface's %q", got, own)
	}
	if w.Header().Get("X-Content-Type-Options") != "nosniff" || w.Header().Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("the base headers went: %v", w.Header())
	}
}
