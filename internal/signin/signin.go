// Package signin makes parents' emailed sign-in links. Asking for one (POST /v1/auth/magic-link)
// only queues the request — one write, the same for every address — and answers, so the answer
// and its timing are alike for a parent, a member of staff and a stranger. The worker then makes
// a link for a parent's address and mails it through the outbox; any other address gets nothing.
// Only a hash of a link's secret is stored; a link works once, for LinkTTL.
package signin

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/sendflow/sendflow/activities/email"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/internal/web"
)

const (
	// LinkTTL is how long a sign-in link works.
	LinkTTL = 15 * time.Minute
	// PerHour is the most links that go to one parent in an hour, so links cannot flood an inbox.
	PerHour = 5
)

// Mailer turns queued requests into links. Several may run (one per worker replica): each claims
// requests with a lease.
type Mailer struct {
	Store     *store.Store
	Outbox    *email.Outbox
	PublicURL string
	Logger    *slog.Logger
	Interval  time.Duration // how often to look for requests (default 500ms)
}

// Run deals with queued requests until ctx ends.
func (m *Mailer) Run(ctx context.Context) {
	every := m.Interval
	if every == 0 {
		every = 500 * time.Millisecond
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		for {
			n, err := m.Pass(ctx)
			if err != nil && ctx.Err() == nil {
				m.Logger.Warn("sign-in requests not dealt with; will retry", "error", err)
			}
			if n == 0 || err != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Pass deals with a batch of queued requests and says how many it took. A request that fails is
// taken again when its lease passes; one dealt with is forgotten.
func (m *Mailer) Pass(ctx context.Context) (int, error) {
	reqs, err := m.Store.ClaimSignIns(ctx, 20, time.Minute)
	if err != nil {
		return 0, err
	}
	var errs []error
	for _, r := range reqs {
		if err := m.send(ctx, r.Address); err != nil {
			errs = append(errs, fmt.Errorf("sign-in request %d: %w", r.ID, err))
			continue
		}
		if err := m.Store.SignInDone(ctx, r.ID); err != nil {
			errs = append(errs, err)
		}
	}
	return len(reqs), errors.Join(errs...)
}

// send mails a link to a parent's address; for anyone else it does nothing.
func (m *Mailer) send(ctx context.Context, addr string) error {
	u, err := m.Store.UserByEmail(ctx, addr)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	children, err := m.Store.ChildrenOf(ctx, u.ID)
	if err != nil || len(children) == 0 {
		return err // only parents and carers sign in this way
	}
	if n, err := m.Store.RecentMagicLinks(ctx, u.ID, time.Now().Add(-time.Hour)); err != nil || n >= PerHour {
		return err // enough links are on their way already
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return err
	}
	secret := base64.RawURLEncoding.EncodeToString(raw)
	hash := store.MagicLinkHash(secret)
	if err := m.Store.SaveMagicLink(ctx, hash, u.ID, time.Now().Add(LinkTTL)); err != nil {
		return err
	}
	t := email.Localize(email.SignInLink, children[0].Language)
	subject, text, html, err := email.Render(t, map[string]string{
		"RecipientName": u.Name, "PupilFirstName": children[0].FirstName, "SchoolName": children[0].SchoolName,
		"Link": m.PublicURL + "/parent/sign-in?token=" + secret, "ExpiresIn": web.MinutesIn(t.Lang, int(LinkTTL/time.Minute)),
	})
	if err != nil {
		return err
	}
	_, err = m.Outbox.Enqueue(ctx, email.Message{Key: "magic-link/" + hash, To: u.Email, ToUserID: u.ID, Subject: subject,
		Text: text, HTML: html, Template: t.Name, TemplateVersion: t.Version, Language: t.Lang})
	return err
}
