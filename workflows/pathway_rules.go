package workflows

import (
	"errors"
	"fmt"
	"time"
)

// PathwayInput starts a pupil's pathway. Ids only: names and needs stay in PostgreSQL.
type PathwayInput struct {
	PupilID  string
	SchoolID string
	// Carried is the state handed over by continue-as-new; nil on the first run.
	Carried *PathwayState
}

// ConcernRaised is a teacher's concern as the workflow sees it: who, when, which record.
type ConcernRaised struct {
	ConcernID string
	RaisedBy  string // user id
}

// ConcernRef is a concern the pathway holds.
type ConcernRef struct {
	ConcernID string
	RaisedBy  string
	RaisedAt  time.Time
}

// Event is one line of the pathway's timeline, in plain words.
type Event struct {
	Seq     int64
	At      time.Time
	Kind    string
	Summary string
}

// PathwayState is the process state of one pupil. It is the workflow's source of truth and is
// projected, as a whole, to the read model.
type PathwayState struct {
	PupilID  string
	SchoolID string
	Stage    Stage
	Concerns []ConcernRef
	// Version grows with every change so the read model never takes an older state over a newer one.
	Version int64
	// NextSeq numbers timeline events; events themselves live in the read model, not in state.
	NextSeq int64
}

// NewPathwayState is the state of a pupil with nothing recorded yet.
func NewPathwayState(pupilID, schoolID string) *PathwayState {
	return &PathwayState{PupilID: pupilID, SchoolID: schoolID, Stage: StageNone, NextSeq: 1}
}

// ErrRefused marks a validation failure the API shows to the user as a conflict with the pathway.
var ErrRefused = errors.New("refused")

func refuse(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrRefused}, a...)...)
}

// ValidateConcern says whether a concern may be added now, and why not.
func (s *PathwayState) ValidateConcern(c ConcernRaised) error {
	if c.ConcernID == "" || c.RaisedBy == "" {
		return refuse("a concern needs its id and the person raising it")
	}
	if s.Stage == StageClosed {
		return refuse("this pupil's pathway is closed; reopen it before raising a new concern")
	}
	for _, have := range s.Concerns {
		if have.ConcernID == c.ConcernID {
			return refuse("concern %s is already recorded", c.ConcernID)
		}
	}
	return nil
}

// ApplyConcern records a concern and moves the pupil to triage when nothing more advanced is
// under way: a pupil already on SEN support keeps their stage and the SENDCo sees the new concern
// on the caseload. It returns the timeline event.
func (s *PathwayState) ApplyConcern(c ConcernRaised, now time.Time) Event {
	s.Concerns = append(s.Concerns, ConcernRef{ConcernID: c.ConcernID, RaisedBy: c.RaisedBy, RaisedAt: now})
	summary := "A teacher raised a concern. The SENDCo has been asked to look at it."
	if s.Stage == StageNone || s.Stage == StageMonitoring {
		s.Stage = StageAwaitingTriage
	} else {
		summary = "A teacher raised a further concern. The SENDCo has been told."
	}
	return s.event(now, "concern_raised", summary)
}

func (s *PathwayState) event(now time.Time, kind, summary string) Event {
	e := Event{Seq: s.NextSeq, At: now, Kind: kind, Summary: summary}
	s.NextSeq++
	s.Version++
	return e
}
