package telemetry

import (
	"context"
	"log/slog"
	"time"

	"github.com/uber-go/tally/v4"
	tallyprom "github.com/uber-go/tally/v4/prometheus"
	"go.temporal.io/sdk/client"
	sdkotel "go.temporal.io/sdk/contrib/opentelemetry"
	sdktally "go.temporal.io/sdk/contrib/tally"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// TemporalMetrics is the Temporal SDK's metrics handler for client options (the worker takes
// the client's): its temporal_* metrics go to the same registry, named as Prometheus expects
// (counters end in _total, timers are histograms in seconds). One per process, however many
// clients are dialled, since a registry takes each metric once. Nil when metrics are off.
func (t *Telemetry) TemporalMetrics() client.MetricsHandler {
	if t.Registry() == nil {
		return nil
	}
	t.sdkOnce.Do(func() {
		reporter := tallyprom.NewReporter(tallyprom.Options{
			Registerer:       t.registry,
			DefaultTimerType: tallyprom.HistogramTimerType,
			DefaultHistogramBuckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60,
				300, 900, 3600},
			OnRegisterError: func(err error) { t.logger.Warn("a Temporal SDK metric could not be registered", "error", err) },
		})
		scope, closer := tally.NewRootScope(tally.ScopeOptions{
			CachedReporter:  reporter,
			Separator:       tallyprom.DefaultSeparator,
			SanitizeOptions: &sdktally.PrometheusSanitizeOptions,
		}, time.Second)
		t.closers = append(t.closers, func(context.Context) error { return closer.Close() })
		t.sdkMetrics = sdktally.NewMetricsHandler(sdktally.NewPrometheusNamingScope(scope))
	})
	return t.sdkMetrics
}

// TemporalInterceptors are the client interceptors sendflow dials Temporal with. Each also
// intercepts the workers made from that client, so serve, worker and dev get them alike:
// workflow failures are logged at ERROR and counted, and with tracing on, spans follow an action
// from the API through its workflow to its activities (the SDK carries them in Temporal headers).
// They only observe: no workflow emits a different command because of them.
func (t *Telemetry) TemporalInterceptors(logger *slog.Logger) ([]interceptor.ClientInterceptor, error) {
	var counter func(workflowType, kind string)
	if t.Registry() != nil {
		counter = func(workflowType, kind string) { t.workflowFailures.WithLabelValues(workflowType, kind).Inc() }
	}
	out := []interceptor.ClientInterceptor{&failures{logger: logger, count: counter}}
	if tr := t.tracerFor("sendflow/temporal"); tr != nil {
		ti, err := sdkotel.NewTracingInterceptor(sdkotel.TracerOptions{Tracer: tr, TextMapPropagator: t.prop})
		if err != nil {
			return nil, err
		}
		out = append(out, ti)
	}
	return out, nil
}

// failures logs and counts workflows that fail. Only a bug fails a workflow (every dependency's
// outage is retried), so each is worth waking someone for.
type failures struct {
	interceptor.InterceptorBase
	logger *slog.Logger
	count  func(workflowType, kind string) // nil when metrics are off
}

func (f *failures) InterceptWorkflow(
	ctx workflow.Context,
	next interceptor.WorkflowInboundInterceptor,
) interceptor.WorkflowInboundInterceptor {
	return &failuresWorkflow{
		WorkflowInboundInterceptorBase: interceptor.WorkflowInboundInterceptorBase{Next: next},
		root:                           f,
	}
}

type failuresWorkflow struct {
	interceptor.WorkflowInboundInterceptorBase
	root *failures
}

func (w *failuresWorkflow) ExecuteWorkflow(ctx workflow.Context, in *interceptor.ExecuteWorkflowInput) (any, error) {
	out, err := w.Next.ExecuteWorkflow(ctx, in)
	// A replay (a query on a closed run) returns the old failure again: it was counted then.
	if err != nil && !workflow.IsContinueAsNewError(err) && !temporal.IsCanceledError(err) &&
		!workflow.IsReplaying(ctx) {
		info := workflow.GetInfo(ctx)
		//workflowcheck:ignore a log line and a counter, never during replay, nothing the workflow reads
		w.root.logger.Error("workflow failed: only a bug fails a workflow; see README, Observability",
			"workflow_id", info.WorkflowExecution.ID, "run_id", info.WorkflowExecution.RunID,
			"workflow_type", info.WorkflowType.Name, "attempt", info.Attempt, "error", err)
		if w.root.count != nil {
			w.root.count(info.WorkflowType.Name, "failed")
		}
	}
	return out, err
}

// sdkTaskFailure is the message the SDK logs at ERROR, with WorkflowType, WorkflowID and RunID,
// each time a workflow task fails on a panic or a non-deterministic change. Such a workflow does
// not fail: it waits, retrying the task, until fixed code is deployed. Counting that log record
// leaves the SDK's handling (and the stack trace it records) exactly as it is.
const sdkTaskFailure = "Workflow panic"

// ObserveSDKLog wraps the handler the Temporal SDK logs to so that workflow task failures are
// counted (kind=task_failed) beside the SDK's own ERROR record.
func (t *Telemetry) ObserveSDKLog(h slog.Handler) slog.Handler {
	if t.Registry() == nil {
		return h
	}
	return taskFailures{
		Handler: h,
		count:   func(workflowType string) { t.workflowFailures.WithLabelValues(workflowType, "task_failed").Inc() },
	}
}

type taskFailures struct {
	slog.Handler
	count func(workflowType string)
}

// Enabled is true for the SDK's ERROR records, whatever the wrapped handler shows, so that they
// are counted even where logs are quieter.
func (h taskFailures) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelError || h.Handler.Enabled(ctx, l)
}

func (h taskFailures) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError && r.Message == sdkTaskFailure {
		wt := "unknown"
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "WorkflowType" {
				wt = a.Value.String()
				return false
			}
			return true
		})
		h.count(wt)
	}
	if !h.Handler.Enabled(ctx, r.Level) {
		return nil
	}
	return h.Handler.Handle(ctx, r)
}

func (h taskFailures) WithAttrs(as []slog.Attr) slog.Handler {
	return taskFailures{Handler: h.Handler.WithAttrs(as), count: h.count}
}

func (h taskFailures) WithGroup(name string) slog.Handler {
	return taskFailures{Handler: h.Handler.WithGroup(name), count: h.count}
}
