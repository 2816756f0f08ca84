// Package gather is the one delivery check: a school's open plans, provision catalogues and term
// dates from PostgreSQL, judged by the plain-Go rules of internal/provision. The provision map,
// the caseload, a pupil's page, the readiness check and the delivery watcher all read delivery
// through it, so they cannot disagree about whose support is behind.
package gather

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/sendflow/sendflow/internal/provision"
	"github.com/sendflow/sendflow/internal/store"
)

// School is what the delivery rule needs of a school (or of one of its pupils).
type School struct {
	Catalogues provision.Catalogues
	Latest     string // the newest catalogue's version ("" when the school has none)
	Calendar   provision.Calendar
	Plans      []provision.PupilPlan
}

// Load reads a school's catalogues, term dates and open plans (one pupil's when pupilID is set).
func Load(ctx context.Context, st *store.Store, schoolID, pupilID string) (*School, error) {
	cats, latest, err := Catalogues(ctx, st, schoolID)
	if err != nil {
		return nil, err
	}
	closures, err := st.SchoolClosures(ctx, schoolID)
	if err != nil {
		return nil, err
	}
	open, err := st.OpenPlans(ctx, schoolID, pupilID)
	if err != nil {
		return nil, err
	}
	return &School{Catalogues: cats, Latest: latest, Calendar: Calendar(closures), Plans: Plans(open)}, nil
}

// Map is the school's provision map on today: costs, and delivery judged on its term dates.
func (s *School) Map(today time.Time) provision.Map {
	return provision.Build(s.Plans, s.Catalogues, s.Calendar, today)
}

// Catalogues reads every version of a school's provision catalogue and names the newest.
func Catalogues(ctx context.Context, st *store.Store, schoolID string) (provision.Catalogues, string, error) {
	docs, err := st.ProvisionCatalogues(ctx, schoolID)
	if err != nil {
		return nil, "", err
	}
	raw := make([][]byte, len(docs))
	for i, d := range docs {
		raw[i] = d.Document
	}
	cats, latest, err := provision.Decode(raw)
	if err != nil {
		return nil, "", fmt.Errorf("school %s: %w", schoolID, err)
	}
	return cats, latest, nil
}

// Calendar turns stored closures into the rule's calendar.
func Calendar(cs []store.Closure) provision.Calendar {
	out := make(provision.Calendar, len(cs))
	for i, c := range cs {
		out[i] = provision.Closure{First: c.First.UTC(), Last: c.Last.UTC(), Name: c.Name}
	}
	return out
}

// Plans turns the read model's open plans into the provision rules' input.
func Plans(open []store.OpenPlan) []provision.PupilPlan {
	var plans []provision.PupilPlan
	for _, o := range open {
		p := provision.PupilPlan{
			PupilID: o.PupilID,
			Pupil:   o.FirstName + " " + o.LastName,
			Class:   o.Class,
			Cycle:   o.Cycle,
			Agreed:  o.Agreed.UTC(),
			Logged:  o.Logged,
		}
		_ = json.Unmarshal(o.Provision, &p.Entries)
		plans = append(plans, p)
	}
	return plans
}
