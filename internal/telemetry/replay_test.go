package telemetry

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/sendflow/sendflow/workflows"
)

// TestInterceptorsOnlyObserve replays every recorded pathway history with the interceptors
// sendflow's workers run (failure counting and tracing, both on): they must not change one
// command a workflow emits, or running pathways would break on deployment.
func TestInterceptorsOnlyObserve(t *testing.T) {
	// The collector is never reached: spans of a replay are not recorded, and none is flushed.
	tel, err := New(
		context.Background(),
		Options{Role: "test", Metrics: true, OTLPEndpoint: "http://127.0.0.1:1", SampleRatio: 1},
	)
	if err != nil {
		t.Fatal(err)
	}
	cis, err := tel.TemporalInterceptors(slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	var wis []interceptor.WorkerInterceptor
	for _, ci := range cis {
		if wi, ok := ci.(interceptor.WorkerInterceptor); ok {
			wis = append(wis, wi)
		}
	}
	if len(wis) != 2 {
		t.Fatalf("%d of the %d interceptors intercept workers, want 2 (failures, tracing)", len(wis), len(cis))
	}
	files, err := filepath.Glob("../../workflows/testdata/histories/*.json")
	if err != nil || len(files) < 6 {
		t.Fatalf("recorded histories: %d files, %v", len(files), err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{Interceptors: wis})
			if err != nil {
				t.Fatal(err)
			}
			workflows.Register(r)
			if err := r.ReplayWorkflowHistoryFromJSONFile(log.NewStructuredLogger(slog.New(slog.DiscardHandler)), f); err != nil {
				t.Fatalf("replay %s: %v", f, err)
			}
		})
	}
}
