package workflows

import (
	"strings"

	"go.temporal.io/sdk/workflow"
)

// Names of the EHC needs assessment workflow and its action.
const (
	EHCWorkflowName = "EHCAssessment"
	UpdateEHCEvent  = "event"
)

// ehcLetters maps each LA step to the letter parents receive.
var ehcLetters = map[EHCEventType]string{
	EHCDecidedToAssess:    "ehc_will_assess",
	EHCDecidedNotToAssess: "ehc_refused_to_assess",
	EHCExceptionStarted:   "ehc_clock_paused",
	EHCExceptionEnded:     "ehc_clock_resumed",
	EHCDraftIssued:        "ehc_draft_issued",
	EHCDecidedNotToIssue:  "ehc_not_issuing",
	EHCFinalPlanIssued:    "ehc_plan_issued",
}

// EHCAssessment runs the statutory clock of one EHC needs assessment from the request (week 0):
// the decision to assess by week 6, advice within 6 weeks of being asked, notice of not issuing
// by week 16, at least 15 days for parents to comment on the draft, the final plan by week 20.
// Exceptions pause the clock; staff are alerted before each limit is missed; parents get a letter
// at each step, with their rights at each decision.
func EHCAssessment(ctx workflow.Context, in EHCInput) error {
	e := NewEHCState(in, calendarNow(ctx, in.Clock))
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (EHCState, error) { return *e, nil }); err != nil {
		return err
	}
	a := &assessment{e: e}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateEHCEvent, a.onEvent,
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, ev EHCEvent) error {
			return refusalError(e.ValidateEvent(ev, calendarNow(ctx, e.Clock)))
		}}); err != nil {
		return err
	}
	now := calendarNow(ctx, e.Clock)
	if err := a.save(ctx); err != nil {
		return err
	}
	due, _ := e.Timeline.Due(MilestoneDecisionToAssess, e.Timings, now)
	if err := a.tell(ctx, "requested", "ehc_request_received", map[string]string{"DecisionDue": dateWords(due)}, ToParents); err != nil {
		return err
	}
	for e.Status != EHCDone {
		seen := e.Version
		at, has := e.NextWake(calendarNow(ctx, e.Clock))
		if err := sleepUntil(ctx, e.Clock, at, has, func() bool { return e.Version != seen }); err != nil {
			return err
		}
		alerts, events := e.DueAlerts(calendarNow(ctx, e.Clock))
		if len(alerts) == 0 {
			continue
		}
		if err := a.save(ctx, events...); err != nil {
			return err
		}
		for _, al := range alerts {
			template, what := "ehc_deadline_at_risk", "risk/"+string(al.Milestone)
			if al.Missed {
				template, what = "ehc_deadline_missed", "missed/"+string(al.Milestone)
			}
			if err := a.tell(ctx, what+"/"+al.Due.Format("20060102"), template,
				map[string]string{"Milestone": MilestoneWords(al.Milestone), "Due": dateWords(al.Due)}, ToSENDCo); err != nil {
				return err
			}
		}
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	finishedAt := e.Met[MilestoneFinalPlan].At
	if e.Outcome != EHCPlanIssued {
		finishedAt = calendarNow(ctx, e.Clock)
	}
	return tellPathway(ctx, e.PupilID, ChildChanged{EHC: &EHCFinished{RequestID: e.RequestID, Outcome: e.Outcome, At: finishedAt}})
}

type assessment struct{ e *EHCState }

func (a *assessment) save(ctx workflow.Context, events ...Event) error {
	e := a.e
	now := calendarNow(ctx, e.Clock)
	var deadlines []Deadline
	for _, m := range e.Pending() {
		if due, ok := e.Timeline.Due(m, e.Timings, now); ok {
			deadlines = append(deadlines, Deadline{Kind: string(m), Due: due, Label: "EHC needs assessment: " + MilestoneWords(m)})
		}
	}
	status := string(e.Status)
	if e.Timeline.Paused() {
		status = "paused"
	}
	return project(ctx, Projection{PupilID: e.PupilID, SchoolID: e.SchoolID, ItemID: "ehc/" + e.RequestID, Kind: "ehc",
		Status: status, Version: e.Version, State: stateJSON(e), Events: events, Deadlines: deadlines, UpdatedAt: now})
}

func (a *assessment) tell(ctx workflow.Context, what, template string, vars map[string]string, to ...string) error {
	e := a.e
	return notify(ctx, Notice{Key: e.PupilID + "/ehc/" + e.RequestID + "/" + what, Template: template, To: to,
		PupilID: e.PupilID, SchoolID: e.SchoolID, Vars: vars, LinkPath: "/v1/pupils/" + e.PupilID + "/pathway"})
}

func (a *assessment) onEvent(ctx workflow.Context, ev EHCEvent) (EHCState, error) {
	e := a.e
	now := calendarNow(ctx, e.Clock)
	recorded, _ := e.ApplyEvent(ev, now)
	if err := a.save(ctx, recorded); err != nil {
		return EHCState{}, err
	}
	letter, ok := ehcLetters[ev.Type]
	if !ok {
		return *e, nil
	}
	vars := map[string]string{"LetterDate": dateWords(now)}
	if e.AppealBy != nil {
		vars["TribunalDeadline"] = dateWords(*e.AppealBy)
	}
	if due, ok := e.Timeline.Due(MilestoneFinalPlan, e.Timings, now); ok {
		vars["FinalPlanDue"] = dateWords(due)
	}
	if e.Timeline.DraftIssuedAt != nil {
		vars["CommentsBy"] = dateWords(e.Timings.EHC.DraftCommentPeriod.AddTo(*e.Timeline.DraftIssuedAt))
	}
	if ev.Type == EHCExceptionStarted {
		// The letter reads "paused because {{.Reason}}.": lower-case words, no full stop.
		vars["Reason"] = phrase(ev.Reason.Describe())
	}
	return *e, a.tell(ctx, "letter/"+itoa(recorded.Seq), letter, vars, ToParents)
}

// phrase turns a sentence into words that fit inside another ("paused because ___").
func phrase(sentence string) string {
	s := strings.TrimSuffix(sentence, ".")
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
