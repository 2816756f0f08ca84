// Package httpmw is the HTTP middleware every surface of sendflow sits behind — the JSON API, the
// parents' pages and the staff pages, on one mux (internal/app wires it once): a request id,
// security headers, per-client rate limits, a body limit and a deadline for every request.
//
// It imports none of the surfaces; they read what it gives a request (RequestID) from here.
package httpmw

import (
	"net/http"
	"net/netip"
	"time"
)

// Options are the limits Protect applies.
type Options struct {
	// PerMinute is each client's allowance of requests a minute (bursts of a sixth of it).
	PerMinute int
	// SignInPaths are path prefixes that get a tenth of the allowance (at least 3 a minute):
	// asking for a sign-in link or exchanging one, so links cannot be used to flood an inbox or
	// guess secrets.
	SignInPaths []string
	// MaxBody is the most any request may send; a larger one is refused with 413.
	MaxBody int64
	// Timeout is every request's deadline (60 s when zero).
	Timeout time.Duration
	// TrustedProxies are the proxies whose X-Forwarded-For names the client a request is
	// counted against.
	TrustedProxies []netip.Prefix
}

// Protect wraps next with everything every response needs, outermost first: the security
// headers, the request id, the rate limits (429 with Retry-After), the body limit and the
// request's deadline. The headers and the id are set before anything can refuse the request, so
// refusals carry them too.
func Protect(next http.Handler, o Options) http.Handler {
	return SecurityHeaders(RequestIDs(Limit(next, o)))
}
