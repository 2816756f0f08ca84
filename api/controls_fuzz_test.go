package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode"
)

// FuzzRefuseControls: a JSON body any of whose strings (keys or values) holds an invisible
// control character — other than the tab and line breaks free text may hold — never reaches a
// handler; a body whose strings hold none does.
func FuzzRefuseControls(f *testing.F) {
	for _, seed := range []string{`{"observed":"Seen\u0000 in class"}`, `{"name":"A\u007fmy"}`, "{\"name\":\"A\x7fmy\"}",
		`{"observed":"Line one\nline two\r\n\tindented"}`, `{"observed":"a path C:\\u0000 is text"}`, `{"a\u0007":1}`,
		`["\u0085"]`, "{\"n\":\"\u2028\"}", `{"a":{"b":["x","\u001f"]}}`, `not json`, `{"a":"\\\u0000"}`} {
		f.Add(seed)
	}
	h := RefuseControls(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/x", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		refused := w.Code == 422
		var v any
		if json.Unmarshal([]byte(body), &v) != nil {
			return // not JSON: the operation's own decoder answers
		}
		if holds := anyString(v, func(s string) bool { return strings.IndexFunc(s, invisibleControl) >= 0 }); holds &&
			!refused {
			t.Fatalf("%q holds a control character but reached the handler", body)
		} else if !holds && refused && !strings.Contains(body, `\u`) && strings.IndexFunc(body, invisibleControl) < 0 {
			t.Fatalf("%q holds no control character but was refused", body)
		}
	})
}

// invisibleControl is what no field holds (internal/input's rule): control characters and the
// Unicode line and paragraph separators, but for the tab and the line breaks free text may hold.
func invisibleControl(r rune) bool {
	return r != '\t' && r != '\n' && r != '\r' && (unicode.IsControl(r) || r == '\u2028' || r == '\u2029')
}

// anyString reports whether f holds for a string anywhere in a decoded JSON value, keys included.
func anyString(v any, f func(string) bool) bool {
	switch x := v.(type) {
	case string:
		return f(x)
	case []any:
		for _, e := range x {
			if anyString(e, f) {
				return true
			}
		}
	case map[string]any:
		for k, e := range x {
			if f(k) || anyString(e, f) {
				return true
			}
		}
	}
	return false
}
