package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"
)

// Names of the APDR cycle workflow and its actions.
const (
	CycleWorkflowName  = "Cycle"
	UpdateReviewCycle  = "review"
	UpdateLogProvision = "log-provision"
	UpdateParentViews  = "parent-views"
)

// Cycle is one assess-plan-do-review cycle: the plan is agreed when it starts; provision is
// logged while it runs; parents are invited before the review, staff reminded, the SENDCo told if
// it is overdue; the review closes it and tells the pathway the next step.
func Cycle(ctx workflow.Context, in CycleInput) error {
	c := NewCycleState(in)
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (CycleState, error) { return *c, nil }); err != nil {
		return err
	}
	save := func(ctx workflow.Context, events ...Event) error {
		var deadlines []Deadline
		if c.Review == nil {
			deadlines = []Deadline{{Kind: "cycle_review", Due: c.Plan.ReviewDate, Label: fmt.Sprintf("Review of support plan %d", c.Number)}}
		}
		return project(ctx, Projection{PupilID: c.PupilID, SchoolID: c.SchoolID, ItemID: fmt.Sprintf("cycle/%d", c.Number),
			Kind: "cycle", Status: c.Status, Version: c.Version, State: stateJSON(c), Events: events, Deadlines: deadlines,
			UpdatedAt: calendarNow(ctx, c.Clock)})
	}
	tell := func(ctx workflow.Context, what, template string, parents ParentPage, to ...string) error {
		review := c.Plan.ReviewDate // planned; once held, the day it was held
		if c.ReviewedAt != nil {
			review = *c.ReviewedAt
		}
		return notify(ctx, Notice{Key: fmt.Sprintf("%s/cycle/%d/%s", c.PupilID, c.Number, what), Template: template, To: to,
			PupilID: c.PupilID, SchoolID: c.SchoolID, Vars: map[string]string{"ReviewDate": dateWords(review)},
			LinkPath: "/v1/pupils/" + c.PupilID + "/pathway", Parents: parents})
	}
	// Before the review parents are asked for their views, unless the school has already invited
	// them to the review meeting (which asks too); afterwards they are shown what was agreed.
	views := ParentPage{Kind: PageViews, Cycle: c.Number, SkipIfMeetingBooked: true}
	staff := ParentPage{}
	// The pathway hears of the review before the review is answered, so a plan for the next cycle
	// sent straight after it is not refused as "still open" (older runs told it at the end).
	reviewed := func(ctx workflow.Context) error {
		return tellPathway(ctx, c.PupilID, ChildChanged{Cycle: &CycleReviewed{Number: c.Number, NextStep: c.Review.NextStep, ReviewedAt: *c.ReviewedAt}})
	}
	told := false
	err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateReviewCycle,
		func(ctx workflow.Context, r CycleReview) (CycleState, error) {
			ev := c.ApplyReview(r, calendarNow(ctx, c.Clock))
			if err := save(ctx, ev); err != nil {
				return *c, err
			}
			if workflow.GetVersion(ctx, changeTellPathwayOnReview, workflow.DefaultVersion, 1) == 1 {
				told = true
				return *c, reviewed(ctx)
			}
			return *c, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, r CycleReview) error {
			return refusalError(c.ValidateReview(r, calendarNow(ctx, c.Clock)))
		}})
	if err != nil {
		return err
	}
	err = workflow.SetUpdateHandlerWithOptions(ctx, UpdateLogProvision,
		func(ctx workflow.Context, p ProvisionLogged) (CycleState, error) {
			ev := c.ApplyProvision(p, calendarNow(ctx, c.Clock))
			return *c, save(ctx, ev)
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, p ProvisionLogged) error {
			return refusalError(c.ValidateProvision(p))
		}})
	if err != nil {
		return err
	}
	err = workflow.SetUpdateHandlerWithOptions(ctx, UpdateParentViews,
		func(ctx workflow.Context, v ParentViews) (CycleState, error) {
			ev := c.ApplyParentViews(v, calendarNow(ctx, c.Clock))
			return *c, save(ctx, ev)
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, v ParentViews) error {
			return refusalError(c.ValidateParentViews(v))
		}})
	if err != nil {
		return err
	}
	if err := save(ctx); err != nil {
		return err
	}

	for c.Review == nil {
		seen := c.Version
		at, has := c.NextWake()
		if err := sleepUntil(ctx, c.Clock, at, has, func() bool { return c.Version != seen }); err != nil {
			return err
		}
		due, events := c.DueReminders(calendarNow(ctx, c.Clock))
		if len(due) == 0 {
			continue
		}
		if err := save(ctx, events...); err != nil {
			return err
		}
		for _, a := range due {
			var err error
			switch a {
			case CycleInvite:
				err = tell(ctx, a, "review_invitation", views, ToParents)
			case CycleReminder:
				if err = tell(ctx, a, "review_reminder", staff, ToTeachers, ToSENDCo); err == nil {
					err = tell(ctx, a+"/parents", "review_reminder_parent", views, ToParents)
				}
			case CycleOverdue:
				err = tell(ctx, a, "review_overdue", staff, ToSENDCo)
			}
			if err != nil {
				return err
			}
		}
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	if err := tell(ctx, "outcome", "review_outcome", ParentPage{Kind: PagePlan}, ToParents); err != nil {
		return err
	}
	if told {
		return nil
	}
	return reviewed(ctx)
}

// changeTellPathwayOnReview: the review handler signals the pathway (version 1); before, the
// cycle did at its end.
const changeTellPathwayOnReview = "tell-pathway-on-review"
