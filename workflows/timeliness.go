package workflows

import (
	"fmt"
	"slices"
	"time"
)

// Timeliness of the statutory steps, in words and dates: one implementation for the pathway,
// the caseload and the council's view. DfE reports an EHC needs assessment's timeliness both
// counting the prescribed exceptions and without them, so both are given.

// Where a statutory step stands.
const (
	TimelyOnTrack                = "on_track"                     // open, before its warning
	TimelyAtRisk                 = "at_risk"                      // open, within AlertBefore of its due date
	TimelyLate                   = "late"                         // open, its due day over
	TimelyPaused                 = "paused"                       // open, the EHC time limits paused
	TimelyDone                   = "done_on_time"                 // done by its due date
	TimelyDoneCountingExceptions = "done_on_time_counting_pauses" // done late by the raw limit, in time counting the pauses
	TimelyDoneLate               = "done_late"                    // done after its due date
)

// StepTimeliness is one statutory step of an assessment or an annual review.
type StepTimeliness struct {
	Step string // the milestone or step kind, e.g. final_plan, la_decision_due
	What string // in words: "The final EHC plan"
	// Due is the date it is due by, counting the exceptions; DueWithoutExceptions by the raw
	// limit. They differ only for an EHC needs assessment that was paused.
	Due                  time.Time
	DueWithoutExceptions time.Time
	DoneAt               *time.Time
	Status               string
	// OnTimeWithExceptions and OnTimeWithoutExceptions are set once it is done.
	OnTimeWithExceptions    *bool
	OnTimeWithoutExceptions *bool
	Council                 bool   // the council owns it
	Words                   string // its state in a sentence or two
}

// daysWords counts days in words: "1 day", "33 days".
func daysWords(n int) string {
	if n == 1 || n == -1 {
		return fmt.Sprintf("%d day", n)
	}
	return fmt.Sprintf("%d days", n)
}

// openStatus words an open step: at risk from the start of the day AlertBefore ahead, late once
// its due day is over.
func openStatus(due, now time.Time, t Timings) (string, string) {
	left := CalendarDays(now, due)
	switch {
	case left < 0:
		return TimelyLate, "Late by " + daysWords(-left) + "."
	case left == 0:
		return TimelyAtRisk, "At risk: due today."
	case !now.Before(DayStarts(t.EHC.AlertBefore.SubtractFrom(due))):
		return TimelyAtRisk, fmt.Sprintf("At risk: %s to go.", daysWords(left))
	}
	return TimelyOnTrack, fmt.Sprintf("On track: %s to go.", daysWords(left))
}

// doneWords words a step done at doneAt against its due date.
func doneWords(doneAt, due time.Time) (bool, string) {
	if sameOrBeforeDate(doneAt, due) {
		return true, fmt.Sprintf("Done on %s: on time (due by %s).", dateWords(doneAt), dateWords(due))
	}
	return false, fmt.Sprintf(
		"Done on %s: %s late (due by %s).",
		dateWords(doneAt),
		daysWords(CalendarDays(due, doneAt)),
		dateWords(due),
	)
}

// Timeliness lists the assessment's milestones that have run — met, or still running — in
// statutory order.
func (e *EHCState) Timeliness(now time.Time) []StepTimeliness {
	var out []StepTimeliness
	pending := e.Pending()
	for _, m := range EHCMilestones() {
		met, done := e.Met[m]
		if !done && !slices.Contains(pending, m) {
			continue
		}
		raw, ok := e.Timeline.DueWithoutExceptions(m, e.Timings)
		if !ok {
			continue
		}
		at := now
		if done {
			at = met.At
		}
		due, _ := e.Timeline.Due(m, e.Timings, at)
		begun, _ := e.Timeline.start(m)
		s := StepTimeliness{
			Step:                 string(m),
			What:                 capitalise(MilestoneWords(m)),
			Due:                  due,
			DueWithoutExceptions: raw,
			Council:              true,
		}
		limit := fmt.Sprintf("%s from %s", m.limit(e.Timings).Describe(), dateWords(begun))
		if done {
			s.DoneAt = &at
			with, without := met.WithExceptions, met.WithoutExceptions
			s.OnTimeWithExceptions, s.OnTimeWithoutExceptions = &with, &without
			paused := CalendarDays(raw, due)
			switch {
			case without:
				s.Status, s.Words = TimelyDone, fmt.Sprintf(
					"Done on %s: on time (due by %s).",
					dateWords(at),
					dateWords(due),
				)
			case with:
				s.Status = TimelyDoneCountingExceptions
				s.Words = fmt.Sprintf(
					"Done on %s: on time counting the %s the time limits were paused (due by %s); %s late without them (due by %s).",
					dateWords(at),
					daysWords(paused),
					dateWords(due),
					daysWords(CalendarDays(raw, at)),
					dateWords(raw),
				)
			default:
				s.Status = TimelyDoneLate
				_, s.Words = doneWords(at, due)
				if paused > 0 {
					s.Words += fmt.Sprintf(
						" Without the %s paused it was due by %s.",
						daysWords(paused),
						dateWords(raw),
					)
				}
			}
			out = append(out, s)
			continue
		}
		if due.Equal(raw) {
			s.Words = fmt.Sprintf("Due by %s (%s).", dateWords(due), limit)
		} else {
			soFar := ""
			if e.Timeline.Paused() {
				soFar = " so far"
			}
			s.Words = fmt.Sprintf("Due by %s: %s (%s), moved %s by pauses%s.", dateWords(due), dateWords(raw), limit,
				daysWords(CalendarDays(raw, due)), soFar)
		}
		status, words := openStatus(due, now, e.Timings)
		if e.Timeline.Paused() && status != TimelyLate {
			status, words = TimelyPaused, "The time limits are paused."
		}
		s.Status, s.Words = status, s.Words+" "+words
		out = append(out, s)
	}
	return out
}

// Timeliness lists the review's statutory steps in order, done and open.
func (a *AnnualReviewState) Timeliness(now time.Time) []StepTimeliness {
	var out []StepTimeliness
	for _, st := range a.Steps() {
		s := StepTimeliness{
			Step:                 st.Kind,
			What:                 capitalise(a.StepWords(st.Kind)),
			Due:                  st.Due,
			DueWithoutExceptions: st.Due,
			DoneAt:               st.DoneAt,
			Council:              st.Council,
		}
		if st.DoneAt != nil {
			onTime, words := doneWords(*st.DoneAt, st.Due)
			s.OnTimeWithExceptions, s.OnTimeWithoutExceptions = &onTime, &onTime
			s.Status, s.Words = TimelyDone, words
			if !onTime {
				s.Status = TimelyDoneLate
			}
		} else if !a.Done {
			status, words := openStatus(st.Due, now, a.Timings)
			s.Status, s.Words = status, fmt.Sprintf("Due by %s. %s", dateWords(st.Due), words)
		} else {
			continue // a step a finished review no longer needs (the amended plan after keeping it)
		}
		out = append(out, s)
	}
	return out
}
