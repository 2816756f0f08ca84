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
)

// Deadline is an open date someone must act by, shown on the pathway and the caseload.
type Deadline struct {
	Kind  string
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
	UpdatedAt time.Time
}

// Audiences a notice can go to.
const (
	ToSENDCo   = "sendco"
	ToTeachers = "teachers" // the pupil's class teachers
	ToParents  = "parents"  // people with parental responsibility
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
	LinkPath string // path under the public URL the email links to
}

// ReadinessRequest asks for the readiness check of a referral.
type ReadinessRequest struct {
	PupilID string
	Service string
}
