package workflows

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// The request is made at childStart (7 September 2026): the decision whether to assess is due
// 6 weeks later (19 October), notice of not issuing by week 16 (28 December) and the final plan
// by week 20 (25 January 2027).
var (
	ehcDecisionDue = days(childStart, 42)
	ehcFinalDue    = "25 January 2027"
)

func newEHCHarness(t *testing.T) *childHarness {
	return newChildHarness(t, realTime, func(env *testsuite.TestWorkflowEnvironment) {
		env.RegisterWorkflowWithOptions(EHCAssessment, workflow.RegisterOptions{Name: EHCWorkflowName})
	})
}

func runEHC(h *childHarness) {
	h.env.ExecuteWorkflow(
		EHCWorkflowName,
		EHCInput{RequestEHCNA: RequestEHCNA{RequestID: "ehc-1", RequestedBy: "school", By: "sendco-1"},
			PupilID: "pupil-1", SchoolID: "school-1", Clock: realTime, Timings: DefaultTimings()},
	)
}

// ehcStep sends an assessment event at calendar time at.
func ehcStep(h *childHarness, at time.Time, typ EHCEventType, reason ExceptionReason) *update[EHCState] {
	return send[EHCState](h, at, UpdateEHCEvent, EHCEvent{Type: typ, Reason: reason, By: "la-officer-1"})
}

var ehcReceived = wantNotice{
	childStart,
	"ehc_request_received",
	[]string{ToParents},
	map[string]string{"DecisionDue": "19 October 2026"},
}

// ehcAlert is a warning or breach of an EHC time limit: every pending milestone is the council's
// to meet, so its EHC officer and team are told as well as the SENDCo.
func ehcAlert(at time.Time, template, milestone, due string) wantNotice {
	return wantNotice{
		at,
		template,
		[]string{ToSENDCo, ToCouncil},
		map[string]string{"Milestone": milestone, "Due": due},
	}
}

// checkEHCFinished checks the one signal to the pathway.
func checkEHCFinished(t *testing.T, h *childHarness, outcome EHCOutcome, at time.Time) {
	t.Helper()
	want := []ChildChanged{{EHC: &EHCFinished{RequestID: "ehc-1", Outcome: outcome, At: at}}}
	if got := h.pathwaySignals(); !reflect.DeepEqual(got, want) {
		t.Errorf("pathway told %+v, want %+v", got, want)
	}
}

func TestEHCNothingRecorded(t *testing.T) {
	h := newEHCHarness(t)
	h.cancelAt(days(ehcDecisionDue, 2))
	runEHC(h)
	h.finished(true)

	const decision = "the decision whether to assess"
	checkNotices(t, h.notices(), []wantNotice{
		ehcReceived,
		ehcAlert(
			DayStarts(days(ehcDecisionDue, -14)),
			"ehc_deadline_at_risk",
			decision,
			"19 October 2026",
		), // the start of the day
		ehcAlert(
			DayEnds(ehcDecisionDue),
			"ehc_deadline_missed",
			decision,
			"19 October 2026",
		), // once the due day is over
	})
	h.rec.mu.Lock()
	first := h.rec.projections[0]
	h.rec.mu.Unlock()
	wantDeadlines := []Deadline{
		{
			Kind:  string(MilestoneDecisionToAssess),
			Due:   CalendarDate(ehcDecisionDue),
			Label: "EHC needs assessment: the decision whether to assess",
		},
		{
			Kind:  string(MilestoneFinalPlan),
			Due:   CalendarDate(days(childStart, 140)),
			Label: "EHC needs assessment: the final EHC plan",
		},
	}
	if first.Status != string(EHCRequested) || first.ItemID != "ehc/ehc-1" ||
		!reflect.DeepEqual(first.Deadlines, wantDeadlines) {
		t.Errorf("first projection: %s %s %+v", first.ItemID, first.Status, first.Deadlines)
	}
	if s := h.pathwaySignals(); len(s) != 0 {
		t.Errorf("an open assessment told the pathway %+v", s)
	}
}

// Steps out of order are refused; a pause suspends the alerts and moves the deadlines; the draft
// gives parents 15 days; the final plan is a decision letter and ends the assessment.
func TestEHCPlanIssued(t *testing.T) {
	h := newEHCHarness(t)
	early := days(childStart, 1)
	outOfOrder := []struct {
		typ    EHCEventType
		reason string
	}{
		{
			EHCDraftIssued,
			"a draft plan or a decision not to issue comes after the assessment; the assessment is requested",
		},
		{
			EHCDecidedNotToIssue,
			"a draft plan or a decision not to issue comes after the assessment; the assessment is requested",
		},
		{EHCAdviceRequested, "advice is requested once the council has decided to assess"},
		{EHCAdviceReceived, "no advice request is waiting for an answer"},
		{EHCFinalPlanIssued, "the final plan comes after the draft plan"},
		{EHCExceptionEnded, "the time limits are not paused"},
		{"appeal_lodged", `"appeal_lodged" is not an assessment event`},
	}
	var refused []*update[EHCState]
	for _, c := range outOfOrder {
		refused = append(refused, ehcStep(h, early, c.typ, ""))
	}
	decidedAt := days(childStart, 7)
	ehcStep(h, decidedAt, EHCDecidedToAssess, "")
	again := ehcStep(h, decidedAt.Add(time.Hour), EHCDecidedNotToAssess, "")
	ehcStep(h, days(childStart, 14), EHCAdviceRequested, "")
	ehcStep(h, days(childStart, 35), EHCAdviceReceived, "")
	pausedAt := days(childStart, 91) // 7 December 2026; unpaused, 14 December would bring an alert
	badReason := ehcStep(h, pausedAt.Add(-time.Hour), EHCExceptionStarted, "holiday")
	paused := ehcStep(h, pausedAt, EHCExceptionStarted, ExceptionSchoolClosed4Weeks)
	twice := ehcStep(h, days(pausedAt, 1), EHCExceptionStarted, ExceptionPersonalCircumstances)
	resumedAt := days(pausedAt, 28) // 4 January 2027: every deadline moves 28 days
	ehcStep(h, resumedAt, EHCExceptionEnded, "")
	draftAt := days(resumedAt, 1)
	ehcStep(h, draftAt, EHCDraftIssued, "")
	tooSoon := ehcStep(h, days(draftAt, 14), EHCFinalPlanIssued, "")
	issuedAt := days(draftAt, 16)
	final := ehcStep(h, issuedAt, EHCFinalPlanIssued, "")
	runEHC(h)
	h.finished(false)

	for i, c := range outOfOrder {
		checkRefused(t, string(c.typ)+" before the decision", refused[i], c.reason)
	}
	checkRefused(t, "a second decision", again, "the decision whether to assess has already been made")
	checkRefused(
		t,
		"a pause for no prescribed reason",
		badReason,
		`"holiday" is not a prescribed exception; use school_closed_4_weeks, absent_from_area_4_weeks or exceptional_personal_circumstances`,
	)
	checkAccepted(t, "pause", paused)
	checkRefused(
		t,
		"a second pause",
		twice,
		"The clock has been paused since 7 December 2026. Resume it before pausing it again.",
	)
	checkRefused(
		t,
		"final plan inside the comment period",
		tooSoon,
		"parents have until 19 January 2027 to comment on the draft (15 days, counting the day it was issued); the final plan can be issued from 20 January 2027",
	)
	checkAccepted(t, "final plan", final)

	const movedDue = "22 February 2027" // 25 January + 28 paused days
	checkNotices(t, h.notices(), []wantNotice{
		ehcReceived,
		{
			decidedAt,
			"ehc_will_assess",
			[]string{ToParents},
			map[string]string{"LetterDate": "14 September 2026", "FinalPlanDue": ehcFinalDue},
		},
		{
			pausedAt,
			"ehc_clock_paused",
			[]string{ToParents},
			map[string]string{"LetterDate": "7 December 2026", "FinalPlanDue": ehcFinalDue,
				"Reason": "the school was closed for 4 weeks or more", "PausedFrom": "7 December 2026"},
		},
		{
			resumedAt,
			"ehc_clock_resumed",
			[]string{ToParents},
			map[string]string{"LetterDate": "4 January 2027", "FinalPlanDue": movedDue,
				"PausedFrom": "7 December 2026", "ResumedOn": "4 January 2027", "PausedDays": "28"},
		},
		{
			draftAt,
			"ehc_draft_issued",
			[]string{ToParents},
			map[string]string{
				"LetterDate":   "5 January 2027",
				"FinalPlanDue": movedDue,
				"CommentsBy":   "19 January 2027",
			},
		},
		{
			issuedAt,
			"ehc_plan_issued",
			[]string{ToParents},
			map[string]string{"LetterDate": "21 January 2027", "TribunalDeadline": "21 March 2027",
				"FinalPlanDue": movedDue, "CommentsBy": "19 January 2027"},
		},
	})
	checkEHCFinished(t, h, EHCPlanIssued, issuedAt)

	st := final.result
	if st.Status != EHCDone || st.Outcome != EHCPlanIssued || st.AppealBy == nil ||
		dateWords(*st.AppealBy) != "21 March 2027" {
		t.Errorf("final state: %s %s appeal by %v", st.Status, st.Outcome, st.AppealBy)
	}
	wantMet := map[EHCMilestone]MilestoneResult{
		MilestoneDecisionToAssess: {At: decidedAt, WithExceptions: true, WithoutExceptions: true},
		MilestoneAdvice:           {At: days(childStart, 35), WithExceptions: true, WithoutExceptions: true},
		MilestoneFinalPlan:        {At: issuedAt, WithExceptions: true, WithoutExceptions: true},
	}
	if !reflect.DeepEqual(st.Met, wantMet) {
		t.Errorf("milestones met %+v, want %+v", st.Met, wantMet)
	}
	var statuses []string
	for _, p := range h.rec.projections {
		if len(statuses) == 0 || statuses[len(statuses)-1] != p.Status {
			statuses = append(statuses, p.Status)
		}
	}
	if want := []string{"requested", "assessing", "paused", "assessing", "draft_issued", "finished"}; !slices.Equal(
		statuses,
		want,
	) {
		t.Errorf("projected statuses %v, want %v", statuses, want)
	}
}

// The pause holds back the alert that was due on 14 December; after it the limits run on from the
// moved dates.
func TestEHCPauseMovesAlerts(t *testing.T) {
	h := newEHCHarness(t)
	decidedAt := days(childStart, 7)
	ehcStep(h, decidedAt, EHCDecidedToAssess, "")
	pausedAt := days(childStart, 91)
	ehcStep(h, pausedAt, EHCExceptionStarted, ExceptionAbsentFromArea4Weeks)
	resumedAt := days(pausedAt, 28)
	ehcStep(h, resumedAt, EHCExceptionEnded, "")
	h.cancelAt(time.Date(2027, 1, 27, 9, 0, 0, 0, time.UTC))
	runEHC(h)
	h.finished(true)

	const notice = "telling parents if no plan will be issued"
	checkNotices(t, h.notices(), []wantNotice{
		ehcReceived,
		{
			decidedAt,
			"ehc_will_assess",
			[]string{ToParents},
			map[string]string{"LetterDate": "14 September 2026", "FinalPlanDue": ehcFinalDue},
		},
		{
			pausedAt,
			"ehc_clock_paused",
			[]string{ToParents},
			map[string]string{"LetterDate": "7 December 2026", "FinalPlanDue": ehcFinalDue,
				"Reason": "the child or young person was away from the local authority's area for 4 weeks or more", "PausedFrom": "7 December 2026"},
		},
		{
			resumedAt,
			"ehc_clock_resumed",
			[]string{ToParents},
			map[string]string{"LetterDate": "4 January 2027", "FinalPlanDue": "22 February 2027",
				"PausedFrom": "7 December 2026", "ResumedOn": "4 January 2027", "PausedDays": "28"},
		},
		// Week 16 was 28 December; 28 paused days move it to 25 January: warned at the start of
		// 11 January, missed at the end of 25 January.
		ehcAlert(time.Date(2027, 1, 11, 0, 0, 0, 0, time.UTC), "ehc_deadline_at_risk", notice, "25 January 2027"),
		ehcAlert(time.Date(2027, 1, 26, 0, 0, 0, 0, time.UTC), "ehc_deadline_missed", notice, "25 January 2027"),
	})
}

func TestEHCDecisions(t *testing.T) {
	cases := []struct {
		name    string
		steps   []EHCEventType
		at      []time.Time
		letter  string
		outcome EHCOutcome
		vars    map[string]string
		alerts  []wantNotice // sent before the decision
	}{
		{"refused to assess", []EHCEventType{EHCDecidedNotToAssess}, []time.Time{days(childStart, 35)},
			"ehc_refused_to_assess", EHCRefusedToAssess,
			map[string]string{
				"LetterDate":       "12 October 2026",
				"TribunalDeadline": "12 December 2026",
				"FinalPlanDue":     ehcFinalDue,
			},
			[]wantNotice{
				ehcAlert(
					DayStarts(days(childStart, 28)),
					"ehc_deadline_at_risk",
					"the decision whether to assess",
					"19 October 2026",
				),
			}},
		{
			"decided not to issue",
			[]EHCEventType{EHCDecidedToAssess, EHCDecidedNotToIssue},
			[]time.Time{days(childStart, 7), days(childStart, 84)},
			"ehc_not_issuing",
			EHCNotIssuing,
			map[string]string{
				"LetterDate":       "30 November 2026",
				"TribunalDeadline": "30 January 2027",
				"FinalPlanDue":     ehcFinalDue,
			},
			[]wantNotice{
				{
					days(childStart, 7),
					"ehc_will_assess",
					[]string{ToParents},
					map[string]string{"LetterDate": "14 September 2026", "FinalPlanDue": ehcFinalDue},
				},
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newEHCHarness(t)
			var last *update[EHCState]
			for i, s := range c.steps {
				last = ehcStep(h, c.at[i], s, "")
			}
			runEHC(h)
			h.finished(false)
			checkAccepted(t, "decision", last)
			decided := c.at[len(c.at)-1]
			want := append([]wantNotice{ehcReceived}, c.alerts...)
			checkNotices(t, h.notices(), append(want, wantNotice{decided, c.letter, []string{ToParents}, c.vars}))
			checkEHCFinished(t, h, c.outcome, decided)
			if last.result.Status != EHCDone || last.result.Outcome != c.outcome {
				t.Errorf("state: %s %s", last.result.Status, last.result.Outcome)
			}
		})
	}
}
