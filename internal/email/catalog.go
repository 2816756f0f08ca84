package email

import (
	"sort"

	"github.com/sendflow/sendflow/internal/email/mailname"
)

// The catalogue of sendflow's emails. Every message names the pupil by first name only and says
// what has happened and what to do; needs, diagnoses, outcomes, ratings and the names of agencies
// stay behind the link. So no template takes such data: a staff email says "a referral", never
// which service, and the agency email does not name the child at all.
//
// Values for the template-specific keys:
//   - dates (TrialEnded, ReviewDate, SubmittedOn, Due, DecisionDue, FinalPlanDue, CommentsBy,
//     ExpiresOn, MeetingDate, LetterDate, TribunalDeadline, PausedFrom, ResumedOn): a date in
//     words, "23 November 2026";
//   - PausedDays: a whole number of days, "33";
//   - Milestone and Step: plain lower-case words that fit "the time limit for ___" and "the next
//     step ... is ___", e.g. "the decision whether to assess", "the review report";
//   - Reason: one of the prescribed exceptions in plain lower-case words that fit "paused
//     because ___", e.g. "the school was closed for 4 weeks or more" — never health details;
//   - Reference: the referral's reference;
//   - Answer: a parent's answer to an invitation in words that fit "They told us ___":
//     "they cannot come", "they would like another time", "they can come after all";
//   - MeetingTime: a time of day on the 24-hour clock, "10:30"; Location: where a meeting is, in
//     plain words the school chose ("the school library") — never a clinic or a service's name.

// ConcernRaised tells a SENDCo a concern is waiting for triage.
var ConcernRaised = Template{
	Name: mailname.ConcernRaised, Version: "2", Audience: AudienceStaff,
	Subject: "A new concern to look at: {{.PupilFirstName}}",
	Heading: "A new concern about {{.PupilFirstName}}",
	Paragraphs: []string{
		"A teacher has raised a concern about {{.PupilFirstName}} at {{.SchoolName}}.",
		"Please look at it and decide the next step.",
	},
	Action: "Open the pupil's pathway",
}

// SignInLink is the one-time link a parent asked for.
var SignInLink = Template{
	Name: mailname.SignInLink, Version: "1", Audience: AudienceParent, Keys: []string{"ExpiresIn"},
	Subject: "Your sign-in link for sendflow",
	Heading: "Sign in to sendflow",
	Paragraphs: []string{
		"You asked to sign in to see how {{.PupilFirstName}} is getting on at {{.SchoolName}}.",
		"The link works once, for the next {{.ExpiresIn}}.",
		"If you did not ask for it, you can ignore this email.",
	},
	Action: "Sign in",
}

// ReferralPortalUpload asks the SENDCo to send an approved, consented referral through the
// service's own portal.
var ReferralPortalUpload = Template{
	Name: mailname.ReferralPortalUpload, Version: "1", Audience: AudienceStaff,
	Subject: "A referral is ready to send: {{.PupilFirstName}}",
	Heading: "Send the referral for {{.PupilFirstName}}",
	Paragraphs: []string{
		"The referral for {{.PupilFirstName}} is approved and the parents have given consent.",
		"This service takes referrals on its own website. The link below opens it.",
		"Please send the referral there, then record the service's reply in sendflow.",
	},
	Action: "Open the service's website",
}

// DeliveryBehind tells a school's SENDCo, at most once a week, that support for some pupils has
// newly fallen behind what their plans promise. It counts pupils and names none: who, and which
// support, is on the provision map behind the link. NewlyBehind and AllBehind are counts of
// pupils in words, "1 pupil", "3 pupils".
var DeliveryBehind = Template{
	Name: mailname.DeliveryBehind, Version: "1", Audience: AudienceStaff, AboutSchool: true,
	Keys:    []string{"NewlyBehind", "AllBehind"},
	Subject: "Support is behind what plans promise at {{.SchoolName}}",
	Heading: "Some support has fallen behind",
	Paragraphs: []string{
		"At {{.SchoolName}}, fewer sessions were logged than the plans promise for {{.NewlyBehind}}, two school weeks running.",
		"In all, support for {{.AllBehind}} is now behind.",
		"The provision map shows who and what. Please check it with the staff who give the support.",
	},
	Action: "Open the provision map",
}

var catalog = []Template{
	DeliveryBehind,
	// Staff.
	ConcernRaised,
	ReferralPortalUpload,
	SignInLink,
	{
		Name: mailname.TrialEnded, Version: "1", Audience: AudienceStaff, Keys: []string{"TrialEnded"},
		Subject: "Time to record how the strategies worked: {{.PupilFirstName}}",
		Heading: "The time for trying strategies has ended",
		Paragraphs: []string{
			"The time for trying classroom strategies with {{.PupilFirstName}} at {{.SchoolName}} ended on {{.TrialEnded}}.",
			"Please record how well they worked. The SENDCo will use your notes to decide the next step.",
		},
		Action: "Record how it went",
	},
	{
		Name: mailname.MoreEvidenceRequested, Version: "1", Audience: AudienceStaff,
		Subject: "More evidence needed: {{.PupilFirstName}}",
		Heading: "The SENDCo has asked for more evidence",
		Paragraphs: []string{
			"The SENDCo at {{.SchoolName}} has asked for more evidence about what has been tried for {{.PupilFirstName}}.",
			"Please add notes on the strategies you have used and how well they worked.",
		},
		Action: "Add evidence",
	},
	{
		Name: mailname.TriageAgain, Version: "1", Audience: AudienceStaff,
		Subject: "Ready to look at again: {{.PupilFirstName}}",
		Heading: "{{.PupilFirstName}} is ready for you to look at again",
		Paragraphs: []string{
			"The concern about {{.PupilFirstName}} at {{.SchoolName}} is ready for you to look at again.",
			"Please look at what has been added and decide the next step.",
		},
		Action: "Open the pupil's pathway",
	},
	{
		Name: mailname.PlanNeeded, Version: "1", Audience: AudienceStaff,
		Subject: "A plan to agree: {{.PupilFirstName}}",
		Heading: "Agree the next plan for {{.PupilFirstName}}",
		Paragraphs: []string{
			"{{.PupilFirstName}} at {{.SchoolName}} now gets SEN support, or the last review asked for it to continue.",
			"Please agree the next plan with the family. Set a clear date to review it together.",
		},
		Action: "Start the plan",
	},
	{
		Name: mailname.ReviewReminder, Version: "1", Audience: AudienceStaff, Keys: []string{"ReviewDate"},
		Subject: "Review coming up: {{.PupilFirstName}} on {{.ReviewDate}}",
		Heading: "{{.PupilFirstName}}'s review is on {{.ReviewDate}}",
		Paragraphs: []string{
			"The review of {{.PupilFirstName}}'s support at {{.SchoolName}} is on {{.ReviewDate}}.",
			"Please get ready for it. Bring notes on the support given and how well it worked.",
			"The family will be asked for their views.",
		},
		Action: "Prepare for the review",
	},
	{
		Name: mailname.ReviewOverdue, Version: "1", Audience: AudienceStaff, Keys: []string{"ReviewDate"},
		Subject: "Review overdue: {{.PupilFirstName}}",
		Heading: "A review has not been recorded",
		Paragraphs: []string{
			"{{.PupilFirstName}}'s review at {{.SchoolName}} was due on {{.ReviewDate}}. It has not been recorded.",
			"Please hold the review with the family, or record it if it has taken place.",
		},
		Action: "Record the review",
	},
	{
		Name: mailname.ReferralDecisionNeeded, Version: "1", Audience: AudienceStaff,
		Subject: "A referral is waiting for your decision: {{.PupilFirstName}}",
		Heading: "A referral needs your decision",
		Paragraphs: []string{
			"A referral for {{.PupilFirstName}} at {{.SchoolName}} is waiting for your decision.",
			"The link shows a check of whether the referral is ready to send.",
		},
		Action: "Look at the referral",
	},
	{
		Name: mailname.ConsentExpired, Version: "1", Audience: AudienceStaff,
		Subject: "Referral stopped: no answer about consent for {{.PupilFirstName}}",
		Heading: "The referral has stopped",
		Paragraphs: []string{
			"We asked {{.PupilFirstName}}'s parents for consent to a referral. They did not answer in time.",
			"The referral has stopped and nothing has been sent.",
			"If a referral is still needed, talk to the family and ask again.",
		},
		Action: "Open the pupil's pathway",
	},
	{
		Name: mailname.ConsentRefused, Version: "1", Audience: AudienceStaff,
		Subject: "Referral stopped: no consent for {{.PupilFirstName}}",
		Heading: "The referral has stopped",
		Paragraphs: []string{
			"{{.PupilFirstName}}'s parents did not give consent to the referral from {{.SchoolName}}.",
			"The referral has stopped and nothing has been sent.",
			"You can talk to the family about other ways to help.",
		},
		Action: "Open the pupil's pathway",
	},
	{
		Name: mailname.ConsentWithdrawn, Version: "1", Audience: AudienceStaff,
		Subject: "Referral stopped: consent withdrawn for {{.PupilFirstName}}",
		Heading: "The referral has stopped",
		Paragraphs: []string{
			"{{.PupilFirstName}}'s parents have withdrawn their consent to the referral from {{.SchoolName}}.",
			"The referral has stopped. Nothing more will be shared for it.",
			"Please talk to the family about what happens next.",
		},
		Action: "Open the pupil's pathway",
	},
	{
		// The agency's email never names the child: not in the subject, not in the body.
		Name: mailname.ReferralSubmitted, Version: "1", Audience: AudienceAgency, Keys: []string{"Reference"},
		Subject: "New referral from {{.SchoolName}}: reference {{.Reference}}",
		Heading: "A new referral, reference {{.Reference}}",
		Paragraphs: []string{
			"{{.SchoolName}} has sent you a referral for a pupil, with the parents' consent. The reference is {{.Reference}}.",
			"Please open the link to see the referral and the evidence sent with it.",
			"Please let the school know when you have received it.",
		},
		Action: "See the referral",
	},
	{
		Name: mailname.AgencyNoReply, Version: "1", Audience: AudienceStaff, Keys: []string{"SubmittedOn"},
		Subject: "No reply to a referral: {{.PupilFirstName}}",
		Heading: "A referral has not been acknowledged",
		Paragraphs: []string{
			"A referral for {{.PupilFirstName}} at {{.SchoolName}} was sent on {{.SubmittedOn}}. It has not been acknowledged in time.",
			"Please contact the service to check that it has arrived.",
		},
		Action: "See the referral",
	},
	{
		Name: mailname.AdviceReceivedStaff, Version: "1", Audience: AudienceStaff,
		Subject: "Advice has arrived: {{.PupilFirstName}}",
		Heading: "Advice has arrived",
		Paragraphs: []string{
			"Advice has arrived for the referral for {{.PupilFirstName}} at {{.SchoolName}}.",
			"Please read it and use it in the next plan. Talk it through with the family.",
		},
		Action: "Read the advice",
	},
	{
		Name: mailname.EHCDeadlineAtRisk, Version: "1", Audience: AudienceStaff, Keys: []string{"Milestone", "Due"},
		Subject: "EHC time limit at risk: {{.PupilFirstName}}",
		Heading: "A time limit is at risk",
		Paragraphs: []string{
			"The time limit for {{.Milestone}} for {{.PupilFirstName}} at {{.SchoolName}} is at risk.",
			"It is due on {{.Due}}. Please check what is still needed and chase it.",
		},
		Action: "See the timeline",
	},
	{
		Name: mailname.EHCDeadlineMissed, Version: "1", Audience: AudienceStaff, Keys: []string{"Milestone", "Due"},
		Subject: "EHC time limit missed: {{.PupilFirstName}}",
		Heading: "A time limit has been missed",
		Paragraphs: []string{
			"The time limit for {{.Milestone}} for {{.PupilFirstName}} at {{.SchoolName}} was missed. It was due on {{.Due}}.",
			"Please find out why and record the reason. Keep the family informed.",
		},
		Action: "See the timeline",
	},
	{
		Name: mailname.AnnualReviewToArrange, Version: "1", Audience: AudienceStaff, Keys: []string{"Due"},
		Subject: "Arrange the annual review: {{.PupilFirstName}}",
		Heading: "An annual review to arrange",
		Paragraphs: []string{
			"The annual review of {{.PupilFirstName}}'s EHC plan must be held by {{.Due}}.",
			"Please arrange the meeting. Invite the family, and ask for advice at least 2 weeks before it.",
		},
		Action: "Arrange the review",
	},
	{
		// A breach: the step's due day has passed and it is not recorded. Sent to the SENDCo,
		// and for the council's steps to the council too.
		Name: mailname.AnnualReviewStepLate, Version: "1", Audience: AudienceStaff, Keys: []string{"Step", "Due"},
		Subject: "Annual review step late: {{.PupilFirstName}}",
		Heading: "A step in the annual review is late",
		Paragraphs: []string{
			"In {{.PupilFirstName}}'s annual review, {{.Step}} was due by {{.Due}}. It has not been recorded.",
			"Please find out why and record it as soon as it is done. Keep the family informed.",
		},
		Action: "See the review",
	},
	{
		// A meeting booked too late for a limit: after the 12-month date, or in a transfer year
		// too late for the council to decide by 15 February.
		Name: mailname.AnnualReviewScheduleWarning, Version: "1", Audience: AudienceStaff, Keys: []string{"Step", "Due", "MeetingDate"},
		Subject: "Annual review booked too late: {{.PupilFirstName}}",
		Heading: "The review meeting is booked too late",
		Paragraphs: []string{
			"{{.PupilFirstName}}'s annual review meeting is booked for {{.MeetingDate}}.",
			"That is too late for {{.Step}}, due by {{.Due}}.",
			"Please bring the meeting forward if you can. If you cannot, tell the family and the council why.",
		},
		Action: "See the review",
	},
	{
		Name: mailname.AnnualReviewStepDue, Version: "1", Audience: AudienceStaff, Keys: []string{"Step", "Due"},
		Subject: "Annual review step due: {{.PupilFirstName}}",
		Heading: "A step in the annual review is due",
		Paragraphs: []string{
			"The next step in {{.PupilFirstName}}'s annual review is {{.Step}}. It is due by {{.Due}}.",
			"Please make sure it is done on time.",
		},
		Action: "See the review",
	},

	{
		// Sent by the cycle when a parent gives their views from the phone; the words are on the
		// review form the link opens.
		Name: mailname.ParentViewsReceived, Version: "1", Audience: AudienceStaff, Keys: []string{"ReviewDate"},
		Subject: "A parent's views for {{.PupilFirstName}}'s review",
		Heading: "A parent has sent their views",
		Paragraphs: []string{
			"A parent of {{.PupilFirstName}} at {{.SchoolName}} has sent their views for the review on {{.ReviewDate}}.",
			"Please read them before the review. The link shows them beside the plan.",
		},
		Action: "Read the views",
	},
	{
		// Sent by the pathway when a parent declines a meeting or asks for another time.
		// Answer says which: "they cannot come", "they would like another time", or "they can
		// come after all" (a change of answer).
		Name: mailname.MeetingResponse, Version: "2", Audience: AudienceStaff, Keys: []string{"Answer", "MeetingDate"},
		Subject: "A parent answered about a meeting: {{.PupilFirstName}}",
		Heading: "A parent has answered an invitation",
		Paragraphs: []string{
			"A parent has answered the invitation to the meeting about {{.PupilFirstName}} at {{.SchoolName}} on {{.MeetingDate}}.",
			"They told us {{.Answer}}. Please contact them if you need to agree what to do.",
		},
		Action: "Open the pupil's pathway",
	},
	{
		// To staff invited to a meeting with the family, with the invite.ics; also sent when it moves.
		Name: mailname.MeetingInvitationStaff, Version: "1", Audience: AudienceStaff, Keys: []string{"MeetingDate", "MeetingTime", "Location"},
		Subject: "Meeting with a family: {{.PupilFirstName}} on {{.MeetingDate}}",
		Heading: "You are invited to a meeting",
		Paragraphs: []string{
			"You are invited to a meeting with the family of {{.PupilFirstName}} at {{.SchoolName}}.",
			"It is on {{.MeetingDate}} at {{.MeetingTime}}. The place is: {{.Location}}.",
			"The calendar file with this email adds it to your calendar. If the time changes, you will get a new one.",
		},
		Action: "Open the pupil's pathway",
	},
	{
		Name: mailname.MeetingCancelledStaff, Version: "1", Audience: AudienceStaff, Keys: []string{"MeetingDate"},
		Subject: "Meeting cancelled: {{.PupilFirstName}} on {{.MeetingDate}}",
		Heading: "A meeting has been cancelled",
		Paragraphs: []string{
			"The meeting with the family of {{.PupilFirstName}} at {{.SchoolName}} on {{.MeetingDate}} has been cancelled.",
			"The calendar file with this email removes it from your calendar.",
		},
		Action: "Open the pupil's pathway",
	},

	// Parents.
	{
		// A review meeting arranged by the school, with the invite.ics. The link opens a page where
		// the parent says if they can come and gives their views before the review.
		Name: mailname.ReviewMeetingInvitation, Version: "1", Audience: AudienceParent, Keys: []string{"MeetingDate", "MeetingTime", "Location"},
		Subject: "You are invited to {{.PupilFirstName}}'s review on {{.MeetingDate}}",
		Heading: "An invitation to {{.PupilFirstName}}'s review meeting",
		Paragraphs: []string{
			"You are invited to a meeting at {{.SchoolName}} to review {{.PupilFirstName}}'s support.",
			"It is on {{.MeetingDate}} at {{.MeetingTime}}. The place is: {{.Location}}.",
			"We will look at how the support has worked and agree what to do next. Your views matter.",
			"The calendar file with this email adds the meeting to your calendar.",
			"Please use the link to tell us if you can come. You can also share your views before the meeting.",
		},
		Action: "Reply to the invitation",
	},
	{
		// Any other meeting with the family (to talk about how things are going, or an annual review).
		Name: mailname.MeetingInvitation, Version: "1", Audience: AudienceParent, Keys: []string{"MeetingDate", "MeetingTime", "Location"},
		Subject: "You are invited to a meeting about {{.PupilFirstName}} on {{.MeetingDate}}",
		Heading: "An invitation to a meeting about {{.PupilFirstName}}",
		Paragraphs: []string{
			"You are invited to a meeting at {{.SchoolName}} about {{.PupilFirstName}}.",
			"It is on {{.MeetingDate}} at {{.MeetingTime}}. The place is: {{.Location}}.",
			"We will talk about how things are going and what happens next. Your views matter.",
			"The calendar file with this email adds the meeting to your calendar.",
			"Please use the link to tell us if you can come.",
		},
		Action: "Reply to the invitation",
	},
	{
		Name: mailname.MeetingMoved, Version: "1", Audience: AudienceParent, Keys: []string{"MeetingDate", "MeetingTime", "Location"},
		Subject: "New time for the meeting about {{.PupilFirstName}}: {{.MeetingDate}}",
		Heading: "The meeting has a new time",
		Paragraphs: []string{
			"The meeting about {{.PupilFirstName}} at {{.SchoolName}} has a new time.",
			"It is now on {{.MeetingDate}} at {{.MeetingTime}}. The place is: {{.Location}}.",
			"The calendar file with this email updates the meeting in your calendar.",
			"Please use the link to tell us if you can come at the new time.",
		},
		Action: "Reply to the invitation",
	},
	{
		Name: mailname.MeetingCancelled, Version: "1", Audience: AudienceParent, Keys: []string{"MeetingDate"},
		Subject: "Meeting cancelled: {{.PupilFirstName}} on {{.MeetingDate}}",
		Heading: "The meeting has been cancelled",
		Paragraphs: []string{
			"The meeting about {{.PupilFirstName}} at {{.SchoolName}} on {{.MeetingDate}} has been cancelled.",
			"The calendar file with this email removes it from your calendar.",
			"The school will contact you if a new meeting is needed.",
		},
		Action: "See the plan and the next dates",
	},
	{
		Name: mailname.SENSupportStarted, Version: "1", Audience: AudienceParent,
		Subject: "Extra help for {{.PupilFirstName}} at {{.SchoolName}}",
		Heading: "We will give {{.PupilFirstName}} extra help",
		Paragraphs: []string{
			"We will give {{.PupilFirstName}} extra help at {{.SchoolName}}. This is called SEN support.",
			"We will agree a plan with you. It will say what help we will give and when we will check how it is going.",
			"We will review the plan together. You will be invited to each review. Your views and {{.PupilFirstName}}'s views matter.",
		},
		Action: "See the plan",
	},
	{
		Name: mailname.ReviewInvitation, Version: "2", Audience: AudienceParent, Keys: []string{"ReviewDate"},
		Subject: "Your views for {{.PupilFirstName}}'s review on {{.ReviewDate}}",
		Heading: "{{.PupilFirstName}}'s review is coming up",
		Paragraphs: []string{
			"The review of {{.PupilFirstName}}'s support at {{.SchoolName}} is planned for {{.ReviewDate}}.",
			"We will look at how the support has worked and agree what to do next with you. Your views matter.",
			"We will send you the time and place. Before then, please use the link to tell us what is going well, what is hard and what would help.",
		},
		Action: "Share your views",
	},
	{
		Name: mailname.ReviewReminderParent, Version: "2", Audience: AudienceParent, Keys: []string{"ReviewDate"},
		Subject: "Reminder: {{.PupilFirstName}}'s review is on {{.ReviewDate}}",
		Heading: "{{.PupilFirstName}}'s review is on {{.ReviewDate}}",
		Paragraphs: []string{
			"This is a reminder that {{.PupilFirstName}}'s review at {{.SchoolName}} is planned for {{.ReviewDate}}.",
			"Your views matter. You can still share them using the link. If the date does not suit you, please contact the school.",
		},
		Action: "Share your views",
	},
	{
		Name: mailname.ReviewOutcome, Version: "1", Audience: AudienceParent, Keys: []string{"ReviewDate"},
		Subject: "{{.PupilFirstName}}'s review has been recorded",
		Heading: "What was agreed at the review",
		Paragraphs: []string{
			"The review of {{.PupilFirstName}}'s support at {{.SchoolName}} on {{.ReviewDate}} has been recorded.",
			"Use the link to see what was agreed. If something is not right, please tell us.",
		},
		Action: "See what was agreed",
	},
	{
		Name: mailname.ConsentRequest, Version: "1", Audience: AudienceParent,
		Subject: "We would like your consent: {{.PupilFirstName}}",
		Heading: "Can we ask a specialist for advice?",
		Paragraphs: []string{
			"We would like to ask a specialist service for advice about how to help {{.PupilFirstName}} at {{.SchoolName}}.",
			"We need your consent first. Nothing is sent without it.",
			"The link shows who we would like to ask, what we would share and why. You can say yes or no there.",
			"If you say yes, you can withdraw your consent at any time.",
		},
		Action: "Read and reply",
	},
	{
		Name: mailname.ConsentReminder, Version: "1", Audience: AudienceParent, Keys: []string{"ExpiresOn"},
		Subject: "Reminder: please answer about {{.PupilFirstName}} by {{.ExpiresOn}}",
		Heading: "We still need your answer",
		Paragraphs: []string{
			"We asked for your consent to ask a specialist service for advice about {{.PupilFirstName}}.",
			"Please answer by {{.ExpiresOn}}. If we do not hear from you, the request will stop and nothing will be sent.",
			"It is your choice to say yes or no. If you say yes, you can withdraw your consent at any time.",
		},
		Action: "Read and reply",
	},
	{
		Name: mailname.AdviceReceivedParent, Version: "2", Audience: AudienceParent,
		Subject: "Advice has arrived for {{.PupilFirstName}}",
		Heading: "Advice from a specialist has arrived",
		Paragraphs: []string{
			"Advice from a specialist about {{.PupilFirstName}} has arrived at {{.SchoolName}}.",
			"We will talk it through with you and agree what to do next. We will contact you to arrange a time.",
		},
		Action: "See the plan and the next dates",
	},
	{
		Name: mailname.EHCRequestReceived, Version: "2", Audience: AudienceParent, Keys: []string{"DecisionDue"},
		Subject: "A request for an EHC needs assessment for {{.PupilFirstName}}",
		Heading: "A request for an EHC needs assessment",
		Paragraphs: []string{
			"A request has been made for an education, health and care (EHC) needs assessment for {{.PupilFirstName}}.",
			"The local council must decide whether to carry out the assessment by {{.DecisionDue}}. We will tell you what it decides.",
			"The council will ask for your views and {{.PupilFirstName}}'s views. The link shows where the request is and the dates that matter.",
		},
		Action: "See where things are",
	},
	{
		Name: mailname.EHCWillAssess, Version: "1", Audience: AudienceParent, Keys: []string{"FinalPlanDue"},
		Subject: "The council will carry out an EHC needs assessment for {{.PupilFirstName}}",
		Heading: "The council will carry out an assessment",
		Paragraphs: []string{
			"The local council has agreed to carry out an EHC needs assessment for {{.PupilFirstName}}.",
			"It will ask professionals for advice. It will also ask for your views and {{.PupilFirstName}}'s views.",
			"If a plan is needed, the final plan must be issued by {{.FinalPlanDue}}. We will keep you updated.",
		},
		Action: "See what happens next",
	},
	{
		Name: mailname.EHCRefusedToAssess, Version: "2", Audience: AudienceParent, Decision: true,
		Subject: "A decision about an EHC needs assessment for {{.PupilFirstName}}",
		Heading: "The council's decision about an assessment",
		Paragraphs: []string{
			"The local council has decided not to carry out an EHC needs assessment for {{.PupilFirstName}}.",
			"The council will send you a letter with its reasons. {{.SchoolName}} will keep supporting {{.PupilFirstName}} and will talk to you about the next steps.",
			"You can disagree with this decision. Your rights are set out below.",
		},
		Action: "See where things are",
	},
	{
		// The whole-day rule (workflows.Pause) is stated in both letters, so parents can check
		// the dates themselves.
		Name: mailname.EHCClockPaused, Version: "2", Audience: AudienceParent, Keys: []string{"Reason", "PausedFrom"},
		Subject: "The EHC time limits for {{.PupilFirstName}} are paused",
		Heading: "The time limits are paused",
		Paragraphs: []string{
			"The time limits for {{.PupilFirstName}}'s EHC needs assessment are paused from {{.PausedFrom}} because {{.Reason}}.",
			"The law allows this in a few set cases. We will tell you when the time limits start again.",
			"We count whole days in UK time. The day the pause starts counts as paused. The day the time limits start again does not.",
		},
		Action: "See the timeline",
	},
	{
		Name: mailname.EHCClockResumed, Version: "2", Audience: AudienceParent, Keys: []string{"FinalPlanDue", "PausedFrom", "ResumedOn", "PausedDays"},
		Subject: "The EHC time limits for {{.PupilFirstName}} have started again",
		Heading: "The time limits have started again",
		Paragraphs: []string{
			"The time limits for {{.PupilFirstName}}'s EHC needs assessment started again on {{.ResumedOn}}. They were paused from {{.PausedFrom}}.",
			"Days added to the time limits: {{.PausedDays}}. We count whole days in UK time. " +
				"The day the pause started counts as paused. The day the time limits started again does not.",
			"If a plan is needed, the final plan is now due by {{.FinalPlanDue}}.",
		},
		Action: "See the timeline",
	},
	{
		Name: mailname.EHCDraftIssued, Version: "2", Audience: AudienceParent, Keys: []string{"CommentsBy"},
		Subject: "The draft EHC plan for {{.PupilFirstName}}: comments by {{.CommentsBy}}",
		Heading: "The draft EHC plan is ready",
		Paragraphs: []string{
			"The draft EHC plan for {{.PupilFirstName}} is ready. The council will send it to you.",
			"You have until {{.CommentsBy}} to comment on it. You can also ask to meet the council about it.",
			"By the same date, please tell the council which school or setting you would like {{.PupilFirstName}} to attend.",
		},
		Action: "See the dates",
	},
	{
		Name: mailname.EHCNotIssuing, Version: "2", Audience: AudienceParent, Decision: true,
		Subject: "A decision about an EHC plan for {{.PupilFirstName}}",
		Heading: "The council's decision about a plan",
		Paragraphs: []string{
			"The local council has finished the EHC needs assessment for {{.PupilFirstName}}. It has decided not to issue an EHC plan.",
			"The council will send you a letter with its reasons. {{.SchoolName}} will keep supporting {{.PupilFirstName}} and will talk to you about the next steps.",
			"You can disagree with this decision. Your rights are set out below.",
		},
		Action: "See where things are",
	},
	{
		Name: mailname.EHCPlanIssued, Version: "2", Audience: AudienceParent, Decision: true,
		Subject: "The final EHC plan for {{.PupilFirstName}} has been issued",
		Heading: "The final EHC plan has been issued",
		Paragraphs: []string{
			"The local council has issued the final EHC plan for {{.PupilFirstName}}.",
			"The council will send it to you. Please read it carefully. It says what help {{.PupilFirstName}} will get and names a school or setting.",
			"If you disagree with what the plan says, or with the school or setting it names, you can appeal. Your rights are set out below.",
		},
		Action: "See what happens next",
	},
	{
		Name: mailname.AnnualReviewInvitation, Version: "2", Audience: AudienceParent, Keys: []string{"MeetingDate"},
		Subject: "You are invited to {{.PupilFirstName}}'s annual review on {{.MeetingDate}}",
		Heading: "An invitation to {{.PupilFirstName}}'s annual review",
		Paragraphs: []string{
			"You are invited to the annual review of {{.PupilFirstName}}'s EHC plan at {{.SchoolName}} on {{.MeetingDate}}.",
			"We will look at the plan together and agree if it should change. Your views and {{.PupilFirstName}}'s views matter.",
			"The advice for the meeting will be shared with you at least 2 weeks before it. If you cannot come on that day, please contact the school.",
		},
		Action: "See the plan and the next dates",
	},
	{
		Name: mailname.AnnualReviewDecision, Version: "2", Audience: AudienceParent, Decision: true,
		Subject: "A decision after {{.PupilFirstName}}'s annual review",
		Heading: "The council's decision after the annual review",
		Paragraphs: []string{
			"The local council has made its decision after the annual review of {{.PupilFirstName}}'s EHC plan.",
			"The council will send you a letter that says what it has decided and why.",
			"If you disagree, you can appeal. Your rights are set out below.",
		},
		Action: "See what happens next",
	},
	{
		// A pupil's SEND record moved with them to their new school on sendflow.
		Name: mailname.SchoolMoved, Version: "1", Audience: AudienceParent,
		Subject: "{{.PupilFirstName}}'s support record is now with {{.SchoolName}}",
		Heading: "{{.PupilFirstName}}'s record has moved school",
		Paragraphs: []string{
			"{{.PupilFirstName}}'s SEN support record has moved to {{.SchoolName}}, so the new school knows what has helped and what was agreed.",
			"Staff at {{.SchoolName}} can now see it. Staff at the old school can no longer see it.",
			"If you have questions, please contact {{.SchoolName}}.",
		},
		Action: "See the plan and the next dates",
	},
	{
		// Another school on sendflow asked for a pupil's SEND record (by UPN and date of birth):
		// the pupil's school's SENDCo decides. Nothing of the record is in it.
		Name: mailname.TransferRequested, Version: "1", Audience: AudienceStaff, Keys: []string{"RequestingSchool"},
		Subject: "{{.RequestingSchool}} has asked for {{.PupilFirstName}}'s SEND record",
		Heading: "Another school has asked for a pupil's record",
		Paragraphs: []string{
			"{{.RequestingSchool}} has asked for the SEND record of {{.PupilFirstName}}, who is on the roll at {{.SchoolName}}.",
			"If {{.PupilFirstName}} is leaving for {{.RequestingSchool}}, release the record; if not, refuse the request. Nothing moves until you decide.",
		},
		Action: "Decide on the Moving school page",
	},
}

var byName = func() map[string]Template {
	m := make(map[string]Template, len(catalog))
	for _, t := range catalog {
		if _, dup := m[t.Name]; dup {
			panic("email: two templates named " + t.Name)
		}
		m[t.Name] = t
	}
	return m
}()

// Lookup returns the catalogue's template with this name. The copy is the caller's to change.
func Lookup(name string) (Template, bool) {
	t, ok := byName[name]
	if !ok {
		return Template{}, false
	}
	t.Paragraphs = append([]string(nil), t.Paragraphs...)
	t.Keys = append([]string(nil), t.Keys...)
	return t, true
}

// Names lists the catalogue's templates, sorted.
func Names() []string {
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
