package workflows

import (
	"errors"
	"fmt"
	"time"
)

// AnnualReviewInput starts one annual review of an EHC plan.
type AnnualReviewInput struct {
	PupilID  string
	SchoolID string
	Number   int
	Previous time.Time // plan issue date, or the previous review meeting
	// Transfer is set in a phase-transfer year (the pupil changes phase next September).
	Transfer     PhaseTransfer
	TransferYear int
	Clock        Clock
	Timings      Timings
}

// AnnualReviewEventType names a step of the review.
type AnnualReviewEventType string

const (
	ARMeetingScheduled  AnnualReviewEventType = "meeting_scheduled"
	ARMeetingHeld       AnnualReviewEventType = "meeting_held"
	ARReportSent        AnnualReviewEventType = "report_sent"
	ARLADecision        AnnualReviewEventType = "la_decision"
	ARAmendedPlanIssued AnnualReviewEventType = "amended_plan_issued"
)

// LA decisions after an annual review.
const (
	ARKeep  = "keep"  // keep the plan as it is
	ARAmend = "amend" // amend the plan
	ARCease = "cease" // stop maintaining the plan
)

// AnnualReviewEvent is one step, recorded by the school or the LA.
type AnnualReviewEvent struct {
	ID        string // names the action, so a repeat is not applied twice
	Type      AnnualReviewEventType
	MeetingAt time.Time // for meeting_scheduled
	// Transfer, with meeting_scheduled, marks a phase-transfer year: the pupil changes phase the
	// September after the meeting's academic year, and the amended plan has an earlier deadline.
	Transfer PhaseTransfer
	Decision string // for la_decision
	By       string
}

// AnnualReviewState is the state of one annual review.
type AnnualReviewState struct {
	AnnualReviewInput
	MeetingAt       *time.Time
	HeldAt          *time.Time
	ReportSentAt    *time.Time
	Decision        string
	DecidedAt       *time.Time
	AmendedIssuedAt *time.Time
	Done            bool
	Sent            map[string]bool // reminders and alerts already sent
	// Recent are the last actions taken, so a repeat is answered, not applied twice.
	Recent  Recent
	Version int64
	NextSeq int64
}

// NewAnnualReviewState opens the review.
func NewAnnualReviewState(in AnnualReviewInput) *AnnualReviewState {
	return &AnnualReviewState{AnnualReviewInput: in, Sent: map[string]bool{}, NextSeq: 1}
}

func (a *AnnualReviewState) event(now time.Time, kind, summary string) Event {
	e := Event{Seq: a.NextSeq, At: now, Kind: kind, Summary: summary}
	a.NextSeq++
	a.Version++
	return e
}

// Due is the date the review meeting must be held by.
func (a *AnnualReviewState) Due() time.Time { return NextAnnualReviewDue(a.Previous, a.Timings) }

// Timers of an annual review.
const (
	ARArrange     = "arrange_meeting"  // no meeting booked in time for invitations
	ARInvitations = "invitations"      // invitations go out
	ARReportDue   = "report_due"       // school report not sent in time
	ARDecisionDue = "la_decision_due"  // LA decision not made in time
	ARAmendDue    = "amended_plan_due" // amended plan not issued in time
)

func (a *AnnualReviewState) timers() map[string]time.Time {
	t := a.Timings.AnnualReview
	out := map[string]time.Time{}
	if a.Done {
		return out
	}
	if a.MeetingAt == nil {
		// Ask the SENDCo to book the meeting a week before invitations would have to go out.
		out[ARArrange] = t.InvitationsBefore.SubtractFrom(a.Due()).AddDate(0, 0, -7)
		return out
	}
	sched := AnnualReviewSchedule(a.Previous, *a.MeetingAt, a.Timings)
	if a.HeldAt == nil {
		out[ARInvitations] = sched.InvitationsBy
	}
	if a.ReportSentAt == nil {
		out[ARReportDue] = sched.ReportBy
	}
	if a.DecidedAt == nil {
		out[ARDecisionDue] = sched.LADecisionBy
	}
	if a.Decision == ARAmend && a.AmendedIssuedAt == nil && a.DecidedAt != nil {
		out[ARAmendDue] = AmendedPlanDeadline(*a.DecidedAt, a.Transfer, a.TransferYear, a.Timings)
	}
	return out
}

// NextWake is the next timer still to fire.
func (a *AnnualReviewState) NextWake() (time.Time, bool) {
	var next time.Time
	found := false
	for name, at := range a.timers() {
		if a.Sent[name] {
			continue
		}
		if !found || at.Before(next) {
			next, found = at, true
		}
	}
	return next, found
}

// DueTimers marks and returns the timers due by now, with the date each concerns.
func (a *AnnualReviewState) DueTimers(now time.Time) (map[string]time.Time, []Event) {
	fired := map[string]time.Time{}
	var events []Event
	for _, name := range []string{ARArrange, ARInvitations, ARReportDue, ARDecisionDue, ARAmendDue} {
		at, ok := a.timers()[name]
		if !ok || a.Sent[name] || at.After(now) {
			continue
		}
		a.Sent[name] = true
		fired[name] = at
		switch name {
		case ARArrange:
			fired[name] = a.Due()
			events = append(events, a.event(now, "annual_review_to_arrange", fmt.Sprintf("The annual review must be held by %s. The SENDCo has been asked to arrange the meeting.", dateWords(a.Due()))))
		case ARInvitations:
			fired[name] = *a.MeetingAt
			events = append(events, a.event(now, "annual_review_invitations", fmt.Sprintf("Invitations to the annual review on %s were sent to the family and the professionals.", dateWords(*a.MeetingAt))))
		case ARReportDue:
			events = append(events, a.event(now, "annual_review_report_late", fmt.Sprintf("The review report was due to the council by %s and has not been sent.", dateWords(at))))
		case ARDecisionDue:
			events = append(events, a.event(now, "annual_review_decision_late", fmt.Sprintf("The council's decision was due by %s and has not been recorded.", dateWords(at))))
		case ARAmendDue:
			events = append(events, a.event(now, "amended_plan_late", fmt.Sprintf("The amended plan was due by %s and has not been issued.", dateWords(at))))
		}
	}
	return fired, events
}

// ValidateEvent refuses steps out of order.
func (a *AnnualReviewState) ValidateEvent(ev AnnualReviewEvent, now time.Time) error {
	if ev.By == "" {
		return refuse("an annual review step needs the person recording it")
	}
	if a.Done {
		return refuse("annual review %d has finished", a.Number)
	}
	switch ev.Type {
	case ARMeetingScheduled:
		if a.HeldAt != nil {
			return refuse("the meeting has already been held")
		}
		// A meeting after the due date is late but still recorded: refusing it would leave the
		// family with no review at all. Too little notice for invitations is refused.
		if err := ValidateReviewMeeting(a.Previous, ev.MeetingAt, now, a.Timings); err != nil && !errors.Is(err, ErrReviewAfterDue) {
			return refuse("%s", err.Error())
		}
	case ARMeetingHeld:
		if a.MeetingAt == nil {
			return refuse("book the review meeting first")
		}
		if a.HeldAt != nil {
			return refuse("the meeting has already been recorded as held")
		}
	case ARReportSent:
		if a.HeldAt == nil || a.ReportSentAt != nil {
			return refuse("the report is sent once, after the meeting")
		}
	case ARLADecision:
		if a.ReportSentAt == nil {
			return refuse("the council decides after the school has sent the review report")
		}
		if a.DecidedAt != nil {
			return refuse("the council's decision is already recorded")
		}
		switch ev.Decision {
		case ARKeep, ARAmend, ARCease:
		default:
			return refuse("%q is not a decision; use keep, amend or cease", ev.Decision)
		}
	case ARAmendedPlanIssued:
		if a.Decision != ARAmend || a.AmendedIssuedAt != nil {
			return refuse("an amended plan follows a decision to amend")
		}
	default:
		return refuse("%q is not an annual review step", ev.Type)
	}
	return nil
}

// ApplyEvent records the step; the review is done after a decision to keep or cease, or once
// the amended plan is issued.
func (a *AnnualReviewState) ApplyEvent(ev AnnualReviewEvent, now time.Time) Event {
	switch ev.Type {
	case ARMeetingScheduled:
		at := ev.MeetingAt
		a.MeetingAt = &at
		if ev.Transfer != "" {
			a.Transfer, a.TransferYear = ev.Transfer, AcademicYearStart(at)+1
		}
		delete(a.Sent, ARInvitations) // a moved meeting gets fresh invitations
		return a.event(now, "annual_review_booked", fmt.Sprintf("The annual review meeting was booked for %s.", dateWords(at)))
	case ARMeetingHeld:
		a.HeldAt = &now
		return a.event(now, "annual_review_held", "The annual review meeting was held with the family.")
	case ARReportSent:
		a.ReportSentAt = &now
		return a.event(now, "annual_review_report_sent", "The school sent the review report to the council.")
	case ARLADecision:
		a.Decision, a.DecidedAt = ev.Decision, &now
		switch ev.Decision {
		case ARAmend:
			by := AmendedPlanDeadline(now, a.Transfer, a.TransferYear, a.Timings)
			return a.event(now, "annual_review_decided", fmt.Sprintf("The council decided to amend the plan. The amended plan is due by %s.", dateWords(by)))
		case ARCease:
			a.Done = true
			return a.event(now, "annual_review_decided", "The council decided to stop maintaining the EHC plan. Parents have been told their rights to mediation and appeal.")
		default:
			a.Done = true
			return a.event(now, "annual_review_decided", "The council decided to keep the plan as it is. Parents have been told their rights to mediation and appeal.")
		}
	default:
		a.AmendedIssuedAt, a.Done = &now, true
		return a.event(now, "amended_plan_issued", "The amended EHC plan was issued.")
	}
}

// AnnualReviewFinished is the review workflow telling the pathway it is done.
type AnnualReviewFinished struct {
	Number    int
	MeetingAt time.Time
	Ceased    bool
}

// ApplyAnnualReviewFinished records the review; ceasing the plan returns the pupil to SEN support.
func (s *PathwayState) ApplyAnnualReviewFinished(f AnnualReviewFinished, now time.Time) Event {
	if f.Ceased {
		s.Stage = StageSENSupport
		s.PlanIssuedAt = nil
		return s.event(now, "ehc_plan_ceased", "The EHC plan has ended. The pupil continues on SEN support.")
	}
	s.Meetings = append(s.Meetings, f.MeetingAt)
	return s.event(now, "annual_review_done", fmt.Sprintf("Annual review %d is complete. The next is due by %s.", f.Number, dateWords(NextAnnualReviewDue(f.MeetingAt, s.Timings))))
}

// Status is where the review is, as lists and dashboards show it.
func (a *AnnualReviewState) Status() string {
	switch {
	case a.Done:
		return "complete"
	case a.Decision == ARAmend:
		return "amending"
	case a.ReportSentAt != nil:
		return "awaiting_decision"
	case a.HeldAt != nil:
		return "report_due"
	case a.MeetingAt != nil:
		return "meeting_booked"
	}
	return "due"
}
