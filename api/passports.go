package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/actions"
	"github.com/sendflow/sendflow/internal/store"
)

// The pupil in their own words: a one-page profile, versioned.

type PassportBody struct {
	Version     int       `json:"version" doc:"1 for the first save; every save is a new version"`
	Liked       string    `json:"liked" doc:"What people like and admire about me"`
	Important   string    `json:"important" doc:"What is important to me"`
	Support     string    `json:"support" doc:"How best to support me"`
	WrittenWith string    `json:"writtenWith,omitempty" doc:"Who it was written with, in words"`
	SavedBy     string    `json:"savedBy" doc:"Who saved this version"`
	SavedRole   string    `json:"savedRole"`
	School      string    `json:"school" doc:"The school the pupil was at"`
	SavedAt     time.Time `json:"savedAt"`
}

func passportBody(p store.Passport) PassportBody {
	return PassportBody{
		Version:     p.Version,
		Liked:       p.Liked,
		Important:   p.Important,
		Support:     p.Support,
		WrittenWith: p.WrittenWith,
		SavedBy:     p.SavedByName,
		SavedRole:   p.SavedRole,
		School:      p.SchoolName,
		SavedAt:     p.SavedAt,
	}
}

type PassportInput struct {
	PupilID string `path:"pupilId" format:"uuid" doc:"The pupil's id"`
}

type PassportsOutput struct {
	Body struct {
		Latest   *PassportBody  `json:"latest,omitempty" doc:"The version in use; absent until the first save"`
		Versions []PassportBody `json:"versions" doc:"Every version, newest first"`
	}
}

type SavePassportInput struct {
	IdempotencyHeader
	PupilID string `path:"pupilId" format:"uuid" doc:"The pupil's id"`
	Body    struct {
		Liked       string `json:"liked" maxLength:"1200"`
		Important   string `json:"important" maxLength:"1200"`
		Support     string `json:"support" maxLength:"1200"`
		WrittenWith string `json:"writtenWith,omitempty" maxLength:"100"`
	}
}

type SavePassportOutput struct {
	Status int
	Body   PassportBody
}

func (s *Server) registerPassports(v1 *huma.Group) {
	register(v1, huma.Operation{
		Metadata:    needs("passport", "read", byAction),
		OperationID: "get-passport", Method: http.MethodGet, Path: "/pupils/{pupilId}/passport",
		Summary:     "The pupil in their own words: their one-page profile and its versions",
		Description: "Every adult who works with the pupil reads it (an agency practitioner while a consented referral to their service is open), and the parents.",
		Tags:        []string{"Pupils"}, Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *PassportInput) (*PassportsOutput, error) {
		_, versions, _, err := s.Actions.Passports(ctx, actor(ctx), in.PupilID)
		if err != nil {
			return nil, s.problem(err)
		}
		out := &PassportsOutput{}
		out.Body.Versions = []PassportBody{}
		for _, v := range versions {
			out.Body.Versions = append(out.Body.Versions, passportBody(v))
		}
		if len(out.Body.Versions) > 0 {
			out.Body.Latest = &out.Body.Versions[0]
		}
		return out, nil
	})
	register(v1, huma.Operation{
		Metadata:    needs("passport", "update", byAction),
		OperationID: "save-passport", Method: http.MethodPost, Path: "/pupils/{pupilId}/passport",
		Summary:     "Save a new version of the pupil's one-page profile",
		Description: "Written with the pupil: their teachers, the SENDCo, the head or a parent saves it. Earlier versions stay readable.",
		Tags: []string{
			"Pupils",
		}, DefaultStatus: http.StatusCreated, Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *SavePassportInput) (*SavePassportOutput, error) {
		return idempotent(ctx, s, "save-passport", in.IdempotencyKey, in, func(id string) (*SavePassportOutput, error) {
			p, _, err := s.Actions.SavePassport(ctx, actor(ctx), actions.PassportSave{ID: id, PupilID: in.PupilID,
				Liked: in.Body.Liked, Important: in.Body.Important, Support: in.Body.Support, WrittenWith: in.Body.WrittenWith})
			if err != nil {
				return nil, s.problem(err)
			}
			return &SavePassportOutput{Status: http.StatusCreated, Body: passportBody(*p)}, nil
		})
	})
}
