// Package mailname names the emails in internal/email's catalogue, so the code that sends one
// (workflow notices, activities, the sign-in pages) and the catalogue share a constant rather
// than a string typed twice. It imports nothing, so workflows can use it without importing
// internal/email. internal/email's TestEveryTemplateNameIsUsed fails when a constant names no
// template or a template is never sent.
//
// The values are written into workflow histories (a notice's Template): never change one.
package mailname

const (
	ConcernRaised               = "concern_raised"
	SignInLink                  = "sign_in_link"
	ReferralPortalUpload        = "referral_portal_upload"
	TrialEnded                  = "trial_ended"
	MoreEvidenceRequested       = "more_evidence_requested"
	TriageAgain                 = "triage_again"
	PlanNeeded                  = "plan_needed"
	ReviewReminder              = "review_reminder"
	ReviewOverdue               = "review_overdue"
	ReferralDecisionNeeded      = "referral_decision_needed"
	ConsentExpired              = "consent_expired"
	ConsentRefused              = "consent_refused"
	ConsentWithdrawn            = "consent_withdrawn"
	ReferralSubmitted           = "referral_submitted"
	AgencyNoReply               = "agency_no_reply"
	AdviceReceivedStaff         = "advice_received_staff"
	EHCDeadlineAtRisk           = "ehc_deadline_at_risk"
	EHCDeadlineMissed           = "ehc_deadline_missed"
	AnnualReviewToArrange       = "annual_review_to_arrange"
	AnnualReviewStepLate        = "annual_review_step_late"
	AnnualReviewScheduleWarning = "annual_review_schedule_warning"
	AnnualReviewStepDue         = "annual_review_step_due"
	ParentViewsReceived         = "parent_views_received"
	MeetingResponse             = "meeting_response"
	MeetingInvitationStaff      = "meeting_invitation_staff"
	MeetingCancelledStaff       = "meeting_cancelled_staff"
	ReviewMeetingInvitation     = "review_meeting_invitation"
	MeetingInvitation           = "meeting_invitation"
	MeetingMoved                = "meeting_moved"
	MeetingCancelled            = "meeting_cancelled"
	SENSupportStarted           = "sen_support_started"
	ReviewInvitation            = "review_invitation"
	ReviewReminderParent        = "review_reminder_parent"
	ReviewOutcome               = "review_outcome"
	ConsentRequest              = "consent_request"
	ConsentReminder             = "consent_reminder"
	AdviceReceivedParent        = "advice_received_parent"
	EHCRequestReceived          = "ehc_request_received"
	EHCWillAssess               = "ehc_will_assess"
	EHCRefusedToAssess          = "ehc_refused_to_assess"
	EHCClockPaused              = "ehc_clock_paused"
	EHCClockResumed             = "ehc_clock_resumed"
	EHCDraftIssued              = "ehc_draft_issued"
	EHCNotIssuing               = "ehc_not_issuing"
	EHCPlanIssued               = "ehc_plan_issued"
	AnnualReviewInvitation      = "annual_review_invitation"
	AnnualReviewDecision        = "annual_review_decision"
)
