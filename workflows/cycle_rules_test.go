package workflows

// Table tests of the rules in cycle_rules.go.

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestRulesPlanCycleValidation(t *testing.T) {
	plan := PlanCycle{PlanID: "plan-2", ReviewDate: days(rulesNow, 42), OutcomeIDs: []string{"o1"}, By: "sendco-1"}
	open := func(s *PathwayState) {
		s.Cycles = []CycleRef{
			{Number: 1, ReviewDate: days(rulesNow, 42), Reviewed: true},
			{Number: 2, ReviewDate: days(rulesNow, 30)},
		}
	}
	cases := []struct {
		name  string
		stage Stage
		setup func(*PathwayState)
		edit  func(*PlanCycle)
		want  string
	}{
		{"on SEN support", StageSENSupport, nil, nil, ""},
		{"with an EHC plan", StageEHCPlan, nil, nil, ""},
		{"during an assessment", StageEHCAssessment, nil, nil, ""},
		{
			"while monitoring",
			StageMonitoring,
			nil,
			nil,
			"a support plan needs the pupil to be on SEN support; the pupil is at stage monitoring",
		},
		{
			"awaiting triage",
			StageAwaitingTriage,
			nil,
			nil,
			"a support plan needs the pupil to be on SEN support; the pupil is at stage awaiting_triage",
		},
		{
			"a cycle still open",
			StageSENSupport,
			open,
			nil,
			"cycle 2 is still open (review due 7 October 2026); review it before planning the next",
		},
		{
			"no plan id",
			StageSENSupport,
			nil,
			func(p *PlanCycle) { p.PlanID = "" },
			"a plan needs its id and the person agreeing it",
		},
		{
			"nobody agreeing it",
			StageSENSupport,
			nil,
			func(p *PlanCycle) { p.By = "" },
			"a plan needs its id and the person agreeing it",
		},
		{
			"no outcomes",
			StageSENSupport,
			nil,
			func(p *PlanCycle) { p.OutcomeIDs = nil },
			"a plan needs at least one outcome",
		},
		{"review 13 days away", StageSENSupport, nil, func(p *PlanCycle) { p.ReviewDate = days(rulesNow, 13) },
			"choose a review date on or after 21 September 2026, so parents can be invited at least 2 weeks before"},
		{
			"review exactly 2 weeks away",
			StageSENSupport,
			nil,
			func(p *PlanCycle) { p.ReviewDate = days(rulesNow, 14) },
			"",
		},
	}
	for _, c := range cases {
		s := pathwayAt(c.stage)
		if c.setup != nil {
			c.setup(s)
		}
		p := plan
		if c.edit != nil {
			c.edit(&p)
		}
		checkRule(t, c.name, s.ValidatePlanCycle(p, rulesNow), c.want)
	}
}

func TestRulesPlanCycleApply(t *testing.T) {
	s := pathwayAt(StageSENSupport)
	s.Cycles = []CycleRef{{Number: 1, ReviewDate: days(rulesNow, -1), Reviewed: true, NextStep: NextContinue}}
	s.Advice = []string{"adv-1"}
	review := days(rulesNow, 42)
	n, ev := s.ApplyPlanCycle(
		PlanCycle{PlanID: "plan-2", ReviewDate: review, OutcomeIDs: []string{"o1"}, By: "sendco-1"},
		rulesNow,
	)
	if n != 2 || !reflect.DeepEqual(s.Cycles[1], CycleRef{Number: 2, PlanID: "plan-2", ReviewDate: review}) {
		t.Errorf("cycle %d, cycles %+v", n, s.Cycles)
	}
	if !slices.Equal(s.Meetings, []time.Time{rulesNow, review}) || s.Advice != nil {
		t.Errorf(
			"meetings %v, advice %v: the plan meeting and the review both count; advice is used up",
			s.Meetings,
			s.Advice,
		)
	}
	if ev.Kind != "cycle_planned" ||
		ev.Summary != "Support plan 2 was agreed. It will be reviewed with the family on 19 October 2026." ||
		ev.Seq != 1 ||
		s.Version != 1 {
		t.Errorf("event %+v, version %d", ev, s.Version)
	}
}

func TestRulesCycleReviewedMovesPathway(t *testing.T) {
	cases := []struct {
		from, want Stage
		step       NextStep
		summary    string
	}{
		{
			StageSENSupport,
			StageMonitoring,
			NextStepDown,
			"Support plan 1 was reviewed. The pupil no longer needs SEN support; the class teacher keeps watching progress.",
		},
		{
			StageEHCPlan,
			StageEHCPlan,
			NextStepDown,
			"Support plan 1 was reviewed. The pupil no longer needs SEN support; the class teacher keeps watching progress.",
		},
		{
			StageSENSupport,
			StageSENSupport,
			NextContinue,
			"Support plan 1 was reviewed. Support continues with a new plan.",
		},
		{
			StageSENSupport,
			StageSENSupport,
			NextRefer,
			"Support plan 1 was reviewed. The next step is to ask a specialist for advice.",
		},
		{
			StageSENSupport,
			StageSENSupport,
			NextRequestEHCNA,
			"Support plan 1 was reviewed. The next step is to request an EHC needs assessment.",
		},
	}
	for _, c := range cases {
		s := pathwayAt(c.from)
		s.Cycles = []CycleRef{{Number: 1, ReviewDate: rulesNow}}
		ev := s.ApplyCycleReviewed(CycleReviewed{Number: 1, NextStep: c.step, ReviewedAt: rulesNow}, rulesNow)
		if s.Stage != c.want || !s.Cycles[0].Reviewed || s.Cycles[0].NextStep != c.step ||
			ev.Kind != "cycle_reviewed" ||
			ev.Summary != c.summary {
			t.Errorf("%s from %s: stage %s, cycle %+v, event %q", c.step, c.from, s.Stage, s.Cycles[0], ev.Summary)
		}
	}
	// A review of a cycle the pathway does not know marks nothing.
	s := pathwayAt(StageSENSupport)
	s.Cycles = []CycleRef{{Number: 1, ReviewDate: rulesNow}}
	s.ApplyCycleReviewed(CycleReviewed{Number: 7, NextStep: NextContinue}, rulesNow)
	if s.Cycles[0].Reviewed {
		t.Error("cycle 1 marked reviewed by a review of cycle 7")
	}
}

func TestRulesParentMeetings(t *testing.T) {
	meetings := []time.Time{day(2026, 9, 10), day(2026, 12, 1), day(2026, 6, 1)} // the last is the previous year
	cases := []struct {
		stage Stage
		count int
		warn  bool
	}{
		{StageMonitoring, 0, false}, // not on SEN support: no duty to meet three times
		{StageSENSupport, 2, true},
		{StageEHCPlan, 2, true},
	}
	for _, c := range cases {
		s := pathwayAt(c.stage)
		s.Meetings = meetings
		if n, warn := s.ParentMeetings(day(2027, 1, 10)); n != c.count || warn != c.warn {
			t.Errorf("%s: %d meetings, warn %v; want %d, %v", c.stage, n, warn, c.count, c.warn)
		}
	}
}

func newCycle() *CycleState {
	return NewCycleState(CycleInput{PupilID: "pupil-1", SchoolID: "school-1", Number: 1, Timings: DefaultTimings(),
		Plan: PlanCycle{
			PlanID:     "plan-1",
			ReviewDate: days(rulesNow, 42),
			OutcomeIDs: []string{"o1", "o2"},
			By:         "sendco-1",
		}})
}

// Reminders fall due in order, each once; catching up after a gap sends every one missed.
func TestRulesCycleReminders(t *testing.T) {
	review := days(rulesNow, 42)
	invite, remind, overdue := days(review, -14), days(review, -7), days(review, 7)
	type check struct {
		now        time.Time
		due        []string
		status     string
		next       time.Time // zero: nothing left
		eventKinds []string
	}
	cases := []struct {
		name   string
		checks []check
	}{
		{"one at a time", []check{
			{rulesNow, nil, "active", invite, nil},
			{invite.Add(-time.Second), nil, "active", invite, nil},
			{invite, []string{CycleInvite}, "active", remind, []string{"review_invitation_sent"}},
			{invite.Add(time.Hour), nil, "active", remind, nil},
			{remind, []string{CycleReminder}, "active", overdue, []string{"review_reminder_sent"}},
			{review, nil, "active", overdue, nil},
			{overdue, []string{CycleOverdue}, "overdue", time.Time{}, []string{"review_overdue"}},
			{days(overdue, 30), nil, "overdue", time.Time{}, nil},
		}},
		{"caught up after a gap", []check{
			{days(overdue, 1), []string{CycleInvite, CycleReminder, CycleOverdue}, "overdue", time.Time{},
				[]string{"review_invitation_sent", "review_reminder_sent", "review_overdue"}},
		}},
	}
	for _, c := range cases {
		s := newCycle()
		for _, k := range c.checks {
			due, events := s.DueReminders(k.now)
			var kinds []string
			for _, e := range events {
				kinds = append(kinds, e.Kind)
				if !e.At.Equal(k.now) {
					t.Errorf("%s: event %s at %s, want %s", c.name, e.Kind, e.At, k.now)
				}
			}
			next, has := s.NextWake()
			if !slices.Equal(due, k.due) || s.Status != k.status || has == k.next.IsZero() || !next.Equal(k.next) ||
				!slices.Equal(kinds, k.eventKinds) {
				t.Errorf("%s at %s: due %v status %s next %v/%v events %v; want %v %s %v %v", c.name, dateStr(k.now),
					due, s.Status, next, has, kinds, k.due, k.status, k.next, k.eventKinds)
			}
		}
	}
	s := newCycle()
	s.ApplyReview(CycleReview{}, rulesNow)
	if _, has := s.NextWake(); has {
		t.Error("a reviewed cycle still wakes")
	}
	if due, _ := s.DueReminders(days(overdue, 1)); due != nil {
		t.Errorf("a reviewed cycle sent %v", due)
	}
}

func TestRulesCycleReviewValidation(t *testing.T) {
	review := days(rulesNow, 42)
	good := func() CycleReview {
		return CycleReview{
			Ratings:  map[string]Rating{"o1": RatingAchieved, "o2": RatingPartly},
			NextStep: NextContinue,
			By:       "sendco-1",
		}
	}
	cases := []struct {
		name     string
		now      time.Time
		reviewed bool
		edit     func(*CycleReview)
		want     string
	}{
		{"on the review date", review, false, nil, ""},
		{"when the reminder goes", days(review, -7), false, nil, ""},
		{"late", days(review, 30), false, nil, ""},
		{
			"8 days early",
			days(review, -8),
			false,
			nil,
			"plan 1 is not due for review: the review is on 19 October 2026 and can be recorded from 12 October 2026",
		},
		{"already reviewed", review, true, nil, "plan 1 was already reviewed"},
		{
			"nobody recording it",
			review,
			false,
			func(r *CycleReview) { r.By = "" },
			"a review needs the person recording it",
		},
		{
			"an outcome unrated",
			review,
			false,
			func(r *CycleReview) { delete(r.Ratings, "o1") },
			"outcome o1 has no rating; rate every outcome of the plan",
		},
		{
			"not a rating",
			review,
			false,
			func(r *CycleReview) { r.Ratings["o2"] = "" },
			`"" is not a rating; use achieved, partly_achieved or not_achieved`,
		},
		{
			"an outcome not in the plan",
			review,
			false,
			func(r *CycleReview) { r.Ratings["o9"] = RatingAchieved },
			"the review rates outcomes that are not in plan 1",
		},
		{
			"no next step",
			review,
			false,
			func(r *CycleReview) { r.NextStep = "" },
			`"" is not a next step; choose continue, step_down, refer or request_ehcna`,
		},
	}
	for _, c := range cases {
		s := newCycle()
		if c.reviewed {
			s.ApplyReview(good(), review)
		}
		r := good()
		if c.edit != nil {
			c.edit(&r)
		}
		checkRule(t, c.name, s.ValidateReview(r, c.now), c.want)
	}
}

func TestRulesCycleReviewApply(t *testing.T) {
	cases := []struct {
		parent, pupil bool
		views         string
	}{
		{true, true, "Parents' and the pupil's views were recorded."},
		{false, false, "No views were recorded from the parents or the pupil."},
		{false, true, "The pupil's views were recorded; the parents' were not."},
		{true, false, "The parents' views were recorded; the pupil's were not."},
	}
	for _, c := range cases {
		s := newCycle()
		ev := s.ApplyReview(CycleReview{ParentViews: c.parent, PupilViews: c.pupil, NextStep: NextStepDown}, rulesNow)
		if ev.Summary != "The review of plan 1 was recorded. "+c.views || s.Status != "reviewed" ||
			!s.ReviewedAt.Equal(rulesNow) ||
			s.Review.NextStep != NextStepDown {
			t.Errorf("parent %v pupil %v: %q, status %s", c.parent, c.pupil, ev.Summary, s.Status)
		}
	}
}

// Views a parent gave from their phone before the review count as the parents' views heard,
// though the review form leaves its own box empty (issue 15); the event says who gave them.
func TestRulesParentViewsCountAtTheReview(t *testing.T) {
	s := newCycle()
	ev := s.ApplyParentViews(ParentViews{ViewsID: "v1", By: "parent-1"}, rulesNow)
	if ev.Kind != "parent_views_given" || ev.By != "parent-1" {
		t.Errorf("views event %+v", ev)
	}
	ev = s.ApplyReview(CycleReview{PupilViews: true, NextStep: NextContinue}, rulesNow)
	if !s.Review.ParentViews ||
		ev.Summary != "The review of plan 1 was recorded. Parents' and the pupil's views were recorded." {
		t.Errorf("review after views from the phone: parent views %v, %q", s.Review.ParentViews, ev.Summary)
	}
}

func TestRulesProvision(t *testing.T) {
	s := newCycle()
	checkRule(t, "first entry", s.ValidateProvision(ProvisionLogged{EntryID: "e1", By: "teacher-1"}), "")
	ev := s.ApplyProvision(ProvisionLogged{EntryID: "e1", By: "teacher-1"}, rulesNow)
	if ev.Kind != "provision_logged" || !slices.Equal(s.ProvisionLogged, []string{"e1"}) {
		t.Errorf("after logging: %+v %v", ev, s.ProvisionLogged)
	}
	checkRule(
		t,
		"same entry again",
		s.ValidateProvision(ProvisionLogged{EntryID: "e1", By: "teacher-2"}),
		"provision entry e1 is already logged",
	)
	checkRule(
		t,
		"no id",
		s.ValidateProvision(ProvisionLogged{By: "teacher-1"}),
		"a provision entry needs its id and the person logging it",
	)
	checkRule(
		t,
		"no author",
		s.ValidateProvision(ProvisionLogged{EntryID: "e2"}),
		"a provision entry needs its id and the person logging it",
	)
	s.ApplyReview(CycleReview{}, rulesNow)
	checkRule(
		t,
		"after the review",
		s.ValidateProvision(ProvisionLogged{EntryID: "e2", By: "teacher-1"}),
		"plan 1 has been reviewed; log provision against the current plan",
	)
}
