package workflows

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// checkRule compares a rule's answer with want: "" for accepted, else the exact refusal reason.
func checkRule(t *testing.T, name string, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("%s: refused: %v", name, err)
	case want == "":
	case err == nil:
		t.Errorf("%s: accepted, want refused: %s", name, want)
	case !errors.Is(err, ErrRefused):
		t.Errorf("%s: %v is not a refusal", name, err)
	case strings.TrimPrefix(err.Error(), "refused: ") != want:
		t.Errorf("%s: refused with\n %q\nwant\n %q", name, strings.TrimPrefix(err.Error(), "refused: "), want)
	}
}

// Monday 7 September 2026, 9am, as in the workflow tests.
var rulesNow = time.Date(2026, 9, 7, 9, 0, 0, 0, time.UTC)

func pathwayAt(stage Stage) *PathwayState {
	s := NewPathwayState(PathwayInput{PupilID: "pupil-1", SchoolID: "school-1", Timings: DefaultTimings()}, rulesNow)
	s.Stage = stage
	return s
}

// --- cycle_rules.go ---

func TestRulesPlanCycleValidation(t *testing.T) {
	plan := PlanCycle{PlanID: "plan-2", ReviewDate: days(rulesNow, 42), OutcomeIDs: []string{"o1"}, By: "sendco-1"}
	open := func(s *PathwayState) {
		s.Cycles = []CycleRef{{Number: 1, ReviewDate: days(rulesNow, 42), Reviewed: true}, {Number: 2, ReviewDate: days(rulesNow, 30)}}
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
		{"while monitoring", StageMonitoring, nil, nil, "a support plan needs the pupil to be on SEN support; the pupil is at stage monitoring"},
		{"awaiting triage", StageAwaitingTriage, nil, nil, "a support plan needs the pupil to be on SEN support; the pupil is at stage awaiting_triage"},
		{"a cycle still open", StageSENSupport, open, nil, "cycle 2 is still open (review due 7 October 2026); review it before planning the next"},
		{"no plan id", StageSENSupport, nil, func(p *PlanCycle) { p.PlanID = "" }, "a plan needs its id and the person agreeing it"},
		{"nobody agreeing it", StageSENSupport, nil, func(p *PlanCycle) { p.By = "" }, "a plan needs its id and the person agreeing it"},
		{"no outcomes", StageSENSupport, nil, func(p *PlanCycle) { p.OutcomeIDs = nil }, "a plan needs at least one outcome"},
		{"review 13 days away", StageSENSupport, nil, func(p *PlanCycle) { p.ReviewDate = days(rulesNow, 13) },
			"choose a review date on or after 21 September 2026, so parents can be invited at least 2 weeks before"},
		{"review exactly 2 weeks away", StageSENSupport, nil, func(p *PlanCycle) { p.ReviewDate = days(rulesNow, 14) }, ""},
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
	n, ev := s.ApplyPlanCycle(PlanCycle{PlanID: "plan-2", ReviewDate: review, OutcomeIDs: []string{"o1"}, By: "sendco-1"}, rulesNow)
	if n != 2 || !reflect.DeepEqual(s.Cycles[1], CycleRef{Number: 2, PlanID: "plan-2", ReviewDate: review}) {
		t.Errorf("cycle %d, cycles %+v", n, s.Cycles)
	}
	if !slices.Equal(s.Meetings, []time.Time{rulesNow, review}) || s.Advice != nil {
		t.Errorf("meetings %v, advice %v: the plan meeting and the review both count; advice is used up", s.Meetings, s.Advice)
	}
	if ev.Kind != "cycle_planned" || ev.Summary != "Support plan 2 was agreed. It will be reviewed with the family on 19 October 2026." || ev.Seq != 1 || s.Version != 1 {
		t.Errorf("event %+v, version %d", ev, s.Version)
	}
}

func TestRulesCycleReviewedMovesPathway(t *testing.T) {
	cases := []struct {
		from, want Stage
		step       NextStep
		summary    string
	}{
		{StageSENSupport, StageMonitoring, NextStepDown, "Support plan 1 was reviewed. The pupil no longer needs SEN support; the class teacher keeps watching progress."},
		{StageEHCPlan, StageEHCPlan, NextStepDown, "Support plan 1 was reviewed. The pupil no longer needs SEN support; the class teacher keeps watching progress."},
		{StageSENSupport, StageSENSupport, NextContinue, "Support plan 1 was reviewed. Support continues with a new plan."},
		{StageSENSupport, StageSENSupport, NextRefer, "Support plan 1 was reviewed. The next step is to ask a specialist for advice."},
		{StageSENSupport, StageSENSupport, NextRequestEHCNA, "Support plan 1 was reviewed. The next step is to request an EHC needs assessment."},
	}
	for _, c := range cases {
		s := pathwayAt(c.from)
		s.Cycles = []CycleRef{{Number: 1, ReviewDate: rulesNow}}
		ev := s.ApplyCycleReviewed(CycleReviewed{Number: 1, NextStep: c.step, ReviewedAt: rulesNow}, rulesNow)
		if s.Stage != c.want || !s.Cycles[0].Reviewed || s.Cycles[0].NextStep != c.step || ev.Kind != "cycle_reviewed" || ev.Summary != c.summary {
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
		Plan: PlanCycle{PlanID: "plan-1", ReviewDate: days(rulesNow, 42), OutcomeIDs: []string{"o1", "o2"}, By: "sendco-1"}})
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
			if !slices.Equal(due, k.due) || s.Status != k.status || has == k.next.IsZero() || !next.Equal(k.next) || !slices.Equal(kinds, k.eventKinds) {
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
		return CycleReview{Ratings: map[string]Rating{"o1": RatingAchieved, "o2": RatingPartly}, NextStep: NextContinue, By: "sendco-1"}
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
		{"8 days early", days(review, -8), false, nil, "plan 1 is not due for review: the review is on 19 October 2026 and can be recorded from 12 October 2026"},
		{"already reviewed", review, true, nil, "plan 1 was already reviewed"},
		{"nobody recording it", review, false, func(r *CycleReview) { r.By = "" }, "a review needs the person recording it"},
		{"an outcome unrated", review, false, func(r *CycleReview) { delete(r.Ratings, "o1") }, "outcome o1 has no rating; rate every outcome of the plan"},
		{"not a rating", review, false, func(r *CycleReview) { r.Ratings["o2"] = "" }, `"" is not a rating; use achieved, partly_achieved or not_achieved`},
		{"an outcome not in the plan", review, false, func(r *CycleReview) { r.Ratings["o9"] = RatingAchieved }, "the review rates outcomes that are not in plan 1"},
		{"no next step", review, false, func(r *CycleReview) { r.NextStep = "" }, `"" is not a next step; choose continue, step_down, refer or request_ehcna`},
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
		if ev.Summary != "The review of plan 1 was recorded. "+c.views || s.Status != "reviewed" || !s.ReviewedAt.Equal(rulesNow) || s.Review.NextStep != NextStepDown {
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
	if !s.Review.ParentViews || ev.Summary != "The review of plan 1 was recorded. Parents' and the pupil's views were recorded." {
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
	checkRule(t, "same entry again", s.ValidateProvision(ProvisionLogged{EntryID: "e1", By: "teacher-2"}), "provision entry e1 is already logged")
	checkRule(t, "no id", s.ValidateProvision(ProvisionLogged{By: "teacher-1"}), "a provision entry needs its id and the person logging it")
	checkRule(t, "no author", s.ValidateProvision(ProvisionLogged{EntryID: "e2"}), "a provision entry needs its id and the person logging it")
	s.ApplyReview(CycleReview{}, rulesNow)
	checkRule(t, "after the review", s.ValidateProvision(ProvisionLogged{EntryID: "e2", By: "teacher-1"}), "plan 1 has been reviewed; log provision against the current plan")
}

// --- referral_rules.go ---

func TestRulesReferralStatusFinished(t *testing.T) {
	finished := map[ReferralStatus]bool{
		ReferralAwaitingDecision: false, ReferralAwaitingConsent: false, ReferralSubmitted: false, ReferralAcknowledged: false,
		ReferralDeclined: true, ReferralConsentRefused: true, ReferralConsentExpired: true, ReferralWithdrawn: true,
		ReferralAdviceReceived: true, ReferralRejected: true,
	}
	for s, want := range finished {
		if s.Finished() != want {
			t.Errorf("%s finished = %v", s, !want)
		}
	}
}

func TestRulesOpenReferral(t *testing.T) {
	open := OpenReferral{ReferralID: "r2", Service: "speech_and_language", By: "sendco-1"}
	cases := []struct {
		name  string
		stage Stage
		have  []ReferralRef
		edit  func(*OpenReferral)
		want  string
	}{
		{"on SEN support", StageSENSupport, nil, nil, ""},
		{"with an EHC plan", StageEHCPlan, nil, nil, ""},
		{"while monitoring", StageMonitoring, nil, nil, "a referral to a specialist needs the pupil to be on SEN support; the pupil is at stage monitoring"},
		{"no service", StageSENSupport, nil, func(o *OpenReferral) { o.Service = "" }, "a referral needs its id, the service and the person asking"},
		{"same id", StageSENSupport, []ReferralRef{{ReferralID: "r2", Service: "other", Status: ReferralDeclined}}, nil, "referral r2 already exists"},
		{"same service still open", StageSENSupport, []ReferralRef{{ReferralID: "r1", Service: "speech_and_language", Status: ReferralSubmitted}}, nil,
			"a referral to this service is already open (submitted)"},
		{"same service finished", StageSENSupport, []ReferralRef{{ReferralID: "r1", Service: "speech_and_language", Status: ReferralAdviceReceived}}, nil, ""},
	}
	for _, c := range cases {
		s := pathwayAt(c.stage)
		s.Referrals = c.have
		o := open
		if c.edit != nil {
			c.edit(&o)
		}
		checkRule(t, c.name, s.ValidateOpenReferral(o), c.want)
	}

	s := pathwayAt(StageSENSupport)
	s.ApplyOpenReferral(open, rulesNow)
	if !reflect.DeepEqual(s.Referrals, []ReferralRef{{ReferralID: "r2", Service: "speech_and_language", Status: ReferralAwaitingDecision}}) {
		t.Errorf("referrals %+v", s.Referrals)
	}
	// The pathway mirrors each status; advice is kept once, to feed the next plan.
	s.ApplyReferralChanged(ReferralChanged{ReferralID: "r2", Status: ReferralAdviceReceived, AdviceID: "adv-1"})
	s.ApplyReferralChanged(ReferralChanged{ReferralID: "r2", Status: ReferralAdviceReceived, AdviceID: "adv-1"})
	v := s.Version
	s.ApplyReferralChanged(ReferralChanged{ReferralID: "unknown", Status: ReferralDeclined, AdviceID: "adv-9"})
	if s.Referrals[0].Status != ReferralAdviceReceived || !slices.Equal(s.Advice, []string{"adv-1"}) || s.Version != v {
		t.Errorf("after changes: referrals %+v advice %v version %d (was %d)", s.Referrals, s.Advice, s.Version, v)
	}
}

// newReferral is a referral opened at rulesNow (consent asked for at once), moved to status;
// consent is given for the statuses that follow it.
func newReferral(status ReferralStatus) *ReferralState {
	r := NewReferralState(ReferralInput{OpenReferral: OpenReferral{ReferralID: "r1", Service: "educational_psychology", By: "sendco-1"},
		PupilID: "pupil-1", SchoolID: "school-1", ParentIDs: []string{"parent-1", "parent-2"}, Timings: DefaultTimings()}, rulesNow)
	r.Status = status
	switch status {
	case ReferralSubmitted, ReferralAcknowledged, ReferralAdviceReceived:
		r.ConsentGiven, r.ConsentWordingID, r.SubmittedAt = true, "ep-v1", ptr(rulesNow)
	}
	return r
}

func TestRulesReferralDecision(t *testing.T) {
	unmet := Readiness{Missing: []string{"No support plan has been reviewed."}}
	cases := []struct {
		name   string
		status ReferralStatus
		d      ReferralDecision
		want   string
	}{
		{"approve a met check", ReferralAwaitingDecision, ReferralDecision{Approve: true, By: "s", Readiness: Readiness{Met: true}}, ""},
		{"approve an unmet check with a reason", ReferralAwaitingDecision, ReferralDecision{Approve: true, OverrideReason: "Urgent.", By: "s", Readiness: unmet}, ""},
		{"approve an unmet check without a reason", ReferralAwaitingDecision, ReferralDecision{Approve: true, OverrideReason: "  ", By: "s", Readiness: unmet},
			"the readiness check is not met: No support plan has been reviewed. Give a reason to approve the referral anyway"},
		{"decline an unmet check", ReferralAwaitingDecision, ReferralDecision{By: "s", Readiness: unmet}, ""},
		{"nobody deciding", ReferralAwaitingDecision, ReferralDecision{Approve: true, Readiness: Readiness{Met: true}}, "a decision needs the person making it"},
		{"decided already", ReferralAwaitingConsent, ReferralDecision{Approve: true, By: "s", Readiness: Readiness{Met: true}},
			"this referral is not waiting for a decision: it is awaiting_consent"},
		{"after consent expired", ReferralConsentExpired, ReferralDecision{Approve: true, By: "s", Readiness: Readiness{Met: true}},
			"this referral is not waiting for a decision: it is consent_expired"},
	}
	for _, c := range cases {
		checkRule(t, c.name, newReferral(c.status).ValidateDecision(c.d), c.want)
	}

	later := days(rulesNow, 3)
	applied := []struct {
		name      string
		consented bool
		d         ReferralDecision
		status    ReferralStatus
		kind      string
		summary   string
	}{
		{"approved over the check, waiting for consent", false, ReferralDecision{Approve: true, OverrideReason: "Urgent.", By: "s", Readiness: unmet},
			ReferralAwaitingConsent, "referral_approved",
			"The SENDCo approved the referral although the readiness check was not met, and recorded why. It will be sent when the parents give consent."},
		{"approved after consent", true, ReferralDecision{Approve: true, By: "s", Readiness: Readiness{Met: true}},
			ReferralSubmitted, "referral_submitted",
			"The SENDCo approved the referral. Parents had given consent, so the referral was sent to the service."},
		{"declined after consent", true, ReferralDecision{By: "s", Readiness: Readiness{Met: true}},
			ReferralDeclined, "referral_declined", "The SENDCo decided not to make this referral."},
	}
	for _, a := range applied {
		r := newReferral(ReferralAwaitingDecision)
		if a.consented {
			r.ApplyConsent(Consent{Action: ConsentGive, WordingID: "ep-v1", By: "parent-1"}, days(rulesNow, 1))
		}
		ev := r.ApplyDecision(a.d, later)
		if r.Status != a.status || ev.Kind != a.kind || ev.Summary != a.summary || !reflect.DeepEqual(r.Readiness, a.d.Readiness) || r.OverrideReason != a.d.OverrideReason {
			t.Errorf("%s: status %s, event %s %q", a.name, r.Status, ev.Kind, ev.Summary)
		}
		if sent := r.SubmittedAt != nil && r.SubmittedAt.Equal(later); sent != (a.status == ReferralSubmitted) {
			t.Errorf("%s: submitted at %v", a.name, r.SubmittedAt)
		}
		if !r.ConsentRequestedAt.Equal(rulesNow) {
			t.Errorf("%s: consent asked for at %v, want when the referral opened", a.name, r.ConsentRequestedAt)
		}
	}
}

func TestRulesReferralConsent(t *testing.T) {
	give := Consent{Action: ConsentGive, WordingID: "ep-v1", By: "parent-2"}
	withdraw := Consent{Action: ConsentWithdraw, By: "parent-1"}
	consented := func(r *ReferralState) { r.ApplyConsent(give, rulesNow) }
	cases := []struct {
		name   string
		status ReferralStatus
		setup  func(*ReferralState)
		c      Consent
		want   string
	}{
		{"give after approval", ReferralAwaitingConsent, nil, give, ""},
		{"give before the decision", ReferralAwaitingDecision, nil, give, ""},
		{"refuse", ReferralAwaitingConsent, nil, Consent{Action: ConsentRefuse, By: "parent-1"}, ""},
		{"refuse before the decision", ReferralAwaitingDecision, nil, Consent{Action: ConsentRefuse, By: "parent-1"}, ""},
		{"give twice before the decision", ReferralAwaitingDecision, consented, give, "consent has already been given; it can be withdrawn"},
		{"refuse after giving", ReferralAwaitingDecision, consented, Consent{Action: ConsentRefuse, By: "parent-1"}, "consent has already been given; it can be withdrawn"},
		{"give after submission", ReferralSubmitted, nil, give, "consent is not being asked for: the referral is submitted"},
		{"refuse after expiry", ReferralConsentExpired, nil, Consent{Action: ConsentRefuse, By: "parent-1"}, "consent is not being asked for: the referral is consent_expired"},
		{"give without the wording", ReferralAwaitingConsent, nil, Consent{Action: ConsentGive, By: "parent-1"}, "consent must record the wording the parent was shown"},
		{"withdraw instead of answering", ReferralAwaitingConsent, nil, withdraw, ""},
		{"withdraw before the decision", ReferralAwaitingDecision, consented, withdraw, ""},
		{"withdraw after submission", ReferralSubmitted, nil, withdraw, ""},
		{"withdraw after acknowledgement", ReferralAcknowledged, nil, withdraw, ""},
		{"withdraw what was never given", ReferralAwaitingDecision, nil, withdraw, "there is no consent to withdraw: the referral is awaiting_decision"},
		{"withdraw after advice", ReferralAdviceReceived, nil, withdraw, "there is no consent to withdraw: the referral is advice_received"},
		{"someone else", ReferralAwaitingConsent, nil, Consent{Action: ConsentGive, WordingID: "ep-v1", By: "teacher-1"},
			"only a parent or carer with parental responsibility for this pupil can answer for them"},
		{"not an answer", ReferralAwaitingConsent, nil, Consent{Action: "maybe", By: "parent-1"}, `"maybe" is not a consent answer; use give, refuse or withdraw`},
	}
	for _, c := range cases {
		r := newReferral(c.status)
		if c.setup != nil {
			c.setup(r)
		}
		checkRule(t, c.name, r.ValidateConsent(c.c), c.want)
	}

	applied := []struct {
		from   ReferralStatus
		action ConsentAction
		want   ReferralStatus
		kind   string
		sent   bool
	}{
		{ReferralAwaitingConsent, ConsentGive, ReferralSubmitted, "referral_submitted", true},
		{ReferralAwaitingDecision, ConsentGive, ReferralAwaitingDecision, "consent_given", false},
		{ReferralAwaitingConsent, ConsentRefuse, ReferralConsentRefused, "consent_refused", false},
		{ReferralAwaitingConsent, ConsentWithdraw, ReferralWithdrawn, "consent_withdrawn", false},
	}
	for _, a := range applied {
		r := newReferral(a.from)
		at := days(rulesNow, 2)
		ev := r.ApplyConsent(Consent{Action: a.action, WordingID: "ep-v1", By: "parent-1"}, at)
		if r.Status != a.want || ev.Kind != a.kind {
			t.Errorf("%s while %s: status %s event %s", a.action, a.from, r.Status, ev.Kind)
		}
		if given := r.ConsentGiven && r.ConsentWordingID == "ep-v1"; given != (a.action == ConsentGive) {
			t.Errorf("%s while %s: consent given %v with wording %q", a.action, a.from, r.ConsentGiven, r.ConsentWordingID)
		}
		if sent := r.SubmittedAt != nil && r.SubmittedAt.Equal(at); sent != a.sent {
			t.Errorf("%s while %s: submitted at %v", a.action, a.from, r.SubmittedAt)
		}
	}
}

func TestRulesAgencyResponse(t *testing.T) {
	cases := []struct {
		name   string
		status ReferralStatus
		a      AgencyResponse
		want   string
	}{
		{"acknowledge", ReferralSubmitted, AgencyResponse{Kind: AgencyAcknowledged, By: "a"}, ""},
		{"advice without acknowledgement", ReferralSubmitted, AgencyResponse{Kind: AgencyAdvice, AdviceID: "adv-1", By: "a"}, ""},
		{"advice after acknowledgement", ReferralAcknowledged, AgencyResponse{Kind: AgencyAdvice, AdviceID: "adv-1", By: "a"}, ""},
		{"rejected", ReferralAcknowledged, AgencyResponse{Kind: AgencyRejected, By: "a"}, ""},
		{"acknowledge twice", ReferralAcknowledged, AgencyResponse{Kind: AgencyAcknowledged, By: "a"},
			"the service can acknowledge a referral once it has been sent; it is acknowledged"},
		{"advice before consent", ReferralAwaitingConsent, AgencyResponse{Kind: AgencyAdvice, AdviceID: "adv-1", By: "a"},
			"the service can reply once the referral has been sent; it is awaiting_consent"},
		{"advice after withdrawal", ReferralWithdrawn, AgencyResponse{Kind: AgencyAdvice, AdviceID: "adv-1", By: "a"},
			"the service can reply once the referral has been sent; it is consent_withdrawn"},
		{"advice without its record", ReferralSubmitted, AgencyResponse{Kind: AgencyAdvice, By: "a"}, "advice needs the id of the record that holds it"},
		{"nobody recording it", ReferralSubmitted, AgencyResponse{Kind: AgencyAcknowledged}, "a response needs the person recording it"},
		{"not a response", ReferralSubmitted, AgencyResponse{Kind: "thanks", By: "a"}, `"thanks" is not a response; use acknowledged, advice or rejected`},
	}
	for _, c := range cases {
		checkRule(t, c.name, newReferral(c.status).ValidateResponse(c.a), c.want)
	}
	applied := []struct {
		kind   AgencyResponseKind
		want   ReferralStatus
		advice string
	}{
		{AgencyAcknowledged, ReferralAcknowledged, ""},
		{AgencyAdvice, ReferralAdviceReceived, "adv-1"},
		{AgencyRejected, ReferralRejected, ""},
	}
	for _, a := range applied {
		r := newReferral(ReferralSubmitted)
		r.ApplyResponse(AgencyResponse{Kind: a.kind, AdviceID: a.advice, By: "a"}, rulesNow)
		if r.Status != a.want || r.AdviceID != a.advice {
			t.Errorf("%s: status %s advice %q", a.kind, r.Status, r.AdviceID)
		}
	}
}

// Consent is chased from the moment the referral opens until a parent answers; a sent referral
// is chased once, after the service's own acknowledgement time or the default 6 weeks.
func TestRulesReferralTimers(t *testing.T) {
	reminder, expiry, sla := days(rulesNow, 7), days(rulesNow, 28), days(rulesNow, 42)
	type check struct {
		now    time.Time
		fired  []string
		status ReferralStatus
		next   time.Time // zero: nothing to wake for
	}
	consented := func(r *ReferralState) {
		r.ApplyConsent(Consent{Action: ConsentGive, WordingID: "ep-v1", By: "parent-1"}, days(rulesNow, 1))
	}
	cases := []struct {
		name   string
		status ReferralStatus
		setup  func(*ReferralState)
		checks []check
	}{
		{"no answer while the SENDCo decides", ReferralAwaitingDecision, nil, []check{
			{rulesNow, nil, ReferralAwaitingDecision, reminder},
			{reminder.Add(-time.Second), nil, ReferralAwaitingDecision, reminder},
			{reminder, []string{ReferralConsentReminder}, ReferralAwaitingDecision, expiry},
			{days(reminder, 1), nil, ReferralAwaitingDecision, expiry},
			{expiry, []string{ReferralConsentExpiry}, ReferralConsentExpired, time.Time{}},
		}},
		{"no answer after approval, caught up after a gap", ReferralAwaitingConsent, nil, []check{
			{days(expiry, 1), []string{ReferralConsentReminder, ReferralConsentExpiry}, ReferralConsentExpired, time.Time{}},
		}},
		{"consent given before the decision", ReferralAwaitingDecision, consented, []check{
			{days(expiry, 1), nil, ReferralAwaitingDecision, time.Time{}},
		}},
		{"submitted, no acknowledgement", ReferralSubmitted, nil, []check{
			{rulesNow, nil, ReferralSubmitted, sla},
			{sla, []string{ReferralSLA}, ReferralSubmitted, time.Time{}}, // escalated once
			{days(sla, 42), nil, ReferralSubmitted, time.Time{}},
		}},
		{"submitted to a service that answers in 10 days", ReferralSubmitted, func(r *ReferralState) { r.SLADays = 10 }, []check{
			{days(rulesNow, 9), nil, ReferralSubmitted, days(rulesNow, 10)},
			{days(rulesNow, 10), []string{ReferralSLA}, ReferralSubmitted, time.Time{}},
		}},
		{"acknowledged", ReferralAcknowledged, nil, []check{{days(sla, 1), nil, ReferralAcknowledged, time.Time{}}}},
	}
	for _, c := range cases {
		r := newReferral(c.status)
		if c.setup != nil {
			c.setup(r)
		}
		for _, k := range c.checks {
			fired, events := r.DueTimers(k.now)
			next, has := r.NextWake()
			if !slices.Equal(fired, k.fired) || len(events) != len(k.fired) || r.Status != k.status || has == k.next.IsZero() || !next.Equal(k.next) {
				t.Errorf("%s at %s: fired %v (%d events) status %s next %v/%v; want %v %s %v", c.name, dateStr(k.now),
					fired, len(events), r.Status, next, has, k.fired, k.status, k.next)
			}
		}
	}
	r := newReferral(ReferralAwaitingConsent)
	if _, events := r.DueTimers(reminder); len(events) != 1 || events[0].Summary != "Parents were reminded about consent. The request ends on 5 October 2026." {
		t.Errorf("reminder event %+v", events)
	}
	r = newReferral(ReferralSubmitted)
	r.SLADays = 10
	if _, events := r.DueTimers(days(rulesNow, 10)); len(events) != 1 ||
		events[0].Summary != "The service has not acknowledged the referral within 10 days. The SENDCo has been asked to chase it." {
		t.Errorf("escalation event %+v", events)
	}
}

// --- ehc_rules.go ---

func TestRulesRequestEHCNA(t *testing.T) {
	req := RequestEHCNA{RequestID: "ehc-1", RequestedBy: "parent", By: "parent-1"}
	cases := []struct {
		name  string
		stage Stage
		edit  func(*RequestEHCNA)
		want  string
	}{
		{"from SEN support", StageSENSupport, nil, ""},
		{"before any concern", StageNone, nil, ""},
		{"by a young person", StageSENSupport, func(r *RequestEHCNA) { r.RequestedBy = "young_person" }, ""},
		{"by the school", StageSENSupport, func(r *RequestEHCNA) { r.RequestedBy = "school" }, ""},
		{"by someone else", StageSENSupport, func(r *RequestEHCNA) { r.RequestedBy = "neighbour" }, `"neighbour" cannot request an assessment; use school, parent or young_person`},
		{"no id", StageSENSupport, func(r *RequestEHCNA) { r.RequestID = "" }, "a request needs its id and the person making it"},
		{"one under way", StageEHCAssessment, nil, "an EHC needs assessment is already under way"},
		{"a plan in place", StageEHCPlan, nil, "the pupil already has an EHC plan; changes go through its annual review"},
	}
	for _, c := range cases {
		r := req
		if c.edit != nil {
			c.edit(&r)
		}
		checkRule(t, c.name, pathwayAt(c.stage).ValidateRequestEHCNA(r), c.want)
	}
	s := pathwayAt(StageSENSupport)
	ev := s.ApplyRequestEHCNA(req, rulesNow)
	if s.Stage != StageEHCAssessment || !reflect.DeepEqual(s.EHC, &EHCRef{RequestID: "ehc-1", PreviousStage: StageSENSupport}) ||
		ev.Summary != "A request for an EHC needs assessment was made. The council must decide whether to assess by 19 October 2026." {
		t.Errorf("after request: %s %+v %q", s.Stage, s.EHC, ev.Summary)
	}
}

func TestRulesEHCFinished(t *testing.T) {
	issued := day(2027, 1, 21)
	cases := []struct {
		name     string
		previous Stage
		f        EHCFinished
		want     Stage
		kind     string
	}{
		{"plan issued", StageSENSupport, EHCFinished{RequestID: "ehc-1", Outcome: EHCPlanIssued, At: issued}, StageEHCPlan, "ehc_plan_issued"},
		{"refused, back to SEN support", StageSENSupport, EHCFinished{RequestID: "ehc-1", Outcome: EHCRefusedToAssess, At: issued}, StageSENSupport, "ehcna_refused"},
		{"refused after a parent asked while monitoring", StageMonitoring, EHCFinished{RequestID: "ehc-1", Outcome: EHCRefusedToAssess}, StageSENSupport, "ehcna_refused"},
		{"not issuing after a request before any concern", StageNone, EHCFinished{RequestID: "ehc-1", Outcome: EHCNotIssuing}, StageSENSupport, "ehc_not_issuing"},
		{"another request's answer", StageSENSupport, EHCFinished{RequestID: "ehc-0", Outcome: EHCPlanIssued, At: issued}, StageEHCAssessment, "ehcna_finished"},
	}
	for _, c := range cases {
		s := pathwayAt(c.previous)
		s.ApplyRequestEHCNA(RequestEHCNA{RequestID: "ehc-1", RequestedBy: "school", By: "s"}, rulesNow)
		ev := s.ApplyEHCFinished(c.f, rulesNow)
		if s.Stage != c.want || ev.Kind != c.kind {
			t.Errorf("%s: stage %s event %s", c.name, s.Stage, ev.Kind)
		}
		if plan := s.PlanIssuedAt != nil && s.PlanIssuedAt.Equal(issued); plan != (c.want == StageEHCPlan) {
			t.Errorf("%s: plan issued at %v", c.name, s.PlanIssuedAt)
		}
		if c.kind == "ehc_plan_issued" && ev.Summary != "The EHC plan was issued. Its first annual review is due by 21 January 2028." {
			t.Errorf("%s: %q", c.name, ev.Summary)
		}
	}
}

// newEHC is an assessment requested at rulesNow: decision due 19 October 2026, notice of not
// issuing 28 December 2026, final plan 25 January 2027.
func newEHC() *EHCState {
	return NewEHCState(EHCInput{RequestEHCNA: RequestEHCNA{RequestID: "ehc-1", RequestedBy: "school", By: "s"},
		PupilID: "pupil-1", SchoolID: "school-1", Timings: DefaultTimings()}, rulesNow)
}

func ehcApply(e *EHCState, at time.Time, typ EHCEventType, reason ExceptionReason) {
	e.ApplyEvent(EHCEvent{Type: typ, Reason: reason, By: "la-1"}, at)
}

func TestRulesEHCPending(t *testing.T) {
	e := newEHC()
	want := func(name string, ms ...EHCMilestone) {
		t.Helper()
		if got := e.Pending(); !slices.Equal(got, ms) {
			t.Errorf("%s: pending %v, want %v", name, got, ms)
		}
	}
	want("requested", MilestoneDecisionToAssess, MilestoneFinalPlan)
	ehcApply(e, days(rulesNow, 7), EHCDecidedToAssess, "")
	want("assessing", MilestoneNoticeNotToIssue, MilestoneFinalPlan)
	ehcApply(e, days(rulesNow, 14), EHCAdviceRequested, "")
	want("advice asked for", MilestoneAdvice, MilestoneNoticeNotToIssue, MilestoneFinalPlan)
	ehcApply(e, days(rulesNow, 30), EHCAdviceReceived, "")
	want("advice received", MilestoneNoticeNotToIssue, MilestoneFinalPlan)
	ehcApply(e, days(rulesNow, 60), EHCDraftIssued, "")
	want("draft issued", MilestoneFinalPlan)
	ehcApply(e, days(rulesNow, 80), EHCFinalPlanIssued, "")
	want("finished")
}

// Staff are alerted at the start of the day 2 weeks before a limit and told it was missed once
// the due day has passed in London; a paused clock sends nothing.
func TestRulesEHCAlerts(t *testing.T) {
	due := CalendarDate(days(rulesNow, 42)) // the decision whether to assess, 19 October
	alert, missed := DayStarts(days(due, -14)), DayEnds(due)
	finalAlert := DayStarts(days(rulesNow, 140-14)) // the final plan's alert, 11 January 2027
	type check struct {
		now    time.Time
		alerts []Alert
		next   time.Time
	}
	decision := func(missed bool) Alert { return Alert{Milestone: MilestoneDecisionToAssess, Due: due, Missed: missed} }
	cases := []struct {
		name   string
		checks []check
	}{
		{"one at a time", []check{
			{rulesNow, nil, alert},
			{alert, []Alert{decision(false)}, missed},
			{due.Add(22 * time.Hour), nil, missed}, // 23:00 on the due day in London
			{missed.Add(-time.Second), nil, missed},
			{missed, []Alert{decision(true)}, finalAlert},
		}},
		{"missed without a warning first", []check{
			{missed, []Alert{decision(true)}, finalAlert},
			{days(missed, 1), nil, finalAlert},
		}},
	}
	for _, c := range cases {
		e := newEHC()
		for _, k := range c.checks {
			alerts, events := e.DueAlerts(k.now)
			next, has := e.NextWake(k.now)
			if !reflect.DeepEqual(alerts, k.alerts) || len(events) != len(k.alerts) || !has || !next.Equal(k.next) {
				t.Errorf("%s at %s: alerts %+v next %v/%v; want %+v %v", c.name, dateStr(k.now), alerts, next, has, k.alerts, k.next)
			}
		}
	}

	e := newEHC()
	ehcApply(e, days(rulesNow, 10), EHCExceptionStarted, ExceptionPersonalCircumstances)
	if _, has := e.NextWake(days(rulesNow, 11)); has {
		t.Error("a paused clock wakes")
	}
	if alerts, _ := e.DueAlerts(days(missed, 5)); alerts != nil {
		t.Errorf("a paused clock alerted %+v", alerts)
	}
	ehcApply(e, days(rulesNow, 24), EHCExceptionEnded, "")
	if next, has := e.NextWake(days(rulesNow, 24)); !has || !next.Equal(DayStarts(days(due, 0))) {
		t.Errorf("after a 14-day pause the alert moves to %s, got %v/%v", dateWords(days(alert, 14)), next, has)
	}
	// A pause that starts after a deadline cannot move it, but still holds the alerts back.
	e = newEHC()
	ehcApply(e, days(rulesNow, 44), EHCExceptionStarted, ExceptionSchoolClosed4Weeks)
	if alerts, _ := e.DueAlerts(days(rulesNow, 45)); alerts != nil {
		t.Errorf("a clock paused after its deadline alerted %+v", alerts)
	}
	ehcApply(e, days(rulesNow, 46), EHCExceptionEnded, "")
	if alerts, _ := e.DueAlerts(days(rulesNow, 46)); !reflect.DeepEqual(alerts, []Alert{decision(true)}) {
		t.Errorf("after the pause: %+v, want the missed decision", alerts)
	}
}

func TestRulesEHCEventValidation(t *testing.T) {
	type setup func(*EHCState)
	decided := func(e *EHCState) { ehcApply(e, days(rulesNow, 7), EHCDecidedToAssess, "") }
	asked := func(e *EHCState) { decided(e); ehcApply(e, days(rulesNow, 14), EHCAdviceRequested, "") }
	received := func(e *EHCState) { asked(e); ehcApply(e, days(rulesNow, 30), EHCAdviceReceived, "") }
	paused := func(e *EHCState) {
		decided(e)
		ehcApply(e, days(rulesNow, 20), EHCExceptionStarted, ExceptionSchoolClosed4Weeks)
	}
	drafted := func(e *EHCState) { decided(e); ehcApply(e, days(rulesNow, 60), EHCDraftIssued, "") } // comments until 21 November
	finished := func(e *EHCState) { ehcApply(e, days(rulesNow, 20), EHCDecidedNotToAssess, "") }
	now := days(rulesNow, 70)
	cases := []struct {
		name  string
		setup setup
		ev    EHCEvent
		now   time.Time
		want  string
	}{
		{"decide to assess", nil, EHCEvent{Type: EHCDecidedToAssess}, now, ""},
		{"refuse to assess", nil, EHCEvent{Type: EHCDecidedNotToAssess}, now, ""},
		{"decide twice", decided, EHCEvent{Type: EHCDecidedNotToAssess}, now, "the decision whether to assess has already been made"},
		{"ask for advice before deciding", nil, EHCEvent{Type: EHCAdviceRequested}, now, "advice is requested once the council has decided to assess"},
		{"ask for advice", decided, EHCEvent{Type: EHCAdviceRequested}, now, ""},
		{"ask for advice twice", asked, EHCEvent{Type: EHCAdviceRequested}, now, "advice has already been requested"},
		{"advice before asking", decided, EHCEvent{Type: EHCAdviceReceived}, now, "no advice request is waiting for an answer"},
		{"advice received", asked, EHCEvent{Type: EHCAdviceReceived}, now, ""},
		{"advice received twice", received, EHCEvent{Type: EHCAdviceReceived}, now, "no advice request is waiting for an answer"},
		{"pause", decided, EHCEvent{Type: EHCExceptionStarted, Reason: ExceptionAbsentFromArea4Weeks}, now, ""},
		{"pause for another reason", decided, EHCEvent{Type: EHCExceptionStarted, Reason: "illness"}, now,
			`"illness" is not a prescribed exception; use school_closed_4_weeks, absent_from_area_4_weeks or exceptional_personal_circumstances`},
		{"pause twice", paused, EHCEvent{Type: EHCExceptionStarted, Reason: ExceptionAbsentFromArea4Weeks}, now,
			"The clock has been paused since 27 September 2026. Resume it before pausing it again."},
		{"resume", paused, EHCEvent{Type: EHCExceptionEnded}, now, ""},
		{"resume a running clock", decided, EHCEvent{Type: EHCExceptionEnded}, now, "the time limits are not paused"},
		{"draft", decided, EHCEvent{Type: EHCDraftIssued}, now, ""},
		{"decide not to issue", received, EHCEvent{Type: EHCDecidedNotToIssue}, now, ""},
		{"draft before deciding", nil, EHCEvent{Type: EHCDraftIssued}, now,
			"a draft plan or a decision not to issue comes after the assessment; the assessment is requested"},
		{"second draft", drafted, EHCEvent{Type: EHCDraftIssued}, now,
			"a draft plan or a decision not to issue comes after the assessment; the assessment is draft_issued"},
		{"final plan without a draft", decided, EHCEvent{Type: EHCFinalPlanIssued}, now, "the final plan comes after the draft plan"},
		{"final plan during comments", drafted, EHCEvent{Type: EHCFinalPlanIssued}, days(rulesNow, 74),
			"parents have until 20 November 2026 to comment on the draft (15 days, counting the day it was issued); the final plan can be issued from 21 November 2026"},
		{"final plan when comments end", drafted, EHCEvent{Type: EHCFinalPlanIssued}, days(rulesNow, 75), ""},
		{"anything after the end", finished, EHCEvent{Type: EHCExceptionStarted, Reason: ExceptionSchoolClosed4Weeks}, now,
			"this assessment has finished (refused_to_assess)"},
		{"not an event", nil, EHCEvent{Type: "tribunal"}, now, `"tribunal" is not an assessment event`},
	}
	for _, c := range cases {
		e := newEHC()
		if c.setup != nil {
			c.setup(e)
		}
		ev := c.ev
		ev.By = "la-1"
		before := e.Timeline
		checkRule(t, c.name, e.ValidateEvent(ev, c.now), c.want)
		if !reflect.DeepEqual(e.Timeline, before) {
			t.Errorf("%s: validating changed the clock", c.name)
		}
	}
	checkRule(t, "nobody recording it", newEHC().ValidateEvent(EHCEvent{Type: EHCDecidedToAssess}, now), "an event needs the person recording it")
}

// A decision is a letter parents may appeal; the final plan says whether it was on time.
func TestRulesEHCOutcomes(t *testing.T) {
	cases := []struct {
		name     string
		setup    func(*EHCState)
		typ      EHCEventType
		at       time.Time
		outcome  EHCOutcome
		summary  string
		appealBy string
	}{
		{"refused to assess", nil, EHCDecidedNotToAssess, days(rulesNow, 35), EHCRefusedToAssess,
			"The council decided not to assess. Parents can appeal until 12 December 2026.", "12 December 2026"},
		{"not issuing", func(e *EHCState) { ehcApply(e, days(rulesNow, 7), EHCDecidedToAssess, "") }, EHCDecidedNotToIssue, days(rulesNow, 84), EHCNotIssuing,
			"The council decided not to issue an EHC plan. Parents can appeal until 30 January 2027.", "30 January 2027"},
		{"plan on time", drafted(nil), EHCFinalPlanIssued, day(2027, 1, 25), EHCPlanIssued,
			"The final EHC plan was issued, on time.", "25 March 2027"},
		{"plan late", drafted(nil), EHCFinalPlanIssued, day(2027, 1, 27), EHCPlanIssued,
			"The final EHC plan was issued, late.", "27 March 2027"},
		{"plan on time counting a pause", drafted(func(e *EHCState) {
			ehcApply(e, days(rulesNow, 20), EHCExceptionStarted, ExceptionSchoolClosed4Weeks)
			ehcApply(e, days(rulesNow, 48), EHCExceptionEnded, "")
		}), EHCFinalPlanIssued, day(2027, 2, 15), EHCPlanIssued,
			"The final EHC plan was issued, on time, counting the paused weeks.", "15 April 2027"},
	}
	for _, c := range cases {
		e := newEHC()
		if c.setup != nil {
			c.setup(e)
		}
		ev, outcome := e.ApplyEvent(EHCEvent{Type: c.typ, By: "la-1"}, c.at)
		if outcome != c.outcome || e.Outcome != c.outcome || e.Status != EHCDone || ev.Summary != c.summary || e.AppealBy == nil || dateWords(*e.AppealBy) != c.appealBy {
			t.Errorf("%s: outcome %s status %s appeal by %v\n %q", c.name, outcome, e.Status, e.AppealBy, ev.Summary)
		}
	}
}

// drafted is a setup that decides to assess, runs extra (a pause, say), then issues the draft
// on 1 December 2026.
func drafted(extra func(*EHCState)) func(*EHCState) {
	return func(e *EHCState) {
		ehcApply(e, days(rulesNow, 7), EHCDecidedToAssess, "")
		if extra != nil {
			extra(e)
		}
		ehcApply(e, day(2026, 12, 1), EHCDraftIssued, "")
	}
}

// --- annual_review_state.go ---

// newAR is an annual review of a plan issued on 2 November 2025: due 2 November 2026.
func newAR() *AnnualReviewState {
	return NewAnnualReviewState(AnnualReviewInput{PupilID: "pupil-1", SchoolID: "school-1", Number: 1,
		Previous: time.Date(2025, 11, 2, 9, 0, 0, 0, time.UTC), Timings: DefaultTimings()})
}

func arApply(a *AnnualReviewState, at time.Time, ev AnnualReviewEvent) Event {
	ev.By = "s"
	return a.ApplyEvent(ev, at)
}

var arMeeting = time.Date(2026, 10, 30, 9, 0, 0, 0, time.UTC)

func TestRulesAnnualReviewValidation(t *testing.T) {
	booked := func(a *AnnualReviewState) {
		arApply(a, rulesNow, AnnualReviewEvent{Type: ARMeetingScheduled, MeetingAt: arMeeting})
	}
	held := func(a *AnnualReviewState) { booked(a); arApply(a, arMeeting, AnnualReviewEvent{Type: ARMeetingHeld}) }
	reported := func(a *AnnualReviewState) {
		held(a)
		arApply(a, days(arMeeting, 5), AnnualReviewEvent{Type: ARReportSent})
	}
	amending := func(a *AnnualReviewState) {
		reported(a)
		arApply(a, days(arMeeting, 20), AnnualReviewEvent{Type: ARLADecision, Decision: ARAmend})
	}
	kept := func(a *AnnualReviewState) {
		reported(a)
		arApply(a, days(arMeeting, 20), AnnualReviewEvent{Type: ARLADecision, Decision: ARKeep})
	}
	cases := []struct {
		name  string
		setup func(*AnnualReviewState)
		ev    AnnualReviewEvent
		now   time.Time
		want  string
	}{
		{"book a meeting", nil, AnnualReviewEvent{Type: ARMeetingScheduled, MeetingAt: arMeeting}, rulesNow, ""},
		{"move the meeting", booked, AnnualReviewEvent{Type: ARMeetingScheduled, MeetingAt: days(arMeeting, 1)}, rulesNow, ""},
		{"book after the due date", nil, AnnualReviewEvent{Type: ARMeetingScheduled, MeetingAt: day(2026, 11, 20)}, rulesNow, ""}, // late, but held
		{"book with too little notice", nil, AnnualReviewEvent{Type: ARMeetingScheduled, MeetingAt: arMeeting}, days(arMeeting, -10),
			"Invitations must go out at least 2 weeks before the meeting, so a meeting on 30 October 2026 needed them sent by 16 October 2026. The earliest possible date, 3 November 2026, is after the review is due on 2 November 2026: tell the local authority the review will be late."},
		{"book before the plan", nil, AnnualReviewEvent{Type: ARMeetingScheduled, MeetingAt: day(2025, 10, 1)}, rulesNow,
			"The review meeting on 1 October 2025 must be after the plan was issued or last reviewed, on 2 November 2025."},
		{"book without a date", nil, AnnualReviewEvent{Type: ARMeetingScheduled}, rulesNow, "Choose a date for the review meeting."},
		{"book after holding it", held, AnnualReviewEvent{Type: ARMeetingScheduled, MeetingAt: days(arMeeting, 30)}, rulesNow, "the meeting has already been held"},
		{"hold without booking", nil, AnnualReviewEvent{Type: ARMeetingHeld}, rulesNow, "book the review meeting first"},
		{"hold", booked, AnnualReviewEvent{Type: ARMeetingHeld}, arMeeting, ""},
		{"hold twice", held, AnnualReviewEvent{Type: ARMeetingHeld}, arMeeting, "the meeting has already been recorded as held"},
		{"report before the meeting", booked, AnnualReviewEvent{Type: ARReportSent}, arMeeting, "the report is sent once, after the meeting"},
		{"report", held, AnnualReviewEvent{Type: ARReportSent}, arMeeting, ""},
		{"report twice", reported, AnnualReviewEvent{Type: ARReportSent}, arMeeting, "the report is sent once, after the meeting"},
		{"decide before the report", held, AnnualReviewEvent{Type: ARLADecision, Decision: ARKeep}, arMeeting,
			"the council decides after the school has sent the review report"},
		{"decide", reported, AnnualReviewEvent{Type: ARLADecision, Decision: ARCease}, arMeeting, ""},
		{"decide something else", reported, AnnualReviewEvent{Type: ARLADecision, Decision: "pause"}, arMeeting, `"pause" is not a decision; use keep, amend or cease`},
		{"decide twice", amending, AnnualReviewEvent{Type: ARLADecision, Decision: ARKeep}, arMeeting, "the council's decision is already recorded"},
		{"amended plan", amending, AnnualReviewEvent{Type: ARAmendedPlanIssued}, arMeeting, ""},
		{"amended plan without a decision to amend", reported, AnnualReviewEvent{Type: ARAmendedPlanIssued}, arMeeting,
			"an amended plan follows a decision to amend"},
		{"anything after the end", kept, AnnualReviewEvent{Type: ARAmendedPlanIssued}, arMeeting, "annual review 1 has finished"},
		{"not a step", nil, AnnualReviewEvent{Type: "party"}, arMeeting, `"party" is not an annual review step`},
	}
	for _, c := range cases {
		a := newAR()
		if c.setup != nil {
			c.setup(a)
		}
		ev := c.ev
		ev.By = "s"
		checkRule(t, c.name, a.ValidateEvent(ev, c.now), c.want)
	}
	checkRule(t, "nobody recording it", newAR().ValidateEvent(AnnualReviewEvent{Type: ARMeetingHeld}, rulesNow), "an annual review step needs the person recording it")
}

// Runs started before statutory-days keep their timers: at the time of day, no warnings.
func TestRulesAnnualReviewLegacyTimers(t *testing.T) {
	due := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	arrange := days(due, -21)
	a := newAR()
	a.Legacy = true
	if next, has := a.NextWake(); !has || !next.Equal(arrange) {
		t.Errorf("first wake %v/%v, want %s", next, has, arrange)
	}
	fired, events := a.DueTimers(arrange)
	if !reflect.DeepEqual(fired, map[string]time.Time{ARArrange: due}) || len(events) != 1 ||
		events[0].Summary != "The annual review must be held by 2 November 2026. The SENDCo has been asked to arrange the meeting." {
		t.Errorf("arrange: %v %+v", fired, events)
	}
	if _, has := a.NextWake(); has {
		t.Error("with nothing booked after the reminder, the review still wakes")
	}

	// Booked: invitations 2 weeks before, then the report and the decision if they are late.
	arApply(a, days(arrange, 1), AnnualReviewEvent{Type: ARMeetingScheduled, MeetingAt: arMeeting})
	invite := days(arMeeting, -14)
	if next, _ := a.NextWake(); !next.Equal(invite) {
		t.Errorf("wake %v, want invitations %v", next, invite)
	}
	if fired, _ := a.DueTimers(invite); !reflect.DeepEqual(fired, map[string]time.Time{ARInvitations: arMeeting}) {
		t.Errorf("invitations: %v", fired)
	}
	// Moving the meeting sends fresh invitations for the new date.
	moved := days(arMeeting, 2)
	arApply(a, days(invite, 1), AnnualReviewEvent{Type: ARMeetingScheduled, MeetingAt: moved})
	if fired, _ := a.DueTimers(days(moved, -14)); !reflect.DeepEqual(fired, map[string]time.Time{ARInvitations: moved}) {
		t.Errorf("invitations for the moved meeting: %v", fired)
	}
	arApply(a, moved, AnnualReviewEvent{Type: ARMeetingHeld})
	if fired, _ := a.DueTimers(days(moved, 28)); !reflect.DeepEqual(fired, map[string]time.Time{ARReportDue: days(moved, 14), ARDecisionDue: days(moved, 28)}) {
		t.Errorf("late report and decision: %v", fired)
	}
	arApply(a, days(moved, 29), AnnualReviewEvent{Type: ARReportSent})
	decided := days(moved, 30)
	ev := arApply(a, decided, AnnualReviewEvent{Type: ARLADecision, Decision: ARAmend})
	if ev.Summary != "The council decided to amend the plan. The amended plan is due by 26 January 2027." || a.Done {
		t.Errorf("amend: %q done %v", ev.Summary, a.Done)
	}
	if next, has := a.NextWake(); !has || !next.Equal(days(decided, 56)) {
		t.Errorf("amended plan wake %v/%v", next, has)
	}
	arApply(a, days(decided, 20), AnnualReviewEvent{Type: ARAmendedPlanIssued})
	if _, has := a.NextWake(); has || !a.Done {
		t.Errorf("after the amended plan: wakes %v, done %v", has, a.Done)
	}
}

// Since statutory-days: the reminder to book and the invitations at the start of their day; a
// warning 2 weeks before each step and a breach once its day is over; a done step closes.
func TestRulesAnnualReviewReminders(t *testing.T) {
	type fired struct {
		kind string
		late bool
		due  time.Time
	}
	check := func(name string, a *AnnualReviewState, now time.Time, want ...fired) {
		t.Helper()
		got, events := a.DueReminders(now)
		var g []fired
		for _, r := range got {
			g = append(g, fired{r.Kind, r.Late, r.Due})
		}
		if !reflect.DeepEqual(g, want) || len(events) != len(want) {
			t.Errorf("%s at %s: %+v, want %+v", name, dateStr(now), g, want)
		}
	}
	a := newAR() // due 2 November 2026
	due := day(2026, 11, 2)
	if next, has := a.NextWake(); !has || !next.Equal(DayStarts(day(2026, 10, 12))) {
		t.Errorf("first wake %s, want the reminder to book at the start of 12 October", dateStr(next))
	}
	check("book", a, DayStarts(day(2026, 10, 12)), fired{ARArrange, false, due})
	check("meeting warned", a, DayStarts(day(2026, 10, 19)), fired{ARMeetingDue, false, due})
	arApply(a, day(2026, 10, 19).Add(10*time.Hour), AnnualReviewEvent{Type: ARMeetingScheduled, MeetingAt: arMeeting})
	check("invitations", a, DayStarts(day(2026, 10, 19)).Add(11*time.Hour), fired{ARInvitations, false, day(2026, 10, 30)})
	if a.InvitedAt == nil {
		t.Error("the invitations' time was not kept")
	}
	for _, st := range a.Steps() {
		if st.Kind == ARInvitations && st.Open() {
			t.Error("the invitations step is still open after they went")
		}
	}
	arApply(a, arMeeting, AnnualReviewEvent{Type: ARMeetingHeld})
	check("report warned once held", a, arMeeting.Add(time.Hour), fired{ARReportDue, false, day(2026, 11, 13)})
	check("nothing more on 12 November", a, DayStarts(day(2026, 11, 12)))
	check("decision warned", a, DayStarts(day(2026, 11, 13)), fired{ARDecisionDue, false, day(2026, 11, 27)})
	check("still the report's due day", a, DayEnds(day(2026, 11, 13)).Add(-time.Second))
	check("report late", a, DayEnds(day(2026, 11, 13)), fired{ARReportDue, true, day(2026, 11, 13)})
	arApply(a, day(2026, 11, 20), AnnualReviewEvent{Type: ARReportSent})
	arApply(a, day(2026, 11, 20), AnnualReviewEvent{Type: ARLADecision, Decision: ARKeep})
	if _, has := a.NextWake(); has {
		t.Error("a finished review still wakes")
	}
}

func TestRulesAnnualReviewTransfer(t *testing.T) {
	cases := []struct {
		transfer PhaseTransfer
		meeting  time.Time
		year     int
		want     string // the amended plan's deadline after a decision on 10 March 2027
	}{
		{PhaseTransferNone, day(2027, 2, 16), 0, "5 May 2027"},
		{PhaseTransferSecondaryToPost16, day(2027, 2, 16), 2027, "31 March 2027"},
		{PhaseTransferPrimaryToSecondary, day(2026, 10, 20), 2027, "15 February 2027"}, // already passed: late
	}
	for _, c := range cases {
		a := NewAnnualReviewState(AnnualReviewInput{PupilID: "p", Number: 1, Previous: day(2026, 4, 1), Timings: DefaultTimings()})
		arApply(a, rulesNow, AnnualReviewEvent{Type: ARMeetingScheduled, MeetingAt: c.meeting, Transfer: c.transfer})
		arApply(a, c.meeting, AnnualReviewEvent{Type: ARMeetingHeld})
		arApply(a, c.meeting, AnnualReviewEvent{Type: ARReportSent})
		arApply(a, day(2027, 3, 10), AnnualReviewEvent{Type: ARLADecision, Decision: ARAmend})
		var amended time.Time
		for _, st := range a.Steps() {
			if st.Kind == ARAmendDue {
				amended = st.Due
			}
		}
		if a.Transfer != c.transfer || a.TransferYear != c.year || dateWords(amended) != c.want {
			t.Errorf("%q: transfer %q in %d, amended plan due %s; want %s", c.transfer, a.Transfer, a.TransferYear, dateWords(amended), c.want)
		}
	}
}

func TestRulesAnnualReviewFinished(t *testing.T) {
	held := day(2026, 10, 30)
	s := pathwayAt(StageEHCPlan)
	s.PlanIssuedAt = ptr(day(2025, 11, 2))
	ev := s.ApplyAnnualReviewFinished(AnnualReviewFinished{Number: 1, MeetingAt: held}, rulesNow)
	if s.Stage != StageEHCPlan || !slices.Equal(s.Meetings, []time.Time{held}) ||
		ev.Summary != "Annual review 1 is complete. The next is due by 30 October 2027." {
		t.Errorf("kept: %s %v %q", s.Stage, s.Meetings, ev.Summary)
	}
	ev = s.ApplyAnnualReviewFinished(AnnualReviewFinished{Number: 2, MeetingAt: held, Ceased: true}, rulesNow)
	if s.Stage != StageSENSupport || s.PlanIssuedAt != nil || ev.Kind != "ehc_plan_ceased" {
		t.Errorf("ceased: %s %v %s", s.Stage, s.PlanIssuedAt, ev.Kind)
	}
}
