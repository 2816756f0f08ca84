package api

import (
	"context"
	"mime"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/internal/provision"
)

// CatalogueMaxBytes is the most a provision catalogue file may be (a few hundred items fit in a
// tenth of it); it stays below MaxBody, the whole request limit.
const CatalogueMaxBytes = 256 << 10

// UploadCatalogueInput is a school's provision catalogue file.
type UploadCatalogueInput struct {
	SchoolPath
	ContentType string `header:"Content-Type" doc:"application/yaml (or text/yaml, application/x-yaml)"`
	RawBody     []byte `contentType:"application/yaml" doc:"The catalogue as YAML; the format is in catalogue/README.md"`
}

// UploadCatalogueOutput is the version the file loaded.
type UploadCatalogueOutput struct {
	Status int
	Body   struct {
		ID        string `json:"id"`
		Version   string `json:"version"`
		Items     int    `json:"items" doc:"Interventions and adjustments in it"`
		Created   bool   `json:"created" doc:"False when this version was already loaded with the same content (nothing new was stored)"`
		Published string `json:"published" format:"date"`
	}
}

// CatalogueFileOutput is the newest catalogue version's YAML file.
type CatalogueFileOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

// yamlTypes are the media types a catalogue file may be sent as.
var yamlTypes = map[string]bool{"application/yaml": true, "text/yaml": true, "application/x-yaml": true, "text/x-yaml": true}

func (s *Server) registerCatalogueUpload(v1 *huma.Group) {
	register(v1, huma.Operation{
		Metadata:    needs("provision_catalogue", "update", byAction),
		OperationID: "upload-provision-catalogue", Method: http.MethodPost, Path: "/schools/{schoolId}/provision-catalogue",
		Summary: "Load a new version of the school's provision catalogue from its YAML file",
		Description: "The SENDCo or the head uploads it. It is checked exactly as the shipped demo catalogue is; every problem " +
			"names its line, and a file with any problem loads nothing (422). The same file again is the same version " +
			"(200, created false); a changed file under a version already loaded is refused: give it a new version. " +
			"Plans keep the version they were costed from.",
		Tags: []string{"Schools"}, DefaultStatus: http.StatusCreated, MaxBodyBytes: CatalogueMaxBytes,
		Errors: append([]int{http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType}, actionErrors...),
	}, func(ctx context.Context, in *UploadCatalogueInput) (*UploadCatalogueOutput, error) {
		if mt, _, err := mime.ParseMediaType(in.ContentType); err != nil || !yamlTypes[mt] {
			return nil, huma.NewError(http.StatusUnsupportedMediaType,
				"Send the catalogue as YAML, with the header Content-Type: application/yaml. Nothing was loaded.",
				&huma.ErrorDetail{Location: "header.Content-Type", Message: "not application/yaml", Value: in.ContentType})
		}
		up, err := s.Actions.UploadProvisionCatalogue(ctx, actor(ctx), in.SchoolID, in.RawBody)
		if err != nil {
			return nil, s.problem(err)
		}
		out := &UploadCatalogueOutput{Status: http.StatusCreated}
		if !up.Created {
			out.Status = http.StatusOK
		}
		c := up.Catalogue
		out.Body.ID, out.Body.Version, out.Body.Items, out.Body.Created = c.ID, c.Version, len(c.Items), up.Created
		out.Body.Published = c.Published.Format("2006-01-02")
		return out, nil
	})
	register(v1, huma.Operation{
		Metadata:    needs("provision_catalogue", "read", byAction),
		OperationID: "download-provision-catalogue", Method: http.MethodGet, Path: "/schools/{schoolId}/provision-catalogue/file",
		Summary: "The newest version of the school's provision catalogue as its YAML file",
		Tags:    []string{"Schools"}, Errors: []int{http.StatusNotFound},
		Responses: map[string]*huma.Response{"200": {Description: "The file", Content: map[string]*huma.MediaType{
			"application/yaml": {}}}},
	}, func(ctx context.Context, in *SchoolPath) (*CatalogueFileOutput, error) {
		version, b, err := s.Actions.ProvisionCatalogueFile(ctx, actor(ctx), in.SchoolID)
		if err != nil {
			return nil, s.problem(err)
		}
		return &CatalogueFileOutput{ContentType: "application/yaml; charset=utf-8",
			ContentDisposition: `attachment; filename="` + provision.FileName(version) + `"`, Body: b}, nil
	})
}
