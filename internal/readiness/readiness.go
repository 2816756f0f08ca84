// Package readiness decides whether a referral has the evidence an agency asks for, and says in
// plain sentences what is missing. It is plain Go over gathered evidence: the referral workflow,
// the SENDCo's decision and the API's readiness check all call Evaluate, so there is one rule.
package readiness

import "fmt"

// Evidence is what the pathway holds about support already given.
type Evidence struct {
	StrategiesTried int // OAG strategies recorded against the pupil's concerns
	// ReviewedCyclesWithParentViews counts APDR cycles reviewed with the parents' views heard.
	ReviewedCyclesWithParentViews int
}

// Rules are the thresholds a service asks for. The OAG catalogue issue makes them data per service.
type Rules struct {
	MinStrategies         int
	MinReviewedWithParent int
}

// Default is what most services ask for before a referral.
var Default = Rules{MinStrategies: 2, MinReviewedWithParent: 1}

// Criterion is one rule's result.
type Criterion struct {
	ID       string
	Met      bool
	Evidence string // what meets it
	Missing  string // what to do, when it is not met
}

// Evaluate checks evidence against rules.
func Evaluate(ev Evidence, r Rules) []Criterion {
	return []Criterion{
		count("strategies_tried", ev.StrategiesTried, r.MinStrategies,
			"%d classroom strategies recorded.",
			"Record at least %d classroom strategies that have been tried (%d so far)."),
		count("reviewed_with_parents", ev.ReviewedCyclesWithParentViews, r.MinReviewedWithParent,
			"%d support plans reviewed with the parents' views.",
			"Review at least %d support plan with the parents' views (%d so far)."),
	}
}

func count(id string, have, need int, evidence, missing string) Criterion {
	c := Criterion{ID: id, Met: have >= need}
	if c.Met {
		c.Evidence = fmt.Sprintf(evidence, have)
	} else {
		c.Missing = fmt.Sprintf(missing, need, have)
	}
	return c
}

// Met reports whether every criterion is met, and the sentences of what is missing.
func Met(cs []Criterion) (bool, []string) {
	var missing []string
	for _, c := range cs {
		if !c.Met {
			missing = append(missing, c.Missing)
		}
	}
	return len(missing) == 0, missing
}
