package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/actions"
	"github.com/sendflow/sendflow/internal/store"
)

// The provision in section F of a pupil's EHC plan, recorded by the school to deliver and track.

// EHCProvisionItemView is a piece of an EHC plan's provision as recorded.
type EHCProvisionItemView struct {
	ID               string    `json:"id" format:"uuid" doc:"Names the item when logging sessions against it"`
	Provision        string    `json:"provision" doc:"The catalogue item's name, or the plan's words"`
	ItemID           string    `json:"itemId,omitempty" doc:"The catalogue item; empty for the plan's words, which are not costed"`
	CatalogueVersion string    `json:"catalogueVersion,omitempty" doc:"The catalogue version it was costed from"`
	SessionsPerWeek  float64   `json:"sessionsPerWeek" doc:"What the plan promises"`
	RecordedAt       time.Time `json:"recordedAt"`
	EndedOn          *Date     `json:"endedOn,omitempty" doc:"The day the plan stopped promising it; absent while it is promised"`
}

func ehcItemView(it store.EHCProvisionItem) EHCProvisionItemView {
	v := EHCProvisionItemView{ID: it.ID, Provision: it.Text, ItemID: it.CatalogueItem,
		CatalogueVersion: it.CatalogueVersion, SessionsPerWeek: it.SessionsPerWeek, RecordedAt: it.RecordedAt}
	if it.EndedOn != nil {
		d := DateOf(*it.EndedOn)
		v.EndedOn = &d
	}
	return v
}

type RecordEHCProvisionInput struct {
	IdempotencyHeader
	PupilID string `path:"pupilId" format:"uuid" doc:"The pupil's id"`
	Body    struct {
		ItemID          string  `json:"itemId,omitempty" maxLength:"100" doc:"An item of the school's provision catalogue (its newest version), or"`
		Text            string  `json:"text,omitempty" maxLength:"1000" doc:"the plan's words, for provision the catalogue does not have (not costed)"`
		SessionsPerWeek float64 `json:"sessionsPerWeek" doc:"Sessions a week section F promises; delivery is judged against it"`
	}
}

type EHCProvisionItemOutput struct {
	Status int
	Body   EHCProvisionItemView
}

type LogEHCSessionInput struct {
	IdempotencyHeader
	PupilID string `path:"pupilId" format:"uuid" doc:"The pupil's id"`
	ItemID  string `path:"itemId" format:"uuid" doc:"The EHC plan's provision item"`
	Body    struct {
		GivenOn     Date   `json:"givenOn" format:"date"`
		Description string `json:"description,omitempty" maxLength:"2000" doc:"What was given, if more than the item says"`
	}
}

// EndEHCProvisionInput ends a piece of the plan's provision from a day.
type EndEHCProvisionInput struct {
	PupilID string `path:"pupilId" format:"uuid" doc:"The pupil's id"`
	ItemID  string `path:"itemId" format:"uuid" doc:"The EHC plan's provision item"`
	Body    struct {
		EndedOn Date `json:"endedOn" format:"date" doc:"The day the plan stopped promising it (the amended plan's date)"`
	}
}

func (s *Server) registerEHCProvision(v1 *huma.Group) {
	register(v1, huma.Operation{
		Metadata:    needs("ehc_provision", "update", byAction),
		OperationID: "record-ehc-provision", Method: http.MethodPost, Path: "/pupils/{pupilId}/ehc-provision",
		Summary: "Record a piece of the provision in section F of the pupil's EHC plan",
		Description: "Once the council has issued the plan, the SENDCo (or the head) records what section F says the school " +
			"must deliver: a catalogue item (costed from the catalogue's newest version) or the plan's words, with the " +
			"sessions a week it promises. It is then on the provision map, the pupil's provision and the caseload like a " +
			"support plan's, marked as EHC plan provision: a shortfall in it is a statutory matter. Each piece is recorded " +
			"once per plan: another save of it is refused (409) and changes nothing.",
		Tags: []string{"Pupils"}, DefaultStatus: http.StatusCreated, Errors: actionErrors,
	}, func(ctx context.Context, in *RecordEHCProvisionInput) (*EHCProvisionItemOutput, error) {
		return idempotent(ctx, s, "record-ehc-provision", in.IdempotencyKey, in, func(id string) (*EHCProvisionItemOutput, error) {
			it, err := s.Actions.RecordEHCProvision(ctx, actor(ctx), actions.EHCProvisionSave{ID: id, PupilID: in.PupilID,
				ItemID: in.Body.ItemID, Text: in.Body.Text, SessionsPerWeek: in.Body.SessionsPerWeek})
			if err != nil {
				return nil, s.problem(err)
			}
			return &EHCProvisionItemOutput{Status: http.StatusCreated, Body: ehcItemView(*it)}, nil
		})
	})
	register(v1, huma.Operation{
		Metadata:    needs("ehc_provision", "update", byAction),
		OperationID: "end-ehc-provision", Method: http.MethodPost, Path: "/pupils/{pupilId}/ehc-provision/{itemId}/end",
		Summary: "End a piece of the EHC plan's provision (the plan changed at an annual review)",
		Description: "It stays as the record of what was promised and delivered and is no longer judged for delivery. " +
			"A plan that now promises more or less of it is recorded again with the new sessions a week. Ending it " +
			"again keeps the first day.",
		Tags: []string{"Pupils"}, Errors: actionErrors,
	}, func(ctx context.Context, in *EndEHCProvisionInput) (*EHCProvisionItemOutput, error) {
		it, err := s.Actions.EndEHCProvision(ctx, actor(ctx), in.PupilID, in.ItemID, in.Body.EndedOn.Time())
		if err != nil {
			return nil, s.problem(err)
		}
		return &EHCProvisionItemOutput{Status: http.StatusOK, Body: ehcItemView(*it)}, nil
	})
	register(v1, huma.Operation{
		Metadata:    needs("provision", "create", byAction),
		OperationID: "log-ehc-provision-session", Method: http.MethodPost, Path: "/pupils/{pupilId}/ehc-provision/{itemId}/sessions",
		Summary:     "Log a session delivered under the pupil's EHC plan",
		Description: "Whoever logs support under a support plan logs it: the teacher, the teaching assistant, the SENDCo.",
		Tags:        []string{"Pupils"}, DefaultStatus: http.StatusCreated, Errors: actionErrors,
	}, func(ctx context.Context, in *LogEHCSessionInput) (*EHCProvisionItemOutput, error) {
		return idempotent(ctx, s, "log-ehc-provision-session", in.IdempotencyKey, in, func(id string) (*EHCProvisionItemOutput, error) {
			it, err := s.Actions.LogEHCSession(ctx, actor(ctx), actions.EHCSessionLog{ID: id, PupilID: in.PupilID,
				ItemID: in.ItemID, GivenOn: in.Body.GivenOn.Time(), Description: in.Body.Description})
			if err != nil {
				return nil, s.problem(err)
			}
			return &EHCProvisionItemOutput{Status: http.StatusCreated, Body: ehcItemView(*it)}, nil
		})
	})
}
