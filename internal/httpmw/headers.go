package httpmw

import (
	"net/http"
	"strings"
)

// ContentPolicy allows a response nothing but its own inline styles (the parents' pages and the
// evidence pack are styled inline) and forms that post back to sendflow: no scripts, no remote
// loads, no framing. A surface that needs more sets its own Content-Security-Policy over it (the
// staff pages and /docs do).
const ContentPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// SecurityHeaders gives every response, from every surface (the API, the parents' pages, the
// staff pages, the dev mailbox), the headers a pupil's record needs: never stored by a browser or
// a proxy, never sniffed into another type, never framed, and no address (which may carry a
// link's token) passed on as a referrer. They are set before the handler runs, so errors and
// refusals carry them too.
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", ContentPolicy)
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		// Behind a TLS proxy the request itself is plain HTTP; the proxy says how it came in.
		if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}
