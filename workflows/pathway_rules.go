package workflows

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// PathwayInput starts a pupil's pathway. Ids only: names and needs stay in PostgreSQL.
type PathwayInput struct {
	PupilID  string
	SchoolID string
	Timings  Timings
	// Scale compresses time for demos and tests (see Clock); 0 or 1 is real time.
	Scale float64
	// Carried is the state handed over by continue-as-new; nil on the first run.
	Carried *PathwayState
}

// ConcernRaised is a teacher's concern as the workflow sees it: who, when, which record.
type ConcernRaised struct {
	ConcernID string
	RaisedBy  string // user id
	// StrategiesTried counts the OAG strategies the teacher has started; with any, a trial window
	// runs and ends with a prompt to record their impact.
	StrategiesTried int
}

// ConcernRef is a concern the pathway holds.
type ConcernRef struct {
	ConcernID      string
	RaisedBy       string
	RaisedAt       time.Time
	TrialEnds      *time.Time
	TrialPrompted  bool
	ImpactRecorded bool
}

// Triage decisions a SENDCo can make about a concern.
type TriageDecision string

const (
	TriageMonitor         TriageDecision = "monitor"
	TriageMoreEvidence    TriageDecision = "more_evidence"
	TriageSENSupport      TriageDecision = "sen_support"
	TriageNoFurtherAction TriageDecision = "no_further_action"
)

// Triage is the SENDCo's decision.
type Triage struct {
	ID       string // names the action, so a repeat is not applied twice
	Decision TriageDecision
	By       string
}

// CycleRef is what the pathway keeps of an APDR cycle; the cycle's own workflow holds the rest.
type CycleRef struct {
	Number     int
	PlanID     string
	ReviewDate time.Time
	Reviewed   bool
	NextStep   NextStep
}

// ReferralRef is what the pathway keeps of a referral to an agency.
type ReferralRef struct {
	ReferralID string
	Service    string
	Status     ReferralStatus
}

// EHCRef is the pathway's view of an EHC needs assessment.
type EHCRef struct {
	RequestID     string
	PreviousStage Stage
	Outcome       EHCOutcome
}

// Event is one line of the pathway's timeline, in plain words.
type Event struct {
	Seq     int64
	At      time.Time
	Kind    string
	Summary string
	// By is the id of the person whose action this records, when the timeline should say who
	// (a parent giving views or answering an invitation); readers look the name up.
	By string `json:",omitempty"`
}

// PathwayState is the process state of one pupil. It is the workflow's source of truth and is
// projected, as a whole, to the read model.
type PathwayState struct {
	PupilID  string
	SchoolID string
	Stage    Stage
	Clock    Clock
	Timings  Timings
	Concerns []ConcernRef
	Cycles   []CycleRef
	// Referrals run beside the stages.
	Referrals []ReferralRef
	EHC       *EHCRef
	// PlanIssuedAt is set once an EHC plan exists; AnnualReviews counts reviews started.
	PlanIssuedAt  *time.Time
	AnnualReviews int
	// Meetings are the parent meetings planned or held (plan and review meetings), for the
	// three-a-year check.
	Meetings []time.Time
	// MeetingsHeld are the meetings arranged with invitations, and the parents' answers.
	MeetingsHeld []MeetingRef
	// Advice holds ids of agency advice received, to feed the next cycle's plan.
	Advice []string
	// Recent are the last actions taken, so a repeat is answered, not applied twice.
	Recent Recent
	// Version grows with every change so the read model never takes an older state over a newer one.
	Version int64
	// NextSeq numbers timeline events; events themselves live in the read model, not in state.
	NextSeq int64
	// Runs counts continue-as-new generations, for the history-size test and operators.
	Runs int
}

// NewPathwayState is the state of a pupil with nothing recorded yet.
func NewPathwayState(in PathwayInput, origin time.Time) *PathwayState {
	return &PathwayState{PupilID: in.PupilID, SchoolID: in.SchoolID, Stage: StageNone, NextSeq: 1,
		Timings: in.Timings, Clock: Clock{Origin: origin, Scale: in.Scale}}
}

// ErrRefused marks a validation failure the API shows to the user as a conflict with the pathway.
var ErrRefused = errors.New("refused")

func refuse(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrRefused}, a...)...)
}

// day formats a date the way letters do: "16 February 2027".
// DateWordsLayout is how workflows write a calendar date in words for people ("2 January 2006");
// the email activity reads dates in this form back to write them in the reader's language.
const DateWordsLayout = "2 January 2006"

func dateWords(t time.Time) string { return t.In(London).Format(DateWordsLayout) }

func (s *PathwayState) event(now time.Time, kind, summary string) Event {
	e := Event{Seq: s.NextSeq, At: now, Kind: kind, Summary: summary}
	s.NextSeq++
	s.Version++
	return e
}

// ValidateConcern says whether a concern may be added now, and why not.
func (s *PathwayState) ValidateConcern(c ConcernRaised) error {
	if c.ConcernID == "" || c.RaisedBy == "" {
		return refuse("a concern needs its id and the person raising it")
	}
	if c.StrategiesTried < 0 {
		return refuse("the number of strategies tried cannot be negative")
	}
	if slices.ContainsFunc(s.Concerns, func(have ConcernRef) bool { return have.ConcernID == c.ConcernID }) {
		return refuse("concern %s is already recorded", c.ConcernID)
	}
	return nil
}

// ApplyConcern records a concern. A pupil with nothing more advanced under way moves to triage;
// a pupil already on SEN support keeps their stage and the SENDCo sees the new concern. When
// strategies are being tried, a trial window starts.
func (s *PathwayState) ApplyConcern(c ConcernRaised, now time.Time) Event {
	ref := ConcernRef{ConcernID: c.ConcernID, RaisedBy: c.RaisedBy, RaisedAt: now}
	if c.StrategiesTried > 0 {
		ends := s.Timings.Concern.TrialWindow.AddTo(now)
		ref.TrialEnds = &ends
	}
	s.Concerns = append(s.Concerns, ref)
	summary := "A teacher raised a concern. The SENDCo has been asked to look at it."
	switch s.Stage {
	case StageNone, StageMonitoring, StageClosed:
		s.Stage = StageAwaitingTriage
	default:
		summary = "A teacher raised a further concern. The SENDCo has been told."
	}
	if ref.TrialEnds != nil {
		summary += fmt.Sprintf(" Classroom strategies are being tried until %s.", dateWords(*ref.TrialEnds))
	}
	return s.event(now, "concern_raised", summary)
}

// ValidateTriage refuses a triage that does not fit the pathway.
func (s *PathwayState) ValidateTriage(t Triage) error {
	if !t.Decision.Valid() {
		return refuse(
			"%q is not a triage decision; choose monitor, more_evidence, sen_support or no_further_action",
			t.Decision,
		)
	}
	if t.By == "" {
		return refuse("a triage decision needs the person making it")
	}
	if s.Stage != StageAwaitingTriage && s.Stage != StageMonitoring {
		return refuse("there is no concern waiting for triage: the pupil is at stage %s", s.Stage)
	}
	return nil
}

// ApplyTriage carries out the SENDCo's decision.
func (s *PathwayState) ApplyTriage(t Triage, now time.Time) Event {
	switch t.Decision {
	case TriageMonitor:
		s.Stage = StageMonitoring
		ends := s.Timings.Concern.TrialWindow.AddTo(now)
		if c := s.latestConcern(); c != nil {
			c.TrialEnds, c.TrialPrompted, c.ImpactRecorded = &ends, false, false
		}
		return s.event(now, "triaged_monitor", fmt.Sprintf(
			"The SENDCo decided to keep trying classroom strategies and watch progress until %s.", dateWords(ends)))
	case TriageMoreEvidence:
		s.Stage = StageMonitoring
		if c := s.latestConcern(); c != nil {
			c.ImpactRecorded = false
		}
		return s.event(now, "triaged_more_evidence",
			"The SENDCo asked the teacher for more evidence of what has been tried and how it helped.")
	case TriageSENSupport:
		s.Stage = StageSENSupport
		return s.event(
			now,
			"triaged_sen_support",
			"The SENDCo decided the pupil needs SEN support. Parents have been told, and a plan will be agreed with them.",
		)
	default:
		s.Stage = StageClosed
		return s.event(now, "triaged_no_further_action",
			"The SENDCo decided no further action is needed now. A new concern can be raised at any time.")
	}
}

func (s *PathwayState) latestConcern() *ConcernRef {
	if len(s.Concerns) == 0 {
		return nil
	}
	return &s.Concerns[len(s.Concerns)-1]
}

// ImpactRecorded is a teacher saying how the strategies for a concern worked.
type ImpactRecorded struct {
	ImpactID  string // the record of what was said, in PostgreSQL
	ConcernID string
	By        string
}

// ValidateImpact refuses impact for an unknown concern.
func (s *PathwayState) ValidateImpact(in ImpactRecorded) error {
	if in.By == "" {
		return refuse("recording impact needs the person recording it")
	}
	i := slices.IndexFunc(s.Concerns, func(c ConcernRef) bool { return c.ConcernID == in.ConcernID })
	if i < 0 {
		return refuse("concern %s is not part of this pupil's pathway", in.ConcernID)
	}
	return nil
}

// ApplyImpact records it; a pupil being monitored goes back to the SENDCo.
func (s *PathwayState) ApplyImpact(in ImpactRecorded, now time.Time) Event {
	i := slices.IndexFunc(s.Concerns, func(c ConcernRef) bool { return c.ConcernID == in.ConcernID })
	s.Concerns[i].ImpactRecorded = true
	s.Concerns[i].TrialPrompted = true // nothing left to prompt for
	if s.Stage == StageMonitoring {
		s.Stage = StageAwaitingTriage
		return s.event(
			now,
			"impact_recorded",
			"The teacher recorded how the classroom strategies worked. The SENDCo has been asked to look again.",
		)
	}
	return s.event(now, "impact_recorded", "The teacher recorded how the classroom strategies worked.")
}

// NextTrialEnd is the earliest trial window still to be prompted, if any.
func (s *PathwayState) NextTrialEnd() (time.Time, bool) {
	var next time.Time
	found := false
	for _, c := range s.Concerns {
		if c.TrialEnds != nil && !c.TrialPrompted && (!found || c.TrialEnds.Before(next)) {
			next, found = *c.TrialEnds, true
		}
	}
	return next, found
}

// TrialsEnded marks every trial window due by now as prompted and returns the concerns whose
// teachers should be asked to record impact. A pupil being monitored returns to triage.
func (s *PathwayState) TrialsEnded(now time.Time) ([]ConcernRef, []Event) {
	var due []ConcernRef
	var events []Event
	for i := range s.Concerns {
		c := &s.Concerns[i]
		if c.TrialEnds == nil || c.TrialPrompted || c.TrialEnds.After(now) {
			continue
		}
		c.TrialPrompted = true
		due = append(due, *c)
		summary := "The time for trying classroom strategies has ended. The teacher has been asked to record how they worked."
		if s.Stage == StageMonitoring {
			s.Stage = StageAwaitingTriage
			summary += " The SENDCo has been asked to look again."
		}
		events = append(events, s.event(now, "trial_ended", summary))
	}
	return due, events
}
