package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"unicode"

	"github.com/sendflow/sendflow/internal/httpmw"
)

// MaxBody is the most any request may send: just over the largest operation's own limit (the
// pupil import's), so an operation's limit, which Huma answers with 413, is always met first.
const MaxBody = importMaxBytes + 1

// forbidden is what no field holds (internal/input's rule): control characters and the Unicode
// line and paragraph separators, but for the tab and the line breaks free text may hold.
func forbidden(r rune) bool {
	return r != '\t' && r != '\n' && r != '\r' && (unicode.IsControl(r) || r == '\u2028' || r == '\u2029')
}

// holdsControl reports whether any string of a JSON body, key or value, escaped or not, holds a
// forbidden character. A body that is not JSON is left to the operation's own decoder.
func holdsControl(body []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if s, ok := tok.(string); ok && strings.IndexFunc(s, forbidden) >= 0 {
			return true
		}
	}
}

// RefuseControls answers 422 for a request carrying an invisible control character in its query
// or its JSON body, before any handler sees it: no field needs one, PostgreSQL cannot store a NUL,
// and an email subject or a calendar file cannot carry a line break. Fields with rules of their
// own (names, free text, addresses) are checked again with internal/input; this is the net under
// every field, including those added later.
func RefuseControls(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, vs := range r.URL.Query() {
			for _, v := range vs {
				if strings.IndexFunc(v, unicode.IsControl) >= 0 {
					controlProblem(w, "query")
					return
				}
			}
		}
		if r.Body != nil && strings.Contains(r.Header.Get("Content-Type"), "json") {
			body, err := io.ReadAll(r.Body)
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				httpmw.TooLarge(w, MaxBody)
				return
			}
			if err != nil { // the client went away: the handler reports its own read error
				r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{err}))
				next.ServeHTTP(w, r)
				return
			}
			if holdsControl(body) {
				controlProblem(w, "body")
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		next.ServeHTTP(w, r)
	})
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func controlProblem(w http.ResponseWriter, where string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(http.StatusUnprocessableEntity)
	_, _ = io.WriteString(w, `{"title":"Unprocessable Entity","status":422,"detail":"The request's `+where+
		` holds an invisible control character (such as a NUL). Remove it and send the request again; nothing was changed.","errors":[{"location":"`+where+`","message":"invisible control character"}]}`)
}
