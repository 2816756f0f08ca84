package workflows

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// EHCOutcome is how an EHC needs assessment ended.
type EHCOutcome string

const (
	EHCRefusedToAssess EHCOutcome = "refused_to_assess"
	EHCNotIssuing      EHCOutcome = "not_issuing"
	EHCPlanIssued      EHCOutcome = "plan_issued"
)

// EHCStatus is where the assessment is.
type EHCStatus string

const (
	EHCRequested EHCStatus = "requested" // waiting for the LA's decision to assess
	EHCAssessing EHCStatus = "assessing" // advice being gathered
	EHCDraft     EHCStatus = "draft_issued"
	EHCDone      EHCStatus = "finished"
)

// RequestEHCNA is a request for an EHC needs assessment.
type RequestEHCNA struct {
	RequestID   string
	RequestedBy string // one of EHCRequesters
	By          string
}

// ValidateRequestEHCNA refuses a second assessment while one runs, or a plan already in place.
func (s *PathwayState) ValidateRequestEHCNA(r RequestEHCNA) error {
	if r.RequestID == "" || r.By == "" {
		return refuse("a request needs its id and the person making it")
	}
	if !slices.Contains(EHCRequesters(), r.RequestedBy) {
		return refuse("%q cannot request an assessment; use school, parent or young_person", r.RequestedBy)
	}
	switch s.Stage {
	case StageEHCAssessment:
		return refuse("an EHC needs assessment is already under way")
	case StageEHCPlan:
		return refuse("the pupil already has an EHC plan; changes go through its annual review")
	}
	return nil
}

// ApplyRequestEHCNA moves the pupil to the assessment stage.
func (s *PathwayState) ApplyRequestEHCNA(r RequestEHCNA, now time.Time) Event {
	s.EHC = &EHCRef{RequestID: r.RequestID, PreviousStage: s.Stage}
	s.Stage = StageEHCAssessment
	due := s.Timings.EHC.DecisionToAssess.AddTo(CalendarDate(now))
	return s.event(
		now,
		"ehcna_requested",
		fmt.Sprintf(
			"A request for an EHC needs assessment was made. The council must decide whether to assess by %s.",
			dateWords(due),
		),
	)
}

// EHCFinished is the assessment workflow telling the pathway how it ended.
type EHCFinished struct {
	RequestID string
	Outcome   EHCOutcome
	At        time.Time
}

// ApplyEHCFinished moves the pupil on: a plan starts the annual review cycle; a refusal returns
// the pupil to where they were (SEN support, usually).
func (s *PathwayState) ApplyEHCFinished(f EHCFinished, now time.Time) Event {
	if s.EHC == nil || s.EHC.RequestID != f.RequestID {
		return s.event(now, "ehcna_finished", "An EHC needs assessment finished.")
	}
	s.EHC.Outcome = f.Outcome
	if f.Outcome == EHCPlanIssued {
		s.Stage = StageEHCPlan
		at := f.At
		s.PlanIssuedAt = &at
		return s.event(
			now,
			"ehc_plan_issued",
			fmt.Sprintf(
				"The EHC plan was issued. Its first annual review is due by %s.",
				dateWords(NextAnnualReviewDue(at, s.Timings)),
			),
		)
	}
	s.Stage = s.EHC.PreviousStage
	if s.Stage == StageNone || s.Stage == StageClosed || s.Stage == StageAwaitingTriage || s.Stage == StageMonitoring {
		s.Stage = StageSENSupport
	}
	if f.Outcome == EHCRefusedToAssess {
		return s.event(
			now,
			"ehcna_refused",
			"The council decided not to assess. Parents have been told their rights to mediation and appeal. SEN support continues.",
		)
	}
	return s.event(
		now,
		"ehc_not_issuing",
		"The council decided not to issue an EHC plan. Parents have been told their rights to mediation and appeal. SEN support continues.",
	)
}

// EHCEventType names what the local authority did.
type EHCEventType string

const (
	EHCDecidedToAssess    EHCEventType = "decision_to_assess"
	EHCDecidedNotToAssess EHCEventType = "refuse_to_assess"
	EHCAdviceRequested    EHCEventType = "advice_requested"
	EHCAdviceReceived     EHCEventType = "advice_received"
	EHCExceptionStarted   EHCEventType = "exception_started"
	EHCExceptionEnded     EHCEventType = "exception_ended"
	EHCDraftIssued        EHCEventType = "draft_issued"
	EHCDecidedNotToIssue  EHCEventType = "decision_not_to_issue"
	EHCFinalPlanIssued    EHCEventType = "final_plan_issued"
)

// EHCEvent is one step the LA took, recorded by an LA officer or the school.
type EHCEvent struct {
	ID     string // names the action, so a repeat is not applied twice
	Type   EHCEventType
	Reason ExceptionReason // for exception_started
	By     string
}

// MilestoneResult records when a statutory milestone was met and whether in time.
type MilestoneResult struct {
	At                time.Time
	WithExceptions    bool
	WithoutExceptions bool
}

// EHCInput starts an assessment's workflow.
type EHCInput struct {
	RequestEHCNA
	PupilID  string
	SchoolID string
	Clock    Clock
	Timings  Timings
}

// EHCState is the state of an EHC needs assessment.
type EHCState struct {
	EHCInput
	Status         EHCStatus
	Timeline       EHCClock
	AdviceReceived bool
	Met            map[EHCMilestone]MilestoneResult
	Alerted        map[EHCMilestone]bool // "at risk" sent
	Missed         map[EHCMilestone]bool // "missed" sent
	Outcome        EHCOutcome
	AppealBy       *time.Time
	// Recent are the last actions taken, so a repeat is answered, not applied twice.
	Recent  Recent
	Version int64
	NextSeq int64
}

// NewEHCState starts the statutory clock at the request (week 0).
func NewEHCState(in EHCInput, now time.Time) *EHCState {
	return &EHCState{EHCInput: in, Status: EHCRequested, Timeline: EHCClock{RequestedAt: now},
		Met: map[EHCMilestone]MilestoneResult{}, Alerted: map[EHCMilestone]bool{}, Missed: map[EHCMilestone]bool{}, NextSeq: 1}
}

func (e *EHCState) event(now time.Time, kind, summary string) Event {
	ev := Event{Seq: e.NextSeq, At: now, Kind: kind, Summary: summary}
	e.NextSeq++
	e.Version++
	return ev
}

// Pending lists the milestones whose limits still run, in statutory order.
func (e *EHCState) Pending() []EHCMilestone {
	switch e.Status {
	case EHCRequested:
		return []EHCMilestone{MilestoneDecisionToAssess, MilestoneFinalPlan}
	case EHCAssessing:
		out := []EHCMilestone{}
		if e.Timeline.AdviceRequestedAt != nil && !e.AdviceReceived {
			out = append(out, MilestoneAdvice)
		}
		return append(out, MilestoneNoticeNotToIssue, MilestoneFinalPlan)
	case EHCDraft:
		return []EHCMilestone{MilestoneFinalPlan}
	}
	return nil
}

// NextWake is the next alert or breach among pending milestones. A paused clock has none: its
// deadlines move until it resumes.
func (e *EHCState) NextWake(now time.Time) (time.Time, bool) {
	if e.Timeline.Paused() {
		return time.Time{}, false
	}
	var next time.Time
	found := false
	consider := func(t time.Time) {
		if !found || t.Before(next) {
			next, found = t, true
		}
	}
	for _, m := range e.Pending() {
		if at, ok := e.Timeline.AlertAt(m, e.Timings, now); ok && !e.Alerted[m] {
			consider(at)
		}
		if due, ok := e.Timeline.Due(m, e.Timings, now); ok && !e.Missed[m] {
			consider(e.Timeline.MissedAt(due))
		}
	}
	return next, found
}

// Alert is a statutory deadline at risk or missed.
type Alert struct {
	Milestone EHCMilestone
	Due       time.Time
	Missed    bool
}

// DueAlerts marks and returns the alerts due by now.
func (e *EHCState) DueAlerts(now time.Time) ([]Alert, []Event) {
	if e.Timeline.Paused() {
		return nil, nil
	}
	var alerts []Alert
	var events []Event
	for _, m := range e.Pending() {
		due, ok := e.Timeline.Due(m, e.Timings, now)
		if !ok {
			continue
		}
		if !e.Missed[m] && !now.Before(e.Timeline.MissedAt(due)) {
			e.Missed[m], e.Alerted[m] = true, true
			alerts = append(alerts, Alert{Milestone: m, Due: due, Missed: true})
			events = append(
				events,
				e.event(
					now,
					"deadline_missed",
					fmt.Sprintf("The deadline for %s (%s) was missed.", MilestoneWords(m), dateWords(due)),
				),
			)
			continue
		}
		if at, ok := e.Timeline.AlertAt(m, e.Timings, now); ok && !e.Alerted[m] && !now.Before(at) {
			e.Alerted[m] = true
			alerts = append(alerts, Alert{Milestone: m, Due: due})
			events = append(
				events,
				e.event(
					now,
					"deadline_at_risk",
					fmt.Sprintf(
						"The deadline for %s is %s. Staff have been alerted.",
						MilestoneWords(m),
						dateWords(due),
					),
				),
			)
		}
	}
	return alerts, events
}

// phraseOf turns a sentence into words that fit inside another ("paused because ___").
func phraseOf(sentence string) string {
	s := strings.TrimSuffix(sentence, ".")
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// MilestoneWords names a milestone for people.
func MilestoneWords(m EHCMilestone) string {
	switch m {
	case MilestoneDecisionToAssess:
		return "the decision whether to assess"
	case MilestoneAdvice:
		return "advice from professionals"
	case MilestoneNoticeNotToIssue:
		return "telling parents if no plan will be issued"
	case MilestoneDraftComments:
		return "parents' comments on the draft plan"
	case MilestoneFinalPlan:
		return "the final EHC plan"
	}
	return string(m)
}

// ValidateEvent refuses LA steps out of order.
func (e *EHCState) ValidateEvent(ev EHCEvent, now time.Time) error {
	if ev.By == "" {
		return refuse("an event needs the person recording it")
	}
	if e.Status == EHCDone {
		return refuse("this assessment has finished (%s)", e.Outcome)
	}
	switch ev.Type {
	case EHCDecidedToAssess, EHCDecidedNotToAssess:
		if e.Status != EHCRequested {
			return refuse("the decision whether to assess has already been made")
		}
	case EHCAdviceRequested:
		if e.Status != EHCAssessing {
			return refuse("advice is requested once the council has decided to assess")
		}
		if e.Timeline.AdviceRequestedAt != nil {
			return refuse("advice has already been requested")
		}
	case EHCAdviceReceived:
		if e.Timeline.AdviceRequestedAt == nil || e.AdviceReceived {
			return refuse("no advice request is waiting for an answer")
		}
	case EHCExceptionStarted:
		if !ev.Reason.Valid() {
			return refuse(
				"%q is not a prescribed exception; use school_closed_4_weeks, absent_from_area_4_weeks or exceptional_personal_circumstances",
				ev.Reason,
			)
		}
		c := e.Timeline
		c.Pauses = slices.Clone(c.Pauses) // try the pause on a copy: validators change nothing
		if err := c.Pause(ev.Reason, now); err != nil {
			return refuse("%s", err.Error())
		}
	case EHCExceptionEnded:
		if !e.Timeline.Paused() {
			return refuse("the time limits are not paused")
		}
	case EHCDraftIssued, EHCDecidedNotToIssue:
		if e.Status != EHCAssessing {
			return refuse(
				"a draft plan or a decision not to issue comes after the assessment; the assessment is %s",
				e.Status,
			)
		}
	case EHCFinalPlanIssued:
		if e.Status != EHCDraft || e.Timeline.DraftIssuedAt == nil {
			return refuse("the final plan comes after the draft plan")
		}
		opens, _ := e.Timeline.FinalPlanFrom(e.Timings)
		if e.Timeline.LegacyHours && now.Before(opens) {
			return refuse(
				"parents have until %s to comment on the draft; the final plan can be issued from then",
				dateWords(opens),
			)
		}
		if !e.Timeline.LegacyHours && CalendarDate(now).Before(opens) {
			last, _ := e.Timeline.DueWithoutExceptions(MilestoneDraftComments, e.Timings)
			return refuse(
				"parents have until %s to comment on the draft (%s, counting the day it was issued); the final plan can be issued from %s",
				dateWords(last),
				e.Timings.EHC.DraftCommentPeriod.Describe(),
				dateWords(opens),
			)
		}
	default:
		return refuse("%q is not an assessment event", ev.Type)
	}
	return nil
}

// ApplyEvent records the step. It returns the event and, when the assessment ended, its outcome.
func (e *EHCState) ApplyEvent(ev EHCEvent, now time.Time) (Event, EHCOutcome) {
	meet := func(m EHCMilestone) {
		with, without := e.Timeline.Timeliness(m, now, e.Timings)
		e.Met[m] = MilestoneResult{At: now, WithExceptions: with, WithoutExceptions: without}
	}
	finish := func(o EHCOutcome) {
		e.Status, e.Outcome = EHCDone, o
		// Every outcome, a plan included, is a decision parents may appeal.
		by := AppealDeadline(now, nil, e.Timings)
		e.AppealBy = &by
	}
	switch ev.Type {
	case EHCDecidedToAssess:
		meet(MilestoneDecisionToAssess)
		e.Status = EHCAssessing
		due, _ := e.Timeline.Due(MilestoneFinalPlan, e.Timings, now)
		return e.event(
			now,
			"decided_to_assess",
			fmt.Sprintf("The council decided to assess. The final plan is due by %s.", dateWords(due)),
		), ""
	case EHCDecidedNotToAssess:
		meet(MilestoneDecisionToAssess)
		finish(EHCRefusedToAssess)
		return e.event(
			now,
			"refused_to_assess",
			fmt.Sprintf("The council decided not to assess. Parents can appeal until %s.", dateWords(*e.AppealBy)),
		), EHCRefusedToAssess
	case EHCAdviceRequested:
		e.Timeline.AdviceRequestedAt = &now
		due, _ := e.Timeline.Due(MilestoneAdvice, e.Timings, now)
		return e.event(
			now,
			"advice_requested",
			fmt.Sprintf("The council asked professionals for advice, due by %s.", dateWords(due)),
		), ""
	case EHCAdviceReceived:
		meet(MilestoneAdvice)
		e.AdviceReceived = true
		return e.event(now, "advice_received", "Advice from professionals arrived."), ""
	case EHCExceptionStarted:
		_ = e.Timeline.Pause(ev.Reason, now)
		if e.Timeline.LegacyHours {
			return e.event(
				now,
				"clock_paused",
				"The time limits are paused: "+ev.Reason.Describe()+" Parents have been told.",
			), ""
		}
		return e.event(
			now,
			"clock_paused",
			fmt.Sprintf("The time limits are paused from %s because %s. Parents have been told. "+
				"Each day from %s until the time limits start again is added to the deadlines; the day they start again is not.",
				dateWords(now), phraseOf(ev.Reason.Describe()), dateWords(now)),
		), ""
	case EHCExceptionEnded:
		_ = e.Timeline.Resume(now)
		due, _ := e.Timeline.Due(MilestoneFinalPlan, e.Timings, now)
		if e.Timeline.LegacyHours {
			return e.event(
				now,
				"clock_resumed",
				fmt.Sprintf("The time limits are running again. The final plan is now due by %s.", dateWords(due)),
			), ""
		}
		p := e.Timeline.Pauses[len(e.Timeline.Pauses)-1]
		n := p.Days(now)
		if n == 0 {
			return e.event(
				now,
				"clock_resumed",
				fmt.Sprintf(
					"The time limits are running again. The pause started and ended on %s, so it adds no days. "+
						"The final plan is still due by %s.",
					dateWords(now),
					dateWords(due),
				),
			), ""
		}
		return e.event(
			now,
			"clock_resumed",
			fmt.Sprintf("The time limits are running again from %s. They were paused for %s, from %s to %s; "+
				"each deadline still running moves by as many days. The final plan is now due by %s.",
				dateWords(now), daysWords(n), dateWords(p.From), dateWords(now.AddDate(0, 0, -1)), dateWords(due)),
		), ""
	case EHCDraftIssued:
		e.Timeline.DraftIssuedAt = &now
		e.Status = EHCDraft
		by, _ := e.Timeline.DueWithoutExceptions(MilestoneDraftComments, e.Timings)
		return e.event(
			now,
			"draft_issued",
			fmt.Sprintf("The draft EHC plan was issued. Parents can comment until %s.", dateWords(by)),
		), ""
	case EHCDecidedNotToIssue:
		meet(MilestoneNoticeNotToIssue)
		finish(EHCNotIssuing)
		return e.event(
			now,
			"not_issuing",
			fmt.Sprintf(
				"The council decided not to issue an EHC plan. Parents can appeal until %s.",
				dateWords(*e.AppealBy),
			),
		), EHCNotIssuing
	default: // final plan
		meet(MilestoneFinalPlan)
		finish(EHCPlanIssued)
		r := e.Met[MilestoneFinalPlan]
		timely := "on time"
		if !r.WithoutExceptions && r.WithExceptions {
			timely = "on time, counting the paused weeks"
		} else if !r.WithExceptions {
			timely = "late"
		}
		return e.event(
			now,
			"final_plan_issued",
			fmt.Sprintf("The final EHC plan was issued, %s.", timely),
		), EHCPlanIssued
	}
}
