package api

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/sendflow/sendflow/actions"

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
		Metadata:    needs("pupil_bundle", "read", byAction),
		OperationID: "pupil-bundle", Method: http.MethodGet, Path: "/pupils/{pupilId}/bundle",
		Summary: "The pupil's portable SEND record, signed, for a school on another sendflow",
		Description: "A zip: README.txt, bundle.json (format sendflow.bundle/v1, docs/bundle.schema.json), " +
			"evidence.pdf and bundle.sig.json (Ed25519 over both; the key is at /.well-known/sendflow-bundle-key). " +
			"For the SENDCo and head of the pupil's school.",
		Tags: []string{"Portable record"}, Errors: []int{http.StatusNotFound, http.StatusServiceUnavailable},
		Responses: map[string]*huma.Response{"200": {Description: "The zip", Content: map[string]*huma.MediaType{
			"application/zip": {}}}},
	}, func(ctx context.Context, in *PupilPath) (*BundleOutput, error) {
		f, err := s.Actions.ExportBundle(ctx, actor(ctx), in.PupilID)
		if errors.Is(err, actions.ErrNoBundleKey) {
			return nil, huma.Error503ServiceUnavailable(
				"This sendflow has no key to sign portable records: set SENDFLOW_BUNDLE_KEY_FILE.")
		}
		if err != nil {
			return nil, s.problem(err)
		}
		return &BundleOutput{
			ContentType:        "application/zip",
			ContentDisposition: fmt.Sprintf(`attachment; filename="%s"`, f.Filename),
			Body:               f.Zip,
		}, nil
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

func importedBody(r *store.ImportedRecord) ImportedRecordBody {
	return ImportedRecordBody{
		ID: r.ID, PupilID: r.PupilID, FromSchool: r.SourceSchool, SourceKeyID: r.SourceKeyID,
		BundleSHA256: r.BundleSHA256, ImportedAt: r.ImportedAt,
		Words: "Record from " + r.SourceSchool + ", imported " + evidence.FormatDate(r.ImportedAt),
	}
}

func (s *Server) registerBundleImport(v1 *huma.Group) {
	register(v1, huma.Operation{
		Metadata:    needs("pupil_bundle", "import", byAction),
		OperationID: "import-bundle", Method: http.MethodPost, Path: "/schools/{schoolId}/bundles",
		Summary: "Import a pupil's portable record from another sendflow",
		Description: "The receiving school's SENDCo. The signature is checked with the public key given " +
			"(never fetched); a bad signature, another format version or a malformed file is refused with " +
			"422 and changes nothing. A good bundle adds the pupil to the school with the record kept read-only; " +
			"the same bundle again is the same import; a UPN already on the roll is 409.",
		Tags: []string{"Portable record"}, DefaultStatus: http.StatusCreated, MaxBodyBytes: importMaxBytes,
		Errors: append(slices.Clone(actionErrors), http.StatusServiceUnavailable),
	}, func(ctx context.Context, in *ImportBundleInput) (*ImportBundleOutput, error) {
		rec, _, err := s.Actions.ImportBundle(ctx, actor(ctx), actions.BundleImport{
			SchoolID: in.SchoolID, Bundle: in.Body.Bundle, PublicKey: in.Body.PublicKey})
		if err != nil {
			return nil, s.problem(err)
		}
		return &ImportBundleOutput{Body: importedBody(rec)}, nil
	})
	register(v1, huma.Operation{
		Metadata:    needs("imported_record", "read", byAction),
		OperationID: "imported-records", Method: http.MethodGet, Path: "/pupils/{pupilId}/imported-records",
		Summary: "Records imported for the pupil from another sendflow (read-only)",
		Tags:    []string{"Portable record"}, Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *PupilPath) (*ImportedRecordsOutput, error) {
		_, rs, err := s.Actions.ImportedRecords(ctx, actor(ctx), in.PupilID)
		if err != nil {
			return nil, s.problem(err)
		}
		out := &ImportedRecordsOutput{}
		out.Body.Records = []ImportedRecordBody{}
		for i := range rs {
			out.Body.Records = append(out.Body.Records, importedBody(&rs[i]))
		}
		return out, nil
	})
	register(v1, huma.Operation{
		Metadata:    needs("imported_record", "read", byAction),
		OperationID: "imported-record-pdf", Method: http.MethodGet,
		Path:    "/pupils/{pupilId}/imported-records/{recordId}/pdf",
		Summary: "The evidence pack PDF of an imported record", Tags: []string{"Portable record"},
		Errors: []int{http.StatusNotFound},
		Responses: map[string]*huma.Response{"200": {Description: "The PDF", Content: map[string]*huma.MediaType{
			"application/pdf": {}}}},
	}, func(ctx context.Context, in *ImportedPDFInput) (*BundleOutput, error) {
		_, r, err := s.Actions.ImportedRecord(ctx, actor(ctx), in.PupilID, in.RecordID)
		if err != nil {
			return nil, s.problem(err)
		}
		return &BundleOutput{ContentType: "application/pdf",
			ContentDisposition: `attachment; filename="imported-record.pdf"`, Body: r.PDF}, nil
	})
}
