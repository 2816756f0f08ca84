package actions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sendflow/sendflow/internal/provision"
	provgather "github.com/sendflow/sendflow/internal/provision/gather"
	"github.com/sendflow/sendflow/internal/store"
)

// LoadProvisionCatalogue stores a version of a school's provision catalogue (set-up and seeding,
// not a request: no actor).
func LoadProvisionCatalogue(ctx context.Context, st *store.Store, schoolID string, c provision.Catalogue) error {
	doc, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode provision catalogue: %w", err)
	}
	return st.StoreProvisionCatalogue(ctx, schoolID, c.ID, c.Version, c.Published, doc)
}

// catalogues reads every version of a school's provision catalogue and names the newest.
func (s *Service) catalogues(ctx context.Context, schoolID string) (provision.Catalogues, string, error) {
	return provgather.Catalogues(ctx, s.Store, schoolID)
}

// school authorizes a whole-school read or write and audits the attempt.
func (s *Service) school(ctx context.Context, a Actor, schoolID, obj, verb string) (*store.School, string, error) {
	sc, err := s.Store.SchoolByID(ctx, schoolID)
	if errors.Is(err, store.ErrNotFound) {
		s.Audit(ctx, a, "", obj+":"+verb, "", "", "not_found")
		return nil, "", &NotFound{What: "school"}
	}
	if err != nil {
		return nil, "", s.unavailable(err)
	}
	role, ok, err := s.Authz.SchoolAccess(a.Principal, sc.ID, obj, verb)
	if err != nil {
		return nil, "", s.unavailable(err)
	}
	if !ok {
		s.Audit(ctx, a, "", obj+":"+verb, "", sc.ID, "denied")
		return nil, "", &NotFound{What: "school"}
	}
	return sc, role, nil
}

// ProvisionCatalogue is the newest version of a school's provision catalogue (nil when it has none).
func (s *Service) ProvisionCatalogue(
	ctx context.Context,
	a Actor,
	schoolID string,
) (*store.School, *provision.Catalogue, error) {
	sc, role, err := s.school(ctx, a, schoolID, "provision_catalogue", "read")
	if err != nil {
		return nil, nil, err
	}
	cats, latest, err := s.catalogues(ctx, sc.ID)
	if err != nil {
		return nil, nil, s.unavailable(err)
	}
	s.Audit(ctx, a, role, "provision_catalogue:read", "", sc.ID, "ok")
	if latest == "" {
		return sc, nil, nil
	}
	c := cats[latest]
	return sc, &c, nil
}

// ProvisionMap is a school's costed provision map with the effectiveness of each intervention.
type ProvisionMap struct {
	School        *store.School
	Catalogue     *provision.Catalogue
	Today         time.Time
	Map           provision.Map
	Effectiveness []provision.Effect
}

// SchoolProvisionMap builds a school's provision map: who gets what, how often, at what cost, and
// whose delivery is behind. Every pupil it shows is a read of that pupil, audited.
func (s *Service) SchoolProvisionMap(ctx context.Context, a Actor, schoolID string) (*ProvisionMap, error) {
	sc, role, err := s.school(ctx, a, schoolID, "provision_map", "read")
	if err != nil {
		return nil, err
	}
	school, err := provgather.Load(ctx, s.Store, sc.ID, "")
	if err != nil {
		return nil, s.unavailable(err)
	}
	cats, latest := school.Catalogues, school.Latest
	reviewed, err := s.Store.ReviewedPlans(ctx, sc.ID)
	if err != nil {
		return nil, s.unavailable(err)
	}
	today := s.now().UTC()
	out := &ProvisionMap{School: sc, Today: today, Map: school.Map(today)}
	if latest != "" {
		c := cats[latest]
		out.Catalogue = &c
		var rated []provision.Rated
		for _, r := range reviewed {
			var rt provision.Rated
			_ = json.Unmarshal(r.Provision, &rt.Entries)
			rt.Ratings = r.Ratings
			rated = append(rated, rt)
		}
		out.Effectiveness = provision.Effectiveness(rated, c)
	}
	var shown []string
	for _, t := range out.Map.Pupils {
		shown = append(shown, t.Key)
	}
	s.Audit(ctx, a, role, "provision_map:read", "", sc.ID, "ok")
	if len(shown) > 0 {
		s.AuditPupils(ctx, a, role, "provision_map:read", sc.ID, shown, "ok")
	}
	return out, nil
}

// PupilProvision is one pupil's costed provision and delivery, for their page.
func (s *Service) PupilProvision(ctx context.Context, a Actor, pupilID string) (*provision.Map, error) {
	p, role, err := s.Pupil(ctx, a, pupilID, "pathway", "read")
	if err != nil {
		return nil, err
	}
	school, err := provgather.Load(ctx, s.Store, p.SchoolID, p.ID)
	if err != nil {
		return nil, s.unavailable(err)
	}
	m := school.Map(s.now().UTC())
	s.Audit(ctx, a, role, "provision:read", p.ID, p.SchoolID, "ok")
	return &m, nil
}

// costProvision fills a plan's catalogue entries from the school's newest catalogue: the item's
// name and frequency (unless the plan says its own) and the version it was costed from.
func (s *Service) costProvision(ctx context.Context, schoolID string, in []Provision) error {
	need := false
	for _, p := range in {
		need = need || p.ItemID != ""
	}
	if !need {
		return nil
	}
	cats, latest, err := s.catalogues(ctx, schoolID)
	if err != nil {
		return s.unavailable(err)
	}
	var c checks
	for i := range in {
		if in[i].ItemID == "" {
			continue
		}
		it, ok := cats[latest].Item(in[i].ItemID)
		if !ok {
			c.add(
				fmt.Sprintf("body.provision[%d].itemId", i),
				"is not in the school's provision catalogue",
				in[i].ItemID,
			)
			continue
		}
		if in[i].Text == "" {
			in[i].Text = it.Name
		}
		if in[i].Frequency == "" {
			in[i].Frequency = it.Frequency()
		}
		in[i].CatalogueVersion = latest
	}
	return c.err()
}

// DeliveryBehind lists a school's provision whose delivery is behind, for the caseload (which
// audits each pupil it shows itself).
func (s *Service) DeliveryBehind(ctx context.Context, schoolID string) ([]provision.Line, error) {
	school, err := provgather.Load(ctx, s.Store, schoolID, "")
	if err != nil {
		return nil, err
	}
	return school.Map(s.now().UTC()).Behind, nil
}
