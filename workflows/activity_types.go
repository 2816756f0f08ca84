package workflows

import (
	"encoding/json"
	"time"
)

// Activity names, shared by the workflows and the worker that registers the activities.
const (
	ActivityProject        = "Project"
	ActivityNotify         = "Notify"
	ActivityPupilParents   = "PupilParents"
	ActivityCheckReadiness = "CheckReadiness"
	ActivityMeetingMail    = "MeetingMail"
	ActivityCommit         = "Commit"
	// ActivityPupilPlacement reads a pupil's Placement (birth year, school year groups).
	ActivityPupilPlacement = "PupilPlacement"
)

// Deadline is an open date someone must act by, shown on the pathway and the caseload.
type Deadline struct {
	Kind  string
	Ref   string // tells apart deadlines of one kind, e.g. the concern of a trial window
	Due   time.Time
	Label string // plain words: "Review of support plan 2"
}

// Projection is what the read model receives after each change of a workflow: the pathway
// itself (ItemID "") or one of its parts (a cycle, a referral, an assessment, an annual review).
type Projection struct {
	PupilID   string
	SchoolID  string
	ItemID    string // "" for the pathway; e.g. "cycle/2", "referral/<id>"
	Kind      string // "pathway", "cycle", "referral", "ehc", "annual_review"
	Status    string // the pathway's stage, or the item's status
	Version   int64
	State     json.RawMessage
	Events    []Event
	Deadlines []Deadline
	// Accept lists the proposed records this change takes into the pupil's history; the read
	// model marks them accepted in the same transaction as the state.
	Accept    []Record
	UpdatedAt time.Time
}

// MeetingMail asks the activities to send everyone invited to a meeting the invitation (or
// cancellation) for the change the pathway has just accepted.
type MeetingMail struct {
	PupilID   string
	SchoolID  string
	MeetingID string
	ChangeID  string
}

// Audiences a notice can go to.
const (
	ToSENDCo   = "sendco"
	ToTeachers = "teachers" // the pupil's class teachers
	ToParents  = "parents"  // people with parental responsibility
	// ToCouncil is the council's side of an EHC plan: the pupil's EHC officer and the team
	// address in the council's directory. It is told of the steps the council owns.
	ToCouncil = "council"
)

// ToUser addresses one person by id.
func ToUser(id string) string { return "user:" + id }

// ToAgency addresses an agency service's referral route.
func ToAgency(service string) string { return "agency:" + service }

// Notice asks the activities to email people. Vars carry dates and references, never needs;
// the activity adds names, the school and the link.
type Notice struct {
	Key      string // unique per intent; the recipient is appended, so a retry queues nothing twice
	Template string
	To       []string
	PupilID  string
	SchoolID string
	Vars     map[string]string
	LinkPath string // path under the public URL that staff copies link to
	// Parents is the page parents' copies link to: each parent gets their own signed link to a
	// small page they can use without an account. The zero value is the plan page.
	Parents ParentPage
}

// ParentPage is the page a parent's link opens.
type ParentPage struct {
	Kind       ParentPageKind
	Cycle      int    // the support cycle, for PageViews
	ReferralID string // the referral, for PageConsent
	// SkipIfMeetingBooked: parents already invited to the review meeting of Cycle are not sent
	// this notice. That invitation gave the date, the place and a link for their views; a second
	// email with the plan's review date would only confuse.
	SkipIfMeetingBooked bool
}

// ParentPageKind names a parent page.
type ParentPageKind string

const (
	PagePlan    ParentPageKind = ""        // the plan, the last review and the next dates
	PageViews   ParentPageKind = "views"   // give views before a review
	PageConsent ParentPageKind = "consent" // give or refuse consent to a referral
)

// ReadinessRequest asks for the readiness check of a referral.
type ReadinessRequest struct {
	PupilID string
	Service string
}
