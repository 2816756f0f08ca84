package workflows

// The pathway's child workflows: their ids, how they start and how they report back.

import (
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/workflow"
)

// Signal names.
const (
	SignalChild = "child-changed"
)

// ChildChanged is how a child workflow tells the pathway something happened. One field is set.
type ChildChanged struct {
	Cycle        *CycleReviewed
	Referral     *ReferralChanged
	EHC          *EHCFinished
	AnnualReview *AnnualReviewFinished
}

// tellPathway signals the pupil's pathway (its current run, whatever continue-as-new did).
func tellPathway(ctx workflow.Context, pupilID string, c ChildChanged) error {
	return workflow.SignalExternalWorkflow(ctx, PathwayWorkflowID(pupilID), "", SignalChild, c).Get(ctx, nil)
}

// Child workflow ids hang off the pathway's id so an operator finds a pupil's whole story.
func CycleWorkflowID(pupilID string, n int) string {
	return fmt.Sprintf("%s/cycle/%d", PathwayWorkflowID(pupilID), n)
}

// pathwayLink is the pupil's pathway, which staff emails link to: one path for every workflow.
func pathwayLink(pupilID string) string { return "/v1/pupils/" + pupilID + "/pathway" }

// ReferralWorkflowID is the workflow of one referral.
func ReferralWorkflowID(pupilID, referralID string) string {
	return PathwayWorkflowID(pupilID) + "/referral/" + referralID
}

// EHCWorkflowID is the workflow of one EHC needs assessment.
func EHCWorkflowID(pupilID, requestID string) string {
	return PathwayWorkflowID(pupilID) + "/ehc/" + requestID
}

// AnnualReviewWorkflowID is the workflow of one annual review.
func AnnualReviewWorkflowID(pupilID string, n int) string {
	return fmt.Sprintf("%s/annual-review/%d", PathwayWorkflowID(pupilID), n)
}

// startChild starts a child workflow that outlives this run of its parent (continue-as-new does
// not stop it) and waits until it has started.
func startChild(ctx workflow.Context, id, name string, input any) error {
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:        id,
		ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON, // children report back by signal
	})
	return workflow.ExecuteChildWorkflow(cctx, name, input).GetChildWorkflowExecution().Get(ctx, nil)
}

func itoa(n int64) string { return fmt.Sprint(n) }
