package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The statutory clock of an EHC needs assessment. Week 0 is the request; each milestone has a
// time limit (Timings.EHC) and the prescribed exceptions pause the limits. DfE reports timeliness
// both counting and ignoring the exceptions, so the clock answers both.

// EHCMilestone is a deadline on the EHC needs assessment clock. Values are stable API names.
type EHCMilestone string

const (
	MilestoneDecisionToAssess EHCMilestone = "decision_to_assess"
	MilestoneAdvice           EHCMilestone = "advice"
	MilestoneNoticeNotToIssue EHCMilestone = "notice_not_to_issue"
	MilestoneDraftComments    EHCMilestone = "draft_comments" // end of the parents' comment period
	MilestoneFinalPlan        EHCMilestone = "final_plan"
)

// EHCMilestones lists the milestones in the order they usually fall.
func EHCMilestones() []EHCMilestone {
	return []EHCMilestone{MilestoneDecisionToAssess, MilestoneAdvice, MilestoneNoticeNotToIssue,
		MilestoneDraftComments, MilestoneFinalPlan}
}

// Valid reports a known milestone.
func (m EHCMilestone) Valid() bool { return slices.Contains(EHCMilestones(), m) }

// Describe says what must happen by the milestone, for staff and parents.
func (m EHCMilestone) Describe() string {
	switch m {
	case MilestoneDecisionToAssess:
		return "The local authority decides whether to carry out an EHC needs assessment."
	case MilestoneAdvice:
		return "Professionals send their advice to the local authority."
	case MilestoneNoticeNotToIssue:
		return "If the local authority decides not to issue a plan, it tells the family."
	case MilestoneDraftComments:
		return "The family's time to comment on the draft plan ends."
	case MilestoneFinalPlan:
		return "The final EHC plan is issued."
	}
	return string(m)
}

// ExceptionReason is one of the prescribed exceptions (SEND Regulations 2014, regs 5, 8, 10 and
// 13) that pause the time limits. The reason is recorded and parents are told it.
type ExceptionReason string

const (
	ExceptionSchoolClosed4Weeks    ExceptionReason = "school_closed_4_weeks"
	ExceptionAbsentFromArea4Weeks  ExceptionReason = "absent_from_area_4_weeks"
	ExceptionPersonalCircumstances ExceptionReason = "exceptional_personal_circumstances"
)

// ExceptionReasons lists the reasons a clock may be paused for.
func ExceptionReasons() []ExceptionReason {
	return []ExceptionReason{ExceptionSchoolClosed4Weeks, ExceptionAbsentFromArea4Weeks,
		ExceptionPersonalCircumstances}
}

// Valid reports one of the prescribed exceptions.
func (r ExceptionReason) Valid() bool { return slices.Contains(ExceptionReasons(), r) }

// Describe is the reason in plain English, as parents are told it.
func (r ExceptionReason) Describe() string {
	switch r {
	case ExceptionSchoolClosed4Weeks:
		return "The school was closed for 4 weeks or more."
	case ExceptionAbsentFromArea4Weeks:
		return "The child or young person was away from the local authority's area for 4 weeks or more."
	case ExceptionPersonalCircumstances:
		return "Exceptional personal circumstances affected the child or young person, or their family."
	}
	return string(r)
}

// Pause is a stretch of time during which the limits do not run. To is nil while it lasts.
//
// The whole-day rule: a pause counts the calendar days (in Europe/London) from the day it starts
// up to the day the clock resumes — the day it starts counts as paused, the day the clock
// resumes counts as running. A pause started and ended on the same day adds nothing; one from
// 5 January to 7 February adds 33 days, whatever the hours. So the LA records the resume on the
// first day the exception no longer applies.
type Pause struct {
	Reason ExceptionReason
	From   time.Time
	To     *time.Time
}

// Days is the number of whole days the pause adds, an open one counted up to now.
func (p Pause) Days(now time.Time) int {
	to := now
	if p.To != nil && p.To.Before(now) {
		to = *p.To
	}
	return max(0, CalendarDays(p.From, to))
}

// EHCClock is the state of one assessment's clock.
type EHCClock struct {
	RequestedAt       time.Time
	AdviceRequestedAt *time.Time // when the LA asked professionals for advice
	DraftIssuedAt     *time.Time
	Pauses            []Pause
	// LegacyHours marks a run started before the whole-day rule (statutory-days): its limits
	// end at the time of day they started and its pauses are measured in hours rounded up to
	// days, so its recorded history replays.
	LegacyHours bool `json:",omitempty"`
}

// Paused reports whether a pause is open.
func (c EHCClock) Paused() bool { return c.openPause() >= 0 }

func (c EHCClock) openPause() int {
	for i := len(c.Pauses) - 1; i >= 0; i-- {
		if c.Pauses[i].To == nil {
			return i
		}
	}
	return -1
}

// Pause stops the clock from at for one of the prescribed reasons. Pauses do not overlap: a new
// one starts no earlier than the previous one ended.
func (c *EHCClock) Pause(reason ExceptionReason, at time.Time) error {
	if c.RequestedAt.IsZero() {
		return errors.New("The clock has not started: record the date of the request first.")
	}
	if !reason.Valid() {
		var allowed []string
		for _, r := range ExceptionReasons() {
			allowed = append(allowed, string(r))
		}
		return fmt.Errorf(
			"%q is not one of the exceptions the law allows. Choose one of: %s.",
			reason,
			strings.Join(allowed, ", "),
		)
	}
	if i := c.openPause(); i >= 0 {
		return fmt.Errorf(
			"The clock has been paused since %s. Resume it before pausing it again.",
			longDate(c.Pauses[i].From),
		)
	}
	if at.Before(c.RequestedAt) {
		return fmt.Errorf(
			"A pause cannot start on %s, before the request was made on %s.",
			longDate(at),
			longDate(c.RequestedAt),
		)
	}
	for _, p := range c.Pauses {
		if p.To != nil && at.Before(*p.To) {
			return fmt.Errorf(
				"A pause cannot start on %s, before the previous pause ended on %s.",
				longDate(at),
				longDate(*p.To),
			)
		}
	}
	c.Pauses = append(c.Pauses, Pause{Reason: reason, From: at})
	return nil
}

// Resume restarts the clock at the given time, closing the open pause.
func (c *EHCClock) Resume(at time.Time) error {
	i := c.openPause()
	if i < 0 {
		return errors.New("The clock is not paused, so there is nothing to resume.")
	}
	if at.Before(c.Pauses[i].From) {
		return fmt.Errorf(
			"The clock cannot resume on %s, before the pause started on %s.",
			longDate(at),
			longDate(c.Pauses[i].From),
		)
	}
	to := at
	c.Pauses[i].To = &to
	return nil
}

// PausedFor is the total time paused, an open pause counted up to now. Pauses starting after now
// count nothing.
func (c EHCClock) PausedFor(now time.Time) time.Duration {
	var total time.Duration
	for _, p := range c.Pauses {
		to := now
		if p.To != nil && p.To.Before(now) {
			to = *p.To
		}
		if to.After(p.From) {
			total += to.Sub(p.From)
		}
	}
	return total
}

// start is when a milestone's limit begins to run; ok is false until it does.
func (c EHCClock) start(m EHCMilestone) (time.Time, bool) {
	if c.RequestedAt.IsZero() {
		return time.Time{}, false
	}
	switch m {
	case MilestoneDecisionToAssess, MilestoneNoticeNotToIssue, MilestoneFinalPlan:
		return c.RequestedAt, true
	case MilestoneAdvice:
		if c.AdviceRequestedAt != nil {
			return *c.AdviceRequestedAt, true
		}
	case MilestoneDraftComments:
		if c.DraftIssuedAt != nil {
			return *c.DraftIssuedAt, true
		}
	}
	return time.Time{}, false
}

func (m EHCMilestone) limit(t Timings) Span {
	switch m {
	case MilestoneDecisionToAssess:
		return t.EHC.DecisionToAssess
	case MilestoneAdvice:
		return t.EHC.AdviceDeadline
	case MilestoneNoticeNotToIssue:
		return t.EHC.NoticeNotToIssue
	case MilestoneDraftComments:
		return t.EHC.DraftCommentPeriod
	case MilestoneFinalPlan:
		return t.EHC.FinalPlan
	}
	return Span{}
}

// DueWithoutExceptions is the raw statutory deadline, a date: the date the milestone's limit
// started plus its limit. The draft comments' deadline is the last day parents may comment: the
// period counts the day the draft was issued as its first ("at least 15 days, beginning with the
// day on which the draft was served", Regs 13(1)). ok is false for an unknown milestone or one
// whose limit has not started (advice before the LA asks for it, draft comments before the draft
// is issued).
func (c EHCClock) DueWithoutExceptions(m EHCMilestone, t Timings) (time.Time, bool) {
	start, ok := c.start(m)
	if !ok || !m.Valid() {
		return time.Time{}, false
	}
	if c.LegacyHours {
		return m.limit(t).AddTo(start), true
	}
	due := m.limit(t).AddTo(CalendarDate(start))
	if m == MilestoneDraftComments {
		due = due.AddDate(0, 0, -1)
	}
	return due, true
}

// FinalPlanFrom is the first day the final plan may be issued: the day after the parents'
// comment period. ok is false before the draft is issued.
func (c EHCClock) FinalPlanFrom(t Timings) (time.Time, bool) {
	if c.DraftIssuedAt == nil {
		return time.Time{}, false
	}
	if c.LegacyHours {
		return t.EHC.DraftCommentPeriod.AddTo(*c.DraftIssuedAt), true
	}
	return t.EHC.DraftCommentPeriod.AddTo(CalendarDate(*c.DraftIssuedAt)), true
}

// PausedDays is the number of whole days the pauses add up to now (see Pause).
func (c EHCClock) PausedDays(now time.Time) int {
	n := 0
	for _, p := range c.Pauses {
		n += p.Days(now)
	}
	return n
}

// Due is the milestone's deadline counting the exceptions, a date: the raw deadline pushed back
// by the whole days paused up to now (see Pause). Only pauses that could have delayed this
// milestone count: days after its limit began to run, from a pause that began on or before the
// (already extended) due date; a pause starting after a deadline has passed cannot rescue it.
func (c EHCClock) Due(m EHCMilestone, t Timings, now time.Time) (due time.Time, ok bool) {
	if c.LegacyHours {
		return c.dueInHours(m, t, now)
	}
	base, ok := c.DueWithoutExceptions(m, t)
	if !ok {
		return time.Time{}, false
	}
	begun, _ := c.start(m)
	start := CalendarDate(begun)
	pauses := slices.Clone(c.Pauses)
	slices.SortStableFunc(pauses, func(a, b Pause) int { return a.From.Compare(b.From) })
	paused := 0
	due = base
	for _, p := range pauses {
		from := CalendarDate(p.From)
		if from.Before(start) {
			from = start
		}
		if from.After(due) {
			break
		}
		to := now
		if p.To != nil && p.To.Before(now) {
			to = *p.To
		}
		if n := CalendarDays(from, to); n > 0 {
			paused += n
			due = base.AddDate(0, 0, paused)
		}
	}
	return due, true
}

// dueInHours is Due for runs started before the whole-day rule: the raw deadline pushed back by
// the time paused, rounded up to whole days. Pause lengths are measured on the wall clock of the
// deadline's location, so a pause across a clock change is not an hour (and so a day) longer.
func (c EHCClock) dueInHours(m EHCMilestone, t Timings, now time.Time) (due time.Time, ok bool) {
	base, ok := c.DueWithoutExceptions(m, t)
	if !ok {
		return time.Time{}, false
	}
	start, _ := c.start(m)
	pauses := slices.Clone(c.Pauses)
	slices.SortStableFunc(pauses, func(a, b Pause) int { return a.From.Compare(b.From) })
	loc := base.Location()
	var paused time.Duration
	due = base
	for _, p := range pauses {
		from, to := p.From, now
		if p.To != nil && p.To.Before(now) {
			to = *p.To
		}
		if from.Before(start) {
			from = start
		}
		if !to.After(from) {
			continue
		}
		if !sameOrBeforeDateIn(from, due) {
			break
		}
		paused += wallClock(to, loc).Sub(wallClock(from, loc))
		due = base.AddDate(0, 0, ceilDays(paused))
	}
	return due, true
}

// AlertAt is when staff are warned that the milestone is close: the start of the day
// AlertBefore ahead of the due date.
func (c EHCClock) AlertAt(m EHCMilestone, t Timings, now time.Time) (time.Time, bool) {
	due, ok := c.Due(m, t, now)
	if !ok {
		return time.Time{}, false
	}
	if c.LegacyHours {
		return t.EHC.AlertBefore.SubtractFrom(due), true
	}
	return DayStarts(t.EHC.AlertBefore.SubtractFrom(due)), true
}

// MissedAt is when a limit due on due has been missed: once its whole day has passed.
func (c EHCClock) MissedAt(due time.Time) time.Time {
	if c.LegacyHours {
		return due.Add(24 * time.Hour)
	}
	return DayEnds(due)
}

// Timeliness says whether a milestone met at doneAt was on time counting the pauses (up to
// doneAt) and on time by the raw statutory limit. Anything done on the due date is on time.
// Both are false when the milestone does not apply.
func (c EHCClock) Timeliness(m EHCMilestone, doneAt time.Time, t Timings) (withExceptions, withoutExceptions bool) {
	raw, ok := c.DueWithoutExceptions(m, t)
	if !ok {
		return false, false
	}
	due, _ := c.Due(m, t, doneAt)
	return sameOrBeforeDate(doneAt, due), sameOrBeforeDate(doneAt, raw)
}

// ceilDays rounds a duration up to whole days.
func ceilDays(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	const day = 24 * time.Hour
	return int((d + day - 1) / day)
}

// wallClock re-reads t's clock face in loc as if it were UTC, so differences between two such
// times ignore clock changes.
func wallClock(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}
