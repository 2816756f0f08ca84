package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/sendflow/sendflow/internal/email/mailname"
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
	c := &cycle{c: NewCycleState(in), g: newGuard(ctx)}
	if err := c.register(ctx); err != nil {
		return err
	}
	if err := c.commit(ctx, c.c, nil, nil, nil); err != nil {
		return err
	}
	for c.c.Review == nil {
		seen := c.c.Version
		at, has := c.c.NextWake()
		if err := sleepUntil(ctx, c.c.Clock, at, has, func() bool { return c.c.Version != seen }); err != nil {
			return err
		}
		if err := c.g.hold(ctx, func() error { return c.remind(ctx) }); err != nil {
			return err
		}
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	if err := c.g.send(ctx, c.notice("outcome", mailname.ReviewOutcome, ParentPage{Kind: PagePlan}, ToParents)); err != nil {
		return err
	}
	if c.told {
		return nil
	}
	return c.reviewed(ctx)
}

// changeTellPathwayOnReview: the review handler signals the pathway (version 1); before, the
// cycle did at its end.
const changeTellPathwayOnReview = "tell-pathway-on-review"

// cycle carries one run of the Cycle workflow.
type cycle struct {
	c *CycleState
	g *guard
	// told is set once the pathway has heard of the review.
	told bool
}

func (c *cycle) register(ctx workflow.Context) error {
	st := c.c
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (CycleState, error) { return *st, nil }); err != nil {
		return err
	}
	later := func(id string) bool { return c.g.handlerDecides(&st.Recent, id) }
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateReviewCycle, c.review,
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, r CycleReview) error {
			if later(r.ReviewID) {
				return nil
			}
			return refusalError(st.ValidateReview(r, calendarNow(ctx, st.Clock)))
		}}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateLogProvision, c.logProvision,
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, p ProvisionLogged) error {
			if later(p.EntryID) {
				return nil
			}
			return refusalError(st.ValidateProvision(p))
		}}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateParentViews, c.parentViews,
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, v ParentViews) error {
			if later(v.ViewsID) {
				return nil
			}
			return refusalError(st.ValidateParentViews(v))
		}})
}

func (c *cycle) now(ctx workflow.Context) time.Time { return calendarNow(ctx, c.c.Clock) }

func (c *cycle) recent() *Recent { return &c.c.Recent }

// commit saves a changed copy of the cycle with the records it accepts and the emails it sends,
// keeps it, and then runs after.
func (c *cycle) commit(
	ctx workflow.Context,
	next *CycleState,
	accept []Record,
	events []Event,
	after func() error,
	notices ...Notice,
) error {
	var deadlines []Deadline
	if next.Review == nil {
		deadlines = []Deadline{
			{
				Kind:  "cycle_review",
				Due:   next.Plan.ReviewDate,
				Label: fmt.Sprintf("Review of support plan %d", next.Number),
			},
		}
	}
	proj := Projection{PupilID: next.PupilID, SchoolID: next.SchoolID, ItemID: fmt.Sprintf("cycle/%d", next.Number),
		Kind: "cycle", Status: next.Status, Version: next.Version, State: stateJSON(next), Events: events, Deadlines: deadlines,
		Accept: accept, UpdatedAt: c.now(ctx)}
	return c.g.save(ctx, Commit{Projection: &proj, Notices: notices}, func() { *c.c = *next }, after)
}

// notice is an email about this cycle, from the state it will have once saved.
func (c *cycle) noticeOf(st *CycleState, what, template string, parents ParentPage, to ...string) Notice {
	review := st.Plan.ReviewDate // planned; once held, the day it was held
	if st.ReviewedAt != nil {
		review = *st.ReviewedAt
	}
	return Notice{Key: fmt.Sprintf("%s/cycle/%d/%s", st.PupilID, st.Number, what), Template: template, To: to,
		PupilID: st.PupilID, SchoolID: st.SchoolID, Vars: map[string]string{"ReviewDate": dateWords(review)},
		LinkPath: pathwayLink(st.PupilID), Parents: parents}
}

func (c *cycle) notice(what, template string, parents ParentPage, to ...string) Notice {
	return c.noticeOf(c.c, what, template, parents, to...)
}

// reviewed tells the pathway of the review, so a plan for the next cycle sent straight after it
// is not refused as "still open" (older runs told it at the end).
func (c *cycle) reviewed(ctx workflow.Context) error {
	st := c.c
	return tellPathway(
		ctx,
		st.PupilID,
		ChildChanged{
			Cycle: &CycleReviewed{Number: st.Number, NextStep: st.Review.NextStep, ReviewedAt: *st.ReviewedAt},
		},
	)
}

func (c *cycle) review(ctx workflow.Context, r CycleReview) (CycleState, error) {
	check := func() error { return c.c.ValidateReview(r, c.now(ctx)) }
	_, err := c.g.take(ctx, r.ReviewID, c.recent, check, func() error {
		next := stage(c.g, c.c)
		ev := next.ApplyReview(r, c.now(ctx))
		next.Recent.Add(r.ReviewID)
		return c.commit(ctx, next, records(RecordReview, r.ReviewID), []Event{ev}, func() error {
			if workflow.GetVersion(ctx, changeTellPathwayOnReview, workflow.DefaultVersion, 1) == 1 {
				c.told = true
				return c.reviewed(ctx)
			}
			return nil
		})
	})
	return *c.c, err
}

func (c *cycle) logProvision(ctx workflow.Context, p ProvisionLogged) (CycleState, error) {
	_, err := c.g.take(ctx, p.EntryID, c.recent, func() error { return c.c.ValidateProvision(p) }, func() error {
		next := stage(c.g, c.c)
		ev := next.ApplyProvision(p, c.now(ctx))
		next.Recent.Add(p.EntryID)
		return c.commit(ctx, next, records(RecordProvision, p.EntryID), []Event{ev}, nil)
	})
	return *c.c, err
}

// parentViews takes a parent's views and tells the SENDCo they have arrived (the words stay
// behind the link, on the review form). Runs before the write protocol save each email with a
// local activity of its own, so they keep the order their histories hold and send none.
func (c *cycle) parentViews(ctx workflow.Context, v ParentViews) (CycleState, error) {
	_, err := c.g.take(ctx, v.ViewsID, c.recent, func() error { return c.c.ValidateParentViews(v) }, func() error {
		next := stage(c.g, c.c)
		ev := next.ApplyParentViews(v, c.now(ctx))
		next.Recent.Add(v.ViewsID)
		var notices []Notice
		if c.g.serial {
			n := c.noticeOf(next, "views/"+v.ViewsID, mailname.ParentViewsReceived, ParentPage{}, ToSENDCo)
			n.LinkPath = fmt.Sprintf("/v1/pupils/%s/cycles/%d", next.PupilID, next.Number)
			notices = append(notices, n)
		}
		return c.commit(ctx, next, records(RecordParentViews, v.ViewsID), []Event{ev}, nil, notices...)
	})
	return *c.c, err
}

// remind sends the reminders that have fallen due. Before the review parents are asked for their
// views, unless the school has already invited them to the review meeting (which asks too).
func (c *cycle) remind(ctx workflow.Context) error {
	if at, has := c.c.NextWake(); !has || at.After(c.now(ctx)) {
		return nil
	}
	next := stage(c.g, c.c)
	due, events := next.DueReminders(c.now(ctx))
	views := ParentPage{Kind: PageViews, Cycle: next.Number, SkipIfMeetingBooked: true}
	var notices []Notice
	for _, a := range due {
		switch a {
		case CycleInvite:
			notices = append(notices, c.noticeOf(next, a, mailname.ReviewInvitation, views, ToParents))
		case CycleReminder:
			notices = append(notices, c.noticeOf(next, a, mailname.ReviewReminder, ParentPage{}, ToTeachers, ToSENDCo),
				c.noticeOf(next, a+"/parents", mailname.ReviewReminderParent, views, ToParents))
		case CycleOverdue:
			notices = append(notices, c.noticeOf(next, a, mailname.ReviewOverdue, ParentPage{}, ToSENDCo))
		}
	}
	return c.commit(ctx, next, nil, events, nil, notices...)
}
