package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/proxy"
	"google.golang.org/protobuf/encoding/protojson"
)

// recordHistories writes the histories of a pupil's workflows to dir when SENDFLOW_RECORD_HISTORIES
// names it, for the replay tests in workflows/: after a versioned change (workflow.GetVersion),
// run
//
//	SENDFLOW_RECORD_HISTORIES=/tmp/h go test ./internal/app -run 'WholeJourney$'
//
// and copy the files into workflows/testdata/histories under a new prefix, keeping the older
// sets: every set must still replay.
func recordHistories(t *testing.T, d *Dev, name string, workflowIDs ...string) {
	dir := os.Getenv("SENDFLOW_RECORD_HISTORIES")
	if dir == "" {
		return
	}
	ctx := context.Background()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, id := range workflowIDs {
		desc, err := d.Temporal.DescribeWorkflowExecution(ctx, id, "")
		if err != nil {
			t.Fatalf("describe %s: %v", id, err)
		}
		// Follow continue-as-new from the first run, so every run's history is kept.
		runID := desc.WorkflowExecutionInfo.FirstRunId
		for n := 1; runID != ""; n++ {
			var events []*historypb.HistoryEvent
			it := d.Temporal.GetWorkflowHistory(ctx, id, runID, false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
			next := ""
			for it.HasNext() {
				e, err := it.Next()
				if err != nil {
					t.Fatalf("history of %s: %v", id, err)
				}
				events = append(events, e)
				if a := e.GetWorkflowExecutionContinuedAsNewEventAttributes(); a != nil {
					next = a.NewExecutionRunId
				}
			}
			// The replay tests read histories without the dev key: keep them decrypted (the data
			// is synthetic).
			history := &historypb.History{Events: events}
			codec, err := PayloadCodec(d.Config)
			if err != nil {
				t.Fatal(err)
			}
			if err := proxy.VisitPayloads(ctx, history, proxy.VisitPayloadsOptions{
				Visitor: func(_ *proxy.VisitPayloadsContext, ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
					return codec.Decode(ps)
				},
			}); err != nil {
				t.Fatal(err)
			}
			b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(history)
			if err != nil {
				t.Fatal(err)
			}
			// Ids are "pathway/<pupil>/<part>": name the file after the part.
			part := strings.Join(strings.Split(id, "/")[2:], "-")
			if part == "" {
				part = "pathway"
			}
			file := fmt.Sprintf("%s-%s-run%02d.json", name, part, n)
			if err := os.WriteFile(filepath.Join(dir, file), b, 0o644); err != nil {
				t.Fatal(err)
			}
			runID = next
		}
	}
}
