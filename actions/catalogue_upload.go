package actions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/sendflow/sendflow/internal/oag"
	"github.com/sendflow/sendflow/internal/oag/strictyaml"
	"github.com/sendflow/sendflow/internal/provision"
	"github.com/sendflow/sendflow/internal/store"
)

// CatalogueUpload is a provision catalogue file a school loaded.
type CatalogueUpload struct {
	School    *store.School
	Catalogue provision.Catalogue
	Created   bool // false: this version was already loaded with the same content
}

// UploadProvisionCatalogue loads a new version of a school's provision catalogue from its YAML
// file: the SENDCo or the head uploads it. The file is checked by provision.Parse, the one set
// of checks the shipped demo catalogue passes too (strategies against the newest OAG catalogue
// loaded), and every problem names its line. A file with any problem, or a version already
// loaded with different content, loads nothing; the same file again is the same version (no
// second row). Plans keep the version they were costed from. Audited either way.
func (s *Service) UploadProvisionCatalogue(ctx context.Context, a Actor, schoolID string, src []byte) (*CatalogueUpload, error) {
	sc, role, err := s.school(ctx, a, schoolID, "provision_catalogue", "update")
	if err != nil {
		return nil, err
	}
	lib, err := s.Catalogue(ctx)
	if err != nil {
		return nil, err
	}
	up, err := StoreCatalogueFile(ctx, s.Store, lib, sc.ID, src, a.ID)
	var bad *Invalid
	switch {
	case errors.As(err, &bad):
		s.Audit(ctx, a, role, "provision_catalogue:update", "", sc.ID, "invalid")
		return nil, err
	case err != nil:
		return nil, s.unavailable(err)
	}
	up.School = sc
	s.Logger.InfoContext(ctx, "provision catalogue uploaded", "school", sc.ID, "version", up.Catalogue.Version, "created", up.Created)
	s.Audit(ctx, a, role, "provision_catalogue:update", "", sc.ID, "ok")
	return up, nil
}

// StoreCatalogueFile checks a school's provision catalogue file and stores its version: the one
// path a file takes into sendflow, from the API, the staff page and `sendflow provision load`.
// The checks are provision.Parse's (those the shipped demo catalogue passes), strategies against
// the newest OAG catalogue in lib; a problem is an *Invalid naming each line, and nothing is
// stored. by is who loaded it ("" for an operator at the command line).
func StoreCatalogueFile(ctx context.Context, st *store.Store, lib *oag.Library, schoolID string, src []byte, by string) (*CatalogueUpload, error) {
	strategies, _ := lib.Latest()
	c, err := provision.Parse(src, &strategies)
	if err != nil {
		return nil, &Invalid{Summary: "The catalogue file has problems, so nothing was loaded. Correct these lines and upload the whole file again.",
			Problems: fileProblems(err)}
	}
	doc, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode provision catalogue: %w", err)
	}
	created, err := st.StoreProvisionCatalogue(ctx, schoolID, c.ID, c.Version, c.Published, doc, src, by)
	if errors.Is(err, store.ErrVersionTaken) {
		root, _ := strictyaml.Decode(src, &provision.Catalogue{})
		errs := strictyaml.NewErrors(root)
		errs.Addf(strictyaml.Path{}.Add("version"),
			"%q is already loaded with different content; give the changed file a new version", c.Version)
		return nil, &Invalid{Summary: "This version is already loaded with different content, so nothing was loaded.",
			Problems: fileProblems(errs.Err())}
	}
	if err != nil {
		return nil, err
	}
	return &CatalogueUpload{Catalogue: c, Created: created}, nil
}

// fileProblems turns a data file's problems into problems naming the line (and the field):
// "line 12, items[2].delivery".
func fileProblems(err error) []Problem {
	var out []Problem
	var walk func(error)
	walk = func(e error) {
		switch x := e.(type) {
		case *strictyaml.Error:
			at := "file"
			if x.Line > 0 {
				at = fmt.Sprintf("line %d", x.Line)
			}
			if x.Path != "" {
				at += ", " + x.Path
			}
			out = append(out, Problem{Field: at, Message: x.Msg})
		case interface{ Unwrap() []error }:
			for _, y := range x.Unwrap() {
				walk(y)
			}
		case interface{ Unwrap() error }:
			walk(x.Unwrap())
		default:
			out = append(out, Problem{Field: "file", Message: e.Error()})
		}
	}
	walk(err)
	return out
}

// ProvisionCatalogueFile is the newest version of a school's provision catalogue as a YAML file:
// the file it was uploaded from, or (for a version loaded at set-up) the version written out.
func (s *Service) ProvisionCatalogueFile(ctx context.Context, a Actor, schoolID string) (string, []byte, error) {
	sc, c, err := s.ProvisionCatalogue(ctx, a, schoolID)
	if err != nil {
		return "", nil, err
	}
	if c == nil {
		return "", nil, &NotFound{What: "provision catalogue"}
	}
	f, err := s.Store.ProvisionCatalogueSource(ctx, sc.ID, c.Version)
	if err != nil {
		return "", nil, s.unavailable(err)
	}
	if f.Source != nil {
		return c.Version, f.Source, nil
	}
	out, err := yaml.Marshal(c)
	if err != nil {
		return "", nil, fmt.Errorf("write provision catalogue %s: %w", c.Version, err)
	}
	return c.Version, out, nil
}
