package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/grpc"

	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
	"github.com/sendflow/sendflow/internal/telemetry"
)

// scrape reads the metrics served on addr.
func scrape(t *testing.T, addr string) (map[string]*dto.MetricFamily, string) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatalf("scrape metrics: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("scrape metrics = %d %s", resp.StatusCode, body)
	}
	var p expfmt.TextParser
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parse metrics: %v", err)
	}
	return fams, string(body)
}

// value is the value of the series of a family with the given labels (any others allowed), and
// whether there is one.
func value(fams map[string]*dto.MetricFamily, name string, labels map[string]string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
	for _, m := range f.Metric {
		ok := true
		for k, v := range labels {
			if !slices.ContainsFunc(
				m.Label,
				func(l *dto.LabelPair) bool { return l.GetName() == k && l.GetValue() == v },
			) {
				ok = false
			}
		}
		if !ok {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		case m.Untyped != nil:
			return m.Untyped.GetValue(), true
		}
	}
	return 0, false
}

// lockedBuffer collects a stack's log lines for a test to search.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
	t  testing.TB
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.t.Log(strings.TrimSpace(string(p)))
	return l.b.Write(p)
}

func (l *lockedBuffer) lines(substrings ...string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, line := range strings.Split(l.b.String(), "\n") {
		if !slices.ContainsFunc(substrings, func(s string) bool { return !strings.Contains(line, s) }) {
			out = append(out, line)
		}
	}
	return out
}

// TestMetricsAfterRealTraffic: after a real request and a real workflow, the metrics address
// (never the API's) serves each API operation's rate, errors and latency labelled by its id, the
// Temporal SDK's own metrics, the outbox's depth and the age of its oldest unsent email; a
// workflow made to fail in a worker is logged at ERROR with its ids and counted, and so is one
// whose code panics; no series carries a pupil's id, a name or an email; and every metric the
// Grafana dashboard draws is one sendflow serves.
func TestMetricsAfterRealTraffic(t *testing.T) {
	t.Parallel()
	metricsAddr := fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t))
	cfg := devConfig(t, t.TempDir(), testenv.DatabaseURL(t), "SENDFLOW_METRICS_ADDR", metricsAddr)
	logs := &lockedBuffer{t: t}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d, err := StartDev(ctx, cfg, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		t.Fatalf("start dev stack: %v", err)
	}
	t.Cleanup(func() { d.Stop(context.Background()) })
	j := &journey{t: t, d: d, api: apiClient{t: t, base: "http://" + d.HTTP.Addr.String()}, token: map[string]string{}}
	for _, p := range seed.People {
		j.token[p.Email] = tokenFor(t, d, p.Email)
	}
	amara := seed.PupilAmaraID

	// Real traffic: a concern starts the pupil's workflow; a read; a refusal; a request unsigned.
	j.post(
		teacher,
		"/v1/pupils/"+amara+"/concerns",
		`{"areas":["communication_and_interaction"],"observed":"Finds it hard to follow spoken instructions."}`,
		201,
	)
	j.pathway(amara)
	if status, _ := j.api.do("GET", "/v1/pupils/"+amara+"/pathway", "", nil, ""); status != 401 {
		t.Fatalf("unsigned read = %d, want 401", status)
	}
	// An email the mail server has refused for now, waiting ten minutes, retried in an hour.
	if _, err := d.DB.Exec(ctx, `INSERT INTO email_outbox (id, idempotency_key, to_address, subject, text_body, html_body,
			template, template_version, attempts, next_attempt_at, created_at)
		VALUES ($1, $2, 'sendco@oakfield.example', 's', 't', 'h', 'test', '1', 3, now() + interval '1 hour', now() - interval '10 minutes')`,
		uuid.NewString(), "test-"+uuid.NewString()); err != nil {
		t.Fatal(err)
	}

	// The API's own address serves no metrics.
	if resp, err := http.Get(j.api.base + "/metrics"); err != nil || resp.StatusCode == 200 {
		t.Fatalf("the API's address answers /metrics: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}

	checks := []struct {
		name   string
		labels map[string]string
		min    float64
	}{
		{
			telemetry.MetricHTTPRequests,
			map[string]string{"operation": "raise-concern", "method": "POST", "code": "201"},
			1,
		},
		{
			telemetry.MetricHTTPRequests,
			map[string]string{"operation": "get-pathway", "method": "GET", "code": "200"},
			1,
		},
		{
			telemetry.MetricHTTPRequests,
			map[string]string{"operation": "get-pathway", "method": "GET", "code": "401"},
			1,
		},
		{telemetry.MetricHTTPDuration, map[string]string{"operation": "raise-concern"}, 1},
		{telemetry.MetricOutboxUp, nil, 1},
		{telemetry.MetricOutboxQueued, nil, 1},
		{telemetry.MetricOutboxRetrying, nil, 1},
		{telemetry.MetricOutboxOldestQueued, nil, 590},
		// The SDK's, reported each second.
		{
			"temporal_request_total",
			map[string]string{"operation": "RespondWorkflowTaskCompleted", "namespace": "default"},
			1,
		},
		{"temporal_workflow_task_schedule_to_start_latency_seconds", map[string]string{"workflow_type": "Pathway"}, 1},
		{"temporal_activity_execution_latency_seconds", map[string]string{"activity_type": "Commit"}, 1},
	}
	var fams map[string]*dto.MetricFamily
	var text string
	var missing []string
	deadline := time.Now().Add(30 * time.Second)
	for {
		fams, text = scrape(t, metricsAddr)
		missing = nil
		for _, c := range checks {
			if v, ok := value(fams, c.name, c.labels); !ok || v < c.min {
				missing = append(
					missing,
					fmt.Sprintf("%s%v = %v (present %v), want at least %v", c.name, c.labels, v, ok, c.min),
				)
			}
		}
		if len(missing) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, m := range missing {
		t.Error(m)
	}

	// A workflow that fails and one that panics, on a worker made from the stack's client.
	w := worker.New(d.Temporal, "observability-test", worker.Options{})
	w.RegisterWorkflowWithOptions(func(ctx workflow.Context) error {
		return temporal.NewApplicationError("a bug", "Bug")
	}, workflow.RegisterOptions{Name: "FailsOnPurpose"})
	w.RegisterWorkflowWithOptions(func(ctx workflow.Context) error {
		var m map[string]int
		//lint:ignore SA5000 the workflow panics on purpose
		m["a bug"]++ // assignment to a nil map
		return nil
	}, workflow.RegisterOptions{Name: "PanicsOnPurpose"})
	// An activity that fails once and is retried, as one does while a dependency is down.
	w.RegisterActivityWithOptions(func(ctx context.Context) error {
		if activity.GetInfo(ctx).Attempt == 1 {
			return errors.New("the database did not answer")
		}
		return nil
	}, activity.RegisterOptions{Name: "FailsOnce"})
	w.RegisterWorkflowWithOptions(func(ctx workflow.Context) error {
		ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute,
			RetryPolicy: &temporal.RetryPolicy{InitialInterval: 10 * time.Millisecond}})
		return workflow.ExecuteActivity(ctx, "FailsOnce").Get(ctx, nil)
	}, workflow.RegisterOptions{Name: "RetriesAnActivity"})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	retried, err := d.Temporal.ExecuteWorkflow(
		ctx,
		client.StartWorkflowOptions{ID: "observability/retries", TaskQueue: "observability-test"},
		"RetriesAnActivity",
	)
	if err != nil {
		t.Fatal(err)
	}
	if err := retried.Get(ctx, nil); err != nil {
		t.Fatalf("RetriesAnActivity: %v", err)
	}
	// A request Temporal refuses (no such workflow).
	if _, err := d.Temporal.DescribeWorkflowExecution(ctx, "observability/no-such-workflow", ""); err == nil {
		t.Fatal("described a workflow that does not exist")
	}
	failing, err := d.Temporal.ExecuteWorkflow(
		ctx,
		client.StartWorkflowOptions{ID: "observability/fails", TaskQueue: "observability-test"},
		"FailsOnPurpose",
	)
	if err != nil {
		t.Fatal(err)
	}
	if err := failing.Get(ctx, nil); err == nil {
		t.Fatal("FailsOnPurpose did not fail")
	}
	panicking, err := d.Temporal.ExecuteWorkflow(
		ctx,
		client.StartWorkflowOptions{ID: "observability/panics", TaskQueue: "observability-test"},
		"PanicsOnPurpose",
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Temporal.TerminateWorkflow(context.Background(), panicking.GetID(), "", "test over") })
	testenv.Eventually(t, 30*time.Second, "the failure and the panic to be counted", func() bool {
		fams, text = scrape(t, metricsAddr)
		failed, _ := value(
			fams,
			telemetry.MetricWorkflowFailures,
			map[string]string{"workflow_type": "FailsOnPurpose", "kind": "failed"},
		)
		panicked, _ := value(
			fams,
			telemetry.MetricWorkflowFailures,
			map[string]string{"workflow_type": "PanicsOnPurpose", "kind": "task_failed"},
		)
		return failed == 1 && panicked >= 1
	})
	if v, ok := value(fams, telemetry.MetricWorkflowFailures, map[string]string{"workflow_type": "Pathway"}); ok {
		t.Errorf("the pupil's pathway counted as failed (%v)", v)
	}
	if got := logs.lines("level=ERROR", "workflow failed", "workflow_id=observability/fails", "run_id="+failing.GetRunID(), "workflow_type=FailsOnPurpose"); len(
		got,
	) != 1 {
		t.Errorf("ERROR lines for the failed workflow = %q, want one with its id, run id and type", got)
	}
	if got := logs.lines("level=ERROR", "Workflow panic", "WorkflowID=observability/panics", "WorkflowType=PanicsOnPurpose", "RunID="+panicking.GetRunID()); len(
		got,
	) == 0 {
		t.Error("no ERROR line for the panicking workflow with its id, run id and type")
	}

	// No series names a pupil or a person.
	for _, p := range seed.People {
		for _, secret := range []string{p.ID, p.Email, p.Name} {
			if strings.Contains(text, secret) {
				t.Errorf("the metrics carry %q", secret)
			}
		}
	}
	for _, secret := range []string{amara, "Amara", "Okafor"} {
		if strings.Contains(text, secret) {
			t.Errorf("the metrics carry %q", secret)
		}
	}

	// Every metric the dashboard draws is served. (temporal_* counters appear once they first
	// count: the traffic, failure, panic, retry and refusal above make each one it uses.)
	drawn := dashboardMetrics(t)
	var unserved []string
	deadline = time.Now().Add(30 * time.Second)
	for {
		fams, _ = scrape(t, metricsAddr)
		unserved = slices.DeleteFunc(slices.Clone(drawn), func(n string) bool { return fams[n] != nil })
		if len(unserved) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(unserved) > 0 {
		t.Errorf("the Grafana dashboard draws %v, which sendflow does not serve", unserved)
	}
}

// dashboardMetrics lists the metric families the Grafana dashboard's queries name.
func dashboardMetrics(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../../deploy/grafana/sendflow.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("deploy/grafana/sendflow.json: %v", err)
	}
	names := map[string]bool{}
	re := regexp.MustCompile(`\b(?:sendflow|temporal)_[a-z_]+`)
	for _, p := range dash.Panels {
		for _, target := range p.Targets {
			for _, n := range re.FindAllString(target.Expr, -1) {
				for _, suffix := range []string{"_bucket", "_sum", "_count"} {
					if base, ok := strings.CutSuffix(n, suffix); ok && (strings.HasSuffix(base, "_seconds")) {
						n = base
					}
				}
				names[n] = true
			}
		}
	}
	if len(names) < 8 {
		t.Fatalf("the dashboard names only %d metrics: %v", len(names), names)
	}
	var out []string
	for n := range names {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// collector is an OTLP/gRPC trace receiver: what an OpenTelemetry collector would be sent.
type collector struct {
	coltracepb.UnimplementedTraceServiceServer
	mu    sync.Mutex
	spans []*tracepb.Span
}

func (c *collector) Export(
	_ context.Context,
	req *coltracepb.ExportTraceServiceRequest,
) (*coltracepb.ExportTraceServiceResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, rs := range req.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			c.spans = append(c.spans, ss.Spans...)
		}
	}
	return &coltracepb.ExportTraceServiceResponse{}, nil
}

func (c *collector) all() []*tracepb.Span {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.spans)
}

// TestTracingAcrossAPIWorkflowActivity: with SENDFLOW_OTLP_ENDPOINT set, one trace follows a
// concern from the API request through the update-with-start, the pathway's update handler and
// the Commit activity it schedules, exported over OTLP; the request's span is named by the
// operation and carries neither the path nor the pupil's id.
func TestTracingAcrossAPIWorkflowActivity(t *testing.T) {
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "200") // export every 200 ms rather than 5 s
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	col := &collector{}
	coltracepb.RegisterTraceServiceServer(srv, col)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)

	j := journeyOn(
		t,
		devConfig(t, t.TempDir(), testenv.DatabaseURL(t), "SENDFLOW_OTLP_ENDPOINT", "http://"+ln.Addr().String()),
	)
	amara := seed.PupilAmaraID
	j.post(
		teacher,
		"/v1/pupils/"+amara+"/concerns",
		`{"areas":["communication_and_interaction"],"observed":"Finds it hard to follow spoken instructions."}`,
		201,
	)

	want := []string{
		"raise-concern",
		"UpdateWithStartWorkflow:",
		"HandleUpdate:",
		"StartActivity:Commit",
		"RunActivity:Commit",
	}
	var trace []*tracepb.Span
	testenv.Eventually(t, 60*time.Second, "the concern's trace to reach the Commit activity", func() bool {
		spans := col.all()
		i := slices.IndexFunc(spans, func(s *tracepb.Span) bool { return s.Name == "raise-concern" })
		if i < 0 {
			return false
		}
		trace = nil
		for _, s := range spans {
			if bytes.Equal(s.TraceId, spans[i].TraceId) {
				trace = append(trace, s)
			}
		}
		for _, w := range want {
			if !slices.ContainsFunc(trace, func(s *tracepb.Span) bool { return strings.HasPrefix(s.Name, w) }) {
				return false
			}
		}
		return true
	})
	for _, s := range trace {
		t.Logf("span %s (trace %x, parent %x)", s.Name, s.TraceId, s.ParentSpanId)
	}
	for _, s := range trace {
		if s.Name != "raise-concern" {
			continue
		}
		for _, a := range s.Attributes {
			if strings.Contains(a.Value.String(), amara) || strings.Contains(a.Value.String(), "/v1/") {
				t.Errorf("the request's span carries %s=%s", a.Key, a.Value)
			}
		}
	}
}
