package api

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/actions"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/internal/transfer"
)

// A pupil's SEND record following them to another school on the same sendflow.

type TransferBody struct {
	ID         string `json:"id" format:"uuid"`
	Status     string `json:"status" enum:"requested,released,completed,refused,withdrawn" doc:"requested: waiting for the pupil's school (the school that asked sees this whether or not a pupil matched); released: the record is moving; completed: it is with the new school; refused; withdrawn."`
	Words      string `json:"words" doc:"The status in plain words, as the reader's school sees it."`
	ToSchoolID string `json:"toSchoolId" format:"uuid"`
	ToSchool   string `json:"toSchool"`
	UPN        string `json:"upn"`
	// Shown to the sending school; to the school that asked only once the pupil's school decided.
	PupilID      string     `json:"pupilId,omitempty" format:"uuid"`
	PupilName    string     `json:"pupilName,omitempty"`
	FromSchoolID string     `json:"fromSchoolId,omitempty" format:"uuid"`
	FromSchool   string     `json:"fromSchool,omitempty"`
	RequestedAt  time.Time  `json:"requestedAt"`
	DecidedAt    *time.Time `json:"decidedAt,omitempty"`
	CompletedAt  *time.Time `json:"completedAt,omitempty"`
	Reason       string     `json:"reason,omitempty" doc:"Why a released record has not moved (it waits again), for both schools."`
}

func transferBody(t *store.Transfer, receiving bool) TransferBody {
	return TransferBody{
		ID:           t.ID,
		Status:       t.Status,
		Words:        transfer.Words(t.Status, receiving),
		ToSchoolID:   t.ToSchoolID,
		ToSchool:     t.ToSchool,
		UPN:          t.UPN,
		PupilID:      t.PupilID,
		PupilName:    t.PupilName,
		FromSchoolID: t.FromSchoolID,
		FromSchool:   t.FromSchool,
		RequestedAt:  t.RequestedAt,
		DecidedAt:    t.DecidedAt,
		CompletedAt:  t.CompletedAt,
		Reason:       heldReason(t),
	}
}

func heldReason(t *store.Transfer) string {
	if t.Held {
		return transfer.UPNOnRoll
	}
	return ""
}

type RequestTransferInput struct {
	IdempotencyHeader
	SchoolID string `path:"schoolId" format:"uuid" doc:"The school's id"`
	Body     struct {
		UPN         string `json:"upn" minLength:"13" maxLength:"13" doc:"The pupil's unique pupil number, from the common transfer file."`
		DateOfBirth Date   `json:"dateOfBirth" doc:"The pupil's date of birth: both must match."`
	}
}

type TransferOutput struct {
	Status int
	Body   TransferBody
}

type TransfersInput struct {
	SchoolID string `path:"schoolId" format:"uuid" doc:"The school's id"`
}

type TransfersOutput struct {
	Body struct {
		Incoming []TransferBody `json:"incoming" doc:"What this school asked for."`
		Outgoing []TransferBody `json:"outgoing" doc:"Requests for this school's pupils, to release or refuse."`
	}
}

type DecideTransferInput struct {
	IdempotencyHeader
	TransferID string `path:"transferId" format:"uuid" doc:"The transfer's id"`
	Step       string `path:"step" enum:"release,refuse,withdraw" doc:"What to do: release or refuse (the pupil's school), withdraw (the school that asked)"`
}

func (s *Server) registerTransfers(v1 *huma.Group) {
	register(v1, huma.Operation{
		Metadata:    needs("transfer", "request", byAction),
		OperationID: "request-transfer", Method: http.MethodPost, Path: "/schools/{schoolId}/transfers",
		Summary:     "Ask for the SEND record of a pupil joining the school",
		Description: "The receiving school's SENDCo or head asks by UPN and date of birth. The answer is the same whether or not a pupil matched: if one is on sendflow at another school, that school is asked to release the record.",
		Tags:        []string{"Transfers"}, DefaultStatus: http.StatusCreated, Errors: actionErrors,
	}, func(ctx context.Context, in *RequestTransferInput) (*TransferOutput, error) {
		dob := in.Body.DateOfBirth.Time()
		return idempotent(ctx, s, "request-transfer", in.IdempotencyKey, in, func(id string) (*TransferOutput, error) {
			t, err := s.Actions.RequestTransfer(
				ctx,
				actor(ctx),
				actions.TransferRequest{ID: id, SchoolID: in.SchoolID, UPN: in.Body.UPN, DateOfBirth: dob},
			)
			if err != nil {
				return nil, s.problem(err)
			}
			return &TransferOutput{Status: http.StatusCreated, Body: transferBody(t, true)}, nil
		})
	})
	register(v1, huma.Operation{
		Metadata:    needs("transfer", "read", byAction),
		OperationID: "list-transfers", Method: http.MethodGet, Path: "/schools/{schoolId}/transfers",
		Summary: "The school's transfers: asked for, and asked of it", Tags: []string{"Transfers"}, Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *TransfersInput) (*TransfersOutput, error) {
		incoming, outgoing, err := s.Actions.Transfers(ctx, actor(ctx), in.SchoolID)
		if err != nil {
			return nil, s.problem(err)
		}
		out := &TransfersOutput{}
		out.Body.Incoming, out.Body.Outgoing = []TransferBody{}, []TransferBody{}
		for i := range incoming {
			out.Body.Incoming = append(out.Body.Incoming, transferBody(&incoming[i], true))
		}
		for i := range outgoing {
			out.Body.Outgoing = append(out.Body.Outgoing, transferBody(&outgoing[i], false))
		}
		return out, nil
	})
	register(v1, huma.Operation{
		Metadata:    needs("transfer", "release", byAction),
		OperationID: "decide-transfer", Method: http.MethodPost, Path: "/transfers/{transferId}/{step}",
		Summary:     "Release, refuse or withdraw a transfer",
		Description: "The pupil's school releases (the pupil's pathway, with its whole history, moves to the school that asked: its staff get access, the old school's end, and the parents are emailed) or refuses; the school that asked may withdraw while it waits. Sent again, it answers as the first time; a release cut short by an outage is finished by the next.",
		Tags:        []string{"Transfers"}, Errors: append(slices.Clone(actionErrors), http.StatusServiceUnavailable),
	}, func(ctx context.Context, in *DecideTransferInput) (*TransferOutput, error) {
		return idempotent(ctx, s, "decide-transfer", in.IdempotencyKey, in, func(string) (*TransferOutput, error) {
			t, err := s.Actions.DecideTransfer(ctx, actor(ctx), in.TransferID, in.Step)
			if err != nil {
				return nil, s.problem(err)
			}
			return &TransferOutput{Status: http.StatusOK, Body: transferBody(t, in.Step == transfer.Withdraw)}, nil
		})
	})
}
