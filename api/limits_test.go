package api

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// Sign-in, by API or on the parents' page, gets a tenth of the allowance; other parent pages
// and the API get the whole of it.
func TestSignInPagesGetTheSmallAllowance(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	h := Handler(mux, 60) // 60 a minute, bursts of 10; sign-in 6 a minute, bursts of 1

	hits := func(client, path string, n int) (ok int, retryAfter string) {
		for i := 0; i < n; i++ {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.RemoteAddr = client + ":40000"
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code == http.StatusTooManyRequests {
				return ok, rec.Header().Get("Retry-After")
			}
			ok++
		}
		return ok, ""
	}
	for _, path := range []string{"/parent/sign-in?token=guess", "/v1/auth/magic-link/exchange"} {
		client := "192.0.2." + map[bool]string{true: "1", false: "2"}[path[1] == 'p']
		if ok, retry := hits(client, path, 5); ok != 1 || retry == "" {
			t.Errorf("%s: %d requests let through before 429 (Retry-After %q); want 1 then 429 with Retry-After", path, ok, retry)
		}
	}
	if ok, _ := hits("192.0.2.3", "/parent/plan?t=x", 10); ok != 10 {
		t.Errorf("/parent/plan: only %d of 10 requests let through; it should have the general allowance", ok)
	}
}
