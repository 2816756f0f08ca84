package workflows

import "slices"

// The values of each of the pathway's enumerations, in the order people are offered them. The
// API's enum tags repeat these (api's TestEnumTagsMatchTheWorkflows fails when they differ), and
// the rules check an incoming value with Valid. The values are written into workflow histories:
// never change one, add a new one.

// Ratings are how far an outcome can be met.
func Ratings() []Rating { return []Rating{RatingAchieved, RatingPartly, RatingNotAchieved} }

// Valid reports one of Ratings.
func (r Rating) Valid() bool { return slices.Contains(Ratings(), r) }

// NextSteps are what can follow a review.
func NextSteps() []NextStep {
	return []NextStep{NextContinue, NextStepDown, NextRefer, NextRequestEHCNA}
}

// Valid reports one of NextSteps.
func (n NextStep) Valid() bool { return slices.Contains(NextSteps(), n) }

// TriageDecisions are what the SENDCo can decide about a concern.
func TriageDecisions() []TriageDecision {
	return []TriageDecision{TriageMonitor, TriageMoreEvidence, TriageSENSupport, TriageNoFurtherAction}
}

// Valid reports one of TriageDecisions.
func (d TriageDecision) Valid() bool { return slices.Contains(TriageDecisions(), d) }

// Stages are where a pupil's pathway can be.
func Stages() []Stage {
	return []Stage{StageNone, StageMonitoring, StageAwaitingTriage, StageSENSupport, StageEHCAssessment,
		StageEHCPlan, StageClosed}
}

// MeetingKinds are the meetings with a family the pathway holds.
func MeetingKinds() []MeetingKind {
	return []MeetingKind{MeetingReview, MeetingExpectation, MeetingAnnualReview}
}

// Valid reports one of MeetingKinds.
func (k MeetingKind) Valid() bool { return slices.Contains(MeetingKinds(), k) }

// ParentResponseKinds are a parent's answers to a meeting invitation.
func ParentResponseKinds() []ParentResponseKind {
	return []ParentResponseKind{ResponseAccepted, ResponseDeclined, ResponseAnotherTime}
}

// Valid reports one of ParentResponseKinds.
func (k ParentResponseKind) Valid() bool { return slices.Contains(ParentResponseKinds(), k) }

// ConsentActions are what a parent can do with consent to a referral.
func ConsentActions() []ConsentAction {
	return []ConsentAction{ConsentGive, ConsentRefuse, ConsentWithdraw}
}

// Valid reports one of ConsentActions.
func (a ConsentAction) Valid() bool { return slices.Contains(ConsentActions(), a) }

// AgencyResponseKinds are what an agency can send back.
func AgencyResponseKinds() []AgencyResponseKind {
	return []AgencyResponseKind{AgencyAcknowledged, AgencyAdvice, AgencyRejected}
}

// Valid reports one of AgencyResponseKinds.
func (k AgencyResponseKind) Valid() bool { return slices.Contains(AgencyResponseKinds(), k) }

// Who may request an EHC needs assessment (RequestEHCNA.RequestedBy).
const (
	RequestedBySchool      = "school"
	RequestedByParent      = "parent"
	RequestedByYoungPerson = "young_person"
)

// EHCRequesters are who may request an EHC needs assessment.
func EHCRequesters() []string {
	return []string{RequestedBySchool, RequestedByParent, RequestedByYoungPerson}
}

// EHCEventTypes are the steps of an EHC needs assessment the LA or the school records.
func EHCEventTypes() []EHCEventType {
	return []EHCEventType{EHCDecidedToAssess, EHCDecidedNotToAssess, EHCAdviceRequested, EHCAdviceReceived,
		EHCExceptionStarted, EHCExceptionEnded, EHCDraftIssued, EHCDecidedNotToIssue, EHCFinalPlanIssued}
}

// EHCOutcomes are how an EHC needs assessment can end.
func EHCOutcomes() []EHCOutcome {
	return []EHCOutcome{EHCRefusedToAssess, EHCNotIssuing, EHCPlanIssued}
}

// AnnualReviewEventTypes are the steps of an annual review.
func AnnualReviewEventTypes() []AnnualReviewEventType {
	return []AnnualReviewEventType{ARMeetingScheduled, ARMeetingHeld, ARReportSent, ARLADecision,
		ARAmendedPlanIssued, ARTransferCorrected}
}

// ARDecisions are the council's decisions after an annual review.
func ARDecisions() []string { return []string{ARKeep, ARAmend, ARCease} }

// PhaseTransfers are the moves between phases a pupil can make, PhaseTransferNone first.
func PhaseTransfers() []PhaseTransfer {
	return []PhaseTransfer{PhaseTransferNone, PhaseTransferEarlyYearsToSchool, PhaseTransferInfantToJunior,
		PhaseTransferPrimaryToMiddle, PhaseTransferPrimaryToSecondary, PhaseTransferMiddleToSecondary,
		PhaseTransferSecondaryToPost16}
}

// Timeliness values, open first: where a statutory step stands (StepTimeliness.Status).
func Timelinesses() []string {
	return []string{TimelyOnTrack, TimelyAtRisk, TimelyLate, TimelyPaused, TimelyDone,
		TimelyDoneCountingExceptions, TimelyDoneLate}
}

// Where an APDR cycle stands (CycleState.Status).
const (
	CycleStatusActive   = "active"
	CycleStatusOverdue  = "overdue"
	CycleStatusReviewed = "reviewed"
)

// CycleStatuses are where an APDR cycle can stand.
func CycleStatuses() []string {
	return []string{CycleStatusActive, CycleStatusOverdue, CycleStatusReviewed}
}
