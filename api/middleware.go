package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/internal/auth"
	"github.com/sendflow/sendflow/internal/httpmw"
	"github.com/sendflow/sendflow/internal/store"
)

// requestID gives operations the request id httpmw gave the request (internal/app serves every
// surface behind it); an API served without it (a bare mux) gets one here, the same way.
func requestID(ctx huma.Context, next func(huma.Context)) {
	if httpmw.RequestID(ctx.Context()) != "" {
		next(ctx)
		return
	}
	id := httpmw.SaneRequestID(ctx.Header("X-Request-Id"))
	ctx.SetHeader("X-Request-Id", id)
	next(huma.WithContext(ctx, httpmw.WithRequestID(ctx.Context(), id)))
}

// authenticate resolves the bearer token of operations that declare security into a principal:
// sendflow's own tokens (dev, tests, parents' sessions) or the school's identity provider's.
func (s *Server) authenticate(api huma.API) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		if len(ctx.Operation().Security) == 0 {
			next(ctx)
			return
		}
		token, ok := bearerToken(ctx.Header("Authorization"))
		if !ok {
			ctx.SetHeader("WWW-Authenticate", `Bearer realm="sendflow"`)
			_ = huma.WriteErr(
				api,
				ctx,
				http.StatusUnauthorized,
				"Sign in first: send an Authorization: Bearer <token> header.",
			)
			return
		}
		u, err := s.userFor(ctx.Context(), token)
		if errors.Is(err, auth.ErrInvalidToken) || errors.Is(err, store.ErrNotFound) {
			ctx.SetHeader("WWW-Authenticate", `Bearer realm="sendflow", error="invalid_token"`)
			_ = huma.WriteErr(
				api,
				ctx,
				http.StatusUnauthorized,
				"Your sign-in is not valid, has expired, or is not for a sendflow user. Sign in again.",
			)
			return
		}
		if err != nil {
			s.Logger.Error("load user for token", "error", err)
			ctx.SetHeader("Retry-After", retryAfter().Get("Retry-After")) // the database will be back
			_ = huma.WriteErr(
				api,
				ctx,
				http.StatusServiceUnavailable,
				"sendflow cannot reach its database just now. Try again shortly.",
			)
			return
		}
		p, err := s.Store.LoadPrincipal(ctx.Context(), &u.User)
		if err != nil {
			s.Logger.Error("load access for token", "user_id", u.ID, "error", err)
			ctx.SetHeader("Retry-After", retryAfter().Get("Retry-After"))
			_ = huma.WriteErr(
				api,
				ctx,
				http.StatusServiceUnavailable,
				"sendflow cannot reach its database just now. Try again shortly.",
			)
			return
		}
		if u.scope == auth.ScopeParent {
			p = p.ParentOnly()
		}
		next(huma.WithValue(ctx, userKey, p))
	}
}

// bearerToken reads the credentials of an Authorization header; the scheme's case does not
// matter (RFC 9110 section 11.1).
func bearerToken(header string) (string, bool) {
	scheme, token, _ := strings.Cut(header, " ")
	token = strings.TrimLeft(token, " ")
	return token, strings.EqualFold(scheme, "Bearer") && token != ""
}

// signedIn is the user a token names, and the scope the token limits them to.
type signedIn struct {
	store.User
	scope string
}

// userFor verifies a token with the verifier of its issuer and finds the user it names.
func (s *Server) userFor(ctx context.Context, token string) (*signedIn, error) {
	iss, err := auth.IssuerOf(token)
	if err != nil {
		return nil, err
	}
	switch {
	case iss == auth.LocalIssuer:
		claims, err := auth.Verify(s.SigningKey, token)
		if err != nil {
			return nil, err
		}
		u, err := s.Store.UserByID(ctx, claims.Subject)
		if err != nil {
			return nil, err
		}
		return &signedIn{User: *u, scope: claims.Scope}, nil
	case s.OIDC != nil && iss == s.OIDC.Issuer:
		email, err := s.OIDC.Verify(ctx, token)
		if err != nil {
			return nil, err
		}
		u, err := s.Store.UserByEmail(ctx, email)
		if err != nil {
			return nil, err
		}
		return &signedIn{User: *u}, nil
	}
	return nil, auth.ErrInvalidToken
}
