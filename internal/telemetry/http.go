package telemetry

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

type operationKey struct{}

// operation is filled in by the API once the router knows which operation a request is.
type operation struct{ id string }

// SetOperation names the API operation a request is for: its metrics are labelled with it and
// its span takes its name. The id is the operation's, never the path, which carries pupil ids.
func SetOperation(ctx context.Context, id string) {
	if op, ok := ctx.Value(operationKey{}).(*operation); ok {
		op.id = id
	}
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.SetName(id)
		span.SetAttributes(attribute.String("sendflow.operation", id))
	}
}

// HTTP measures and traces every request to next. A request the API did not name (parents'
// pages, docs, the dev mailbox, unknown paths) is labelled by a fixed group.
func (t *Telemetry) HTTP(next http.Handler) http.Handler {
	if t == nil || (t.registry == nil && t.tracer == nil) {
		return next
	}
	tracer := t.tracerFor("sendflow/http")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		op := &operation{}
		ctx := context.WithValue(r.Context(), operationKey{}, op)
		var span trace.Span
		if tracer != nil {
			ctx = t.prop.Extract(ctx, propagation.HeaderCarrier(r.Header))
			// Only the method and, once known, the operation: the URL carries pupil ids and
			// the parents' pages carry signed links, which must not leave the process.
			ctx, span = tracer.Start(ctx, "HTTP "+r.Method, trace.WithSpanKind(trace.SpanKindServer),
				trace.WithAttributes(attribute.String("http.request.method", r.Method)))
			defer span.End()
		}
		if t.httpInFlight != nil {
			t.httpInFlight.Inc()
			defer t.httpInFlight.Dec()
		}
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r.WithContext(ctx))
		name := op.id
		if name == "" {
			name = group(r.URL.Path, sw.status)
			if span != nil {
				span.SetName(name)
			}
		}
		if span != nil {
			span.SetAttributes(attribute.Int("http.response.status_code", sw.status))
			if sw.status >= 500 {
				span.SetStatus(codes.Error, http.StatusText(sw.status))
			}
		}
		if t.httpRequests != nil {
			t.httpRequests.WithLabelValues(name, method(r.Method), strconv.Itoa(sw.status)).Inc()
			t.httpDuration.WithLabelValues(name).Observe(time.Since(start).Seconds())
		}
	})
}

// group labels a request that is not an API operation.
func group(path string, status int) string {
	switch {
	case status == http.StatusTooManyRequests:
		return "rate_limited" // refused before routing
	case strings.HasPrefix(path, "/parent/"):
		return "parent_pages"
	case strings.HasPrefix(path, "/codec/"):
		return "codec_preflight" // the browser's question before a codec call
	case strings.HasPrefix(path, "/dev/"):
		return "dev_mailbox"
	case path == "/docs" || strings.HasPrefix(path, "/openapi") || strings.HasPrefix(path, "/schemas/"):
		return "docs"
	}
	return "unmatched"
}

// method keeps the label to the methods HTTP defines, whatever a client sends.
func method(m string) string {
	switch m {
	case http.MethodGet,
		http.MethodHead,
		http.MethodPost,
		http.MethodPut,
		http.MethodPatch,
		http.MethodDelete,
		http.MethodOptions:
		return m
	}
	return "OTHER"
}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	w.wrote = true
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection (deadlines, hijacking).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
