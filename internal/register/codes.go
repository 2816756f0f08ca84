// Package register is the SEN register as the DfE school census reads it: each pupil's SEN
// provision (N, K or E) and their need types ranked 1 (primary) and 2 (secondary), derived from
// the pupil's pathway where it can be and recorded by the SENDCo where it cannot; and the figures
// a council and a trust read from the statutory work (EHC needs assessments within 20 weeks, time
// at each stage, annual reviews overdue, co-production). Plain Go: no database, no Temporal.
//
// The census fields and codes are the DfE's (school census, pupil SEN module):
//   - SENprovision: N no special educational need, K SEN support, E EHC plan;
//   - SENtype with SENtypeRank 1 (the primary need) and 2 (the secondary need): SPLD, MLD, SLD,
//     PMLD, SEMH, SLCN, HI, VI, MSI, PD, ASD, OTH, DS (from January 2025), and NSA ("SEN support
//     but no specialist assessment of type of need"), used with provision K only.
//
// Sources read for them (public guidance that restates the DfE's census guide "Complete the
// school census: find a school census code"): Norfolk County Council, "SEN-specific census
// guidance" (https://www.schools.norfolk.gov.uk/article/72681/SEN-specific-census-guidance); Devon
// County Council, "Devon SEN census guidance"
// (https://www.devon.gov.uk/support-schools-settings/send/send-strategic-support/devon-sen-census-guidance);
// the census XML's SENneed elements (SENtypeRank, SENtype) as management information systems
// write them; and, for DS, the DfE's announcement that Down syndrome is a census category from
// January 2025 (Schools Week, "DfE to collect data on children with Down syndrome").
package register

import (
	"fmt"
	"slices"
	"strings"
)

// Provision is a pupil's SEN provision as the census codes it.
type Provision string

const (
	ProvisionNone       Provision = "N" // no special educational need
	ProvisionSENSupport Provision = "K" // SEN support
	ProvisionEHCPlan    Provision = "E" // an EHC plan
)

// Provisions lists the provision codes in the census's order of weight.
func Provisions() []Provision {
	return []Provision{ProvisionNone, ProvisionSENSupport, ProvisionEHCPlan}
}

// Describe says what a provision code means.
func (p Provision) Describe() string {
	switch p {
	case ProvisionNone:
		return "No special educational need"
	case ProvisionSENSupport:
		return "SEN support"
	case ProvisionEHCPlan:
		return "EHC plan"
	}
	return string(p)
}

// ParseProvision reads a provision code (any case, spaces trimmed).
func ParseProvision(s string) (Provision, error) {
	p := Provision(strings.ToUpper(strings.TrimSpace(s)))
	if slices.Contains(Provisions(), p) {
		return p, nil
	}
	return "", fmt.Errorf("%q is not a census SEN provision code: use N, K or E", s)
}

// Need is a census SEN type code.
type Need string

const (
	NeedSPLD Need = "SPLD"
	NeedMLD  Need = "MLD"
	NeedSLD  Need = "SLD"
	NeedPMLD Need = "PMLD"
	NeedSEMH Need = "SEMH"
	NeedSLCN Need = "SLCN"
	NeedHI   Need = "HI"
	NeedVI   Need = "VI"
	NeedMSI  Need = "MSI"
	NeedPD   Need = "PD"
	NeedASD  Need = "ASD"
	NeedDS   Need = "DS"
	NeedOTH  Need = "OTH"
	NeedNSA  Need = "NSA"
)

// needInfo is a need code's words and the Code of Practice's broad area of need it falls in (the
// area codes the OAG catalogue uses).
type needInfo struct {
	code        Need
	words, area string
}

var needs = []needInfo{
	{NeedSLCN, "Speech, language and communication needs", "communication_and_interaction"},
	{NeedASD, "Autistic spectrum disorder", "communication_and_interaction"},
	{NeedSPLD, "Specific learning difficulty", "cognition_and_learning"},
	{NeedMLD, "Moderate learning difficulty", "cognition_and_learning"},
	{NeedSLD, "Severe learning difficulty", "cognition_and_learning"},
	{NeedPMLD, "Profound and multiple learning difficulty", "cognition_and_learning"},
	{NeedDS, "Down syndrome", "cognition_and_learning"},
	{NeedSEMH, "Social, emotional and mental health", "social_emotional_mental_health"},
	{NeedHI, "Hearing impairment", "sensory_physical"},
	{NeedVI, "Visual impairment", "sensory_physical"},
	{NeedMSI, "Multi-sensory impairment", "sensory_physical"},
	{NeedPD, "Physical disability", "sensory_physical"},
	{NeedOTH, "Other difficulty or disability", ""},
	{NeedNSA, "SEN support but no specialist assessment of type of need", ""},
}

// Needs lists the need codes, grouped by area of need.
func Needs() []Need {
	out := make([]Need, len(needs))
	for i, n := range needs {
		out[i] = n.code
	}
	return out
}

func (n Need) info() (needInfo, bool) {
	i := slices.IndexFunc(needs, func(x needInfo) bool { return x.code == n })
	if i < 0 {
		return needInfo{}, false
	}
	return needs[i], true
}

// Describe says what a need code means.
func (n Need) Describe() string {
	if i, ok := n.info(); ok {
		return i.words
	}
	return string(n)
}

// Area is the broad area of need a code falls in ("" for OTH and NSA).
func (n Need) Area() string {
	i, _ := n.info()
	return i.area
}

// ParseNeed reads a need code (any case, spaces trimmed; "SpLD" is SPLD). "" is no need given.
func ParseNeed(s string) (Need, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if s == "" {
		return "", nil
	}
	if _, ok := Need(s).info(); ok {
		return Need(s), nil
	}
	return "", fmt.Errorf("%q is not a census SEN type code", s)
}

// Problem is one field of a register entry that the census would not take.
type Problem struct {
	Field, Message string
}

// Check says what the census would refuse in a provision with its ranked needs: a pupil with
// provision K or E has a primary need; a pupil with N has none; NSA is for SEN support only, and
// only as the primary need; the secondary need is not the primary one again.
func Check(p Provision, primary, secondary Need) []Problem {
	var out []Problem
	switch p {
	case ProvisionNone:
		if primary != "" || secondary != "" {
			out = append(
				out,
				Problem{
					"primaryNeed",
					"is given only for a pupil on SEN support or with an EHC plan (provision K or E)",
				},
			)
		}
		return out
	case ProvisionSENSupport, ProvisionEHCPlan:
	default:
		return []Problem{{"provision", "must be N, K or E"}}
	}
	if primary == "" {
		out = append(
			out,
			Problem{
				"primaryNeed",
				"is needed for a pupil on SEN support or with an EHC plan: choose one, or NSA for SEN support not yet assessed",
			},
		)
	}
	if primary == NeedNSA && p != ProvisionSENSupport {
		out = append(
			out,
			Problem{"primaryNeed", "NSA (no specialist assessment of type of need) is for SEN support (K) only"},
		)
	}
	switch {
	case secondary == "":
	case secondary == NeedNSA:
		out = append(out, Problem{"secondaryNeed", "NSA cannot be a secondary need"})
	case primary == NeedNSA:
		out = append(out, Problem{"secondaryNeed", "is not given when the primary need is not yet assessed (NSA)"})
	case secondary == primary:
		out = append(out, Problem{"secondaryNeed", "must differ from the primary need"})
	}
	return out
}
