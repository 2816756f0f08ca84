package workflows

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// The plan starts at childStart (Monday 7 September 2026, 9am) and is reviewed 6 weeks later:
// parents are invited on 5 October, staff and parents reminded on 12 October, and the SENDCo
// told the review is overdue on 26 October.
var (
	cycleReview  = days(childStart, 42) // 19 October 2026
	cycleInvite  = days(childStart, 28)
	cycleRemind  = days(childStart, 35)
	cycleOverdue = days(childStart, 49)
)

func newCycleHarness(t *testing.T, clock Clock) *childHarness {
	return newChildHarness(t, clock, func(env *testsuite.TestWorkflowEnvironment) {
		env.RegisterWorkflowWithOptions(Cycle, workflow.RegisterOptions{Name: CycleWorkflowName})
	})
}

func cycleInput(clock Clock) CycleInput {
	return CycleInput{PupilID: "pupil-1", SchoolID: "school-1", Number: 1, Clock: clock, Timings: DefaultTimings(),
		Plan: PlanCycle{
			PlanID:      "plan-1",
			ReviewDate:  cycleReview,
			OutcomeIDs:  []string{"o1", "o2"},
			ParentViews: true,
			PupilViews:  true,
			By:          "sendco-1",
		}}
}

var realTime = Clock{Origin: childStart, Scale: 1}

func cycleReminders(reviewDate string) []wantNotice {
	vars := map[string]string{"ReviewDate": reviewDate}
	return []wantNotice{
		{cycleInvite, "review_invitation", []string{ToParents}, vars},
		{cycleRemind, "review_reminder", []string{ToTeachers, ToSENDCo}, vars},
		{cycleRemind, "review_reminder_parent", []string{ToParents}, vars},
		{cycleOverdue, "review_overdue", []string{ToSENDCo}, vars},
	}
}

func TestCycleRemindersWithoutReview(t *testing.T) {
	h := newCycleHarness(t, realTime)
	h.cancelAt(days(childStart, 56)) // nothing is left to wake for after the escalation
	h.env.ExecuteWorkflow(CycleWorkflowName, cycleInput(realTime))
	h.finished(true)

	checkNotices(t, h.notices(), cycleReminders("19 October 2026"))
	var kinds []string
	for _, e := range h.events() {
		kinds = append(kinds, e.Kind+"@"+dateWords(e.At))
	}
	want := []string{
		"review_invitation_sent@5 October 2026",
		"review_reminder_sent@12 October 2026",
		"review_overdue@26 October 2026",
	}
	if !slices.Equal(kinds, want) {
		t.Errorf("events = %v, want %v", kinds, want)
	}
	last := h.lastProjection()
	wantDeadlines := []Deadline{{Kind: "cycle_review", Due: cycleReview, Label: "Review of support plan 1"}}
	if last.Status != "overdue" || last.ItemID != "cycle/1" || last.Kind != "cycle" ||
		!reflect.DeepEqual(last.Deadlines, wantDeadlines) {
		t.Errorf("last projection = %s %s %s %+v", last.ItemID, last.Kind, last.Status, last.Deadlines)
	}
	if s := h.pathwaySignals(); len(s) != 0 {
		t.Errorf("an unreviewed cycle told the pathway %+v", s)
	}
}

func TestCycleReview(t *testing.T) {
	h := newCycleHarness(t, realTime)
	good := CycleReview{
		Ratings:     map[string]Rating{"o1": RatingAchieved, "o2": RatingNotAchieved},
		ParentViews: true,
		NextStep:    NextRefer,
		By:          "sendco-1",
	}
	with := func(f func(*CycleReview)) CycleReview {
		r := good
		r.Ratings = map[string]Rating{"o1": RatingAchieved, "o2": RatingNotAchieved}
		f(&r)
		return r
	}
	early := send[CycleState](h, days(cycleReview, -8), UpdateReviewCycle, good)
	refusals := []struct {
		name   string
		review CycleReview
		reason string
	}{
		{
			"an outcome not rated",
			with(func(r *CycleReview) { delete(r.Ratings, "o2") }),
			"outcome o2 has no rating; rate every outcome of the plan",
		},
		{
			"a rating that is not one",
			with(func(r *CycleReview) { r.Ratings["o2"] = "great" }),
			`"great" is not a rating; use achieved, partly_achieved or not_achieved`,
		},
		{
			"an outcome not in the plan",
			with(func(r *CycleReview) { r.Ratings["o3"] = RatingAchieved }),
			"the review rates outcomes that are not in plan 1",
		},
		{
			"a bad next step",
			with(func(r *CycleReview) { r.NextStep = "promote" }),
			`"promote" is not a next step; choose continue, step_down, refer or request_ehcna`,
		},
		{"nobody recording it", with(func(r *CycleReview) { r.By = "" }), "a review needs the person recording it"},
	}
	var refused []*update[CycleState]
	for _, c := range refusals {
		refused = append(refused, send[CycleState](h, days(cycleReview, -6), UpdateReviewCycle, c.review))
	}
	reviewedAt := days(cycleReview, -5)
	ok := send[CycleState](h, reviewedAt, UpdateReviewCycle, good)
	h.env.ExecuteWorkflow(CycleWorkflowName, cycleInput(realTime))
	h.finished(false)

	checkRefused(
		t,
		"review 8 days early",
		early,
		"plan 1 is not due for review: the review is on 19 October 2026 and can be recorded from 12 October 2026",
	)
	for i, c := range refusals {
		checkRefused(t, c.name, refused[i], c.reason)
	}
	checkAccepted(t, "review", ok)
	if ok.result.Status != "reviewed" || ok.result.Review == nil || ok.result.Review.NextStep != NextRefer ||
		!ok.result.ReviewedAt.Equal(reviewedAt) {
		t.Errorf("state after review = %+v", ok.result)
	}
	held := map[string]string{"ReviewDate": "14 October 2026"} // the outcome gives the day it was held
	checkNotices(t, h.notices(), append(cycleReminders("19 October 2026")[:3],
		wantNotice{reviewedAt, "review_outcome", []string{ToParents}, held}))
	want := []ChildChanged{{Cycle: &CycleReviewed{Number: 1, NextStep: NextRefer, ReviewedAt: reviewedAt}}}
	if got := h.pathwaySignals(); !reflect.DeepEqual(got, want) {
		t.Errorf("pathway told %+v, want %+v", got, want)
	}
	last := h.lastProjection()
	ev := last.Events
	if last.Status != "reviewed" || last.Deadlines != nil || len(ev) != 1 || ev[0].Kind != "cycle_review_recorded" ||
		ev[0].Summary != "The review of plan 1 was recorded. The parents' views were recorded; the pupil's were not." {
		t.Errorf("last projection = %s %+v %+v", last.Status, last.Deadlines, ev)
	}
}

func TestCycleProvisionLog(t *testing.T) {
	h := newCycleHarness(t, realTime)
	first := send[CycleState](
		h,
		days(childStart, 1),
		UpdateLogProvision,
		ProvisionLogged{EntryID: "e1", By: "teacher-1"},
	)
	second := send[CycleState](
		h,
		days(childStart, 2),
		UpdateLogProvision,
		ProvisionLogged{EntryID: "e2", By: "teacher-1"},
	)
	dup := send[CycleState](h, days(childStart, 3), UpdateLogProvision, ProvisionLogged{EntryID: "e1", By: "teacher-2"})
	anon := send[CycleState](h, days(childStart, 3), UpdateLogProvision, ProvisionLogged{EntryID: "e3"})
	h.cancelAt(days(childStart, 4))
	h.env.ExecuteWorkflow(CycleWorkflowName, cycleInput(realTime))
	h.finished(true)

	checkAccepted(t, "first entry", first)
	checkAccepted(t, "second entry", second)
	checkAccepted(t, "the first entry sent again", dup) // answered with the state, logged once
	checkRefused(t, "entry without its author", anon, "a provision entry needs its id and the person logging it")
	if got := second.result.ProvisionLogged; !slices.Equal(got, []string{"e1", "e2"}) ||
		second.result.Status != "active" {
		t.Errorf("after two entries: logged %v, status %s", got, second.result.Status)
	}
	if got := dup.result.ProvisionLogged; !slices.Equal(got, []string{"e1", "e2"}) {
		t.Errorf("after the first entry was sent again: logged %v, want it once", got)
	}
	ev := h.events()
	if len(ev) != 2 || ev[0].Kind != "provision_logged" || !ev[0].At.Equal(days(childStart, 1)) || ev[1].Seq != 2 ||
		!ev[1].At.Equal(days(childStart, 2)) {
		t.Errorf("events = %+v", ev)
	}
	if n := h.notices(); len(n) != 0 {
		t.Errorf("logging provision sent %+v", n)
	}
}

// With a week of calendar per minute, the reminders land on the same calendar dates while the
// workflow's own timers take minutes.
func TestCycleCompressedClock(t *testing.T) {
	clock := Clock{Origin: childStart, Scale: 10080}
	h := newCycleHarness(t, clock)
	h.cancelAt(days(childStart, 56)) // 8 minutes of real time
	h.env.ExecuteWorkflow(CycleWorkflowName, cycleInput(clock))
	h.finished(true)

	got := h.notices()
	want := cycleReminders("19 October 2026")
	if len(got) != len(want) {
		t.Fatalf("notices = %+v", got)
	}
	for i, w := range want {
		g := got[i]
		if g.Template != w.Template || dateWords(g.At) != dateWords(w.At) || g.Vars["ReviewDate"] != "19 October 2026" {
			t.Errorf("notice %d: %s on %s, want %s on %s", i, g.Template, dateWords(g.At), w.Template, dateWords(w.At))
		}
		// 4 weeks of calendar is 4 minutes of the workflow's time.
		realWant := childStart.Add(time.Duration(float64(w.At.Sub(childStart)) / clock.Scale))
		if d := g.Real.Sub(realWant); d < 0 || d > time.Second {
			t.Errorf(
				"notice %d (%s) queued at real %s, want %s",
				i,
				g.Template,
				g.Real.Sub(childStart),
				realWant.Sub(childStart),
			)
		}
	}
	var dates []string
	for _, e := range h.events() {
		dates = append(dates, dateWords(e.At))
	}
	if want := []string{"5 October 2026", "12 October 2026", "26 October 2026"}; !slices.Equal(dates, want) {
		t.Errorf("event dates %v, want %v", dates, want)
	}
	last := h.lastProjection()
	if len(last.Deadlines) != 1 || !last.Deadlines[0].Due.Equal(cycleReview) ||
		dateWords(last.UpdatedAt) != "26 October 2026" {
		t.Errorf("last projection: deadlines %+v, updated %s", last.Deadlines, last.UpdatedAt)
	}
	if elapsed := h.env.Now().Sub(childStart); elapsed > 9*time.Minute {
		t.Errorf("the workflow's own time ran %s for 8 calendar weeks", elapsed)
	}
}
