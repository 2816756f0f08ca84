package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The security headers are on answers the handlers never see too: a refused control character,
// a rate-limited client.
func TestSecurityHeadersOnEveryAnswer(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	h := Handler(mux, 12) // bursts of 2
	for _, c := range []struct {
		name, body string
		want       int
	}{{"allowed", `{}`, 204}, {"a control character", `{"a":"\u0000"}`, 422}, {"rate-limited", `{}`, 429}} {
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
	Handler(mux, 600).ServeHTTP(w, r)
	if w.Header().Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS behind a TLS proxy")
	}
}
