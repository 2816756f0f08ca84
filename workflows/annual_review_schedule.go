package workflows

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// EHC plan annual review (Children and Families Act 2014 s.44; SEND Regulations 2014 regs 18-22).

// AnnualReviewDates are the dates around one annual review. They are calendar dates (see
// CalendarDate), except for runs started before statutory-days, which keep the time of day.
type AnnualReviewDates struct {
	Due           time.Time // the review meeting must happen by this date
	InvitationsBy time.Time // MeetingAt (or Due) - InvitationsBefore
	ReportBy      time.Time // MeetingAt + ReportWithin
	LADecisionBy  time.Time // MeetingAt + LADecisionWithin
}

// NextAnnualReviewDue is previous (the plan's issue date or the previous review meeting) +
// Interval, a date: a plan issued on 29 February 2028 is due for review on 28 February 2029.
func NextAnnualReviewDue(previous time.Time, t Timings) time.Time {
	return t.AnnualReview.Interval.AddTo(CalendarDate(previous))
}

// AnnualReviewSchedule gives the dates around a planned meeting; with no meeting date yet
// (meetingAt zero) the dates are worked out from the due date, the latest the meeting may be.
func AnnualReviewSchedule(previous, meetingAt time.Time, t Timings) AnnualReviewDates {
	return annualReviewSchedule(previous, meetingAt, t, false)
}

func annualReviewSchedule(previous, meetingAt time.Time, t Timings, legacy bool) AnnualReviewDates {
	due := NextAnnualReviewDue(previous, t)
	m := CalendarDate(meetingAt)
	if legacy {
		due, m = t.AnnualReview.Interval.AddTo(previous), meetingAt
	}
	if meetingAt.IsZero() {
		m = due
	}
	ar := t.AnnualReview
	return AnnualReviewDates{
		Due:           due,
		InvitationsBy: ar.InvitationsBefore.SubtractFrom(m),
		ReportBy:      ar.ReportWithin.AddTo(m),
		LADecisionBy:  ar.LADecisionWithin.AddTo(m),
	}
}

// Errors from ValidateReviewMeeting wrap one of these, so a workflow can tell a late review (which
// a SENDCo may still need to hold, and must report) from a date that is simply too soon.
var (
	ErrReviewAfterDue     = errors.New("the review meeting is after its due date")
	ErrReviewNoticeTooLow = errors.New("too little notice to send the review invitations")
)

// reviewError is a plain sentence for staff that still matches its rule with errors.Is.
type reviewError struct {
	rule error
	msg  string
}

func (e *reviewError) Error() string { return e.msg }
func (e *reviewError) Unwrap() error { return e.rule }

// ValidateReviewMeeting refuses a meeting date after the review is due, or one too close to now
// for invitations to go out InvitationsBefore ahead. Dates are compared as calendar days in
// London.
func ValidateReviewMeeting(previous, meetingAt, now time.Time, t Timings) error {
	return validateReviewMeeting(previous, meetingAt, now, t, false)
}

// validateReviewMeeting is ValidateReviewMeeting; legacy reads dates as runs started before
// statutory-days did (in the due date's location, with its time of day).
func validateReviewMeeting(previous, meetingAt, now time.Time, t Timings, legacy bool) error {
	onOrBefore := sameOrBeforeDate
	if legacy {
		onOrBefore = sameOrBeforeDateIn
	}
	if meetingAt.IsZero() {
		return errors.New("Choose a date for the review meeting.")
	}
	if !previous.IsZero() && onOrBefore(meetingAt, previous) {
		return fmt.Errorf("The review meeting on %s must be after the plan was issued or last reviewed, on %s.",
			longDate(meetingAt), longDate(previous))
	}
	s := annualReviewSchedule(previous, meetingAt, t, legacy)
	if !onOrBefore(meetingAt, s.Due) {
		return &reviewError{ErrReviewAfterDue, fmt.Sprintf(
			"The review meeting must be held by %s, within %s of %s; %s is too late.",
			longDate(s.Due), t.AnnualReview.Interval.Describe(), longDate(previous), longDate(meetingAt))}
	}
	if !onOrBefore(now, s.InvitationsBy) {
		earliest := t.AnnualReview.InvitationsBefore.AddTo(now)
		if !legacy {
			earliest = t.AnnualReview.InvitationsBefore.AddTo(CalendarDate(now))
		}
		msg := fmt.Sprintf(
			"Invitations must go out at least %s before the meeting, so a meeting on %s needed them sent by %s.",
			t.AnnualReview.InvitationsBefore.Describe(),
			longDate(meetingAt),
			longDate(s.InvitationsBy),
		)
		if onOrBefore(earliest, s.Due) {
			msg += fmt.Sprintf(" Choose a date from %s to %s.", longDate(earliest), longDate(s.Due))
		} else {
			msg += fmt.Sprintf(" The earliest possible date, %s, is after the review is due on %s: tell the local authority the review will be late.",
				longDate(earliest), longDate(s.Due))
		}
		return &reviewError{ErrReviewNoticeTooLow, msg}
	}
	return nil
}

// PhaseTransfer is a move between phases of education in September, which brings the annual
// review's deadline for the amended plan forward (SEND Regulations 2014, reg 18).
type PhaseTransfer string

const (
	PhaseTransferNone               PhaseTransfer = ""
	PhaseTransferEarlyYearsToSchool PhaseTransfer = "early_years_to_school"
	PhaseTransferInfantToJunior     PhaseTransfer = "infant_to_junior"
	PhaseTransferPrimaryToMiddle    PhaseTransfer = "primary_to_middle"
	PhaseTransferPrimaryToSecondary PhaseTransfer = "primary_to_secondary"
	PhaseTransferMiddleToSecondary  PhaseTransfer = "middle_to_secondary"
	PhaseTransferSecondaryToPost16  PhaseTransfer = "secondary_to_post16"
)

// Valid reports a known transfer (or none).
func (p PhaseTransfer) Valid() bool { return slices.Contains(PhaseTransfers(), p) }

// TransferDeadline is the date the amended plan is due in a phase-transfer year: 15 February (31
// March for secondary to post-16) of transferYear, the calendar year of the September move. Any
// transfer other than secondary to post-16, even an unrecognised one, takes the earlier date.
func TransferDeadline(transfer PhaseTransfer, transferYear int, t Timings) time.Time {
	md := t.AnnualReview.PhaseTransferDeadline
	if transfer == PhaseTransferSecondaryToPost16 {
		md = t.AnnualReview.PostSixteenTransferDeadline
	}
	return md.In(transferYear, time.UTC)
}

// AmendedPlanDeadline is decision + AmendedPlanWithin, a date, except that in a phase-transfer
// year the plan must be amended by the transfer deadline (TransferDeadline). transferYear 0 means
// the September after the academic year of the decision. When the decision itself comes after the
// transfer date the result is that (already passed) date: the plan is late.
func AmendedPlanDeadline(decision time.Time, transfer PhaseTransfer, transferYear int, t Timings) time.Time {
	return amendedPlanDeadline(decision, transfer, transferYear, t, false)
}

func amendedPlanDeadline(
	decision time.Time,
	transfer PhaseTransfer,
	transferYear int,
	t Timings,
	legacy bool,
) time.Time {
	if !legacy {
		decision = CalendarDate(decision)
	}
	due := t.AnnualReview.AmendedPlanWithin.AddTo(decision)
	if transfer == PhaseTransferNone {
		return due
	}
	if transferYear == 0 {
		transferYear = AcademicYearStart(decision) + 1
	}
	limit := TransferDeadline(transfer, transferYear, t)
	if legacy {
		limit = time.Date(limit.Year(), limit.Month(), limit.Day(), 0, 0, 0, 0, decision.Location())
		if !sameOrBeforeDateIn(due, limit) {
			return limit
		}
		return due
	}
	if due.After(limit) {
		return limit
	}
	return due
}
