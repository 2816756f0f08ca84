package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sendflow/sendflow/internal/httpmw"
)

// A control character anywhere in a request's query or JSON body is refused before any handler
// runs; line breaks and tabs in free text pass.
func TestControlCharactersAreRefused(t *testing.T) {
	reached := 0
	h := httpmw.Protect(
		RefuseControls(
			http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached++; w.WriteHeader(204) }),
		),
		httpmw.Options{PerMinute: 1000, MaxBody: MaxBody},
	)
	for _, c := range []struct {
		name, query, body string
		want              int
	}{
		{"a NUL in the body", "", `{"observed":"Seen\u0000 in class"}`, 422},
		{"a bell in the body", "", `{"name":"A\u0007my"}`, 422},
		{"DEL in the body", "", `{"name":"A\u007fmy"}`, 422},
		{"line breaks and tabs in free text", "", `{"observed":"Line one\nline two\r\n\tindented"}`, 204},
		{"an escaped backslash before u0000", "", `{"observed":"a path C:\\u0000 is text"}`, 204},
		{"a NUL in the query", "?service=educational%00psychology", "", 422},
		{"a plain query", "?service=educational_psychology", "", 204},
	} {
		r := httptest.NewRequest("POST", "/x"+c.query, strings.NewReader(c.body))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != c.want {
			t.Errorf("%s: %d %s, want %d", c.name, w.Code, w.Body, c.want)
		}
	}
	if reached != 3 {
		t.Errorf("the handler ran %d times, want 3 (only the clean requests)", reached)
	}
}
