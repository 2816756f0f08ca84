package app

import (
	"context"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sendflow/sendflow/internal/config"
	"github.com/sendflow/sendflow/internal/email"
	"github.com/sendflow/sendflow/internal/telemetry"
)

// StartTelemetry sets up a process's metrics and tracing from the configuration and serves the
// metrics on SENDFLOW_METRICS_ADDR when it is set. role (dev, serve, worker) names the service in
// traces.
func StartTelemetry(
	ctx context.Context,
	cfg *config.Config,
	role string,
	logger *slog.Logger,
) (*telemetry.Telemetry, error) {
	tel, err := telemetry.New(
		ctx,
		telemetry.Options{Role: role, Metrics: cfg.MetricsAddr != "", OTLPEndpoint: cfg.OTLPEndpoint,
			SampleRatio: cfg.TraceSample, Logger: logger},
	)
	if err != nil {
		return nil, &config.Error{Env: "SENDFLOW_OTLP_ENDPOINT", Flag: "otlp-endpoint", Problem: err.Error()}
	}
	if cfg.MetricsAddr != "" {
		if _, err := tel.Serve(cfg.MetricsAddr); err != nil {
			_ = tel.Shutdown(ctx)
			return nil, &config.Error{Env: "SENDFLOW_METRICS_ADDR", Flag: "metrics-addr", Problem: err.Error()}
		}
	}
	return tel, nil
}

// WatchOutbox adds the outbox's depth and the age of its oldest unsent email to the metrics of
// the process that sends mail (worker, dev).
func WatchOutbox(tel *telemetry.Telemetry, pool *pgxpool.Pool) {
	o := &email.Outbox{DB: pool}
	tel.WatchOutbox(func(ctx context.Context) (telemetry.OutboxStats, error) {
		s, err := o.Stats(ctx)
		return telemetry.OutboxStats{Queued: s.Queued, Retrying: s.Retrying, Oldest: s.Oldest}, err
	})
}
