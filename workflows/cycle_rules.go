package workflows

import (
	"fmt"
	"slices"
	"time"
)

// NextStep is what a review decides.
type NextStep string

const (
	NextContinue     NextStep = "continue"
	NextStepDown     NextStep = "step_down"
	NextRefer        NextStep = "refer"
	NextRequestEHCNA NextStep = "request_ehcna"
)

// Rating is how far an outcome was met.
type Rating string

const (
	RatingAchieved    Rating = "achieved"
	RatingPartly      Rating = "partly_achieved"
	RatingNotAchieved Rating = "not_achieved"
)

// PlanCycle starts an APDR cycle. The plan's words live in PostgreSQL under PlanID; the workflow
// keeps ids, the review date and whether the family's views were heard.
type PlanCycle struct {
	PlanID      string
	ReviewDate  time.Time
	OutcomeIDs  []string
	ParentViews bool
	PupilViews  bool
	By          string
}

// ValidatePlanCycle refuses a plan that does not fit the pathway.
func (s *PathwayState) ValidatePlanCycle(p PlanCycle, now time.Time) error {
	switch s.Stage {
	case StageSENSupport, StageEHCAssessment, StageEHCPlan:
	default:
		return refuse("a support plan needs the pupil to be on SEN support; the pupil is at stage %s", s.Stage)
	}
	if c := s.activeCycle(); c != nil {
		return refuse(
			"cycle %d is still open (review due %s); review it before planning the next",
			c.Number,
			dateWords(c.ReviewDate),
		)
	}
	if p.PlanID == "" || p.By == "" {
		return refuse("a plan needs its id and the person agreeing it")
	}
	if len(p.OutcomeIDs) == 0 {
		return refuse("a plan needs at least one outcome")
	}
	earliest := s.Timings.Cycle.ParentInviteBefore.AddTo(now)
	if p.ReviewDate.Before(earliest) {
		return refuse(
			"choose a review date on or after %s, so parents can be invited at least %s before",
			dateWords(earliest),
			s.Timings.Cycle.ParentInviteBefore.Describe(),
		)
	}
	return nil
}

// ApplyPlanCycle opens the next cycle and counts its plan and review meetings with the family.
func (s *PathwayState) ApplyPlanCycle(p PlanCycle, now time.Time) (int, Event) {
	n := len(s.Cycles) + 1
	s.Cycles = append(s.Cycles, CycleRef{Number: n, PlanID: p.PlanID, ReviewDate: p.ReviewDate})
	s.Meetings = append(s.Meetings, now, p.ReviewDate)
	s.Advice = nil // advice received so far has fed this plan
	return n, s.event(
		now,
		"cycle_planned",
		fmt.Sprintf(
			"Support plan %d was agreed. It will be reviewed with the family on %s.",
			n,
			dateWords(p.ReviewDate),
		),
	)
}

func (s *PathwayState) activeCycle() *CycleRef {
	for i := range s.Cycles {
		if !s.Cycles[i].Reviewed {
			return &s.Cycles[i]
		}
	}
	return nil
}

// CycleReviewed is the cycle workflow telling the pathway it has been reviewed.
type CycleReviewed struct {
	Number     int
	NextStep   NextStep
	ReviewedAt time.Time
}

// ApplyCycleReviewed records the review's next step. Stepping down returns the pupil to
// ordinarily available provision, watched by the class teacher.
func (s *PathwayState) ApplyCycleReviewed(r CycleReviewed, now time.Time) Event {
	i := slices.IndexFunc(s.Cycles, func(c CycleRef) bool { return c.Number == r.Number })
	if i >= 0 {
		s.Cycles[i].Reviewed, s.Cycles[i].NextStep = true, r.NextStep
	}
	switch r.NextStep {
	case NextStepDown:
		if s.Stage == StageSENSupport {
			s.Stage = StageMonitoring
		}
		return s.event(
			now,
			"cycle_reviewed",
			fmt.Sprintf(
				"Support plan %d was reviewed. The pupil no longer needs SEN support; the class teacher keeps watching progress.",
				r.Number,
			),
		)
	case NextRefer:
		return s.event(
			now,
			"cycle_reviewed",
			fmt.Sprintf("Support plan %d was reviewed. The next step is to ask a specialist for advice.", r.Number),
		)
	case NextRequestEHCNA:
		return s.event(
			now,
			"cycle_reviewed",
			fmt.Sprintf("Support plan %d was reviewed. The next step is to request an EHC needs assessment.", r.Number),
		)
	default:
		return s.event(
			now,
			"cycle_reviewed",
			fmt.Sprintf("Support plan %d was reviewed. Support continues with a new plan.", r.Number),
		)
	}
}

// ParentMeetings reports the parent meetings in the academic year of now and whether there are
// fewer than the Code of Practice's three.
func (s *PathwayState) ParentMeetings(now time.Time) (int, bool) {
	if s.Stage != StageSENSupport && s.Stage != StageEHCAssessment && s.Stage != StageEHCPlan {
		return 0, false
	}
	return ParentMeetingsWarning(s.Meetings, now, s.Timings.Cycle.MinParentMeetingsPerYear)
}

// CycleInput starts an APDR cycle's workflow.
type CycleInput struct {
	PupilID  string
	SchoolID string
	Number   int
	Plan     PlanCycle
	// Advice lists the agency advice received since the last plan, which this plan draws on.
	Advice  []string
	Clock   Clock
	Timings Timings
}

// CycleReview is the review of a cycle: each outcome rated, the family's views heard, a next step.
type CycleReview struct {
	ReviewID    string            // the record of the review's words
	Ratings     map[string]Rating // outcome id -> rating
	ParentViews bool
	PupilViews  bool
	NextStep    NextStep
	By          string
}

// ProvisionLogged is one entry of the "do" log; its words live in PostgreSQL.
type ProvisionLogged struct {
	EntryID string
	By      string
}

// CycleState is the state of one APDR cycle.
type CycleState struct {
	CycleInput
	Status          string // CycleStatusActive, CycleStatusOverdue or CycleStatusReviewed
	InviteSent      bool
	ReminderSent    bool
	Escalated       bool
	ProvisionLogged []string
	Review          *CycleReview
	ReviewedAt      *time.Time
	// ViewsFrom lists the parents who gave their views before the review, from their phone.
	ViewsFrom []string
	// Recent are the last actions taken, so a repeat is answered, not applied twice.
	Recent  Recent
	Version int64
	NextSeq int64
}

// NewCycleState opens a cycle.
func NewCycleState(in CycleInput) *CycleState {
	return &CycleState{CycleInput: in, Status: CycleStatusActive, NextSeq: 1}
}

func (c *CycleState) event(now time.Time, kind, summary string) Event {
	e := Event{Seq: c.NextSeq, At: now, Kind: kind, Summary: summary}
	c.NextSeq++
	c.Version++
	return e
}

// Reminders of a cycle and when each is due.
const (
	CycleInvite   = "parent_invitation"
	CycleReminder = "review_reminder"
	CycleOverdue  = "review_overdue"
)

func (c *CycleState) when(action string) time.Time {
	t := c.Timings.Cycle
	switch action {
	case CycleInvite:
		return t.ParentInviteBefore.SubtractFrom(c.Plan.ReviewDate)
	case CycleReminder:
		return t.ReviewReminderBefore.SubtractFrom(c.Plan.ReviewDate)
	default:
		return t.OverdueEscalationAfter.AddTo(c.Plan.ReviewDate)
	}
}

func (c *CycleState) sent(action string) *bool {
	switch action {
	case CycleInvite:
		return &c.InviteSent
	case CycleReminder:
		return &c.ReminderSent
	default:
		return &c.Escalated
	}
}

// NextWake is when the next reminder falls due, if any is left.
func (c *CycleState) NextWake() (time.Time, bool) {
	if c.Review != nil {
		return time.Time{}, false
	}
	var next time.Time
	found := false
	for _, a := range []string{CycleInvite, CycleReminder, CycleOverdue} {
		if !*c.sent(a) && (!found || c.when(a).Before(next)) {
			next, found = c.when(a), true
		}
	}
	return next, found
}

// DueReminders marks and returns the reminders due by now, in order.
func (c *CycleState) DueReminders(now time.Time) ([]string, []Event) {
	if c.Review != nil {
		return nil, nil
	}
	var due []string
	var events []Event
	for _, a := range []string{CycleInvite, CycleReminder, CycleOverdue} {
		if *c.sent(a) || c.when(a).After(now) {
			continue
		}
		*c.sent(a) = true
		due = append(due, a)
		switch a {
		case CycleInvite:
			events = append(
				events,
				c.event(
					now,
					"review_invitation_sent",
					fmt.Sprintf(
						"Parents were asked for their views before the review of plan %d on %s.",
						c.Number,
						dateWords(c.Plan.ReviewDate),
					),
				),
			)
		case CycleReminder:
			events = append(
				events,
				c.event(
					now,
					"review_reminder_sent",
					fmt.Sprintf(
						"The teacher and SENDCo were reminded of the review on %s.",
						dateWords(c.Plan.ReviewDate),
					),
				),
			)
		case CycleOverdue:
			c.Status = CycleStatusOverdue
			events = append(
				events,
				c.event(
					now,
					"review_overdue",
					fmt.Sprintf(
						"The review of plan %d, due on %s, is overdue. The SENDCo has been told.",
						c.Number,
						dateWords(c.Plan.ReviewDate),
					),
				),
			)
		}
	}
	return due, events
}

// ValidateReview refuses a review that is not due yet, already done, or incomplete.
func (c *CycleState) ValidateReview(r CycleReview, now time.Time) error {
	if c.Review != nil {
		return refuse("plan %d was already reviewed", c.Number)
	}
	opens := c.Timings.Cycle.ReviewReminderBefore.SubtractFrom(c.Plan.ReviewDate)
	if now.Before(opens) {
		return refuse(
			"plan %d is not due for review: the review is on %s and can be recorded from %s",
			c.Number,
			dateWords(c.Plan.ReviewDate),
			dateWords(opens),
		)
	}
	if r.By == "" {
		return refuse("a review needs the person recording it")
	}
	for _, id := range c.Plan.OutcomeIDs {
		rating, ok := r.Ratings[id]
		if !ok {
			return refuse("outcome %s has no rating; rate every outcome of the plan", id)
		}
		if !rating.Valid() {
			return refuse("%q is not a rating; use achieved, partly_achieved or not_achieved", rating)
		}
	}
	if len(r.Ratings) != len(c.Plan.OutcomeIDs) {
		return refuse("the review rates outcomes that are not in plan %d", c.Number)
	}
	if !r.NextStep.Valid() {
		return refuse("%q is not a next step; choose continue, step_down, refer or request_ehcna", r.NextStep)
	}
	return nil
}

// ApplyReview closes the cycle. Views a parent gave from their phone before it count as the
// parents' views heard, whatever the review form says.
func (c *CycleState) ApplyReview(r CycleReview, now time.Time) Event {
	if len(c.ViewsFrom) > 0 {
		r.ParentViews = true
	}
	c.Review, c.ReviewedAt, c.Status = &r, &now, CycleStatusReviewed
	views := "Parents' and the pupil's views were recorded."
	switch {
	case !r.ParentViews && !r.PupilViews:
		views = "No views were recorded from the parents or the pupil."
	case !r.ParentViews:
		views = "The pupil's views were recorded; the parents' were not."
	case !r.PupilViews:
		views = "The parents' views were recorded; the pupil's were not."
	}
	return c.event(now, "cycle_review_recorded", fmt.Sprintf("The review of plan %d was recorded. %s", c.Number, views))
}

// ValidateProvision refuses a log entry for a closed cycle or a repeated entry.
func (c *CycleState) ValidateProvision(p ProvisionLogged) error {
	if c.Review != nil {
		return refuse("plan %d has been reviewed; log provision against the current plan", c.Number)
	}
	if p.EntryID == "" || p.By == "" {
		return refuse("a provision entry needs its id and the person logging it")
	}
	if slices.Contains(c.ProvisionLogged, p.EntryID) {
		return refuse("provision entry %s is already logged", p.EntryID)
	}
	return nil
}

// ApplyProvision counts the entry; the log's words are in PostgreSQL.
func (c *CycleState) ApplyProvision(p ProvisionLogged, now time.Time) Event {
	c.ProvisionLogged = append(c.ProvisionLogged, p.EntryID)
	return c.event(now, "provision_logged", "Support given under the plan was logged.")
}

// ParentViews is a parent giving their views before a review ("what is going well, what is hard,
// what would help"); the words are kept in PostgreSQL.
type ParentViews struct {
	ViewsID string
	By      string
}

// ValidateParentViews refuses views for a cycle already reviewed.
func (c *CycleState) ValidateParentViews(v ParentViews) error {
	if c.Review != nil {
		return refuse("plan %d has already been reviewed; views can be given for the next review", c.Number)
	}
	if v.ViewsID == "" || v.By == "" {
		return refuse("views need their id and the parent giving them")
	}
	return nil
}

// ApplyParentViews records that the parent's views are in, ready for the review.
func (c *CycleState) ApplyParentViews(v ParentViews, now time.Time) Event {
	if !slices.Contains(c.ViewsFrom, v.By) {
		c.ViewsFrom = append(c.ViewsFrom, v.By)
	}
	ev := c.event(
		now,
		"parent_views_given",
		fmt.Sprintf("A parent gave their views for the review of plan %d.", c.Number),
	)
	ev.By = v.By
	return ev
}
