package web

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/workflows"
)

// childFacts is what a parent's pages know of a child, all from the read model (accepted
// records only): the plan, the meetings ahead, and the statutory steps and time limits.
type childFacts struct {
	FirstName string
	// Today is today on the pathway's calendar (the real date unless time is compressed).
	Today     time.Time
	Stage     workflows.Stage
	Plan      *store.PlanSummary
	Meetings  []store.Meeting // scheduled and after today, soonest first
	Timeline  []store.TimelineEvent
	Deadlines []store.Deadline
	Items     []store.ItemRow
}

// loadChild reads what the parent's pages show of a child.
func (h *Handler) loadChild(ctx context.Context, pupilID, firstName string) (*childFacts, error) {
	f := &childFacts{FirstName: firstName, Today: h.now(), Stage: workflows.StageNone}
	var err error
	if f.Plan, err = h.d.Store.PlanSummaryFor(ctx, pupilID); err != nil {
		return nil, err
	}
	pw, err := h.d.Store.Pathway(ctx, pupilID)
	switch {
	case err == nil:
		var st workflows.PathwayState
		if json.Unmarshal(pw.Pathway.State, &st) == nil {
			f.Today = st.Clock.Now(f.Today)
		}
		f.Stage, f.Timeline, f.Deadlines, f.Items = workflows.Stage(pw.Pathway.Stage), pw.Timeline, pw.Deadlines, pw.Items
	case !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	if f.Meetings, err = h.d.Store.UpcomingMeetings(ctx, pupilID, f.Today); err != nil {
		return nil, err
	}
	return f, nil
}

// today is today on a pupil's pathway calendar (the real date unless time is compressed).
func (h *Handler) today(ctx context.Context, pupilID string) (time.Time, error) {
	now := h.now()
	pw, err := h.d.Store.Pathway(ctx, pupilID)
	if errors.Is(err, store.ErrNotFound) {
		return now, nil
	}
	if err != nil {
		return now, err
	}
	var st workflows.PathwayState
	if json.Unmarshal(pw.Pathway.State, &st) == nil {
		now = st.Clock.Now(now)
	}
	return now, nil
}

// meetingsAhead are the meetings still to come: a review meeting whose support plan has been
// reviewed has happened, whatever time was booked for it.
func (f *childFacts) meetingsAhead() []store.Meeting {
	var out []store.Meeting
	for _, m := range f.Meetings {
		if m.Kind == string(workflows.MeetingReview) && m.Cycle > 0 && f.Plan != nil &&
			(m.Cycle < f.Plan.Cycle || (m.Cycle == f.Plan.Cycle && f.Plan.Reviewed)) {
			continue
		}
		out = append(out, m)
	}
	return out
}

// reviewSentence says when the current plan is reviewed, in the right tense: ahead, held, or
// planned for a day that has passed without the review being recorded yet.
func reviewSentence(l *words, plan *store.PlanSummary, today time.Time) string {
	switch {
	case plan == nil || plan.Cycle == 0:
		return ""
	case plan.Reviewed:
		return l.T("plan_reviewed")
	case plan.ReviewDate.Before(day(today)):
		return l.T("plan_review_was", l.ShortCalendarDate(plan.ReviewDate))
	}
	return l.T("plan_review_on", l.ShortCalendarDate(plan.ReviewDate))
}

// day is the calendar day of t, as midnight UTC (review dates are kept so).
func day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// nextDates are the dates ahead a parent should know, soonest first: meetings (unless the page
// lists them on their own), the review of the current plan when no meeting is booked for it,
// and the statutory time limits that are about them — never the school's own tasks (booking a
// meeting, sending invitations).
func nextDates(l *words, f *childFacts, withMeetings bool) []string {
	type dated struct {
		at   time.Time
		text string
	}
	var dates []dated
	reviewBooked := false
	for _, m := range f.meetingsAhead() {
		if withMeetings {
			dates = append(dates, dated{m.StartsAt, meetingLine(l, m, f.FirstName)})
		}
		if m.Kind == string(workflows.MeetingReview) && f.Plan != nil && m.Cycle == f.Plan.Cycle {
			reviewBooked = true
		}
	}
	if p := f.Plan; p != nil && p.Cycle > 0 && !p.Reviewed && !reviewBooked && !p.ReviewDate.Before(day(f.Today)) {
		dates = append(dates, dated{p.ReviewDate, l.T("date_review") + ": " + l.CalendarDate(p.ReviewDate)})
	}
	for _, d := range f.Deadlines {
		label, ok := parentDeadline(l, d)
		if ok && statutory(d.ItemID) && !d.Due.Before(day(f.Today)) {
			dates = append(dates, dated{d.Due, l.T("time_limit", label, l.ShortCalendarDate(d.Due))})
		}
	}
	slices.SortStableFunc(dates, func(a, b dated) int { return a.at.Compare(b.at) })
	out := make([]string, len(dates))
	for i, d := range dates {
		out[i] = d.text
	}
	return out
}

// meetingLine is a meeting in one line: what, when and where.
func meetingLine(l *words, m store.Meeting, firstName string) string {
	end := m.StartsAt.Add(time.Duration(m.DurationMinutes) * time.Minute)
	return l.T("meeting_title_"+m.Kind, firstName) + ": " + l.T("meeting_time", l.Date(m.StartsAt), l.Clock(m.StartsAt), l.Clock(end)) +
		". " + l.T("where") + ": " + m.Location
}

// parentDeadlines are the statutory time limits a parent is shown, by deadline kind, each with
// its words (key deadline_<kind>). The school's own tasks are left out.
var parentDeadlines = []string{
	string(workflows.MilestoneDecisionToAssess), string(workflows.MilestoneAdvice), string(workflows.MilestoneNoticeNotToIssue),
	string(workflows.MilestoneDraftComments), string(workflows.MilestoneFinalPlan),
	"annual_review_due", workflows.ARReportDue, workflows.ARDecisionDue, workflows.ARAmendDue,
}

func parentDeadline(l *words, d store.Deadline) (string, bool) {
	if !slices.Contains(parentDeadlines, d.Kind) {
		return "", false
	}
	return l.T("deadline_" + d.Kind), true
}

// parentSteps are the steps of an EHC needs assessment or plan a parent is shown, by timeline
// event kind, each with its words (key step_<kind>). Each step is told once: the assessment's
// and the annual review's own events, plus the pathway's request and the plan's end; staff
// alerts (deadlines at risk or missed, a meeting to arrange) are left out.
var parentSteps = map[string][]string{
	"ehc/": {"decided_to_assess", "refused_to_assess", "advice_requested", "advice_received", "clock_paused", "clock_resumed",
		"draft_issued", "not_issuing", "final_plan_issued"},
	"annual-review/": {"annual_review_invitations", "annual_review_booked", "annual_review_held", "annual_review_report_sent",
		"annual_review_decided", "amended_plan_issued"},
	"": {"ehcna_requested", "annual_review_done", "ehc_plan_ceased"},
}

// statutorySteps is what has happened in an EHC needs assessment or plan, oldest first, in the
// page's language.
func statutorySteps(l *words, f *childFacts) []string {
	var out []string
	for _, e := range f.Timeline {
		prefix := ""
		if statutory(e.Source) {
			prefix, _, _ = strings.Cut(e.Source, "/")
			prefix += "/"
		} else if e.Source != "" {
			continue
		}
		if slices.Contains(parentSteps[prefix], e.Kind) {
			out = append(out, l.ShortDate(e.At)+": "+l.T("step_"+e.Kind))
		}
	}
	return out
}

// statutory reports whether a pathway item is part of the statutory process.
func statutory(itemID string) bool {
	return strings.HasPrefix(itemID, "ehc/") || strings.HasPrefix(itemID, "annual-review/")
}
