package app

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

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
	wk.done.Add(1)
	go func() {
		defer wk.done.Done()
		_ = d.Run(ctx)
	}()
	logger.Info("worker started", "task_queue", cfg.TaskQueue)
	return wk, nil
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
