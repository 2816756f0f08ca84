package workflows

import (
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Register adds every workflow, under its stable name, to a worker or a replayer.
func Register(r worker.WorkflowRegistry) {
	r.RegisterWorkflowWithOptions(Pathway, workflow.RegisterOptions{Name: PathwayWorkflowName})
	r.RegisterWorkflowWithOptions(Cycle, workflow.RegisterOptions{Name: CycleWorkflowName})
	r.RegisterWorkflowWithOptions(Referral, workflow.RegisterOptions{Name: ReferralWorkflowName})
	r.RegisterWorkflowWithOptions(EHCAssessment, workflow.RegisterOptions{Name: EHCWorkflowName})
	r.RegisterWorkflowWithOptions(AnnualReview, workflow.RegisterOptions{Name: AnnualReviewWorkflowName})
	r.RegisterWorkflowWithOptions(DeliveryWatch, workflow.RegisterOptions{Name: DeliveryWatchWorkflowName})
}
