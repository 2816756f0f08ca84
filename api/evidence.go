package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/actions"
	"github.com/sendflow/sendflow/internal/evidence"
	"github.com/sendflow/sendflow/internal/evidence/gather"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/policies"
)

// EvidencePackInput asks for a pupil's evidence pack for a service, as HTML or PDF.
type EvidencePackInput struct {
	PupilPath
	For    string `query:"for" required:"true" minLength:"1" maxLength:"64" doc:"A service code, or ehcna for an EHC needs assessment request"`
	Format string `query:"format" enum:"html,pdf" doc:"html (printable, the default) or pdf"`
}

// EvidencePackOutput is the evidence pack, printable HTML or a PDF file.
type EvidencePackOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

func (s *Server) registerEvidence(v1 *huma.Group) {
	register(v1, huma.Operation{
		Metadata:    needs("evidence_pack", "read", readsPupil),
		OperationID: "evidence-pack", Method: http.MethodGet, Path: "/pupils/{pupilId}/evidence-pack",
		Summary:     "The evidence an agency or the LA asks for, as printable HTML or PDF",
		Description: "Concerns, indicators, strategies tried with dates and impact, each plan and review with the family's views, advice received, meetings, and the readiness check for the service.",
		Tags:        []string{"Referrals"}, Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity},
		Responses: map[string]*huma.Response{"200": {Description: "The pack", Content: map[string]*huma.MediaType{
			"text/html": {}, "application/pdf": {}}}},
	}, func(ctx context.Context, in *EvidencePackInput) (*EvidencePackOutput, error) {
		return read(ctx, s, in.PupilID, func(p *store.Pupil, role string) (*EvidencePackOutput, error) {
			if !policies.PackReach(currentUser(ctx), role, in.For) {
				s.note(ctx, role, p.ID, p.SchoolID, "denied")
				return nil, &actions.NotFound{What: "pupil"}
			}
			pack, err := s.evidencePack(ctx, p, in.For)
			if err != nil {
				return nil, err
			}
			if in.Format == "pdf" {
				b, err := evidence.PDF(*pack)
				if err != nil {
					return nil, err
				}
				return &EvidencePackOutput{
					ContentType:        "application/pdf",
					ContentDisposition: `attachment; filename="evidence-pack.pdf"`,
					Body:               b,
				}, nil
			}
			b, err := evidence.HTML(*pack)
			if err != nil {
				return nil, err
			}
			return &EvidencePackOutput{
				ContentType:        "text/html; charset=utf-8",
				ContentDisposition: "inline",
				Body:               b,
			}, nil
		})
	})
}

// evidencePack gathers the pack (internal/evidence/gather, shared with the staff pages).
func (s *Server) evidencePack(ctx context.Context, p *store.Pupil, forCode string) (*evidence.Pack, error) {
	lib, err := s.catalogue(ctx)
	if err != nil {
		return nil, err
	}
	pack, err := gather.Pack(ctx, s.Store, lib, p, forCode)
	if errors.Is(err, gather.ErrUnknownFor) {
		return nil, huma.Error422UnprocessableEntity(
			"There is no service with this code.",
			&huma.ErrorDetail{Location: "query.for", Message: "unknown service", Value: forCode},
		)
	}
	if err != nil {
		return nil, s.unavailable(err)
	}
	return pack, nil
}
