package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/actions"
	"github.com/sendflow/sendflow/internal/input"
)

// SetLanguageInput is the language a parent hears from the school in.
type SetLanguageInput struct {
	PupilID  string `path:"pupilId" format:"uuid" doc:"The pupil's id"`
	ParentID string `path:"parentId" format:"uuid" doc:"The parent's or carer's id"`
	Body     struct {
		Language string `json:"language" minLength:"2" maxLength:"35" doc:"A language code (BCP 47): en, pl, ur, pa-Guru, ... Emails and pages come in the languages sendflow has (English, Polish), English otherwise."`
	}
}

// LanguageOutput is the language now recorded for the parent.
type LanguageOutput struct {
	Body struct {
		PupilID  string `json:"pupilId" format:"uuid"`
		ParentID string `json:"parentId" format:"uuid"`
		Language string `json:"language"`
	}
}

func (s *Server) registerParents(v1 *huma.Group) {
	register(v1, huma.Operation{
		Metadata:    needs("parent_language", "update", byAction),
		OperationID: "set-parent-language", Method: http.MethodPut, Path: "/pupils/{pupilId}/parents/{parentId}/language",
		Summary:     "Change the language a parent hears from the school in",
		Description: "The SENDCo or head for any of the pupil's parents; a parent (signed in) for themselves. The next email and page follow it.",
		Tags:        []string{"Pupils"},
		Errors:      []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *SetLanguageInput) (*LanguageOutput, error) {
		if _, err := s.Actions.SetLanguage(ctx, actor(ctx), actions.LanguageChoice{PupilID: in.PupilID, ParentID: in.ParentID, Language: in.Body.Language}); err != nil {
			return nil, s.problem(err)
		}
		out := &LanguageOutput{}
		out.Body.PupilID, out.Body.ParentID = in.PupilID, in.ParentID
		out.Body.Language, _ = input.Language(in.Body.Language) // as SetLanguage recorded it
		return out, nil
	})
}
