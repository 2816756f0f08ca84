package workflows

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// workflowUpdates is which updates each workflow takes: the service layer sends each of these
// to that workflow by its constant.
var workflowUpdates = []struct {
	workflow string
	updates  []string
	start    func(t *testing.T) (*testsuite.TestWorkflowEnvironment, func())
}{
	{PathwayWorkflowName, []string{UpdateRaiseConcern, UpdateRecordImpact, UpdateTriage, UpdatePlanCycle,
		UpdateOpenReferral, UpdateRequestEHCNA, UpdateMeeting, UpdateParentResponse, UpdateMoveSchool},
		func(t *testing.T) (*testsuite.TestWorkflowEnvironment, func()) {
			env, _ := newEnv(t)
			return env, func() { env.ExecuteWorkflow(PathwayWorkflowName, testStart) }
		}},
	{CycleWorkflowName, []string{UpdateReviewCycle, UpdateLogProvision, UpdateParentViews},
		func(t *testing.T) (*testsuite.TestWorkflowEnvironment, func()) {
			h := newCycleHarness(t, realTime)
			return h.env, func() { h.env.ExecuteWorkflow(CycleWorkflowName, cycleInput(realTime)) }
		}},
	{ReferralWorkflowName, []string{UpdateReferralDecision, UpdateConsent, UpdateAgencyResponse},
		func(t *testing.T) (*testsuite.TestWorkflowEnvironment, func()) {
			h := newReferralHarness(t, Readiness{})
			return h.env, func() { runReferral(h, emailRoute) }
		}},
	{EHCWorkflowName, []string{UpdateEHCEvent},
		func(t *testing.T) (*testsuite.TestWorkflowEnvironment, func()) {
			h := newEHCHarness(t)
			return h.env, func() { runEHC(h) }
		}},
	{AnnualReviewWorkflowName, []string{UpdateAnnualReviewEvent},
		func(t *testing.T) (*testsuite.TestWorkflowEnvironment, func()) {
			h := newAnnualReviewHarness(t)
			return h.env, func() { runAnnualReview(h, childStart.AddDate(0, -6, 0)) }
		}},
	// The delivery watcher takes no updates: it only keeps time.
	{DeliveryWatchWorkflowName, nil,
		func(t *testing.T) (*testsuite.TestWorkflowEnvironment, func()) {
			env := quietSuite().NewTestWorkflowEnvironment()
			env.RegisterWorkflowWithOptions(DeliveryWatch, workflow.RegisterOptions{Name: DeliveryWatchWorkflowName})
			env.RegisterActivityWithOptions(func(context.Context, DeliveryCheck) (DeliveryChecked, error) {
				return DeliveryChecked{}, nil
			}, activity.RegisterOptions{Name: ActivityDeliveryCheck})
			return env, func() { env.ExecuteWorkflow(DeliveryWatchWorkflowName, DeliveryWatchInput{}) }
		}},
}

var knownUpdates = regexp.MustCompile(`KnownUpdates=\[([^\]]*)\]`)

// Each workflow registers exactly the updates the table says it takes, under the constants'
// values: an update renamed or left unregistered would answer "unknown update" to every parent
// and SENDCo who tried it, and only at run time.
func TestEachWorkflowRegistersItsUpdates(t *testing.T) {
	for _, w := range workflowUpdates {
		env, run := w.start(t)
		probe := &update[any]{}
		env.RegisterDelayedCallback(func() { env.UpdateWorkflow("no-such-update", "probe", probe, nil) }, time.Minute)
		env.RegisterDelayedCallback(env.CancelWorkflow, time.Hour)
		run()
		if probe.rejected == nil {
			t.Errorf("%s: an update it does not have was not refused", w.workflow)
			continue
		}
		m := knownUpdates.FindStringSubmatch(probe.rejected.Error())
		if m == nil {
			t.Errorf("%s: %v does not list the known updates", w.workflow, probe.rejected)
			continue
		}
		got := strings.Fields(m[1])
		want := slices.Clone(w.updates)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s registers updates %q, the table says %q", w.workflow, got, want)
		}
	}
}

// Every Update constant is in the table, so a new update is checked against its workflow too.
func TestEveryUpdateIsInTheTable(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var inTable []string
	for _, w := range workflowUpdates {
		inTable = append(inTable, w.updates...)
	}
	found := 0
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, s := range g.Specs {
				for i, n := range s.(*ast.ValueSpec).Names {
					if !strings.HasPrefix(n.Name, "Update") {
						continue
					}
					found++
					lit, ok := s.(*ast.ValueSpec).Values[i].(*ast.BasicLit)
					if !ok || !slices.Contains(inTable, strings.Trim(lit.Value, `"`)) {
						t.Errorf("%s (%s) is in no workflow's row of workflowUpdates", n.Name, path)
					}
				}
			}
		}
	}
	if found < 16 {
		t.Errorf("found %d Update constants; the scan is missing some", found)
	}
}
