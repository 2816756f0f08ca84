package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/sendflow/sendflow/activities"
	"github.com/sendflow/sendflow/internal/config"
	"github.com/sendflow/sendflow/internal/email"
	"github.com/sendflow/sendflow/internal/signin"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/internal/web"
	"github.com/sendflow/sendflow/workflows"
)

// Worker runs the Temporal worker, the outbox dispatcher and the maker of parents' sign-in links.
type Worker struct {
	w      worker.Worker
	cancel context.CancelFunc
	done   sync.WaitGroup
}

// StartWorker starts polling the task queue and draining the outbox. signingKey must be the API's,
// so the links the worker puts in parents' emails open the API's parent pages.
func StartWorker(
	c client.Client,
	pool *pgxpool.Pool,
	cfg *config.Config,
	signingKey []byte,
	sender email.Sender,
	logger *slog.Logger,
) (*Worker, error) {
	// The cache is the process's and sized before its first worker starts; it is what a worker's
	// memory grows with (README, Performance).
	worker.SetStickyWorkflowCacheSize(cfg.WorkerCache)
	w := worker.New(c, cfg.TaskQueue, worker.Options{})
	workflows.Register(w)
	acts := &activities.Activities{
		Store:     &store.Store{DB: pool},
		Outbox:    &email.Outbox{DB: pool},
		PublicURL: cfg.PublicURL,
		Links:     web.NewLinks(signingKey, cfg.PublicURL),
	}
	acts.Register(w)
	if err := w.Start(); err != nil {
		return nil, fmt.Errorf("start temporal worker on task queue %q: %w", cfg.TaskQueue, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	wk := &Worker{w: w, cancel: cancel}
	d := &email.Dispatcher{DB: pool, Sender: sender, From: cfg.MailFrom, Logger: logger.With("component", "outbox")}
	links := &signin.Mailer{Store: &store.Store{DB: pool}, Outbox: &email.Outbox{DB: pool}, PublicURL: cfg.PublicURL,
		Logger: logger.With("component", "signin")}
	wk.done.Add(4)
	go func() {
		defer wk.done.Done()
		startDeliveryWatch(ctx, c, cfg.TaskQueue, logger)
	}()
	go func() {
		defer wk.done.Done()
		links.Run(ctx)
	}()
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

// startDeliveryWatch starts the installation's one delivery watcher, or finds it running: every
// worker asks at start, and the fixed id with the use-existing policy makes all but the first
// ask a no-op. Temporal may not answer yet: it asks again every 30 seconds until it does.
func startDeliveryWatch(ctx context.Context, c client.Client, taskQueue string, logger *slog.Logger) {
	for {
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID:                       workflows.DeliveryWatchWorkflowID,
			TaskQueue:                taskQueue,
			WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
			WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		}, workflows.DeliveryWatchWorkflowName, workflows.DeliveryWatchInput{})
		if err == nil {
			logger.Info("delivery watcher running", "workflow_id", run.GetID(), "run_id", run.GetRunID())
			return
		}
		logger.Warn("delivery watcher not started; will try again", "error", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(30 * time.Second):
		}
	}
}

// Stop finishes in-flight work and stops.
func (wk *Worker) Stop() {
	wk.cancel()
	wk.w.Stop()
	wk.done.Wait()
}

// NewSender builds the SMTP sender for SMTP_URL. A setting that cannot be right (a bad URL, or
// credentials or TLS the server refuses) stops start-up, naming it; a server that does not answer
// yet only warns: the worker still runs every workflow, and mail waits in the outbox until the
// server is back.
func NewSender(smtpURL string, logger *slog.Logger) (*email.SMTPSender, error) {
	conf, err := config.ParseSMTPURL(smtpURL)
	if err != nil {
		return nil, &config.Error{Env: "SMTP_URL", Flag: "smtp-url", Problem: err.Error()}
	}
	s := &email.SMTPSender{Conf: conf}
	switch err := s.Check(); {
	case err == nil:
	case errors.Is(err, email.ErrUnreachable):
		logger.Warn("the mail server is not answering; mail waits in the outbox until it is", "error", err)
	default:
		return nil, &config.Error{Env: "SMTP_URL", Flag: "smtp-url", Problem: err.Error()}
	}
	return s, nil
}
