// Package workflows holds the Temporal workflows that follow each pupil, and beside them the plain
// decision code (stages, transitions, validation) that they are thin over. Files without a
// Temporal import are the rules; they are tested by tables.
package workflows

// Stage is where a pupil is on the graduated approach. Names are stable API values.
type Stage string

const (
	StageNone           Stage = "none"            // no concern yet
	StageMonitoring     Stage = "monitoring"      // concern raised; OAG strategies being tried
	StageAwaitingTriage Stage = "awaiting_triage" // the SENDCo has a concern to look at
	StageSENSupport     Stage = "sen_support"
	StageEHCAssessment  Stage = "ehc_assessment"
	StageEHCPlan        Stage = "ehc_plan"
	StageClosed         Stage = "closed"
)

// Describe says what a stage means to a parent or teacher reading the pathway.
func (s Stage) Describe() string {
	switch s {
	case StageNone:
		return "No concern has been raised."
	case StageMonitoring:
		return "A concern has been raised and everyday classroom strategies are being tried."
	case StageAwaitingTriage:
		return "A concern is waiting for the SENDCo to look at it."
	case StageSENSupport:
		return "The pupil gets SEN support: a plan is agreed and reviewed with the family."
	case StageEHCAssessment:
		return "The local authority is carrying out an EHC needs assessment."
	case StageEHCPlan:
		return "The pupil has an EHC plan."
	case StageClosed:
		return "The pathway is closed."
	}
	return string(s)
}
