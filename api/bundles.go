package api

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/internal/bundle"
	"github.com/sendflow/sendflow/internal/evidence"
	"github.com/sendflow/sendflow/internal/store"
)

// BundleKeyOutput is the public half of the key that signs this sendflow's portable records.
type BundleKeyOutput struct {
	CacheControl string `header:"Cache-Control"`
	Body         bundle.PublicKey
}

// BundleOutput is a pupil's portable record: a zip of README.txt, bundle.json,
// bundle.sig.json and evidence.pdf (docs/bundle.md).
type BundleOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

// roleWords name a school role for a reader in another installation.
var roleWords = map[string]string{"sendco": "SENDCo", "head": "Head teacher"}

func (s *Server) registerBundleKey(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "bundle-key", Method: http.MethodGet, Path: "/.well-known/sendflow-bundle-key",
		Summary:     "The public key that verifies this sendflow's portable records",
		Description: "Ed25519; keyId is sha256: and the hex SHA-256 of the 32 key bytes. docs/bundle.md shows how to verify.",
		Tags:        []string{"Portable record"}, Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, _ *struct{}) (*BundleKeyOutput, error) {
		if len(s.BundleKey) != ed25519.PrivateKeySize {
			return nil, huma.Error404NotFound("This sendflow signs no portable records (SENDFLOW_BUNDLE_KEY_FILE is unset).")
		}
		return &BundleKeyOutput{CacheControl: "public, max-age=3600", Body: bundle.Published(s.BundleKey)}, nil
	})
}

func (s *Server) registerBundles(v1 *huma.Group) {
	register(v1, huma.Operation{
		Metadata:    needs("pupil_bundle", "read", readsPupil),
		OperationID: "pupil-bundle", Method: http.MethodGet, Path: "/pupils/{pupilId}/bundle",
		Summary: "The pupil's portable SEND record, signed, for a school on another sendflow",
		Description: "A zip: README.txt, bundle.json (format sendflow.bundle/v1, docs/bundle.schema.json), " +
			"evidence.pdf and bundle.sig.json (Ed25519 over both; the key is at /.well-known/sendflow-bundle-key). " +
			"For the SENDCo and head of the pupil's school.",
		Tags: []string{"Portable record"}, Errors: []int{http.StatusNotFound, http.StatusServiceUnavailable},
		Responses: map[string]*huma.Response{"200": {Description: "The zip", Content: map[string]*huma.MediaType{
			"application/zip": {}}}},
	}, func(ctx context.Context, in *PupilPath) (*BundleOutput, error) {
		return read(ctx, s, in.PupilID, func(p *store.Pupil, role string) (*BundleOutput, error) {
			if len(s.BundleKey) != ed25519.PrivateKeySize {
				return nil, huma.Error503ServiceUnavailable(
					"This sendflow has no key to sign portable records: set SENDFLOW_BUNDLE_KEY_FILE.")
			}
			pack, err := s.evidencePack(ctx, p, "ehcna")
			if err != nil {
				return nil, err
			}
			pack.For = "The pupil's next school (portable SEND record)"
			pack.Readiness = nil
			now := time.Now()
			pack.GeneratedAt = now
			pdf, err := evidence.PDF(*pack)
			if err != nil {
				return nil, err
			}
			u := currentUser(ctx)
			by := bundle.Person{ID: u.ID, Name: u.Name, Role: roleWords[role]}
			if by.Role == "" {
				by.Role = role
			}
			r := bundle.FromPack(*pack, bundle.School{ID: p.SchoolID, Name: pack.School}, by, now)
			z, err := bundle.Export(s.BundleKey, r, pdf)
			if err != nil {
				return nil, err
			}
			return &BundleOutput{
				ContentType:        "application/zip",
				ContentDisposition: fmt.Sprintf(`attachment; filename="sendflow-record-%s.zip"`, p.UPN),
				Body:               z,
			}, nil
		})
	})
}
