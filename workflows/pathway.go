package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"
)

// Names shared by the workflow, the worker and the API.
const (
	PathwayWorkflowName  = "Pathway"
	UpdateRaiseConcern   = "raise-concern"
	UpdateRecordImpact   = "record-impact"
	UpdateTriage         = "triage"
	UpdatePlanCycle      = "plan-cycle"
	UpdateOpenReferral   = "open-referral"
	UpdateRequestEHCNA   = "request-ehcna"
	UpdateMeeting        = "meeting"
	UpdateParentResponse = "parent-response"
	QueryState           = "state"
)

// PathwayWorkflowID is the one workflow id of a pupil's pathway, so every action about a pupil
// reaches the same long-lived workflow.
func PathwayWorkflowID(pupilID string) string { return "pathway/" + pupilID }

// pathway carries one run of the Pathway workflow.
type pathway struct {
	st *PathwayState
	// boundary is set when a cycle or an annual review finishes: a good moment to continue as new.
	boundary bool
}

// Pathway follows one pupil for as long as they are on the graduated approach: concern, triage,
// SEN support cycles, referrals, an EHC needs assessment and the plan's annual reviews. Staff
// actions arrive as Updates whose validators refuse what does not fit before it reaches history;
// cycles, referrals, assessments and annual reviews are child workflows that report back by signal.
func Pathway(ctx workflow.Context, in PathwayInput) error {
	p := &pathway{st: in.Carried}
	if p.st == nil {
		p.st = NewPathwayState(in, workflow.Now(ctx))
	} else {
		p.st.Runs++
	}
	if err := p.register(ctx); err != nil {
		return err
	}
	children := workflow.GetSignalChannel(ctx, SignalChild)
	for {
		seen := p.st.Version
		at, has := p.st.NextTrialEnd()
		err := sleepUntil(ctx, p.st.Clock, at, has, func() bool { return p.st.Version != seen || children.Len() > 0 })
		if err != nil {
			return err
		}
		if err := p.takeChildNews(ctx); err != nil {
			return err
		}
		if err := p.trialsEnded(ctx); err != nil {
			return err
		}
		if (p.boundary || workflow.GetInfo(ctx).GetContinueAsNewSuggested()) && workflow.AllHandlersFinished(ctx) && children.Len() == 0 {
			return workflow.NewContinueAsNewError(ctx, PathwayWorkflowName, PathwayInput{
				PupilID: p.st.PupilID, SchoolID: p.st.SchoolID, Timings: p.st.Timings, Scale: p.st.Clock.Scale, Carried: p.st})
		}
	}
}

func (p *pathway) register(ctx workflow.Context) error {
	st := p.st
	children := workflow.GetSignalChannel(ctx, SignalChild) // validators may read, not create, workflow state
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (PathwayState, error) { return *st, nil }); err != nil {
		return err
	}
	handlers := []struct {
		name     string
		handler  any
		validate any
	}{
		{UpdateRaiseConcern, p.raiseConcern, func(ctx workflow.Context, c ConcernRaised) error {
			return refusalError(st.ValidateConcern(c))
		}},
		{UpdateRecordImpact, p.recordImpact, func(ctx workflow.Context, in ImpactRecorded) error {
			return refusalError(st.ValidateImpact(in))
		}},
		{UpdateTriage, p.triage, func(ctx workflow.Context, t Triage) error {
			return refusalError(st.ValidateTriage(t))
		}},
		{UpdatePlanCycle, p.planCycle, func(ctx workflow.Context, in PlanCycle) error {
			err := st.ValidatePlanCycle(in, calendarNow(ctx, st.Clock))
			if err != nil && children.Len() > 0 {
				return nil // news from a child (the review just recorded) may change the answer: the handler decides
			}
			return refusalError(err)
		}},
		{UpdateOpenReferral, p.openReferral, func(ctx workflow.Context, in OpenReferral) error {
			return refusalError(st.ValidateOpenReferral(in))
		}},
		{UpdateRequestEHCNA, p.requestEHCNA, func(ctx workflow.Context, in RequestEHCNA) error {
			return refusalError(st.ValidateRequestEHCNA(in))
		}},
		{UpdateMeeting, p.meeting, func(ctx workflow.Context, in MeetingChange) error {
			return refusalError(st.ValidateMeeting(in, calendarNow(ctx, st.Clock)))
		}},
		{UpdateParentResponse, p.parentResponse, func(ctx workflow.Context, in ParentResponse) error {
			return refusalError(st.ValidateParentResponse(in))
		}},
	}
	for _, h := range handlers {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, h.name, h.handler, workflow.UpdateHandlerOptions{Validator: h.validate}); err != nil {
			return err
		}
	}
	return nil
}

func (p *pathway) now(ctx workflow.Context) time.Time { return calendarNow(ctx, p.st.Clock) }

// save projects the pathway with the events just recorded.
func (p *pathway) save(ctx workflow.Context, events ...Event) error {
	st := p.st
	var deadlines []Deadline
	for _, c := range st.Concerns {
		if c.TrialEnds != nil && !c.TrialPrompted {
			deadlines = append(deadlines, Deadline{Kind: "trial_window", Due: *c.TrialEnds, Label: "Record how the classroom strategies worked"})
		}
	}
	return project(ctx, Projection{PupilID: st.PupilID, SchoolID: st.SchoolID, Kind: "pathway", Status: string(st.Stage),
		Version: st.Version, State: stateJSON(st), Events: events, Deadlines: deadlines, UpdatedAt: p.now(ctx)})
}

func (p *pathway) tell(ctx workflow.Context, key, template string, vars map[string]string, to ...string) error {
	return notify(ctx, Notice{Key: p.st.PupilID + "/" + key, Template: template, To: to, PupilID: p.st.PupilID,
		SchoolID: p.st.SchoolID, Vars: vars, LinkPath: "/v1/pupils/" + p.st.PupilID + "/pathway"})
}

func (p *pathway) raiseConcern(ctx workflow.Context, c ConcernRaised) (PathwayState, error) {
	ev := p.st.ApplyConcern(c, p.now(ctx))
	if err := p.save(ctx, ev); err != nil {
		return PathwayState{}, err
	}
	return *p.st, p.tell(ctx, "concern/"+c.ConcernID, "concern_raised", nil, ToSENDCo)
}

func (p *pathway) recordImpact(ctx workflow.Context, in ImpactRecorded) (PathwayState, error) {
	before := p.st.Stage
	ev := p.st.ApplyImpact(in, p.now(ctx))
	if err := p.save(ctx, ev); err != nil {
		return PathwayState{}, err
	}
	if before != p.st.Stage {
		return *p.st, p.tell(ctx, "impact/"+in.ConcernID+"/"+itoa(ev.Seq), "triage_again", nil, ToSENDCo)
	}
	return *p.st, nil
}

func (p *pathway) triage(ctx workflow.Context, t Triage) (PathwayState, error) {
	ev := p.st.ApplyTriage(t, p.now(ctx))
	if err := p.save(ctx, ev); err != nil {
		return PathwayState{}, err
	}
	key := "triage/" + itoa(ev.Seq)
	var err error
	switch t.Decision {
	case TriageMoreEvidence:
		err = p.tell(ctx, key, "more_evidence_requested", nil, ToTeachers)
	case TriageSENSupport:
		if err = p.tell(ctx, key+"/parents", "sen_support_started", nil, ToParents); err == nil {
			err = p.tell(ctx, key+"/sendco", "plan_needed", nil, ToSENDCo)
		}
	}
	return *p.st, err
}

func (p *pathway) planCycle(ctx workflow.Context, in PlanCycle) (PathwayState, error) {
	if workflow.GetVersion(ctx, changePlanAfterChildNews, workflow.DefaultVersion, 1) == 1 {
		if err := p.takeChildNews(ctx); err != nil {
			return PathwayState{}, err
		}
		if err := p.st.ValidatePlanCycle(in, p.now(ctx)); err != nil {
			return *p.st, refusalError(err)
		}
	}
	advice := p.st.Advice // the plan draws on advice received since the last one
	n, ev := p.st.ApplyPlanCycle(in, p.now(ctx))
	err := startChild(ctx, CycleWorkflowID(p.st.PupilID, n), CycleWorkflowName, CycleInput{
		PupilID: p.st.PupilID, SchoolID: p.st.SchoolID, Number: n, Plan: in, Advice: advice, Clock: p.st.Clock, Timings: p.st.Timings})
	if err != nil {
		return PathwayState{}, err
	}
	return *p.st, p.save(ctx, ev)
}

func (p *pathway) openReferral(ctx workflow.Context, in OpenReferral) (PathwayState, error) {
	var parents []string
	if err := workflow.ExecuteLocalActivity(withActivityOptions(ctx), ActivityPupilParents, p.st.PupilID).Get(ctx, &parents); err != nil {
		return PathwayState{}, err
	}
	ev := p.st.ApplyOpenReferral(in, p.now(ctx))
	err := startChild(ctx, ReferralWorkflowID(p.st.PupilID, in.ReferralID), ReferralWorkflowName, ReferralInput{
		OpenReferral: in, PupilID: p.st.PupilID, SchoolID: p.st.SchoolID, ParentIDs: parents, Clock: p.st.Clock, Timings: p.st.Timings})
	if err != nil {
		return PathwayState{}, err
	}
	return *p.st, p.save(ctx, ev)
}

func (p *pathway) requestEHCNA(ctx workflow.Context, in RequestEHCNA) (PathwayState, error) {
	now := p.now(ctx)
	ev := p.st.ApplyRequestEHCNA(in, now)
	err := startChild(ctx, EHCWorkflowID(p.st.PupilID, in.RequestID), EHCWorkflowName, EHCInput{
		RequestEHCNA: in, PupilID: p.st.PupilID, SchoolID: p.st.SchoolID, Clock: p.st.Clock, Timings: p.st.Timings})
	if err != nil {
		return PathwayState{}, err
	}
	return *p.st, p.save(ctx, ev)
}

// meeting records a meeting arranged, moved or cancelled; the invitation itself (with its
// calendar file) is sent by the API that arranged it.
func (p *pathway) meeting(ctx workflow.Context, in MeetingChange) (PathwayState, error) {
	ev := p.st.ApplyMeeting(in, p.now(ctx))
	return *p.st, p.save(ctx, ev)
}

// parentResponse records a parent's answer; the SENDCo is told when it needs them to act.
func (p *pathway) parentResponse(ctx workflow.Context, in ParentResponse) (PathwayState, error) {
	ev := p.st.ApplyParentResponse(in, p.now(ctx))
	if err := p.save(ctx, ev); err != nil {
		return PathwayState{}, err
	}
	if in.Response == ResponseAccepted {
		return *p.st, nil
	}
	return *p.st, p.tell(ctx, "meeting/"+in.MeetingID+"/"+itoa(ev.Seq), "meeting_response", nil, ToSENDCo)
}

// changePlanAfterChildNews: a plan takes in children's waiting news first (version 1).
const changePlanAfterChildNews = "plan-after-child-news"

// takeChildNews applies everything the children have reported and the pathway has not yet read.
func (p *pathway) takeChildNews(ctx workflow.Context) error {
	children := workflow.GetSignalChannel(ctx, SignalChild)
	var c ChildChanged
	for children.ReceiveAsync(&c) {
		if err := p.onChild(ctx, c); err != nil {
			return err
		}
		c = ChildChanged{}
	}
	return nil
}

// onChild applies what a child workflow reported.
func (p *pathway) onChild(ctx workflow.Context, c ChildChanged) error {
	now := p.now(ctx)
	switch {
	case c.Cycle != nil:
		ev := p.st.ApplyCycleReviewed(*c.Cycle, now)
		p.boundary = true
		if err := p.save(ctx, ev); err != nil {
			return err
		}
		if c.Cycle.NextStep != NextStepDown {
			return p.tell(ctx, "cycle/"+itoa(int64(c.Cycle.Number))+"/next", "plan_needed", nil, ToSENDCo)
		}
		return nil
	case c.Referral != nil:
		p.st.ApplyReferralChanged(*c.Referral)
		return p.save(ctx)
	case c.EHC != nil:
		ev := p.st.ApplyEHCFinished(*c.EHC, now)
		if c.EHC.Outcome == EHCPlanIssued {
			if err := p.startAnnualReview(ctx, c.EHC.At); err != nil {
				return err
			}
		}
		return p.save(ctx, ev)
	case c.AnnualReview != nil:
		ev := p.st.ApplyAnnualReviewFinished(*c.AnnualReview, now)
		p.boundary = true
		if !c.AnnualReview.Ceased {
			if err := p.startAnnualReview(ctx, c.AnnualReview.MeetingAt); err != nil {
				return err
			}
		}
		return p.save(ctx, ev)
	}
	return nil
}

func (p *pathway) startAnnualReview(ctx workflow.Context, previous time.Time) error {
	p.st.AnnualReviews++
	n := p.st.AnnualReviews
	return startChild(ctx, AnnualReviewWorkflowID(p.st.PupilID, n), AnnualReviewWorkflowName, AnnualReviewInput{
		PupilID: p.st.PupilID, SchoolID: p.st.SchoolID, Number: n, Previous: previous, Clock: p.st.Clock, Timings: p.st.Timings})
}

// trialsEnded prompts teachers whose trial windows have ended.
func (p *pathway) trialsEnded(ctx workflow.Context) error {
	before := p.st.Stage
	due, events := p.st.TrialsEnded(p.now(ctx))
	if len(due) == 0 {
		return nil
	}
	if err := p.save(ctx, events...); err != nil {
		return err
	}
	for _, c := range due {
		if err := p.tell(ctx, "trial/"+c.ConcernID+"/"+c.TrialEnds.Format("20060102"), "trial_ended",
			map[string]string{"TrialEnded": dateWords(*c.TrialEnds)}, ToUser(c.RaisedBy)); err != nil {
			return err
		}
	}
	if before == StageMonitoring && p.st.Stage == StageAwaitingTriage {
		return p.tell(ctx, "trial/triage/"+itoa(events[len(events)-1].Seq), "triage_again", nil, ToSENDCo)
	}
	return nil
}
