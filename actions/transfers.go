package actions

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sendflow/sendflow/internal/email"
	"github.com/sendflow/sendflow/internal/email/mailname"
	"github.com/sendflow/sendflow/internal/input"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/internal/transfer"
	"github.com/sendflow/sendflow/internal/upn"
	"github.com/sendflow/sendflow/policies"
	"github.com/sendflow/sendflow/workflows"
)

// TransferRequest is a receiving school asking for the SEND record of a pupil joining it.
type TransferRequest struct {
	ID          string // the action's id (the Idempotency-Key's): a repeat is the same request
	SchoolID    string // the receiving school
	UPN         string
	DateOfBirth time.Time
}

// RequestTransfer records a receiving school's request. The answer is the same whether or not a
// pupil with this UPN and date of birth is on sendflow at another school: only the sending
// school, if there is one, sees the request (and decides). The SENDCo or head of the receiving
// school asks.
func (s *Service) RequestTransfer(ctx context.Context, a Actor, in TransferRequest) (*store.Transfer, error) {
	role, ok, err := s.Authz.SchoolAccess(a.Principal, in.SchoolID, "transfer", "request")
	if err != nil {
		return nil, s.unavailable(err)
	}
	if !ok {
		s.Audit(ctx, a, "", "transfer:request", "", in.SchoolID, "denied")
		return nil, &NotFound{What: "school"}
	}
	u := strings.ToUpper(strings.TrimSpace(in.UPN))
	if err := upn.Validate(u); err != nil {
		return nil, invalid("This is not a UPN.", "body.upn", err.Error(), in.UPN)
	}
	if err := input.DateOfBirth(in.DateOfBirth, s.now()); err != nil {
		return nil, invalid(
			"This is not a date of birth sendflow can record.",
			"body.dateOfBirth",
			err.Error(),
			in.DateOfBirth.Format(time.DateOnly),
		)
	}
	id, repeat, err := s.Store.RequestTransfer(ctx, in.ID, in.SchoolID, a.ID, u, in.DateOfBirth)
	if err != nil {
		return nil, s.unavailable(err)
	}
	t, err := s.Store.TransferByID(ctx, id)
	if err != nil {
		return nil, s.unavailable(err)
	}
	if t.ToSchoolID != in.SchoolID { // an id another school's request already uses
		return nil, invalid(
			"This request id is taken. Send the request again with a new one.",
			"header.Idempotency-Key",
			"already used",
			in.ID,
		)
	}
	if t.PupilID != "" && t.Status == transfer.Requested {
		// A retry of the request queues nothing twice (the email's key is the transfer's), and
		// a request whose email could not be queued is finished by sending it again.
		if err := s.tellSendingSchool(ctx, t); err != nil {
			return nil, s.unavailable(err)
		}
	}
	// The pupil's trail records that another school asked (their own school sees it), once.
	outcome := "ok"
	if repeat {
		outcome = "repeat"
	}
	s.Audit(ctx, a, role, "transfer:request", t.PupilID, in.SchoolID, outcome)
	return receivingView(t), nil
}

// tellSendingSchool emails the SENDCos of the pupil's school that another school asked for the
// pupil's record, with a link to the page where they decide. It names the pupil by first name
// and the school that asked, and nothing of the record.
func (s *Service) tellSendingSchool(ctx context.Context, t *store.Transfer) error {
	if s.Mail == nil {
		return nil
	}
	tpl, ok := email.Lookup(mailname.TransferRequested)
	if !ok {
		return fmt.Errorf("no email template %s", mailname.TransferRequested)
	}
	p, err := s.Store.PupilByID(ctx, t.PupilID)
	if err != nil {
		return err
	}
	school, err := s.Store.SchoolByID(ctx, t.FromSchoolID)
	if err != nil {
		return err
	}
	sendcos, err := s.Store.SchoolStaff(ctx, t.FromSchoolID, "sendco")
	if err != nil {
		return err
	}
	for _, r := range sendcos {
		subject, text, html, err := email.Render(tpl, map[string]string{
			"RecipientName": r.Name, "PupilFirstName": p.FirstName, "SchoolName": school.Name,
			"RequestingSchool": t.ToSchool, "Link": s.PublicURL + "/transfers",
		})
		if err != nil {
			return fmt.Errorf("render %s: %w", tpl.Name, err)
		}
		if _, err := s.Mail.Enqueue(ctx, email.Message{
			Key: "transfer-request/" + t.ID + "/" + r.UserID, To: r.Email, ToUserID: r.UserID,
			Subject: subject, Text: text, HTML: html, Template: tpl.Name, TemplateVersion: tpl.Version,
			Language: tpl.Lang, PupilID: p.ID, FromName: school.Name, ReplyTo: school.Contact.Email,
		}); err != nil {
			return fmt.Errorf("queue %s: %w", tpl.Name, err)
		}
	}
	return nil
}

// receivingView is a transfer as the school that asked sees it: nothing of a pupil until the
// sending school has decided (and the pupil's name only once they have moved).
func receivingView(t *store.Transfer) *store.Transfer {
	v := *t
	if v.Status == transfer.Requested {
		v.PupilID, v.FromSchoolID, v.FromSchool = "", "", ""
	}
	if v.Status != transfer.Completed {
		v.PupilName = ""
	}
	return &v
}

// Transfers lists a school's transfers: what it asked for (as receivingView shows them) and
// what other schools asked of it. The SENDCo and head read them.
func (s *Service) Transfers(
	ctx context.Context,
	a Actor,
	schoolID string,
) (incoming, outgoing []store.Transfer, err error) {
	role, ok, err := s.Authz.SchoolAccess(a.Principal, schoolID, "transfer", "read")
	if err != nil {
		return nil, nil, s.unavailable(err)
	}
	if !ok {
		s.Audit(ctx, a, "", "transfer:read", "", schoolID, "denied")
		return nil, nil, &NotFound{What: "school"}
	}
	in, out, err := s.Store.Transfers(ctx, schoolID)
	if err != nil {
		return nil, nil, s.unavailable(err)
	}
	for i := range in {
		in[i] = *receivingView(&in[i])
	}
	ids := make([]string, 0, len(out))
	for _, t := range out {
		ids = append(ids, t.PupilID)
	}
	s.AuditPupils(ctx, a, role, "transfer:read", schoolID, ids, "ok")
	return in, out, nil
}

// DecideTransfer takes a step of a transfer: the sending school releases or refuses, the
// receiving school withdraws. Releasing moves the pupil's record (see move). A step taken again
// — a retry, two copies of the form at once — is answered as the first was, and a release left
// unfinished by an outage is finished by the next.
func (s *Service) DecideTransfer(ctx context.Context, a Actor, transferID, step string) (*store.Transfer, error) {
	t, err := s.Store.TransferByID(ctx, transferID)
	if errors.Is(err, store.ErrNotFound) {
		s.Audit(ctx, a, "", "transfer:"+step, "", "", "not_found")
		return nil, &NotFound{What: "transfer"}
	}
	if err != nil {
		return nil, s.unavailable(err)
	}
	var role string
	if transfer.Side(step) {
		// The sending school decides for its pupil: while the pupil is still its own, they must be
		// in the decider's reach; a completed move is answered to whoever released it.
		if t.PupilID == "" {
			s.Audit(ctx, a, "", "transfer:"+step, "", "", "not_found")
			return nil, &NotFound{What: "transfer"}
		}
		if t.Status == transfer.Completed {
			if ok, err := s.Store.DecidedBy(ctx, t.ID, a.ID); err != nil || !ok {
				if err != nil {
					return nil, s.unavailable(err)
				}
				s.Audit(ctx, a, "", "transfer:"+step, t.PupilID, "", "denied")
				return nil, &NotFound{What: "transfer"}
			}
			role = "sendco"
		} else {
			var p *store.Pupil
			p, role, err = s.reach(ctx, a, t.PupilID, "transfer", policies.Target{}, "transfer", "release")
			if err != nil {
				return nil, err
			}
			if p.SchoolID != t.FromSchoolID {
				s.Audit(ctx, a, role, "transfer:"+step, p.ID, p.SchoolID, "not_found")
				return nil, &NotFound{What: "transfer"}
			}
		}
	} else {
		var ok bool
		role, ok, err = s.Authz.SchoolAccess(a.Principal, t.ToSchoolID, "transfer", "request")
		if err != nil {
			return nil, s.unavailable(err)
		}
		if !ok {
			s.Audit(ctx, a, "", "transfer:"+step, "", "", "not_found")
			return nil, &NotFound{What: "transfer"}
		}
	}
	next, err := transfer.Next(t.Status, step)
	if err != nil {
		s.Audit(ctx, a, role, "transfer:"+step, t.PupilID, t.FromSchoolID, "refused")
		return nil, &Refused{Reason: "This transfer cannot be " + stepWords(step) + ": " + err.Error() + "."}
	}
	if next != t.Status {
		changed, err := s.Store.SetTransferStatus(ctx, t.ID, []string{t.Status, next}, next, a.ID)
		if err != nil {
			return nil, s.unavailable(err)
		}
		if !changed {
			// Another decision got there first (a release racing a withdrawal): answer from the
			// state it left, so only one of them takes effect.
			if t, err = s.Store.TransferByID(ctx, t.ID); err != nil {
				return nil, s.unavailable(err)
			}
			if next, err = transfer.Next(t.Status, step); err != nil {
				s.Audit(ctx, a, role, "transfer:"+step, t.PupilID, t.FromSchoolID, "refused")
				return nil, &Refused{Reason: "This transfer cannot be " + stepWords(step) + ": " + err.Error() + "."}
			}
		}
	}
	if next == transfer.Released {
		if err := s.move(ctx, a, role, t); err != nil {
			return nil, err
		}
	} else {
		s.Audit(ctx, a, role, "transfer:"+step, t.PupilID, t.ToSchoolID, "ok")
	}
	if t, err = s.Store.TransferByID(ctx, t.ID); err != nil {
		return nil, s.unavailable(err)
	}
	if !transfer.Side(step) {
		return receivingView(t), nil
	}
	return t, nil
}

func stepWords(step string) string {
	switch step {
	case transfer.Release:
		return "released"
	case transfer.Refuse:
		return "refused"
	}
	return "withdrawn"
}

// move carries out a released transfer through the write protocol: the move is proposed as a
// record named by the transfer; the pupil's pathway takes it (its Commit moves the pupil, the read
// model and the parents in PostgreSQL, completes the transfer and queues the parents' email); a
// pupil with no pathway is moved in PostgreSQL alone. Both schools' trails record it.
func (s *Service) move(ctx context.Context, a Actor, role string, t *store.Transfer) error {
	if taken, err := s.Store.UPNTaken(ctx, t.ToSchoolID, t.PupilID); err != nil {
		return s.unavailable(err)
	} else if taken {
		s.Audit(ctx, a, role, "transfer:release", t.PupilID, t.FromSchoolID, "refused")
		return s.hold(ctx, t.ID, &Refused{Reason: transfer.UPNOnRoll})
	}
	p, err := s.Store.PupilByID(ctx, t.PupilID)
	if err != nil {
		return s.unavailable(err)
	}
	started, err := s.Store.HasPathway(ctx, p.ID)
	if err != nil {
		return s.unavailable(err)
	}
	in := workflows.SchoolMoved{MoveID: t.ID, ToSchoolID: t.ToSchoolID, By: a.ID}
	err = s.run(ctx, step{actor: a, pupil: p, role: role, action: "transfer:release",
		record: &record{kind: workflows.RecordSchoolMove, id: t.ID, propose: func(ctx context.Context) error {
			return s.Store.ProposeSchoolMove(ctx, t, a.ID)
		}},
		deliver: func(ctx context.Context) error {
			if !started {
				err := s.Store.ApplySchoolMove(ctx, t.ID)
				var refused *store.MoveRefused
				if errors.As(err, &refused) {
					return &workflows.Refusal{Reason: refused.Reason}
				}
				return err
			}
			return update[workflows.PathwayState](
				ctx,
				s,
				workflows.PathwayWorkflowID(p.ID),
				workflows.UpdateMoveSchool,
				t.ID,
				in,
			)
		}})
	var refused *Refused
	if errors.As(err, &refused) {
		return s.hold(ctx, t.ID, refused)
	}
	if err != nil {
		return err
	}
	// The new school's trail: it now holds the record (the old school's row was written by run).
	s.Audit(ctx, a, role, "transfer:complete", p.ID, t.ToSchoolID, "ok")
	return nil
}

// hold puts a release whose move was refused back to waiting (the transfer is not moving), and
// answers with the refusal. If the hold cannot be written the answer is that the service is
// unavailable: a retry finds the move refused again and holds it.
func (s *Service) hold(ctx context.Context, transferID string, refused *Refused) error {
	if err := s.Store.HoldTransfer(ctx, transferID); err != nil {
		return s.unavailable(err)
	}
	return refused
}
