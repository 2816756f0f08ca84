package workflows

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// recorder stands in for the activities' side effects and remembers what the workflows asked.
type recorder struct {
	mu          sync.Mutex
	projections []Projection
	notices     []Notice
	readiness   Readiness
	parents     []string
	// placement is what PupilPlacement answers: nil (unknown) unless a test sets it.
	placement *Placement
}

func (r *recorder) project(_ context.Context, p Projection) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.projections = append(r.projections, p)
	return nil
}

func (r *recorder) notify(_ context.Context, n Notice) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notices = append(r.notices, n)
	return nil
}

// commit records what the Commit activity saves: the projection, then the emails.
func (r *recorder) commit(ctx context.Context, c Commit) error {
	if c.Projection != nil {
		if err := r.project(ctx, *c.Projection); err != nil {
			return err
		}
	}
	for _, n := range c.Notices {
		if err := r.notify(ctx, n); err != nil {
			return err
		}
	}
	return nil
}

func (r *recorder) pupilParents(_ context.Context, _ string) ([]string, error) { return r.parents, nil }

func (r *recorder) pupilPlacement(_ context.Context, _ string) (*Placement, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.placement, nil
}

func (r *recorder) checkReadiness(_ context.Context, _ ReadinessRequest) (Readiness, error) {
	return r.readiness, nil
}

// templates lists the templates of the notices sent, in order.
func (r *recorder) templates() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, n := range r.notices {
		out = append(out, n.Template)
	}
	return out
}

func (r *recorder) register(env interface {
	RegisterActivityWithOptions(any, activity.RegisterOptions)
}) {
	env.RegisterActivityWithOptions(r.project, activity.RegisterOptions{Name: ActivityProject})
	env.RegisterActivityWithOptions(r.notify, activity.RegisterOptions{Name: ActivityNotify})
	env.RegisterActivityWithOptions(r.commit, activity.RegisterOptions{Name: ActivityCommit})
	env.RegisterActivityWithOptions(r.pupilParents, activity.RegisterOptions{Name: ActivityPupilParents})
	env.RegisterActivityWithOptions(r.checkReadiness, activity.RegisterOptions{Name: ActivityCheckReadiness})
	env.RegisterActivityWithOptions(r.pupilPlacement, activity.RegisterOptions{Name: ActivityPupilPlacement})
}

func quietSuite() *testsuite.WorkflowTestSuite {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(log.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	return &s
}

func newEnv(t *testing.T) (*testsuite.TestWorkflowEnvironment, *recorder) {
	env := quietSuite().NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(Pathway, workflow.RegisterOptions{Name: PathwayWorkflowName})
	r := &recorder{parents: []string{"parent-1"}}
	r.register(env)
	return env, r
}

// updateCallback collects an update's outcome in the test environment.
type updateCallback struct {
	rejected error
	result   PathwayState
	err      error
	done     bool
}

func (u *updateCallback) Accept()          {}
func (u *updateCallback) Reject(err error) { u.rejected, u.done = err, true }
func (u *updateCallback) Complete(v any, err error) {
	u.done, u.err = true, err
	if s, ok := v.(PathwayState); ok {
		u.result = s
	}
}

var testStart = PathwayInput{PupilID: "pupil-1", SchoolID: "school-1", Timings: DefaultTimings()}

func TestConcernStartsTriage(t *testing.T) {
	env, rec := newEnv(t)
	first, dup := &updateCallback{}, &updateCallback{}
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateRaiseConcern, "u1", first, ConcernRaised{ConcernID: "c1", RaisedBy: "teacher-1"})
	}, time.Minute)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateRaiseConcern, "u2", dup, ConcernRaised{ConcernID: "c1", RaisedBy: "teacher-1"})
	}, 2*time.Minute)
	env.RegisterDelayedCallback(func() {
		res, err := env.QueryWorkflow(QueryState)
		if err != nil {
			t.Fatalf("query: %v", err)
		}
		var st PathwayState
		if err := res.Get(&st); err != nil {
			t.Fatal(err)
		}
		if st.Stage != StageAwaitingTriage || len(st.Concerns) != 1 {
			t.Errorf("state after concerns = %+v", st)
		}
		env.CancelWorkflow()
	}, 3*time.Minute)
	env.ExecuteWorkflow(PathwayWorkflowName, testStart)

	if !first.done || first.err != nil || first.rejected != nil {
		t.Fatalf("first concern: done=%v err=%v rejected=%v", first.done, first.err, first.rejected)
	}
	if first.result.Stage != StageAwaitingTriage {
		t.Errorf("update answered stage %s, want awaiting_triage", first.result.Stage)
	}
	// The same concern sent again (a retry after a timeout, a double click) is answered with the
	// pathway as it is, and recorded once: one projection, one email.
	if !dup.done || dup.rejected != nil || dup.err != nil || len(dup.result.Concerns) != 1 {
		t.Errorf(
			"the concern sent again: done=%v rejected=%v err=%v concerns=%d; want answered with the state, recorded once",
			dup.done,
			dup.rejected,
			dup.err,
			len(dup.result.Concerns),
		)
	}
	if len(rec.projections) != 1 || rec.projections[0].Status != string(StageAwaitingTriage) ||
		len(rec.projections[0].Events) != 1 {
		t.Errorf("projections = %+v", rec.projections)
	}
	if got := rec.templates(); len(got) != 1 || got[0] != "concern_raised" || rec.notices[0].To[0] != ToSENDCo {
		t.Errorf("notices = %+v", rec.notices)
	}
}

// --- Helpers for the child workflows' tests (cycle, referral, ehc, annual review). ---

// update collects an update's outcome for any state type.
type update[T any] struct {
	rejected error
	result   T
	err      error
	done     bool
}

func (u *update[T]) Accept()          {}
func (u *update[T]) Reject(err error) { u.rejected, u.done = err, true }
func (u *update[T]) Complete(v any, err error) {
	u.done, u.err = true, err
	if s, ok := v.(T); ok {
		u.result = s
	}
}

// childStart is when every child workflow test starts: Monday 7 September 2026, 9am.
var childStart = time.Date(2026, 9, 7, 9, 0, 0, 0, time.UTC)

// sentNotice is a notice with the time it was queued, real (workflow) and on the calendar.
type sentNotice struct {
	Notice
	Real, At time.Time
}

// childHarness runs one child workflow: the activities are stand-ins, signals to the pathway are
// captured, and actions are scheduled at calendar times (the harness maps them through clock).
type childHarness struct {
	t     *testing.T
	env   *testsuite.TestWorkflowEnvironment
	rec   *recorder
	clock Clock

	mu      sync.Mutex
	sent    []sentNotice
	signals []ChildChanged
	ids     int
}

func newChildHarness(t *testing.T, clock Clock, register func(*testsuite.TestWorkflowEnvironment)) *childHarness {
	env := quietSuite().NewTestWorkflowEnvironment()
	env.SetStartTime(childStart)
	h := &childHarness{t: t, env: env, rec: &recorder{parents: []string{"parent-1"}}, clock: clock}
	register(env)
	env.RegisterActivityWithOptions(h.rec.project, activity.RegisterOptions{Name: ActivityProject})
	notify := func(ctx context.Context, n Notice) error {
		real := env.Now() // the clock stands still while an activity runs
		h.mu.Lock()
		h.sent = append(h.sent, sentNotice{Notice: n, Real: real, At: clock.Now(real)})
		h.mu.Unlock()
		return h.rec.notify(ctx, n)
	}
	env.RegisterActivityWithOptions(notify, activity.RegisterOptions{Name: ActivityNotify})
	env.RegisterActivityWithOptions(func(ctx context.Context, c Commit) error {
		if c.Projection != nil {
			if err := h.rec.project(ctx, *c.Projection); err != nil {
				return err
			}
		}
		for _, n := range c.Notices {
			if err := notify(ctx, n); err != nil {
				return err
			}
		}
		return nil
	}, activity.RegisterOptions{Name: ActivityCommit})
	env.RegisterActivityWithOptions(h.rec.pupilParents, activity.RegisterOptions{Name: ActivityPupilParents})
	env.RegisterActivityWithOptions(h.rec.checkReadiness, activity.RegisterOptions{Name: ActivityCheckReadiness})
	env.RegisterActivityWithOptions(h.rec.pupilPlacement, activity.RegisterOptions{Name: ActivityPupilPlacement})
	env.OnSignalExternalWorkflow(mock.Anything, PathwayWorkflowID("pupil-1"), "", SignalChild, mock.Anything).Return(
		func(_, _, _, _ string, arg any) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.signals = append(h.signals, arg.(ChildChanged))
			return nil
		})
	return h
}

// at runs fn when the calendar reaches when.
func (h *childHarness) at(when time.Time, fn func()) {
	d := when.Sub(childStart)
	if h.clock.Scale > 1 {
		d = time.Duration(float64(d) / h.clock.Scale)
	}
	if d <= 0 {
		h.t.Fatalf("action at %s is not after the start", when)
	}
	h.env.RegisterDelayedCallback(fn, d)
}

// cancelAt stops a workflow that would otherwise wait for ever.
func (h *childHarness) cancelAt(when time.Time) { h.at(when, h.env.CancelWorkflow) }

// send schedules an update at calendar time when and returns its outcome holder.
func send[T any](h *childHarness, when time.Time, name string, arg any) *update[T] {
	u := &update[T]{}
	h.ids++
	id := fmt.Sprintf("u%d", h.ids)
	h.at(when, func() { h.env.UpdateWorkflow(name, id, u, arg) })
	return u
}

// notices returns the notices queued so far.
func (h *childHarness) notices() []sentNotice {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.sent)
}

// pathwaySignals returns what the workflow told the pathway.
func (h *childHarness) pathwaySignals() []ChildChanged {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.signals)
}

// events lists every event projected, in order.
func (h *childHarness) events() []Event {
	h.rec.mu.Lock()
	defer h.rec.mu.Unlock()
	var out []Event
	for _, p := range h.rec.projections {
		out = append(out, p.Events...)
	}
	return out
}

// lastProjection is the read model's latest view of the item.
func (h *childHarness) lastProjection() Projection {
	h.rec.mu.Lock()
	defer h.rec.mu.Unlock()
	if len(h.rec.projections) == 0 {
		h.t.Fatal("nothing was projected")
	}
	return h.rec.projections[len(h.rec.projections)-1]
}

// finished checks the workflow completed without error (or, cancelled, was cancelled).
func (h *childHarness) finished(cancelled bool) {
	h.t.Helper()
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("workflow did not finish")
	}
	err := h.env.GetWorkflowError()
	switch {
	case cancelled && !temporal.IsCanceledError(err):
		h.t.Fatalf("workflow should have been cancelled (still waiting), got %v", err)
	case !cancelled && err != nil:
		h.t.Fatalf("workflow failed: %v", err)
	}
}

// wantNotice is an expected notice; At is the calendar time it must be queued at.
type wantNotice struct {
	At       time.Time
	Template string
	To       []string
	Vars     map[string]string
}

// parentPages is the page each template's parents' copy links to in the harnesses (cycle 1,
// referral r1); every other notice links parents to the plan page.
var parentPages = map[string]ParentPage{
	"review_invitation":      {Kind: PageViews, Cycle: 1, SkipIfMeetingBooked: true},
	"review_reminder_parent": {Kind: PageViews, Cycle: 1, SkipIfMeetingBooked: true},
	"consent_request":        {Kind: PageConsent, ReferralID: "r1"},
	"consent_reminder":       {Kind: PageConsent, ReferralID: "r1"},
}

// checkNotices compares the notices queued with want, in order, exactly.
func checkNotices(t *testing.T, got []sentNotice, want []wantNotice) {
	t.Helper()
	for i := 0; i < max(len(got), len(want)); i++ {
		switch {
		case i >= len(got):
			t.Errorf("notice %d: missing %s at %s", i, want[i].Template, want[i].At.Format(time.RFC3339))
		case i >= len(want):
			t.Errorf(
				"notice %d: unexpected %s to %v at %s (vars %v)",
				i,
				got[i].Template,
				got[i].To,
				got[i].At.Format(time.RFC3339),
				got[i].Vars,
			)
		default:
			g, w := got[i], want[i]
			if g.Template != w.Template || !slices.Equal(g.To, w.To) || !g.At.Equal(w.At) ||
				!maps.Equal(g.Vars, w.Vars) {
				t.Errorf(
					"notice %d:\n got %s to %v at %s vars %v\nwant %s to %v at %s vars %v",
					i,
					g.Template,
					g.To,
					g.At.UTC().Format(time.RFC3339),
					g.Vars,
					w.Template,
					w.To,
					w.At.UTC().Format(time.RFC3339),
					w.Vars,
				)
			}
			if g.PupilID != "pupil-1" || g.SchoolID != "school-1" || g.LinkPath != "/v1/pupils/pupil-1/pathway" ||
				!strings.HasPrefix(g.Key, "pupil-1/") {
				t.Errorf("notice %d (%s) addressed wrongly: %+v", i, g.Template, g.Notice)
			}
			if g.Parents != parentPages[g.Template] {
				t.Errorf(
					"notice %d (%s): parents' link goes to %+v, want %+v",
					i,
					g.Template,
					g.Notice.Parents,
					parentPages[g.Template],
				)
			}
		}
	}
	keys := map[string]bool{}
	for _, n := range got {
		if keys[n.Key] {
			t.Errorf("two notices share the key %s: a retry would drop one", n.Key)
		}
		keys[n.Key] = true
	}
}

// checkAccepted fails unless the update was accepted and completed.
func checkAccepted[T any](t *testing.T, what string, u *update[T]) {
	t.Helper()
	if !u.done || u.rejected != nil || u.err != nil {
		t.Errorf("%s: done=%v rejected=%v err=%v", what, u.done, u.rejected, u.err)
	}
}

// checkRefused fails unless the update was refused, as a Refusal, with exactly reason.
func checkRefused[T any](t *testing.T, what string, u *update[T], reason string) {
	t.Helper()
	var app *temporal.ApplicationError
	switch {
	case !u.done:
		t.Errorf("%s: never answered", what)
	case u.rejected == nil:
		t.Errorf("%s: accepted, want refused: %s", what, reason)
	case !errors.As(u.rejected, &app) || app.Type() != RefusalType:
		t.Errorf("%s: refused without a Refusal: %v", what, u.rejected)
	case app.Message() != reason:
		t.Errorf("%s: refused with\n %q\nwant\n %q", what, app.Message(), reason)
	}
}

// days is n whole days after t.
func days(t time.Time, n int) time.Time { return t.AddDate(0, 0, n) }

// A plan for the next cycle that reaches the pathway together with the news that the last one
// was reviewed (the news not yet read when the plan is checked) is taken, not refused as "still
// open".
func TestPlanArrivingWithTheReviewIsTaken(t *testing.T) {
	env, _ := newEnv(t)
	// The cycles themselves are not under test: each ends at once.
	env.RegisterWorkflowWithOptions(
		func(workflow.Context, CycleInput) error { return nil },
		workflow.RegisterOptions{Name: CycleWorkflowName},
	)
	plan := func(id string) PlanCycle {
		return PlanCycle{PlanID: id, ReviewDate: env.Now().AddDate(0, 2, 0), OutcomeIDs: []string{"o1"}, By: "sendco-1"}
	}
	steps := []*updateCallback{{}, {}, {}, {}}
	third := &updateCallback{}
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateRaiseConcern, "u1", steps[0], ConcernRaised{ConcernID: "c1", RaisedBy: "teacher-1"})
	}, time.Minute)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateTriage, "u2", steps[1], Triage{Decision: TriageSENSupport, By: "sendco-1"})
	}, 2*time.Minute)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdatePlanCycle, "u3", steps[2], plan("plan-1"))
	}, 3*time.Minute)
	env.RegisterDelayedCallback(func() {
		// The review's news is delivered but not yet read when the next plan is validated.
		env.SignalWorkflowSkippingWorkflowTask(
			SignalChild,
			ChildChanged{Cycle: &CycleReviewed{Number: 1, NextStep: NextContinue, ReviewedAt: env.Now()}},
		)
		env.UpdateWorkflow(UpdatePlanCycle, "u4", steps[3], plan("plan-2"))
		// Other news waiting does not open the door: the plan sent at the same moment is checked
		// again once the second plan is in, finds cycle 2 open, and is refused. (The pathway then
		// continues as new at the cycle boundary, so this is sent before it does.)
		env.SignalWorkflowSkippingWorkflowTask(
			SignalChild,
			ChildChanged{Referral: &ReferralChanged{ReferralID: "r1", Status: ReferralSubmitted}},
		)
		env.UpdateWorkflow(UpdatePlanCycle, "u5", third, plan("plan-3"))
	}, 24*time.Hour)
	env.RegisterDelayedCallback(env.CancelWorkflow, 48*time.Hour)
	env.ExecuteWorkflow(PathwayWorkflowName, testStart)

	if refused := errors.Join(third.rejected, third.err); refused == nil ||
		!strings.Contains(refused.Error(), "cycle 2 is still open") {
		t.Errorf("a third plan while cycle 2 is open: %v, want it refused", refused)
	}
	for i, s := range steps {
		if !s.done || s.err != nil || s.rejected != nil {
			t.Fatalf("step %d: done=%v err=%v rejected=%v", i+1, s.done, s.err, s.rejected)
		}
	}
	if got := steps[3].result.Cycles; len(got) != 2 || !got[0].Reviewed || got[1].Reviewed {
		t.Errorf("cycles after the second plan = %+v, want 1 reviewed and 2 open", got)
	}
}
