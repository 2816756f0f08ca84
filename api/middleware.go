package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/sendflow/sendflow/internal/auth"
	"github.com/sendflow/sendflow/internal/store"
)

// requestID tags every request so the audit trail and logs can be joined up.
func requestID(ctx huma.Context, next func(huma.Context)) {
	id := ctx.Header("X-Request-Id")
	if id == "" || len(id) > 100 {
		id = uuid.NewString()
	}
	ctx.SetHeader("X-Request-Id", id)
	next(huma.WithValue(ctx, requestIDKey, id))
}

// authenticate resolves the bearer token of operations that declare security into a user.
func (s *Server) authenticate(api huma.API) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		if len(ctx.Operation().Security) == 0 {
			next(ctx)
			return
		}
		h := ctx.Header("Authorization")
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || token == "" {
			ctx.SetHeader("WWW-Authenticate", `Bearer realm="sendflow"`)
			_ = huma.WriteErr(api, ctx, http.StatusUnauthorized, "Sign in first: send an Authorization: Bearer <token> header.")
			return
		}
		claims, err := auth.Verify(s.SigningKey, token)
		if err != nil {
			ctx.SetHeader("WWW-Authenticate", `Bearer realm="sendflow", error="invalid_token"`)
			_ = huma.WriteErr(api, ctx, http.StatusUnauthorized, "Your sign-in token is not valid or has expired. Get a new one.")
			return
		}
		u, err := s.Store.UserByID(ctx.Context(), claims.Subject)
		if errors.Is(err, store.ErrNotFound) {
			_ = huma.WriteErr(api, ctx, http.StatusUnauthorized, "This token's user no longer exists.")
			return
		}
		if err != nil {
			s.Logger.Error("load user for token", "error", err)
			_ = huma.WriteErr(api, ctx, http.StatusServiceUnavailable, "sendflow cannot reach its database just now. Try again shortly.")
			return
		}
		next(huma.WithValue(ctx, userKey, u))
	}
}
