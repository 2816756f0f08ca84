// Package signin makes parents' emailed sign-in links. Asking for one (POST /v1/auth/magic-link)
// only queues the request — one write, the same for every address — and answers, so the answer
// and its timing are alike for a parent, a member of staff and a stranger. The worker then makes
// a link for a parent's address and mails it through the outbox; any other address gets nothing.
// Only a hash of a link's secret is stored; a link works once, for web.SignInLinkTTL.
package signin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/sendflow/sendflow/internal/email"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/internal/web"
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

// send mails a link to a parent's address (web.SignInLinks, the one link-maker); for anyone
// else it does nothing.
func (m *Mailer) send(ctx context.Context, addr string) error {
	links := &web.SignInLinks{Store: m.Store, Outbox: m.Outbox, PublicURL: m.PublicURL}
	return links.ToAddress(ctx, addr)
}
