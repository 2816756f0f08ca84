package httpmw

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A request keeps the id its client sent, when it is a sane one, and gets a new one otherwise;
// the handler sees the id the response echoes, and refusals carry one too.
func TestRequestIDs(t *testing.T) {
	var seen string
	h := Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = RequestID(r.Context()) }),
		Options{PerMinute: 6}) // bursts of 1
	send := func(client, asked string) (echoed string, status int) {
		seen = ""
		r := httptest.NewRequest("GET", "/x", nil)
		r.RemoteAddr = client + ":40000"
		if asked != "" {
			r.Header.Set("X-Request-Id", asked)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Header().Get("X-Request-Id"), w.Code
	}
	if got, _ := send("192.0.2.1", "trace-42"); got != "trace-42" || seen != "trace-42" {
		t.Errorf("a sane id: echoed %q, handler saw %q; want trace-42 both", got, seen)
	}
	long := strings.Repeat("x", 101)
	got, _ := send("192.0.2.2", long)
	if got == "" || got == long || seen != got {
		t.Errorf("an id of 101 bytes: echoed %q, handler saw %q; want a new id, the same in both", got, seen)
	}
	first, _ := send("192.0.2.3", "")
	if first == "" || seen != first {
		t.Errorf("no id: echoed %q, handler saw %q; want a new id, the same in both", first, seen)
	}
	second, status := send("192.0.2.3", "") // the same client again: over its allowance
	if status != http.StatusTooManyRequests || second == "" || second == first {
		t.Errorf(
			"a refused request: %d with id %q (the one before %q); want 429 with an id of its own",
			status,
			second,
			first,
		)
	}
	if RequestID(httptest.NewRequest("GET", "/", nil).Context()) != "" {
		t.Error("a request outside RequestIDs has an id")
	}
}
