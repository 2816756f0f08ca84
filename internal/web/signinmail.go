package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"time"

	"github.com/sendflow/sendflow/internal/email"
	"github.com/sendflow/sendflow/internal/store"
)

// How parents' sign-in links behave: each works once, for SignInLinkTTL, and at most
// signInLinksPerHour go to one parent in an hour (so a link cannot be used to flood an inbox).
const (
	SignInLinkTTL      = 15 * time.Minute
	signInLinksPerHour = 5
)

// SignInLinks sends parents their one-time sign-in links by email, for every surface that offers
// one (the API's POST /v1/auth/magic-link, the /parent page, and the "email me a new link"
// button of an expired link). Only a hash of each link's secret is stored.
type SignInLinks struct {
	Store     *store.Store
	Outbox    *email.Outbox
	PublicURL string
}

// ToAddress sends a sign-in link to the parent or carer with this email address. An address
// that is not a parent's, or one sent enough links this hour, gets nothing, and the caller
// answers the same either way, so nobody learns who is known to a school.
func (s *SignInLinks) ToAddress(ctx context.Context, addr string) error {
	u, err := s.Store.UserByEmail(ctx, addr)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.ToParent(ctx, u.ID)
}

// ToParent sends a sign-in link to a parent known by id (from a link of theirs that has expired).
func (s *SignInLinks) ToParent(ctx context.Context, userID string) error {
	u, err := s.Store.UserByID(ctx, userID)
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
	if n, err := s.Store.RecentMagicLinks(ctx, u.ID, time.Now().Add(-time.Hour)); err != nil ||
		n >= signInLinksPerHour {
		return err // enough links are on their way already
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return err
	}
	token := base64.RawURLEncoding.EncodeToString(secret)
	hash := store.MagicLinkHash(token)
	if err := s.Store.SaveMagicLink(ctx, hash, u.ID, time.Now().Add(SignInLinkTTL)); err != nil {
		return err
	}
	// The email names the first child and their school; it comes from that school when all the
	// parent's children are at it.
	first := children[0]
	school, err := s.Store.SchoolByID(ctx, first.SchoolID)
	if err != nil {
		return err
	}
	for _, c := range children[1:] {
		if c.SchoolID != first.SchoolID {
			school = &store.School{Name: first.SchoolName}
			break
		}
	}
	t := email.Localize(email.SignInLink, first.Language)
	data := map[string]string{
		"RecipientName": u.Name, "PupilFirstName": first.FirstName, "SchoolName": first.SchoolName,
		"Link": s.PublicURL + "/parent/sign-in?token=" + token, "ExpiresIn": MinutesIn(t.Lang, int(SignInLinkTTL/time.Minute)),
		"ContactName": school.Contact.Name, "ContactPhone": school.Contact.Phone, "ContactEmail": school.Contact.Email,
	}
	subject, text, html, err := email.Render(t, data)
	if err != nil {
		return err
	}
	fromName := ""
	if school.ID != "" {
		fromName = school.Name
	}
	_, err = s.Outbox.Enqueue(
		ctx,
		email.Message{Key: "magic-link/" + hash, To: u.Email, ToUserID: u.ID, Subject: subject,
			Text: text, HTML: html, Template: t.Name, TemplateVersion: t.Version, Language: t.Lang,
			FromName: fromName, ReplyTo: school.Contact.Email},
	)
	return err
}
