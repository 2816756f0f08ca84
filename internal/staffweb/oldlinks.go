package staffweb

import (
	"net/http"
	"regexp"
	"strings"
)

var pathwayLink = regexp.MustCompile(`^/v1/pupils/([0-9a-fA-F-]{36})/pathway$`)

// OldLinks sends a browser that opens a pupil's pathway at the API's address — the link staff
// emails gave before the pages existed — to the pupil's page. API clients (a bearer token, or no
// sign of a browser navigating) are served by the API as before.
func OldLinks(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.Header.Get("Authorization") == "" &&
			(r.Header.Get("Sec-Fetch-Mode") == "navigate" || strings.Contains(r.Header.Get("Accept"), "text/html")) {
			if m := pathwayLink.FindStringSubmatch(r.URL.Path); m != nil {
				http.Redirect(w, r, "/pupils/"+strings.ToLower(m[1]), http.StatusSeeOther)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
