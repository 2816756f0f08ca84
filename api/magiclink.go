package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/activities/email"
	"github.com/sendflow/sendflow/internal/auth"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/internal/web"
)

const (
	magicLinkTTL      = 15 * time.Minute
	magicLinksPerHour = 5
)

type MagicLinkInput struct {
	Body struct {
		Email string `json:"email" format:"email" maxLength:"254" doc:"The email address the school has for you"`
	}
}

type MagicLinkOutput struct {
	Status int
	Body   struct {
		Message string `json:"message"`
	}
}

type ExchangeInput struct {
	Body struct {
		Token string `json:"token" minLength:"20" maxLength:"200" doc:"The secret from the sign-in link"`
	}
}

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
	out := &MagicLinkOutput{Status: http.StatusAccepted}
	out.Body.Message = sameAnswer
	if err := s.sendMagicLink(ctx, strings.TrimSpace(in.Body.Email)); err != nil {
		// Logged, not shown: the answer must not differ for known and unknown addresses.
		s.Logger.Error("sign-in link not sent", "error", err)
	}
	return out, nil
}

func (s *Server) sendMagicLink(ctx context.Context, addr string) error {
	u, err := s.Store.UserByEmail(ctx, addr)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	children, err := s.Store.ChildrenOf(ctx, u.ID)
	if err != nil || len(children) == 0 {
		return err // only parents and carers sign in this way
	}
	if n, err := s.Store.RecentMagicLinks(ctx, u.ID, time.Now().Add(-time.Hour)); err != nil || n >= magicLinksPerHour {
		return err // enough links are on their way already
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return err
	}
	token := base64.RawURLEncoding.EncodeToString(secret)
	hash := tokenHash(token)
	if err := s.Store.SaveMagicLink(ctx, hash, u.ID, time.Now().Add(magicLinkTTL)); err != nil {
		return err
	}
	t := email.Localize(email.SignInLink, children[0].Language)
	subject, text, html, err := email.Render(t, map[string]string{
		"RecipientName": u.Name, "PupilFirstName": children[0].FirstName, "SchoolName": children[0].SchoolName,
		"Link": s.PublicURL + "/parent/sign-in?token=" + token, "ExpiresIn": web.MinutesIn(t.Lang, int(magicLinkTTL/time.Minute)),
	})
	if err != nil {
		return err
	}
	_, err = s.Outbox.Enqueue(ctx, email.Message{Key: "magic-link/" + hash, To: u.Email, ToUserID: u.ID, Subject: subject,
		Text: text, HTML: html, Template: t.Name, TemplateVersion: t.Version, Language: t.Lang})
	return err
}

func (s *Server) exchangeMagicLink(ctx context.Context, in *ExchangeInput) (*SessionOutput, error) {
	userID, err := s.Store.UseMagicLink(ctx, tokenHash(in.Body.Token))
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

// tokenHash is what is stored: a leaked table does not give working links.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
