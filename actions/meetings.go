package actions

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sendflow/sendflow/internal/input"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/workflows"
)

// Meetings with the family: the pathway accepts each change (and counts the meeting towards the
// meetings the Code of Practice expects); once it has, every parent with parental responsibility
// and every invited member of staff is emailed an invitation with a calendar file (one UID
// throughout, SEQUENCE one higher on every change, METHOD:CANCEL when cancelled) — the pathway
// queues them, so a change accepted is never left without its invitations.

// NewMeeting is a meeting to arrange.
type NewMeeting struct {
	ID              string // the action's id, and the meeting's
	PupilID         string
	Kind            string // review, expectation or annual_review
	StartsAt        time.Time
	DurationMinutes int    // 0: an hour
	Location        string // in plain words the family will understand
	Cycle           int    // for a review meeting: the cycle it reviews (0: the open one)
	Invitees        []string
}

// MeetingResult is a meeting as the accepted change left it, and how many emails it queued.
type MeetingResult struct {
	Result
	Meeting     *store.Meeting
	Invitations int
	// Warnings say what to check about the change, such as a meeting on a Saturday or a bank
	// holiday (it is arranged all the same).
	Warnings []string
}

// london is where meetings' days are read.
var london = func() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err) // time/tzdata is embedded
	}
	return l
}()

// dayWarnings are the warnings about a meeting's day.
func dayWarnings(at time.Time) []string {
	if w := workflows.MeetingDayWarning(at.In(london)); w != "" {
		return []string{w}
	}
	return []string{}
}

// ArrangeMeeting arranges a meeting with the family.
func (s *Service) ArrangeMeeting(ctx context.Context, a Actor, in NewMeeting) (*MeetingResult, error) {
	var c checks
	in.Location = strings.TrimSpace(in.Location)
	if in.Location == "" {
		c.add("body.location", "is missing: say where the meeting is", in.Location)
	} else {
		c.line("body.location", in.Location, 200)
	}
	c.date("body.startsAt", in.StartsAt, s.now())
	invitees := invitees(&c, in.Invitees)
	if in.Cycle > 0 && in.Kind != string(workflows.MeetingReview) {
		c.add("body.cycle", "only a review meeting belongs to a support cycle", in.Cycle)
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	if in.DurationMinutes == 0 {
		in.DurationMinutes = 60
	}
	p, role, err := s.Pupil(ctx, a, in.PupilID, "meeting", "create")
	if err != nil {
		return nil, err
	}
	if err := s.checkInvitees(ctx, p, invitees); err != nil {
		return nil, err
	}
	cycle := in.Cycle
	if in.Kind == string(workflows.MeetingReview) {
		if cycle == 0 {
			if cycle, err = s.Store.OpenCycle(ctx, p.ID); err != nil {
				return nil, s.unavailable(err)
			}
		} else if ok, err := s.Store.CycleExists(ctx, p.ID, cycle); err != nil {
			return nil, s.unavailable(err)
		} else if !ok {
			return nil, invalid("The pupil has no support cycle with this number.", "body.cycle", "no such cycle", cycle)
		}
	}
	m := &store.Meeting{ID: in.ID, PupilID: p.ID, Kind: in.Kind, Cycle: cycle, StartsAt: in.StartsAt.UTC(),
		DurationMinutes: in.DurationMinutes, Location: in.Location, Invitees: invitees, CreatedBy: a.ID}
	r, err := s.changeMeeting(
		ctx,
		a,
		p,
		role,
		store.MeetingChange{ID: in.ID, Kind: store.MeetingCreate, Meeting: m, By: a.ID},
		workflows.MeetingChange{
			ChangeID:  in.ID,
			MeetingID: in.ID,
			Kind:      workflows.MeetingKind(in.Kind),
			At:        m.StartsAt,
			By:        a.ID,
		},
	)
	if r != nil {
		r.Warnings = dayWarnings(r.Meeting.StartsAt)
	}
	return r, err
}

// invitees checks staff addresses: plain addresses only, lower-cased, no repeats.
func invitees(c *checks, in []string) []string {
	var out []string
	for i, raw := range in {
		addr, err := input.Email(raw)
		if err != nil {
			c.add(fmt.Sprintf("body.invitees[%d]", i), err.Error(), raw)
			continue
		}
		if addr = strings.ToLower(addr); !slices.Contains(out, addr) {
			out = append(out, addr)
		}
	}
	return out
}

// checkInvitees refuses anyone an invitation would tell of the pupil who is not in the pupil's
// circle: the school's staff and the professionals on the pupil's open, consented referrals.
// Parents are invited by the family's own invitation.
func (s *Service) checkInvitees(ctx context.Context, p *store.Pupil, addrs []string) error {
	if len(addrs) == 0 {
		return nil
	}
	kinds, err := s.Store.InviteesOf(ctx, p.ID, addrs)
	if err != nil {
		return s.unavailable(err)
	}
	var c checks
	for i, addr := range addrs {
		switch kinds[addr] {
		case store.InviteeStaff, store.InviteeProfessional:
		case store.InviteeParent:
			c.add(
				fmt.Sprintf("body.invitees[%d]", i),
				"is a parent: parents with parental responsibility are invited with the family's own invitation",
				addr,
			)
		default:
			c.add(
				fmt.Sprintf("body.invitees[%d]", i),
				"is not on the staff of the pupil's school or a professional on one of the pupil's open referrals; only they can be invited",
				addr,
			)
		}
	}
	if err := c.err(); err != nil {
		return &Invalid{
			Summary:  "Only the school's staff and the professionals working with the pupil can be invited; nothing was arranged.",
			Problems: c.problems,
		}
	}
	return nil
}

// MeetingMove moves a meeting to a new time.
type MeetingMove struct {
	ID        string
	MeetingID string
	StartsAt  time.Time
}

// MoveMeeting moves a meeting; everyone invited gets an updated invitation.
func (s *Service) MoveMeeting(ctx context.Context, a Actor, in MeetingMove) (*MeetingResult, error) {
	var c checks
	c.date("body.startsAt", in.StartsAt, s.now())
	if err := c.err(); err != nil {
		return nil, err
	}
	return s.meetingStep(
		ctx,
		a,
		in.MeetingID,
		func(p *store.Pupil, role string, m *store.Meeting) (*MeetingResult, error) {
			at := in.StartsAt.UTC()
			r, err := s.changeMeeting(
				ctx,
				a,
				p,
				role,
				store.MeetingChange{ID: in.ID, Kind: store.MeetingReschedule, MeetingID: m.ID, StartsAt: at, By: a.ID},
				workflows.MeetingChange{
					ChangeID:  in.ID,
					MeetingID: m.ID,
					Kind:      workflows.MeetingKind(m.Kind),
					At:        at,
					By:        a.ID,
				},
			)
			if r != nil {
				r.Warnings = dayWarnings(r.Meeting.StartsAt)
			}
			return r, err
		},
	)
}

// CancelMeeting cancels a meeting; everyone invited gets a cancellation.
func (s *Service) CancelMeeting(ctx context.Context, a Actor, id, meetingID string) (*MeetingResult, error) {
	return s.meetingStep(
		ctx,
		a,
		meetingID,
		func(p *store.Pupil, role string, m *store.Meeting) (*MeetingResult, error) {
			return s.changeMeeting(
				ctx,
				a,
				p,
				role,
				store.MeetingChange{ID: id, Kind: store.MeetingCancel, MeetingID: m.ID, By: a.ID},
				workflows.MeetingChange{
					ChangeID:  id,
					MeetingID: m.ID,
					Kind:      workflows.MeetingKind(m.Kind),
					At:        m.StartsAt,
					Cancelled: true,
					By:        a.ID,
				},
			)
		},
	)
}

// meetingStep finds a meeting the actor may change; one out of reach is NotFound like one that
// does not exist.
func (s *Service) meetingStep(
	ctx context.Context,
	a Actor,
	meetingID string,
	do func(*store.Pupil, string, *store.Meeting) (*MeetingResult, error),
) (*MeetingResult, error) {
	m, err := s.Store.MeetingByID(ctx, meetingID)
	if errors.Is(err, store.ErrNotFound) {
		s.Audit(ctx, a, "", "meeting:create", "", "", "not_found")
		return nil, &NotFound{What: "meeting"}
	}
	if err != nil {
		return nil, s.unavailable(err)
	}
	p, role, err := s.Pupil(ctx, a, m.PupilID, "meeting", "create")
	var nf *NotFound
	if errors.As(err, &nf) {
		return nil, &NotFound{What: "meeting"}
	}
	if err != nil {
		return nil, err
	}
	return do(p, role, m)
}

// changeMeeting proposes the change and has the pathway take it; the pathway then queues the
// invitations.
func (s *Service) changeMeeting(
	ctx context.Context,
	a Actor,
	p *store.Pupil,
	role string,
	c store.MeetingChange,
	wc workflows.MeetingChange,
) (*MeetingResult, error) {
	err := s.run(ctx, step{actor: a, pupil: p, role: role, action: "meeting:create",
		record: &record{kind: workflows.RecordMeetingChange, id: c.ID, propose: func(ctx context.Context) error {
			return s.Store.ProposeMeetingChange(ctx, c)
		}},
		deliver: func(ctx context.Context) error {
			return update[workflows.PathwayState](
				ctx,
				s,
				workflows.PathwayWorkflowID(p.ID),
				workflows.UpdateMeeting,
				c.ID,
				wc,
			)
		}})
	if err != nil {
		return nil, err
	}
	accepted, err := s.Store.MeetingChangeAccepted(ctx, c.ID)
	if err != nil {
		return nil, s.unavailable(err)
	}
	n, err := s.Store.MeetingInvitations(ctx, accepted.Meeting.ID, accepted.Sequence)
	if err != nil {
		return nil, s.unavailable(err)
	}
	return &MeetingResult{
		Result:      Result{Pupil: p, Role: role},
		Meeting:     accepted.Meeting,
		Invitations: n,
		Warnings:    []string{},
	}, nil
}

// MeetingAnswer is a parent's answer to an invitation.
type MeetingAnswer struct {
	ID        string
	PupilID   string
	MeetingID string
	Sequence  int    // the invitation answered
	Response  string // accepted, declined or another_time
}

// AnswerMeeting records a parent's answer; the SENDCo is told when they need to act.
func (s *Service) AnswerMeeting(ctx context.Context, a Actor, in MeetingAnswer) (*Result, error) {
	p, role, err := s.Pupil(ctx, a, in.PupilID, "meeting_response", "create")
	if err != nil {
		return nil, err
	}
	return &Result{
			Pupil: p,
			Role:  role,
		}, s.run(
			ctx,
			step{actor: a, pupil: p, role: role, action: "meeting_response:create",
				record: &record{
					kind: workflows.RecordMeetingResponse,
					id:   in.ID,
					propose: func(ctx context.Context) error {
						return s.Store.ProposeMeetingResponse(ctx, in.ID, in.MeetingID, a.ID, in.Response, in.Sequence)
					},
				},
				deliver: func(ctx context.Context) error {
					return update[workflows.PathwayState](
						ctx,
						s,
						workflows.PathwayWorkflowID(p.ID),
						workflows.UpdateParentResponse,
						in.ID,
						workflows.ParentResponse{
							ResponseID: in.ID,
							MeetingID:  in.MeetingID,
							Response:   workflows.ParentResponseKind(in.Response),
							By:         a.ID,
						},
					)
				}},
		)
}

// Views are a parent's words before a review.
type Views struct {
	ID        string
	PupilID   string
	Cycle     int
	GoingWell string
	Hard      string
	WouldHelp string
}

// MaxViewsLen is the most a parent may write in one box, in characters.
const MaxViewsLen = 4000

// GiveViews records a parent's views for the review of a support plan.
func (s *Service) GiveViews(ctx context.Context, a Actor, in Views) (*Result, error) {
	var c checks
	c.text("going_well", &in.GoingWell, MaxViewsLen)
	c.text("hard", &in.Hard, MaxViewsLen)
	c.text("would_help", &in.WouldHelp, MaxViewsLen)
	if err := c.err(); err != nil {
		return nil, err
	}
	p, role, err := s.Pupil(ctx, a, in.PupilID, "parent_views", "create")
	if err != nil {
		return nil, err
	}
	return &Result{Pupil: p, Role: role}, s.run(ctx, step{actor: a, pupil: p, role: role, action: "parent_views:create",
		record: &record{kind: workflows.RecordParentViews, id: in.ID, propose: func(ctx context.Context) error {
			return s.Store.ProposeParentViews(
				ctx,
				store.ParentViews{ID: in.ID, PupilID: p.ID, Cycle: in.Cycle, ParentID: a.ID,
					GoingWell: in.GoingWell, Hard: in.Hard, WouldHelp: in.WouldHelp},
			)
		}},
		deliver: func(ctx context.Context) error {
			return update[workflows.CycleState](
				ctx,
				s,
				workflows.CycleWorkflowID(p.ID, in.Cycle),
				workflows.UpdateParentViews,
				in.ID,
				workflows.ParentViews{ViewsID: in.ID, By: a.ID},
			)
		}})
}
