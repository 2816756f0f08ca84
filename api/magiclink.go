package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/internal/auth"
	"github.com/sendflow/sendflow/internal/store"
)

// MagicLinkInput is a parent's email address, to send a sign-in link to.
type MagicLinkInput struct {
	Body struct {
		Email string `json:"email" format:"email" maxLength:"254" doc:"The email address the school has for you"`
	}
}

// MagicLinkOutput is the same answer for every address.
type MagicLinkOutput struct {
	Status int
	Body   struct {
		Message string `json:"message"`
	}
}

// ExchangeInput is the secret from a sign-in link.
type ExchangeInput struct {
	Body struct {
		Token string `json:"token" minLength:"20" maxLength:"200" doc:"The secret from the sign-in link"`
	}
}

// SessionOutput is a parent's short-lived session token and when it ends.
type SessionOutput struct {
	Body struct {
		SessionToken string    `json:"sessionToken" doc:"Send as Authorization: Bearer <token>"`
		ExpiresAt    time.Time `json:"expiresAt"`
	}
}

// sameAnswer is given whether or not the email is known, so nobody can learn who has an account.
const sameAnswer = "If this email belongs to a parent or carer known to a school, a sign-in link is on its way. It works once, for 15 minutes."

func (s *Server) registerMagicLinks(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "request-magic-link", Method: http.MethodPost, Path: "/v1/auth/magic-link",
		Summary:     "Parents: ask for a sign-in link by email",
		Description: "Always answers the same, so it cannot be used to find out who has an account.",
		Tags:        []string{"Sign in"}, DefaultStatus: http.StatusAccepted,
		Errors: []int{http.StatusUnprocessableEntity, http.StatusTooManyRequests},
	}, s.requestMagicLink)
	huma.Register(api, huma.Operation{
		OperationID: "exchange-magic-link", Method: http.MethodPost, Path: "/v1/auth/magic-link/exchange",
		Summary: "Parents: exchange a sign-in link for a short-lived session token", Tags: []string{"Sign in"},
		Errors: []int{http.StatusUnauthorized, http.StatusUnprocessableEntity, http.StatusTooManyRequests},
	}, s.exchangeMagicLink)
}

func (s *Server) requestMagicLink(ctx context.Context, in *MagicLinkInput) (*MagicLinkOutput, error) {
	// Only queued: who the address belongs to is looked up by the worker after this answer, so
	// the answer takes as long for every address (internal/signin).
	if err := s.Store.QueueSignIn(ctx, strings.TrimSpace(in.Body.Email)); err != nil {
		return nil, s.unavailable(err)
	}
	out := &MagicLinkOutput{Status: http.StatusAccepted}
	out.Body.Message = sameAnswer
	return out, nil
}

func (s *Server) exchangeMagicLink(ctx context.Context, in *ExchangeInput) (*SessionOutput, error) {
	userID, err := s.Store.UseMagicLink(ctx, store.MagicLinkHash(in.Body.Token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, huma.Error401Unauthorized("This sign-in link has been used or has expired. Ask for a new one.")
	}
	if err != nil {
		return nil, s.unavailable(err)
	}
	u, err := s.Store.UserByID(ctx, userID)
	if err != nil {
		return nil, s.unavailable(err)
	}
	now := time.Now()
	expires := now.Add(auth.ParentSessionTTL)
	tok, err := auth.IssueParentSession(s.SigningKey, u.ID, now)
	if err != nil {
		return nil, err
	}
	out := &SessionOutput{}
	out.Body.SessionToken, out.Body.ExpiresAt = tok, expires.UTC().Truncate(time.Second)
	return out, nil
}
