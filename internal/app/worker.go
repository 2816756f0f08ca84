package app

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/sendflow/sendflow/activities"
	"github.com/sendflow/sendflow/activities/email"
	"github.com/sendflow/sendflow/internal/config"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/internal/web"
	"github.com/sendflow/sendflow/workflows"
)

// Worker runs the Temporal worker and the outbox dispatcher.
type Worker struct {
	w      worker.Worker
	cancel context.CancelFunc
	done   sync.WaitGroup
}

// StartWorker starts polling the task queue and draining the outbox. signingKey must be the API's,
// so the links the worker puts in parents' emails open the API's parent pages.
func StartWorker(c client.Client, pool *pgxpool.Pool, cfg *config.Config, signingKey []byte, sender email.Sender, logger *slog.Logger) (*Worker, error) {
	// The cache is the process's and sized before its first worker starts; it is what a worker's
	// memory grows with (README, Performance).
	worker.SetStickyWorkflowCacheSize(cfg.WorkerCache)
	w := worker.New(c, cfg.TaskQueue, worker.Options{})
	workflows.Register(w)
	acts := &activities.Activities{Store: &store.Store{DB: pool}, Outbox: &email.Outbox{DB: pool}, PublicURL: cfg.PublicURL,
		Links: web.NewLinks(signingKey, cfg.PublicURL)}
	acts.Register(w)
	if err := w.Start(); err != nil {
		return nil, fmt.Errorf("start temporal worker on task queue %q: %w", cfg.TaskQueue, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	wk := &Worker{w: w, cancel: cancel}
	d := &email.Dispatcher{DB: pool, Sender: sender, From: cfg.MailFrom, Logger: logger.With("component", "outbox")}
	wk.done.Add(2)
	go func() {
		defer wk.done.Done()
		_ = d.Run(ctx)
	}()
	go func() {
		defer wk.done.Done()
		sweep(ctx, &store.Store{DB: pool}, logger)
	}()
	logger.Info("worker started", "task_queue", cfg.TaskQueue)
	return wk, nil
}

// proposedKept is how long a proposed record no workflow accepted is kept: long enough for any
// retry of the request that proposed it, then swept.
const proposedKept = 7 * 24 * time.Hour

// sweep deletes stale proposed records once an hour until ctx ends.
func sweep(ctx context.Context, st *store.Store, logger *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := st.SweepProposed(ctx, proposedKept); err != nil {
			logger.Warn("stale proposed records not swept; will try again", "error", err)
		} else if n > 0 {
			logger.Info("stale proposed records swept", "rows", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Stop finishes in-flight work and stops.
func (wk *Worker) Stop() {
	wk.cancel()
	wk.w.Stop()
	wk.done.Wait()
}

// NewSender builds the SMTP sender for SMTP_URL and checks it answers, so a wrong setting is
// reported at start-up rather than as mail that never arrives.
func NewSender(smtpURL string) (*email.SMTPSender, error) {
	conf, err := config.ParseSMTPURL(smtpURL)
	if err != nil {
		return nil, &config.Error{Env: "SMTP_URL", Flag: "smtp-url", Problem: err.Error()}
	}
	s := &email.SMTPSender{Conf: conf}
	if err := s.Check(); err != nil {
		return nil, &config.Error{Env: "SMTP_URL", Flag: "smtp-url", Problem: err.Error()}
	}
	return s, nil
}
