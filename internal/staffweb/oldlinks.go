package staffweb

import (
	"net/http"
	"strings"

	"github.com/sendflow/sendflow/internal/pagelink"
)

// OldLinks sends a browser that opens an API address a staff email gave before the pages existed
// (a pupil's pathway, a support cycle) to the page that shows it. API clients (a bearer token, or
// no sign of a browser navigating) are served by the API as before.
func OldLinks(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.Header.Get("Authorization") == "" &&
			(r.Header.Get("Sec-Fetch-Mode") == "navigate" || strings.Contains(r.Header.Get("Accept"), "text/html")) {
			if page, ok := pagelink.StaffPage(r.URL.Path); ok {
				http.Redirect(w, r, page, http.StatusSeeOther)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
