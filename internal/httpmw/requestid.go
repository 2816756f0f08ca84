package httpmw

import (
	"context"
	"net/http"

	"github.com/google/uuid"
)

// requestIDKey is the one context key of a request's id, whichever surface serves it.
type requestIDKey struct{}

// RequestIDs tags every request with an id, so the audit trail and the logs can be joined up:
// the client's X-Request-Id when it is a sane one, a new one otherwise. The id is echoed in the
// response's X-Request-Id and read with RequestID.
func RequestIDs(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := SaneRequestID(r.Header.Get("X-Request-Id"))
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(WithRequestID(r.Context(), id)))
	})
}

// SaneRequestID is the id a request asked for, when it is one worth keeping (not empty, at most
// 100 bytes), else a new one.
func SaneRequestID(asked string) string {
	if asked == "" || len(asked) > 100 {
		return uuid.NewString()
	}
	return asked
}

// WithRequestID is ctx carrying the request id id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID is the id of the request ctx belongs to ("" outside RequestIDs).
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
