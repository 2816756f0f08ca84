package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/sendflow/sendflow/internal/email/mailname"
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
	g  *guard
	// boundary is set when a cycle or an annual review finishes: a good moment to continue as new.
	boundary bool
}

// Pathway follows one pupil for as long as they are on the graduated approach: concern, triage,
// SEN support cycles, referrals, an EHC needs assessment and the plan's annual reviews. Staff
// actions arrive as Updates whose validators refuse what does not fit before it reaches history;
// cycles, referrals, assessments and annual reviews are child workflows that report back by signal.
func Pathway(ctx workflow.Context, in PathwayInput) error {
	p := &pathway{st: in.Carried, g: newGuard(ctx)}
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
		err = p.g.hold(ctx, func() error {
			if err := p.takeChildNews(ctx); err != nil {
				return err
			}
			return p.trialsEnded(ctx)
		})
		if err != nil {
			return err
		}
		if (p.boundary || workflow.GetInfo(ctx).GetContinueAsNewSuggested()) && workflow.AllHandlersFinished(ctx) &&
			children.Len() == 0 {
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
	// An action the handler must decide (a repeat, or one arriving while a change is saved) passes.
	later := func(id string) bool { return p.g.handlerDecides(&st.Recent, id) }
	handlers := []struct {
		name     string
		handler  any
		validate any
	}{
		{UpdateRaiseConcern, p.raiseConcern, func(ctx workflow.Context, c ConcernRaised) error {
			if later(c.ConcernID) {
				return nil
			}
			return refusalError(st.ValidateConcern(c))
		}},
		{UpdateRecordImpact, p.recordImpact, func(ctx workflow.Context, in ImpactRecorded) error {
			if later(in.ImpactID) {
				return nil
			}
			return refusalError(st.ValidateImpact(in))
		}},
		{UpdateTriage, p.triage, func(ctx workflow.Context, t Triage) error {
			if later(t.ID) {
				return nil
			}
			return refusalError(st.ValidateTriage(t))
		}},
		{UpdatePlanCycle, p.planCycle, func(ctx workflow.Context, in PlanCycle) error {
			if later(in.PlanID) {
				return nil
			}
			err := st.ValidatePlanCycle(in, calendarNow(ctx, st.Clock))
			if err != nil && children.Len() > 0 {
				return nil // news from a child (the review just recorded) may change the answer: the handler decides
			}
			return refusalError(err)
		}},
		{UpdateOpenReferral, p.openReferral, func(ctx workflow.Context, in OpenReferral) error {
			if later(in.ReferralID) {
				return nil
			}
			return refusalError(st.ValidateOpenReferral(in))
		}},
		{UpdateRequestEHCNA, p.requestEHCNA, func(ctx workflow.Context, in RequestEHCNA) error {
			if later(in.RequestID) {
				return nil
			}
			return refusalError(st.ValidateRequestEHCNA(in))
		}},
		{UpdateMeeting, p.meeting, func(ctx workflow.Context, in MeetingChange) error {
			if later(in.ChangeID) {
				return nil
			}
			return refusalError(st.ValidateMeeting(in, calendarNow(ctx, st.Clock)))
		}},
		{UpdateParentResponse, p.parentResponse, func(ctx workflow.Context, in ParentResponse) error {
			if later(in.ResponseID) {
				return nil
			}
			return refusalError(st.ValidateParentResponse(in))
		}},
		{UpdateMoveSchool, p.moveSchool, func(ctx workflow.Context, in SchoolMoved) error {
			if later(in.MoveID) {
				return nil
			}
			return refusalError(st.ValidateSchoolMove(in))
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

func (p *pathway) recent() *Recent { return &p.st.Recent }

// commit saves a changed copy of the pathway with the records it accepts and the emails it
// sends, and then makes the copy the pathway's state: a change that cannot be saved is not kept.
func (p *pathway) commit(
	ctx workflow.Context,
	next *PathwayState,
	accept []Record,
	events []Event,
	notices ...Notice,
) error {
	return p.commitThen(ctx, next, accept, events, notices, nil, nil)
}

// commitThen is commit with meeting invitations to queue and something to do once it is kept.
func (p *pathway) commitThen(
	ctx workflow.Context,
	next *PathwayState,
	accept []Record,
	events []Event,
	notices []Notice,
	meetings []MeetingMail,
	after func() error,
) error {
	var deadlines []Deadline
	for _, c := range next.Concerns {
		if c.TrialEnds != nil && !c.TrialPrompted {
			deadlines = append(
				deadlines,
				Deadline{
					Kind:  "trial_window",
					Ref:   c.ConcernID,
					Due:   *c.TrialEnds,
					Label: "Record how the classroom strategies worked",
				},
			)
		}
	}
	proj := Projection{PupilID: next.PupilID, SchoolID: next.SchoolID, Kind: "pathway", Status: string(next.Stage),
		Version: next.Version, State: stateJSON(next), Events: events, Deadlines: deadlines, Accept: accept, UpdatedAt: p.now(ctx)}
	return p.g.save(
		ctx,
		Commit{Projection: &proj, Notices: notices, Meetings: meetings},
		func() { *p.st = *next },
		after,
	)
}

// notice is an email about the pupil, keyed by what it is about.
func (p *pathway) notice(key, template string, vars map[string]string, to ...string) Notice {
	return Notice{Key: p.st.PupilID + "/" + key, Template: template, To: to, PupilID: p.st.PupilID,
		SchoolID: p.st.SchoolID, Vars: vars, LinkPath: pathwayLink(p.st.PupilID)}
}

func (p *pathway) raiseConcern(ctx workflow.Context, c ConcernRaised) (PathwayState, error) {
	_, err := p.g.take(ctx, c.ConcernID, p.recent, func() error { return p.st.ValidateConcern(c) }, func() error {
		next := stage(p.g, p.st)
		ev := next.ApplyConcern(c, p.now(ctx))
		next.Recent.Add(c.ConcernID)
		return p.commit(ctx, next, records(RecordConcern, c.ConcernID), []Event{ev},
			p.notice("concern/"+c.ConcernID, mailname.ConcernRaised, nil, ToSENDCo))
	})
	return *p.st, err
}

func (p *pathway) recordImpact(ctx workflow.Context, in ImpactRecorded) (PathwayState, error) {
	_, err := p.g.take(ctx, in.ImpactID, p.recent, func() error { return p.st.ValidateImpact(in) }, func() error {
		before := p.st.Stage
		next := stage(p.g, p.st)
		ev := next.ApplyImpact(in, p.now(ctx))
		next.Recent.Add(in.ImpactID)
		var notices []Notice
		if before != next.Stage {
			notices = append(
				notices,
				p.notice("impact/"+in.ConcernID+"/"+itoa(ev.Seq), mailname.TriageAgain, nil, ToSENDCo),
			)
		}
		return p.commit(ctx, next, records(RecordImpact, in.ImpactID), []Event{ev}, notices...)
	})
	return *p.st, err
}

func (p *pathway) triage(ctx workflow.Context, t Triage) (PathwayState, error) {
	_, err := p.g.take(ctx, t.ID, p.recent, func() error { return p.st.ValidateTriage(t) }, func() error {
		next := stage(p.g, p.st)
		ev := next.ApplyTriage(t, p.now(ctx))
		next.Recent.Add(t.ID)
		key := "triage/" + itoa(ev.Seq)
		var notices []Notice
		switch t.Decision {
		case TriageMoreEvidence:
			notices = append(notices, p.notice(key, mailname.MoreEvidenceRequested, nil, ToTeachers))
		case TriageSENSupport:
			notices = append(notices, p.notice(key+"/parents", mailname.SENSupportStarted, nil, ToParents),
				p.notice(key+"/sendco", mailname.PlanNeeded, nil, ToSENDCo))
		}
		return p.commit(ctx, next, nil, []Event{ev}, notices...)
	})
	return *p.st, err
}

func (p *pathway) planCycle(ctx workflow.Context, in PlanCycle) (PathwayState, error) {
	// The plan is checked inside: a child's news (the review just recorded) is taken in first.
	noCheck := func() error { return nil }
	_, err := p.g.take(ctx, in.PlanID, p.recent, noCheck, func() error {
		if workflow.GetVersion(ctx, changePlanAfterChildNews, workflow.DefaultVersion, 1) == 1 {
			if err := p.takeChildNews(ctx); err != nil {
				return err
			}
			if err := p.st.ValidatePlanCycle(in, p.now(ctx)); err != nil {
				return refusalError(err)
			}
		}
		next := stage(p.g, p.st)
		advice := next.Advice // the plan draws on advice received since the last one
		n, ev := next.ApplyPlanCycle(in, p.now(ctx))
		next.Recent.Add(in.PlanID)
		err := startChild(ctx, CycleWorkflowID(next.PupilID, n), CycleWorkflowName, CycleInput{
			PupilID: next.PupilID, SchoolID: next.SchoolID, Number: n, Plan: in, Advice: advice, Clock: next.Clock, Timings: next.Timings})
		if err != nil {
			return err
		}
		return p.commit(ctx, next, records(RecordPlan, in.PlanID), []Event{ev})
	})
	return *p.st, err
}

func (p *pathway) openReferral(ctx workflow.Context, in OpenReferral) (PathwayState, error) {
	_, err := p.g.take(
		ctx,
		in.ReferralID,
		p.recent,
		func() error { return p.st.ValidateOpenReferral(in) },
		func() error {
			var parents []string
			if err := workflow.ExecuteLocalActivity(withActivityOptions(ctx), ActivityPupilParents, p.st.PupilID).Get(ctx, &parents); err != nil {
				return err
			}
			next := stage(p.g, p.st)
			ev := next.ApplyOpenReferral(in, p.now(ctx))
			next.Recent.Add(in.ReferralID)
			err := startChild(ctx, ReferralWorkflowID(next.PupilID, in.ReferralID), ReferralWorkflowName, ReferralInput{
				OpenReferral: in, PupilID: next.PupilID, SchoolID: next.SchoolID, ParentIDs: parents, Clock: next.Clock, Timings: next.Timings})
			if err != nil {
				return err
			}
			return p.commit(ctx, next, records(RecordReferral, in.ReferralID), []Event{ev})
		},
	)
	return *p.st, err
}

func (p *pathway) requestEHCNA(ctx workflow.Context, in RequestEHCNA) (PathwayState, error) {
	_, err := p.g.take(
		ctx,
		in.RequestID,
		p.recent,
		func() error { return p.st.ValidateRequestEHCNA(in) },
		func() error {
			next := stage(p.g, p.st)
			ev := next.ApplyRequestEHCNA(in, p.now(ctx))
			next.Recent.Add(in.RequestID)
			err := startChild(ctx, EHCWorkflowID(next.PupilID, in.RequestID), EHCWorkflowName, EHCInput{
				RequestEHCNA: in, PupilID: next.PupilID, SchoolID: next.SchoolID, Clock: next.Clock, Timings: next.Timings})
			if err != nil {
				return err
			}
			return p.commit(ctx, next, records(RecordEHCRequest, in.RequestID), []Event{ev})
		},
	)
	return *p.st, err
}

// changeMeetingMail: the pathway queues a meeting's invitations once it has accepted the change
// (version 1); before, the API queued them after the update.
const changeMeetingMail = "meeting-mail"

// meeting records a meeting arranged, moved or cancelled; accepting the change gives it its
// calendar SEQUENCE, and everyone invited is sent the invitation with its calendar file.
func (p *pathway) meeting(ctx workflow.Context, in MeetingChange) (PathwayState, error) {
	check := func() error { return p.st.ValidateMeeting(in, p.now(ctx)) }
	_, err := p.g.take(ctx, in.ChangeID, p.recent, check, func() error {
		next := stage(p.g, p.st)
		ev := next.ApplyMeeting(in, p.now(ctx))
		next.Recent.Add(in.ChangeID)
		mail := []MeetingMail{
			{PupilID: next.PupilID, SchoolID: next.SchoolID, MeetingID: in.MeetingID, ChangeID: in.ChangeID},
		}
		if p.g.serial {
			return p.commitThen(ctx, next, records(RecordMeetingChange, in.ChangeID), []Event{ev}, nil, mail, nil)
		}
		if err := p.commit(ctx, next, records(RecordMeetingChange, in.ChangeID), []Event{ev}); err != nil {
			return err
		}
		if in.ChangeID == "" ||
			workflow.GetVersion(ctx, changeMeetingMail, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
			return nil
		}
		return p.g.save(ctx, Commit{Meetings: mail}, func() {}, nil)
	})
	return *p.st, err
}

// parentResponse records a parent's answer; the SENDCo is told when it needs them to act.
func (p *pathway) parentResponse(ctx workflow.Context, in ParentResponse) (PathwayState, error) {
	_, err := p.g.take(
		ctx,
		in.ResponseID,
		p.recent,
		func() error { return p.st.ValidateParentResponse(in) },
		func() error {
			before, at := p.st.MeetingResponse(in.MeetingID)
			next := stage(p.g, p.st)
			ev := next.ApplyParentResponse(in, p.now(ctx))
			next.Recent.Add(in.ResponseID)
			var notices []Notice
			// Runs before the write protocol send each email with a local activity of their own, so
			// they tell the SENDCo of the answers they always did (none for "can come").
			if words, tell := AnswerForSENDCo(before, in.Response); tell &&
				(p.g.serial || in.Response != ResponseAccepted) {
				notices = append(notices, p.notice("meeting/"+in.MeetingID+"/"+itoa(ev.Seq), mailname.MeetingResponse,
					map[string]string{"Answer": words, "MeetingDate": dateWords(at)}, ToSENDCo))
			}
			return p.commit(ctx, next, records(RecordMeetingResponse, in.ResponseID), []Event{ev}, notices...)
		},
	)
	return *p.st, err
}

// changeSchoolMove: a pathway can move school (version 1). No run before it had the update, so
// no recorded history takes this path; the marker records which code moved the pupil.
const changeSchoolMove = "school-move"

// moveSchool moves the pupil's record to the school they joined: the move record is accepted (in
// PostgreSQL the pupil, the read model and the parents move with it, and the transfer is
// completed) and the parents are told. Running child workflows keep the school they started
// with in their input; what they write and send follows the pupil's school in PostgreSQL.
func (p *pathway) moveSchool(ctx workflow.Context, in SchoolMoved) (PathwayState, error) {
	_, err := p.g.take(ctx, in.MoveID, p.recent, func() error { return p.st.ValidateSchoolMove(in) }, func() error {
		workflow.GetVersion(ctx, changeSchoolMove, workflow.DefaultVersion, 1)
		next := stage(p.g, p.st)
		ev := next.ApplySchoolMove(in, p.now(ctx))
		next.Recent.Add(in.MoveID)
		told := Notice{
			Key:      next.PupilID + "/school-move/" + in.MoveID,
			Template: mailname.SchoolMoved,
			To:       []string{ToParents},
			PupilID:  next.PupilID,
			SchoolID: next.SchoolID,
			LinkPath: pathwayLink(next.PupilID),
		}
		return p.commit(ctx, next, records(RecordSchoolMove, in.MoveID), []Event{ev}, told)
	})
	return *p.st, err
}

// changePlanAfterChildNews: a plan takes in children's waiting news first (version 1).
const changePlanAfterChildNews = "plan-after-child-news"

// takeChildNews applies everything the children have reported and the pathway has not yet read.
// The caller holds the run's lock.
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
	next := stage(p.g, p.st)
	switch {
	case c.Cycle != nil:
		ev := next.ApplyCycleReviewed(*c.Cycle, now)
		var notices []Notice
		if c.Cycle.NextStep != NextStepDown {
			notices = append(
				notices,
				p.notice("cycle/"+itoa(int64(c.Cycle.Number))+"/next", mailname.PlanNeeded, nil, ToSENDCo),
			)
		}
		if err := p.commit(ctx, next, nil, []Event{ev}, notices...); err != nil {
			return err
		}
		p.boundary = true
		return nil
	case c.Referral != nil:
		next.ApplyReferralChanged(*c.Referral)
		return p.commit(ctx, next, nil, nil)
	case c.EHC != nil:
		ev := next.ApplyEHCFinished(*c.EHC, now)
		if c.EHC.Outcome == EHCPlanIssued {
			if err := startAnnualReview(ctx, next, c.EHC.At); err != nil {
				return err
			}
		}
		return p.commit(ctx, next, nil, []Event{ev})
	case c.AnnualReview != nil:
		ev := next.ApplyAnnualReviewFinished(*c.AnnualReview, now)
		if !c.AnnualReview.Ceased {
			if err := startAnnualReview(ctx, next, c.AnnualReview.MeetingAt); err != nil {
				return err
			}
		}
		if err := p.commit(ctx, next, nil, []Event{ev}); err != nil {
			return err
		}
		p.boundary = true
		return nil
	}
	return nil
}

// startAnnualReview starts the next annual review of the plan, counting it in st.
func startAnnualReview(ctx workflow.Context, st *PathwayState, previous time.Time) error {
	st.AnnualReviews++
	n := st.AnnualReviews
	return startChild(ctx, AnnualReviewWorkflowID(st.PupilID, n), AnnualReviewWorkflowName, AnnualReviewInput{
		PupilID: st.PupilID, SchoolID: st.SchoolID, Number: n, Previous: previous, Clock: st.Clock, Timings: st.Timings})
}

// trialsEnded prompts teachers whose trial windows have ended. The caller holds the run's lock.
func (p *pathway) trialsEnded(ctx workflow.Context) error {
	if at, has := p.st.NextTrialEnd(); !has || at.After(p.now(ctx)) {
		return nil
	}
	before := p.st.Stage
	next := stage(p.g, p.st)
	due, events := next.TrialsEnded(p.now(ctx))
	var notices []Notice
	for _, c := range due {
		notices = append(notices, p.notice("trial/"+c.ConcernID+"/"+c.TrialEnds.Format("20060102"), mailname.TrialEnded,
			map[string]string{"TrialEnded": dateWords(*c.TrialEnds)}, ToUser(c.RaisedBy)))
	}
	if before == StageMonitoring && next.Stage == StageAwaitingTriage {
		notices = append(
			notices,
			p.notice("trial/triage/"+itoa(events[len(events)-1].Seq), mailname.TriageAgain, nil, ToSENDCo),
		)
	}
	return p.commit(ctx, next, nil, events, notices...)
}

// records names the one record an action proposed, if it has an id.
func records(kind RecordKind, id string) []Record {
	if id == "" {
		return nil
	}
	return []Record{{Kind: kind, ID: id}}
}
