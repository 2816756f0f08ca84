package actions

import (
	"context"
	"errors"
	"time"

	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/policies"
	"github.com/sendflow/sendflow/workflows"
)

// EHCRequest is a request for an EHC needs assessment.
type EHCRequest struct {
	ID      string
	PupilID string
	// RequestedBy is who the caller says is asking: school, parent or young_person. Empty is
	// fine; who asks follows from who is signed in, and a different claim is refused.
	RequestedBy string
}

// requester is who asks for an assessment, by the role the signed-in person acts in: a parent
// for their child, the SENDCo (or head) for the school.
func requester(role string) string {
	if role == "parent" {
		return "parent"
	}
	return "school"
}

// RequestEHCNA starts an EHC needs assessment's statutory clock; a parent may ask before any
// concern was raised, so the request starts the pathway if needed.
func (s *Service) RequestEHCNA(ctx context.Context, a Actor, in EHCRequest) (*Result, error) {
	p, role, err := s.Pupil(ctx, a, in.PupilID, "ehc_request", "create")
	if err != nil {
		return nil, err
	}
	who := requester(role)
	if in.RequestedBy != "" && in.RequestedBy != who {
		return nil, invalid(
			"Who asks for an assessment follows from who is signed in: you are asking as the "+who+". Leave requestedBy out.",
			"body.requestedBy",
			"you are signed in as the "+who,
			in.RequestedBy,
		)
	}
	in.RequestedBy = who
	return &Result{Pupil: p, Role: role}, s.run(ctx, step{actor: a, pupil: p, role: role, action: "ehc_request:create",
		record: &record{kind: workflows.RecordEHCRequest, id: in.ID, propose: func(ctx context.Context) error {
			return s.Store.ProposeEHCRequest(ctx, in.ID, p.ID, in.RequestedBy, a.ID)
		}},
		deliver: func(ctx context.Context) error {
			return s.updateWithStart(ctx, p, workflows.UpdateRequestEHCNA, in.ID,
				workflows.RequestEHCNA{RequestID: in.ID, RequestedBy: in.RequestedBy, By: a.ID})
		}})
}

// EHCStep is a step the local authority took in an assessment.
type EHCStep struct {
	ID        string
	RequestID string
	Type      string
	Reason    string // the prescribed exception, with exception_started
}

// RecordEHCStep records a step of the assessment, in statutory order.
func (s *Service) RecordEHCStep(ctx context.Context, a Actor, in EHCStep) (*Result, error) {
	pupilID, err := s.Store.EHCRequestPupil(ctx, in.RequestID)
	if errors.Is(err, store.ErrNotFound) {
		s.Audit(ctx, a, "", "ehc_event:create", "", "", "not_found")
		return nil, &NotFound{What: "EHC request"}
	}
	if err != nil {
		return nil, s.unavailable(err)
	}
	p, role, err := s.reach(
		ctx,
		a,
		pupilID,
		"EHC request",
		policies.Target{EHCRequestID: in.RequestID},
		"ehc_event",
		"create",
	)
	if err != nil {
		return nil, err
	}
	return &Result{Pupil: p, Role: role}, s.run(ctx, step{actor: a, pupil: p, role: role, action: "ehc_event:create",
		deliver: func(ctx context.Context) error {
			return update[workflows.EHCState](
				ctx,
				s,
				workflows.EHCWorkflowID(p.ID, in.RequestID),
				workflows.UpdateEHCEvent,
				in.ID,
				workflows.EHCEvent{
					ID:     in.ID,
					Type:   workflows.EHCEventType(in.Type),
					Reason: workflows.ExceptionReason(in.Reason),
					By:     a.ID,
				},
			)
		}})
}

// AnnualReviewStep is a step of an EHC plan's annual review.
type AnnualReviewStep struct {
	ID        string
	PupilID   string
	Review    int
	Type      string
	MeetingOn time.Time // with meeting_scheduled
	// Transfer, with meeting_scheduled, must match the move worked out for the pupil; with
	// transfer_corrected it is the move the SENDCo records instead ("none" for no move).
	Transfer string
	Reason   string // with transfer_corrected: why the worked-out move is wrong
	Decision string // with la_decision
}

// RecordAnnualReviewStep records a step of an annual review, in order. A correction of the phase
// transfer keeps its reason as a record, accepted when the review takes it.
func (s *Service) RecordAnnualReviewStep(ctx context.Context, a Actor, in AnnualReviewStep) (*Result, error) {
	var c checks
	if !in.MeetingOn.IsZero() {
		c.date("body.meetingOn", in.MeetingOn, s.now())
	}
	transfer := in.Transfer
	if in.Type == string(workflows.ARTransferCorrected) {
		c.required("body.reason", &in.Reason, 2000)
		if transfer == "" {
			c.add("body.transfer", "is missing: give the move the pupil makes next September, or none", "")
		}
		if transfer == "none" {
			transfer = ""
		}
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	// The council's steps are the council's to record (or the SENDCo's on its behalf); the
	// school's steps are the school's.
	obj := "annual_review_event"
	if t := workflows.AnnualReviewEventType(in.Type); t == workflows.ARLADecision ||
		t == workflows.ARAmendedPlanIssued {
		obj = "annual_review_decision"
	}
	p, role, err := s.Pupil(ctx, a, in.PupilID, obj, "create")
	if err != nil {
		return nil, err
	}
	var rec *record
	correction := ""
	if in.Type == string(workflows.ARTransferCorrected) {
		correction = in.ID
		rec = &record{kind: workflows.RecordTransferCorrection, id: in.ID, propose: func(ctx context.Context) error {
			return s.Store.ProposeTransferCorrection(ctx, in.ID, p.ID, in.Review, in.Transfer, in.Reason, a.ID)
		}}
	}
	return &Result{
			Pupil: p,
			Role:  role,
		}, s.run(
			ctx,
			step{actor: a, pupil: p, role: role, action: obj + ":create", record: rec,
				deliver: func(ctx context.Context) error {
					return update[workflows.AnnualReviewState](
						ctx,
						s,
						workflows.AnnualReviewWorkflowID(p.ID, in.Review),
						workflows.UpdateAnnualReviewEvent,
						in.ID,
						workflows.AnnualReviewEvent{
							ID:        in.ID,
							Type:      workflows.AnnualReviewEventType(in.Type),
							MeetingAt: in.MeetingOn,
							Transfer: workflows.PhaseTransfer(
								transfer,
							),
							CorrectionID: correction,
							Decision:     in.Decision,
							By:           a.ID,
						},
					)
				}},
		)
}

// AssignEHCOfficer names the council's EHC officer for a pupil: told, with the council's EHC
// team, of every statutory step the council owns that is at risk or late. An LA officer assigns
// themselves or a colleague; the SENDCo may record whom the council named.
func (s *Service) AssignEHCOfficer(ctx context.Context, a Actor, pupilID, officerID string) (*Result, error) {
	p, role, err := s.Pupil(ctx, a, pupilID, "ehc_officer", "create")
	if err != nil {
		return nil, err
	}
	err = s.Store.AssignEHCOfficer(ctx, p.ID, officerID, a.ID)
	if errors.Is(err, store.ErrNotOfficer) {
		s.Audit(ctx, a, role, "ehc_officer:create", p.ID, p.SchoolID, "refused")
		return nil, invalid(
			"The EHC officer must be an officer of the local authority of the pupil's school; nothing was changed.",
			"body.officerId",
			"is not an EHC officer of the pupil's local authority",
			officerID,
		)
	}
	if err != nil {
		return nil, s.unavailable(err)
	}
	s.Audit(ctx, a, role, "ehc_officer:create", p.ID, p.SchoolID, "ok")
	return &Result{Pupil: p, Role: role}, nil
}
