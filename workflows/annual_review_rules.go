package workflows

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// AnnualReviewInput starts one annual review of an EHC plan.
type AnnualReviewInput struct {
	PupilID  string
	SchoolID string
	Number   int
	Previous time.Time // plan issue date, or the previous review meeting
	// Transfer is set in a phase-transfer year (the pupil changes phase next September). Runs
	// started since statutory-days work it out from the pupil's Placement instead.
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
	// ARTransferCorrected: the SENDCo corrects the phase transfer worked out for the pupil,
	// with a reason (a proposed record named by CorrectionID).
	ARTransferCorrected AnnualReviewEventType = "transfer_corrected"
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
	// Since statutory-days the move is worked out (see Placement); a meeting_scheduled naming a
	// different one is refused, and transfer_corrected carries the SENDCo's correction ("" is
	// no move).
	Transfer PhaseTransfer
	// CorrectionID names the proposed record holding the reason for a transfer_corrected.
	CorrectionID string `json:",omitempty"`
	Decision     string // for la_decision
	By           string
}

// TransferCorrection is the SENDCo's correction of the move worked out for the pupil. The reason
// is in PostgreSQL, named by RecordID.
type TransferCorrection struct {
	Transfer PhaseTransfer
	RecordID string
	By       string
	At       time.Time
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
	// Legacy marks a run started before statutory-days: its timers keep the old rules (see
	// annual_review_legacy.go), so its recorded history replays.
	Legacy bool `json:",omitempty"`
	// InvitedAt is when the invitations to the booked meeting went out.
	InvitedAt *time.Time `json:",omitempty"`
	// Placement is the pupil's birth year and school year groups, read when the review opens.
	Placement *Placement `json:",omitempty"`
	// Correction is the SENDCo's correction of the worked-out phase transfer.
	Correction *TransferCorrection `json:",omitempty"`
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

// Timers and steps of an annual review.
const (
	ARArrange     = "arrange_meeting"   // no meeting booked in time for invitations
	ARMeetingDue  = "annual_review_due" // the meeting, within 12 months
	ARInvitations = "invitations"       // invitations go out
	ARReportDue   = "report_due"        // the school's report
	ARDecisionDue = "la_decision_due"   // the council's decision
	ARAmendDue    = "amended_plan_due"  // the amended plan
	ARTransferDue = "phase_transfer"    // in a phase-transfer year, the decision and any amended plan by 15 February
)

// Due is the date the review meeting must be held by.
func (a *AnnualReviewState) Due() time.Time {
	if a.Legacy {
		return a.legacyDue()
	}
	return NextAnnualReviewDue(a.Previous, a.Timings)
}

// meetingOrDue is the date the review is held on: the booked meeting, else the latest it may be.
func (a *AnnualReviewState) meetingOrDue() time.Time {
	if a.MeetingAt != nil {
		return CalendarDate(*a.MeetingAt)
	}
	return a.Due()
}

// Derived is the move worked out from the pupil's placement for the date the review is held on;
// ok is false when the placement is not known (runs started before statutory-days).
func (a *AnnualReviewState) Derived() (TransferDerivation, bool) {
	if a.Placement == nil {
		return TransferDerivation{}, false
	}
	return DeriveTransfer(*a.Placement, a.meetingOrDue()), true
}

// PhaseTransferOf is the move this review prepares for and the calendar year of its September:
// the SENDCo's correction, else the move worked out from the placement, else the flag given
// when the meeting was booked.
func (a *AnnualReviewState) PhaseTransferOf() (PhaseTransfer, int) {
	if a.Correction != nil {
		if a.Correction.Transfer == PhaseTransferNone {
			return PhaseTransferNone, 0
		}
		return a.Correction.Transfer, AcademicYearStart(a.meetingOrDue()) + 1
	}
	if d, ok := a.Derived(); ok {
		return d.Transfer, d.Year
	}
	return a.Transfer, a.TransferYear
}

// transferWords says the move for people: "the move to secondary school in September 2028".
func transferWords(p PhaseTransfer, year int) string {
	if p == PhaseTransferNone {
		return "no move to a new phase"
	}
	return fmt.Sprintf("the move to %s in September %d", p.destinationWords(), year)
}

// LatestMeeting is the last day the meeting can be held and still meet every limit: the due
// date, or in a phase-transfer year early enough for the council's decision (LADecisionWithin
// after the meeting) to come by the transfer deadline.
func (a *AnnualReviewState) LatestMeeting() time.Time {
	due := a.Due()
	if p, year := a.PhaseTransferOf(); p != PhaseTransferNone && !a.Legacy {
		if latest := a.Timings.AnnualReview.LADecisionWithin.SubtractFrom(TransferDeadline(p, year, a.Timings)); latest.Before(
			due,
		) {
			return latest
		}
	}
	return due
}

// ARDeadline is one statutory step of the review: what, by when, whether done, and whether the
// council owns it (its EHC officer is then warned and told of a breach too).
type ARDeadline struct {
	Kind    string
	Due     time.Time // a date
	DoneAt  *time.Time
	Council bool
	// Warn is whether a warning goes AlertBefore ahead: not for invitations (sendflow sends
	// them itself), and not for steps that cannot start yet (the report before the meeting).
	Warn bool
}

// Open reports a step still to do.
func (d ARDeadline) Open() bool { return d.DoneAt == nil }

// Steps lists the review's statutory steps, in order, as runs since statutory-days keep them.
func (a *AnnualReviewState) Steps() []ARDeadline {
	t := a.Timings.AnnualReview
	steps := []ARDeadline{{Kind: ARMeetingDue, Due: a.Due(), DoneAt: a.HeldAt, Warn: a.MeetingAt == nil}}
	if a.MeetingAt != nil {
		held := CalendarDate(*a.MeetingAt)
		if a.HeldAt != nil {
			held = CalendarDate(*a.HeldAt)
		}
		steps = append(
			steps,
			ARDeadline{
				Kind:   ARInvitations,
				Due:    t.InvitationsBefore.SubtractFrom(CalendarDate(*a.MeetingAt)),
				DoneAt: a.InvitedAt,
			},
			ARDeadline{
				Kind:   ARReportDue,
				Due:    t.ReportWithin.AddTo(held),
				DoneAt: a.ReportSentAt,
				Warn:   a.HeldAt != nil,
			},
			ARDeadline{
				Kind:    ARDecisionDue,
				Due:     t.LADecisionWithin.AddTo(held),
				DoneAt:  a.DecidedAt,
				Council: true,
				Warn:    a.HeldAt != nil,
			},
		)
	}
	p, year := a.PhaseTransferOf()
	if a.Decision == ARAmend && a.DecidedAt != nil {
		steps = append(steps, ARDeadline{Kind: ARAmendDue, Due: AmendedPlanDeadline(*a.DecidedAt, p, year, a.Timings),
			DoneAt: a.AmendedIssuedAt, Council: true, Warn: true})
	}
	if p != PhaseTransferNone {
		// The decision must come by the transfer deadline; after a decision to amend, the
		// amended plan's own deadline (no later than the transfer's) takes over.
		steps = append(
			steps,
			ARDeadline{
				Kind:    ARTransferDue,
				Due:     TransferDeadline(p, year, a.Timings),
				DoneAt:  a.DecidedAt,
				Council: true,
				Warn:    true,
			},
		)
	}
	return steps
}

// StepWords names a step for people, in lower case to fit a sentence: "the review report to the
// council".
func (a *AnnualReviewState) StepWords(kind string) string {
	switch kind {
	case ARArrange:
		return "booking the annual review meeting"
	case ARMeetingDue:
		return "the annual review meeting"
	case ARInvitations:
		return "the invitations to the annual review"
	case ARReportDue:
		return "the review report to the council"
	case ARDecisionDue:
		return "the council's decision after the review"
	case ARAmendDue:
		return "the amended EHC plan"
	case ARTransferDue:
		p, _ := a.PhaseTransferOf()
		return "the council's decision and any amended plan before the move to " + p.destinationWords()
	}
	return kind
}

// ARReminder is a reminder, warning or breach the review sends.
type ARReminder struct {
	Name    string // the timer's name, unique for what it is about (kind and date)
	Kind    string // ARArrange, ARInvitations, or the step warned of or late
	Late    bool
	Due     time.Time // the date concerned (the meeting's, for invitations)
	Council bool
}

// reminders are the review's timers since statutory-days: the reminder to book the meeting,
// the invitations, and for each open step a warning AlertBefore ahead (at the start of the day)
// and a breach once its due day is over. Names carry the date, so a moved date is warned again.
func (a *AnnualReviewState) reminders() map[string]struct {
	At time.Time
	R  ARReminder
} {
	out := map[string]struct {
		At time.Time
		R  ARReminder
	}{}
	if a.Done {
		return out
	}
	add := func(at time.Time, r ARReminder) {
		out[r.Name] = struct {
			At time.Time
			R  ARReminder
		}{at, r}
	}
	t := a.Timings
	if a.MeetingAt == nil {
		// Ask the SENDCo to book the meeting a week before invitations would have to go out.
		at := DayStarts(t.AnnualReview.InvitationsBefore.SubtractFrom(a.LatestMeeting()).AddDate(0, 0, -7))
		add(at, ARReminder{Name: ARArrange, Kind: ARArrange, Due: a.LatestMeeting()})
	}
	for _, s := range a.Steps() {
		if !s.Open() {
			continue
		}
		stamp := s.Due.Format("20060102")
		if s.Kind == ARInvitations {
			meeting := CalendarDate(*a.MeetingAt)
			add(
				DayStarts(s.Due),
				ARReminder{Name: ARInvitations + "/" + meeting.Format("20060102"), Kind: ARInvitations, Due: meeting},
			)
			continue
		}
		if s.Warn {
			add(
				DayStarts(t.EHC.AlertBefore.SubtractFrom(s.Due)),
				ARReminder{Name: "warn/" + s.Kind + "/" + stamp, Kind: s.Kind, Due: s.Due, Council: s.Council},
			)
		}
		add(
			DayEnds(s.Due),
			ARReminder{Name: "late/" + s.Kind + "/" + stamp, Kind: s.Kind, Late: true, Due: s.Due, Council: s.Council},
		)
	}
	return out
}

// timers are the review's timers by name and time.
func (a *AnnualReviewState) timers() map[string]time.Time {
	if a.Legacy {
		return a.legacyTimers()
	}
	out := map[string]time.Time{}
	//workflowcheck:ignore map order never reaches the history: it builds another map
	for name, r := range a.reminders() {
		out[name] = r.At
	}
	return out
}

// NextWake is the next timer still to fire.
func (a *AnnualReviewState) NextWake() (time.Time, bool) {
	var next time.Time
	found := false
	//workflowcheck:ignore map order never reaches the history: the earliest is the same in any order
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

// DueTimers marks and returns the timers due by now, with the date each concerns (runs started
// before statutory-days; see DueReminders).
func (a *AnnualReviewState) DueTimers(now time.Time) (map[string]time.Time, []Event) {
	return a.legacyDueTimers(now)
}

// DueReminders marks and returns the reminders, warnings and breaches due by now, in order, with
// their timeline events.
func (a *AnnualReviewState) DueReminders(now time.Time) ([]ARReminder, []Event) {
	var due []ARReminder
	//workflowcheck:ignore map order never reaches the history: sorted below
	for _, r := range a.reminders() {
		if !a.Sent[r.R.Name] && !r.At.After(now) {
			due = append(due, r.R)
		}
	}
	// Map order must not reach the history: by date, breaches after warnings, then by name.
	slices.SortFunc(due, func(x, y ARReminder) int {
		if c := x.Due.Compare(y.Due); c != 0 {
			return c
		}
		if x.Late != y.Late {
			if x.Late {
				return 1
			}
			return -1
		}
		if x.Name < y.Name {
			return -1
		}
		return 1
	})
	var events []Event
	for _, r := range due {
		a.Sent[r.Name] = true
		told := "The SENDCo has been told."
		if r.Council {
			told = "The SENDCo and the council have been told."
		}
		what := capitalise(a.StepWords(r.Kind))
		switch {
		case r.Kind == ARArrange:
			events = append(events, a.event(now, "annual_review_to_arrange", fmt.Sprintf(
				"The annual review meeting should be held by %s. The SENDCo has been asked to arrange it.",
				dateWords(r.Due),
			)))
		case r.Kind == ARInvitations:
			at := now
			a.InvitedAt = &at
			events = append(events, a.event(now, "annual_review_invitations", fmt.Sprintf(
				"Invitations to the annual review on %s were sent to the family and the professionals.",
				dateWords(r.Due),
			)))
		case r.Late:
			events = append(events, a.event(now, "annual_review_step_late", fmt.Sprintf(
				"%s was due by %s and has not been recorded: it is late. %s", what, dateWords(r.Due), told)))
		default:
			events = append(events, a.event(now, "annual_review_step_due", fmt.Sprintf(
				"%s is due by %s. %s", what, dateWords(r.Due), told)))
		}
	}
	return due, events
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// ScheduleWarning is a limit a booked meeting cannot meet.
type ScheduleWarning struct {
	Kind string // the step: ARMeetingDue, or ARTransferDue
	Due  time.Time
}

// ScheduleWarnings lists the limits a meeting on meetingAt cannot meet: the 12-month limit, and
// in a phase-transfer year the council's decision (LADecisionWithin after the meeting) coming
// after the transfer deadline.
func (a *AnnualReviewState) ScheduleWarnings(meetingAt time.Time) []ScheduleWarning {
	var out []ScheduleWarning
	m := CalendarDate(meetingAt)
	if due := a.Due(); m.After(due) {
		out = append(out, ScheduleWarning{Kind: ARMeetingDue, Due: due})
	}
	if p, year := a.PhaseTransferOf(); p != PhaseTransferNone {
		if limit := TransferDeadline(p, year, a.Timings); a.Timings.AnnualReview.LADecisionWithin.AddTo(m).
			After(limit) {
			out = append(out, ScheduleWarning{Kind: ARTransferDue, Due: limit})
		}
	}
	return out
}

// Opened is the timeline's first line for a review since statutory-days: when it is due and,
// worked out from the placement, whether it prepares for a move to a new phase.
func (a *AnnualReviewState) Opened(now time.Time) Event {
	msg := fmt.Sprintf("Annual review %d is open. The meeting must be held by %s.", a.Number, dateWords(a.Due()))
	if d, ok := a.Derived(); ok {
		msg += " " + d.Because
		if d.Check != "" {
			msg += " Check the date of birth and the school's year groups, or record the move with a reason."
		}
	}
	if p, year := a.PhaseTransferOf(); p != PhaseTransferNone {
		msg += fmt.Sprintf(" The council must decide, and issue any amended plan, by %s: hold the meeting by %s.",
			dateWords(TransferDeadline(p, year, a.Timings)), dateWords(a.LatestMeeting()))
	}
	return a.event(now, "annual_review_opened", msg)
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
		if err := validateReviewMeeting(a.Previous, ev.MeetingAt, now, a.Timings, a.Legacy); err != nil &&
			!errors.Is(err, ErrReviewAfterDue) {
			return refuse("%s", err.Error())
		}
		if ev.Transfer != PhaseTransferNone && !a.Legacy && a.Placement != nil {
			b := *a
			at := ev.MeetingAt
			b.MeetingAt = &at
			if p, year := b.PhaseTransferOf(); p != ev.Transfer {
				return refuse(
					"this review prepares for %s, worked out from the pupil's date of birth and the school's year groups; "+
						"to record a different move, correct it with a reason (transfer_corrected)",
					transferWords(p, year),
				)
			}
		}
	case ARTransferCorrected:
		if a.Legacy {
			return refuse("%q is not an annual review step", ev.Type)
		}
		if ev.CorrectionID == "" {
			return refuse("a correction of the phase transfer needs its reason")
		}
		if err := ValidateTransferCorrection(a.Placement, ev.Transfer); err != nil {
			return refuse("%s", err.Error())
		}
		if p, year := a.PhaseTransferOf(); p == ev.Transfer {
			return refuse("this review already prepares for %s", transferWords(p, year))
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
		if !slices.Contains(ARDecisions(), ev.Decision) {
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
		moved := a.MeetingAt == nil || !CalendarDate(*a.MeetingAt).Equal(CalendarDate(at))
		a.MeetingAt = &at
		if ev.Transfer != "" && (a.Legacy || a.Placement == nil) {
			a.Transfer, a.TransferYear = ev.Transfer, AcademicYearStart(at)+1
		}
		delete(a.Sent, ARInvitations) // a moved meeting gets fresh invitations
		if a.Legacy {
			return a.event(
				now,
				"annual_review_booked",
				fmt.Sprintf("The annual review meeting was booked for %s.", dateWords(at)),
			)
		}
		if moved {
			a.InvitedAt = nil
		}
		msg := fmt.Sprintf("The annual review meeting was booked for %s.", dateWords(at))
		for _, w := range a.ScheduleWarnings(at) {
			switch w.Kind {
			case ARMeetingDue:
				msg += fmt.Sprintf(
					" That is after the review was due on %s: the review will be late.",
					dateWords(w.Due),
				)
			default:
				msg += fmt.Sprintf(
					" The council then has until %s to decide, after %s is due on %s.",
					dateWords(
						a.Timings.AnnualReview.LADecisionWithin.AddTo(CalendarDate(at)),
					),
					a.StepWords(w.Kind),
					dateWords(w.Due),
				)
			}
		}
		if len(a.ScheduleWarnings(at)) > 0 {
			msg += " The SENDCo and the council have been told."
		}
		return a.event(now, "annual_review_booked", msg)
	case ARTransferCorrected:
		before, beforeYear := a.PhaseTransferOf()
		a.Correction = &TransferCorrection{Transfer: ev.Transfer, RecordID: ev.CorrectionID, By: ev.By, At: now}
		after, afterYear := a.PhaseTransferOf()
		return a.event(now, "annual_review_transfer_corrected", fmt.Sprintf(
			"The SENDCo corrected the phase transfer: this review prepares for %s, not %s. The reason is recorded.",
			transferWords(after, afterYear), transferWords(before, beforeYear)))
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
			p, year := a.PhaseTransferOf()
			by := amendedPlanDeadline(now, p, year, a.Timings, a.Legacy)
			return a.event(
				now,
				"annual_review_decided",
				fmt.Sprintf("The council decided to amend the plan. The amended plan is due by %s.", dateWords(by)),
			)
		case ARCease:
			a.Done = true
			return a.event(
				now,
				"annual_review_decided",
				"The council decided to stop maintaining the EHC plan. Parents have been told their rights to mediation and appeal.",
			)
		default:
			a.Done = true
			return a.event(
				now,
				"annual_review_decided",
				"The council decided to keep the plan as it is. Parents have been told their rights to mediation and appeal.",
			)
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
	return s.event(
		now,
		"annual_review_done",
		fmt.Sprintf(
			"Annual review %d is complete. The next is due by %s.",
			f.Number,
			dateWords(NextAnnualReviewDue(f.MeetingAt, s.Timings)),
		),
	)
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
