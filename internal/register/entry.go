package register

import (
	"fmt"
	"time"
)

// Pathway is what the register reads of a pupil's pathway (from the read model): the stage and
// whether a support plan is open (agreed, not yet reviewed).
type Pathway struct {
	Stage     string // a workflows.Stage value; "" when the pupil has no pathway
	OpenCycle bool
}

// Derive is the provision the pathway says, and why, in words: E once an EHC plan is issued (the
// pathway's stage is ehc_plan), K while a support plan is open, N otherwise.
func Derive(p Pathway) (Provision, string) {
	switch {
	case p.Stage == "ehc_plan":
		return ProvisionEHCPlan, "an EHC plan has been issued"
	case p.OpenCycle:
		return ProvisionSENSupport, "a SEN support plan is open"
	case p.Stage == "sen_support":
		return ProvisionNone, "SEN support was decided but no support plan is open yet"
	case p.Stage == "ehc_assessment":
		return ProvisionNone, "an EHC needs assessment is under way and no support plan is open"
	case p.Stage == "" || p.Stage == "none":
		return ProvisionNone, "no concern has been raised"
	}
	return ProvisionNone, "no support plan is open and no EHC plan has been issued"
}

// Recorded is what the SENDCo recorded for a pupil: the provision when the pathway cannot say it
// (nil: follow the pathway), the ranked needs, which only the SENDCo chooses, and a note.
type Recorded struct {
	Provision          *Provision
	Primary, Secondary Need
	Note               string
	By                 string // the SENDCo's name
	At                 time.Time
}

// Entry is one pupil's line of the register.
type Entry struct {
	Derived Provision
	Why     string // why the pathway says Derived
	Rec     *Recorded
}

// Provision is the provision the register gives: the SENDCo's, where they recorded one, else the
// pathway's.
func (e Entry) Provision() Provision {
	if e.Rec != nil && e.Rec.Provision != nil {
		return *e.Rec.Provision
	}
	return e.Derived
}

// Primary and Secondary are the needs ranked 1 and 2 ("" when none is recorded).
func (e Entry) Primary() Need {
	if e.Rec == nil {
		return ""
	}
	return e.Rec.Primary
}

func (e Entry) Secondary() Need {
	if e.Rec == nil {
		return ""
	}
	return e.Rec.Secondary
}

// Disagreement says, when the SENDCo's provision differs from what the pathway says, both and why;
// "" when they agree or the SENDCo recorded none.
func (e Entry) Disagreement() string {
	if e.Rec == nil || e.Rec.Provision == nil || *e.Rec.Provision == e.Derived {
		return ""
	}
	p := *e.Rec.Provision
	return fmt.Sprintf(
		"Recorded as %s (%s), but the pathway says %s (%s): %s.",
		p,
		p.Describe(),
		e.Derived,
		e.Derived.Describe(),
		e.Why,
	)
}

// Problems are what the census would refuse in the entry as it stands.
func (e Entry) Problems() []Problem { return Check(e.Provision(), e.Primary(), e.Secondary()) }
