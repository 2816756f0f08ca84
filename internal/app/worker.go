package app

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/sendflow/sendflow/activities"
	"github.com/sendflow/sendflow/activities/email"
	"github.com/sendflow/sendflow/internal/config"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/workflows"
)

// Worker runs the Temporal worker and the outbox dispatcher.
type Worker struct {
	w      worker.Worker
	cancel context.CancelFunc
	done   sync.WaitGroup
}

// RegisterWorkflows adds every workflow to a worker (or a replayer) under its stable name.
func RegisterWorkflows(r worker.WorkflowRegistry) {
	r.RegisterWorkflowWithOptions(workflows.Pathway, workflow.RegisterOptions{Name: workflows.PathwayWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.Cycle, workflow.RegisterOptions{Name: workflows.CycleWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.Referral, workflow.RegisterOptions{Name: workflows.ReferralWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.EHCAssessment, workflow.RegisterOptions{Name: workflows.EHCWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.AnnualReview, workflow.RegisterOptions{Name: workflows.AnnualReviewWorkflowName})
}

// StartWorker starts polling the task queue and draining the outbox.
func StartWorker(c client.Client, pool *pgxpool.Pool, cfg *config.Config, sender email.Sender, logger *slog.Logger) (*Worker, error) {
	w := worker.New(c, cfg.TaskQueue, worker.Options{})
	RegisterWorkflows(w)
	acts := &activities.Activities{Store: &store.Store{DB: pool}, Outbox: &email.Outbox{DB: pool}, PublicURL: cfg.PublicURL}
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
