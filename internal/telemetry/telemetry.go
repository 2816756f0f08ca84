// Package telemetry holds sendflow's metrics and traces: a Prometheus registry with the HTTP,
// outbox and workflow-failure metrics and the Temporal SDK's own, a listener that serves it on an
// address apart from the API, and OpenTelemetry tracing exported over OTLP when an endpoint is set.
//
// No label carries a name, an email, a pupil id or free text: HTTP requests are labelled by the
// API's operation id, workflows by their type.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.temporal.io/sdk/client"
)

// Options say what to collect.
type Options struct {
	// Role is the command running (dev, serve, worker); traces name their service sendflow-<role>.
	Role string
	// Metrics turns on collection; Serve exposes it. Off, nothing is counted.
	Metrics bool
	// OTLPEndpoint, if set, is where traces go over OTLP/gRPC (http:// without TLS, https:// with).
	OTLPEndpoint string
	// SampleRatio is the share of new traces recorded; a request that arrives inside a sampled
	// trace is always recorded.
	SampleRatio float64
	Logger      *slog.Logger
}

// Telemetry is one process's metrics and tracing. A nil *Telemetry collects nothing.
type Telemetry struct {
	logger   *slog.Logger
	registry *prometheus.Registry // nil when metrics are off
	tracer   *sdktrace.TracerProvider
	prop     propagation.TextMapPropagator
	closers  []func(context.Context) error

	httpRequests     *prometheus.CounterVec
	httpDuration     *prometheus.HistogramVec
	httpInFlight     prometheus.Gauge
	workflowFailures *prometheus.CounterVec

	sdkOnce    sync.Once
	sdkMetrics client.MetricsHandler
}

// Metric names, for the dashboard, README and tests.
const (
	MetricHTTPRequests       = "sendflow_http_requests_total"
	MetricHTTPDuration       = "sendflow_http_request_duration_seconds"
	MetricHTTPInFlight       = "sendflow_http_requests_in_flight"
	MetricWorkflowFailures   = "sendflow_workflow_failures_total"
	MetricOutboxQueued       = "sendflow_outbox_queued"
	MetricOutboxRetrying     = "sendflow_outbox_retrying"
	MetricOutboxOldestQueued = "sendflow_outbox_oldest_queued_age_seconds"
	MetricOutboxUp           = "sendflow_outbox_up"
)

// New sets up what the options ask for. Tracing that cannot be set up is an error: an operator
// who set an endpoint expects traces.
func New(ctx context.Context, o Options) (*Telemetry, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	t := &Telemetry{logger: o.Logger}
	if o.Metrics {
		t.registry = prometheus.NewRegistry()
		t.registry.MustRegister(
			collectors.NewGoCollector(),
			collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		)
		t.httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricHTTPRequests,
			Help: "HTTP requests answered, by API operation id (parent pages, docs and unknown paths in groups), method and status code.",
		}, []string{"operation", "method", "code"})
		t.httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    MetricHTTPDuration,
			Help:    "Time to answer an HTTP request, by API operation id.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"operation"})
		t.httpInFlight = prometheus.NewGauge(prometheus.GaugeOpts{
			Name: MetricHTTPInFlight, Help: "HTTP requests being answered now.",
		})
		t.workflowFailures = prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricWorkflowFailures,
			Help: "Workflows that failed (kind=failed) and workflow tasks that failed on a panic or a non-deterministic change (kind=task_failed), by workflow type. Only a bug does either: alert on any.",
		}, []string{"workflow_type", "kind"})
		t.registry.MustRegister(t.httpRequests, t.httpDuration, t.httpInFlight, t.workflowFailures)
	}
	if o.OTLPEndpoint != "" {
		exp, err := otlptracegrpc.New(ctx, otlptracegrpc.WithEndpointURL(o.OTLPEndpoint))
		if err != nil {
			return nil, fmt.Errorf("OTLP trace exporter for %s: %w", o.OTLPEndpoint, err)
		}
		res := resource.NewSchemaless(attribute.String("service.name", "sendflow-"+o.Role))
		t.tracer = sdktrace.NewTracerProvider(
			sdktrace.WithBatcher(exp),
			sdktrace.WithResource(res),
			sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(o.SampleRatio))),
		)
		t.prop = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
		t.closers = append(t.closers, t.tracer.Shutdown)
	}
	return t, nil
}

// Registry is the metrics registry, nil when metrics are off.
func (t *Telemetry) Registry() *prometheus.Registry {
	if t == nil {
		return nil
	}
	return t.registry
}

// tracerFor is the named tracer, nil when tracing is off.
func (t *Telemetry) tracerFor(name string) trace.Tracer {
	if t == nil || t.tracer == nil {
		return nil
	}
	return t.tracer.Tracer(name)
}

// MetricsServer serves /metrics on its own listener.
type MetricsServer struct {
	srv  *http.Server
	Addr net.Addr
}

// Serve exposes the metrics on addr, which is never the API's: the metrics describe the service
// to its operators and need no sign-in, so they belong on an address the public cannot reach.
func (t *Telemetry) Serve(addr string) (*MetricsServer, error) {
	if t.Registry() == nil {
		return nil, errors.New("metrics are off")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	// A collector that fails (the outbox query with the database away) drops its own metrics,
	// not the scrape.
	mux.Handle("GET /metrics", promhttp.HandlerFor(t.registry, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError, ErrorLog: slog.NewLogLogger(t.logger.Handler(), slog.LevelWarn),
	}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.logger.Error("metrics server stopped", "error", err)
		}
	}()
	t.closers = append(t.closers, srv.Shutdown)
	t.logger.Info("metrics listening", "url", "http://"+ln.Addr().String()+"/metrics")
	return &MetricsServer{srv: srv, Addr: ln.Addr()}, nil
}

// Shutdown stops the metrics listener and flushes traces not yet sent.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	var errs []error
	for i := len(t.closers) - 1; i >= 0; i-- {
		if err := t.closers[i](ctx); err != nil {
			errs = append(errs, err)
		}
	}
	t.closers = nil
	return errors.Join(errs...)
}
