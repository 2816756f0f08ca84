package api

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

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

// ImportBundleInput is a portable record from another sendflow and its sender's public key.
type ImportBundleInput struct {
	SchoolPath
	Body struct {
		Bundle []byte `json:"bundle" doc:"The bundle zip as exported (base64 in JSON)" maxLength:"44000000"`
		// PublicKey is taken in the request: the server fetches no URL.
		PublicKey string `json:"publicKey" minLength:"1" maxLength:"4096" doc:"The sender's public key: their well-known key JSON, PEM, or base64"`
	}
}

// ImportedRecordBody describes one imported record (its PDF is fetched on its own).
type ImportedRecordBody struct {
	ID           string    `json:"id"`
	PupilID      string    `json:"pupilId"`
	FromSchool   string    `json:"fromSchool"`
	SourceKeyID  string    `json:"sourceKeyId"`
	BundleSHA256 string    `json:"bundleSha256"`
	ImportedAt   time.Time `json:"importedAt"`
	Words        string    `json:"words" doc:"e.g. Record from Hillside Primary, imported 1 April 2026"`
}

// ImportBundleOutput is the import (the first one, when the same bundle comes again).
type ImportBundleOutput struct {
	Body ImportedRecordBody
}

// ImportedRecordsOutput lists a pupil's imported records.
type ImportedRecordsOutput struct {
	Body struct {
		Records []ImportedRecordBody `json:"records"`
	}
}

// ImportedPDFInput names one imported record of a pupil.
type ImportedPDFInput struct {
	PupilPath
	RecordID string `path:"recordId" format:"uuid"`
}

// maxBundle bounds the files inside an imported zip.
const maxBundle = 32 << 20

func importedBody(r *store.ImportedRecord) ImportedRecordBody {
	return ImportedRecordBody{
		ID: r.ID, PupilID: r.PupilID, FromSchool: r.SourceSchool, SourceKeyID: r.SourceKeyID,
		BundleSHA256: r.BundleSHA256, ImportedAt: r.ImportedAt,
		Words: "Record from " + r.SourceSchool + ", imported " + evidence.FormatDate(r.ImportedAt),
	}
}

func (s *Server) registerBundleImport(v1 *huma.Group) {
	register(v1, huma.Operation{
		Metadata:    needs("pupil_bundle", "import", inSchool),
		OperationID: "import-bundle", Method: http.MethodPost, Path: "/schools/{schoolId}/bundles",
		Summary: "Import a pupil's portable record from another sendflow",
		Description: "The receiving school's SENDCo. The signature is checked with the public key given " +
			"(never fetched); a bad signature, another format version or a malformed file is refused with " +
			"422 and changes nothing. A good bundle adds the pupil to the school with the record kept read-only; " +
			"the same bundle again is the same import; a UPN already on the roll is 409.",
		Tags: []string{"Portable record"}, DefaultStatus: http.StatusCreated,
		Errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *ImportBundleInput) (*ImportBundleOutput, error) {
		sc, role, err := s.schoolFor(ctx, in.SchoolID)
		if err != nil {
			return nil, err
		}
		refuse := func(loc string, err error) error {
			s.audit(ctx, role, "pupil_bundle:import", "", sc.ID, "refused")
			return huma.Error422UnprocessableEntity("The bundle was refused: "+err.Error(),
				&huma.ErrorDetail{Location: loc, Message: err.Error()})
		}
		pub, err := bundle.ParsePublicKey([]byte(in.Body.PublicKey))
		if err != nil {
			return nil, refuse("body.publicKey", err)
		}
		r, parts, err := bundle.Open(pub, in.Body.Bundle, maxBundle)
		if err != nil {
			return nil, refuse("body.bundle", err)
		}
		dob, _ := time.Parse(time.DateOnly, r.Pupil.DateOfBirth)
		pupilID := uuid.NewString()
		u := currentUser(ctx)
		rec, created, err := s.Store.ImportRecord(ctx,
			store.NewPupil{ID: pupilID, SchoolID: sc.ID, UPN: r.Pupil.UPN, FirstName: r.Pupil.FirstName,
				LastName: r.Pupil.LastName, DateOfBirth: dob},
			store.ImportedRecord{ID: uuid.NewString(), SchoolID: sc.ID, PupilID: pupilID,
				BundleSHA256: bundle.Hash(parts), SourceKeyID: parts.Signature.KeyID, SourceSchool: r.SchoolFrom.Name,
				BundleJSON: string(parts.Record), PDF: parts.PDF, ImportedBy: u.ID, ImportedRole: role})
		if errors.Is(err, store.ErrOnRoll) {
			s.audit(ctx, role, "pupil_bundle:import", "", sc.ID, "refused")
			return nil, huma.Error409Conflict("Not imported: a pupil with this UPN is already on the school's roll; " +
				"nothing was changed.")
		}
		if err != nil {
			return nil, s.unavailable(err)
		}
		outcome := "ok"
		if !created {
			outcome = "repeat"
		}
		s.audit(ctx, role, "pupil_bundle:import", rec.PupilID, sc.ID, outcome)
		return &ImportBundleOutput{Body: importedBody(rec)}, nil
	})
	register(v1, huma.Operation{
		Metadata:    needs("imported_record", "read", readsPupil),
		OperationID: "imported-records", Method: http.MethodGet, Path: "/pupils/{pupilId}/imported-records",
		Summary: "Records imported for the pupil from another sendflow (read-only)",
		Tags:    []string{"Portable record"}, Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *PupilPath) (*ImportedRecordsOutput, error) {
		return read(ctx, s, in.PupilID, func(p *store.Pupil, _ string) (*ImportedRecordsOutput, error) {
			rs, err := s.Store.ImportedRecords(ctx, p.ID)
			if err != nil {
				return nil, s.unavailable(err)
			}
			out := &ImportedRecordsOutput{}
			out.Body.Records = []ImportedRecordBody{}
			for i := range rs {
				out.Body.Records = append(out.Body.Records, importedBody(&rs[i]))
			}
			return out, nil
		})
	})
	register(v1, huma.Operation{
		Metadata:    needs("imported_record", "read", readsPupil),
		OperationID: "imported-record-pdf", Method: http.MethodGet,
		Path:    "/pupils/{pupilId}/imported-records/{recordId}/pdf",
		Summary: "The evidence pack PDF of an imported record", Tags: []string{"Portable record"},
		Errors: []int{http.StatusNotFound},
		Responses: map[string]*huma.Response{"200": {Description: "The PDF", Content: map[string]*huma.MediaType{
			"application/pdf": {}}}},
	}, func(ctx context.Context, in *ImportedPDFInput) (*BundleOutput, error) {
		return read(ctx, s, in.PupilID, func(p *store.Pupil, _ string) (*BundleOutput, error) {
			rs, err := s.Store.ImportedRecords(ctx, p.ID)
			if err != nil {
				return nil, s.unavailable(err)
			}
			for _, r := range rs {
				if r.ID == in.RecordID {
					return &BundleOutput{ContentType: "application/pdf",
						ContentDisposition: `attachment; filename="imported-record.pdf"`, Body: r.PDF}, nil
				}
			}
			return nil, huma.Error404NotFound("No imported record with this id.")
		})
	})
}
