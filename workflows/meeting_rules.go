package workflows

import (
	"fmt"
	"slices"
	"time"
)

// MeetingKind is what a meeting with the family is for.
type MeetingKind string

const (
	MeetingReview       MeetingKind = "review"      // the review of a support plan
	MeetingExpectation  MeetingKind = "expectation" // an extra meeting to talk about progress and what to expect
	MeetingAnnualReview MeetingKind = "annual_review"
)

// MeetingChange is a meeting with the family arranged, moved or cancelled. The meeting's details
// (where, who is invited) live in PostgreSQL; the pathway counts it and tells its story.
type MeetingChange struct {
	ChangeID  string // the change's record: its new time, or the cancellation
	MeetingID string
	Kind      MeetingKind
	At        time.Time
	Cancelled bool
	By        string
}

// MeetingRef is a meeting the pathway knows of.
type MeetingRef struct {
	MeetingID string
	Kind      MeetingKind
	At        time.Time
	Cancelled bool
	Response  ParentResponseKind
}

// ValidateMeeting refuses a meeting the pathway cannot hold.
func (s *PathwayState) ValidateMeeting(m MeetingChange, now time.Time) error {
	if !m.Kind.Valid() {
		return refuse("%q is not a kind of meeting; use review, expectation or annual_review", m.Kind)
	}
	if m.MeetingID == "" || m.By == "" {
		return refuse("a meeting needs its id and the person arranging it")
	}
	if s.Stage == StageNone || s.Stage == StageClosed {
		return refuse("meetings are arranged for pupils on the pathway; the pupil is at stage %s", s.Stage)
	}
	i := slices.IndexFunc(s.MeetingsHeld, func(r MeetingRef) bool { return r.MeetingID == m.MeetingID })
	if i < 0 && m.Cancelled {
		return refuse("there is no meeting %s to cancel", m.MeetingID)
	}
	if i >= 0 && s.MeetingsHeld[i].Cancelled {
		return refuse("this meeting was cancelled; arrange a new one")
	}
	if !m.Cancelled && m.At.Before(now) {
		return refuse("the meeting's time, %s, has passed", dateWords(m.At))
	}
	if i >= 0 && !m.Cancelled && s.MeetingsHeld[i].At.Equal(m.At) {
		return refuse("the meeting is already at this time")
	}
	return nil
}

// ApplyMeeting records the meeting and counts it towards the meetings with parents this year.
func (s *PathwayState) ApplyMeeting(m MeetingChange, now time.Time) Event {
	i := slices.IndexFunc(s.MeetingsHeld, func(r MeetingRef) bool { return r.MeetingID == m.MeetingID })
	switch {
	case m.Cancelled:
		s.MeetingsHeld[i].Cancelled = true
		s.Meetings = slices.DeleteFunc(s.Meetings, func(t time.Time) bool { return t.Equal(s.MeetingsHeld[i].At) })
		return s.event(
			now,
			"meeting_cancelled",
			fmt.Sprintf("The meeting on %s was cancelled. The family has been told.", dateWords(s.MeetingsHeld[i].At)),
		)
	case i >= 0:
		old := s.MeetingsHeld[i].At
		s.MeetingsHeld[i].At, s.MeetingsHeld[i].Response = m.At, ""
		if j := slices.IndexFunc(s.Meetings, func(t time.Time) bool { return t.Equal(old) }); j >= 0 {
			s.Meetings[j] = m.At
		}
		return s.event(
			now,
			"meeting_moved",
			fmt.Sprintf(
				"The meeting on %s was moved to %s. The family has a new invitation.",
				dateWords(old),
				dateWords(m.At),
			),
		)
	default:
		s.MeetingsHeld = append(s.MeetingsHeld, MeetingRef{MeetingID: m.MeetingID, Kind: m.Kind, At: m.At})
		s.Meetings = append(s.Meetings, m.At)
		return s.event(
			now,
			"meeting_arranged",
			fmt.Sprintf(
				"A %s meeting with the family was arranged for %s. They have been invited.",
				meetingWords(m.Kind),
				dateWords(m.At),
			),
		)
	}
}

func meetingWords(k MeetingKind) string {
	switch k {
	case MeetingReview:
		return "review"
	case MeetingAnnualReview:
		return "annual review"
	}
	return "progress"
}

// ParentResponseKind is a parent's answer to an invitation.
type ParentResponseKind string

const (
	ResponseAccepted    ParentResponseKind = "accepted"
	ResponseDeclined    ParentResponseKind = "declined"
	ResponseAnotherTime ParentResponseKind = "another_time"
)

// ParentResponse is a parent answering a meeting invitation from their phone.
type ParentResponse struct {
	ResponseID string // the record of the answer
	MeetingID  string
	Response   ParentResponseKind
	By         string // parent's user id
}

// ValidateParentResponse refuses an answer to an unknown or cancelled meeting.
func (s *PathwayState) ValidateParentResponse(r ParentResponse) error {
	if !r.Response.Valid() {
		return refuse("%q is not an answer; use accepted, declined or another_time", r.Response)
	}
	i := slices.IndexFunc(s.MeetingsHeld, func(m MeetingRef) bool { return m.MeetingID == r.MeetingID })
	if i < 0 {
		return refuse("there is no such meeting")
	}
	if s.MeetingsHeld[i].Cancelled {
		return refuse("this meeting was cancelled")
	}
	return nil
}

// ApplyParentResponse records the answer for the SENDCo to see.
func (s *PathwayState) ApplyParentResponse(r ParentResponse, now time.Time) Event {
	i := slices.IndexFunc(s.MeetingsHeld, func(m MeetingRef) bool { return m.MeetingID == r.MeetingID })
	s.MeetingsHeld[i].Response = r.Response
	at := dateWords(s.MeetingsHeld[i].At)
	var ev Event
	switch r.Response {
	case ResponseAccepted:
		ev = s.event(now, "meeting_accepted", "A parent accepted the invitation to the meeting on "+at+".")
	case ResponseDeclined:
		ev = s.event(
			now,
			"meeting_declined",
			"A parent said they cannot come to the meeting on "+at+". The SENDCo has been told.",
		)
	default:
		ev = s.event(
			now,
			"meeting_another_time",
			"A parent asked for another time instead of "+at+". The SENDCo has been told.",
		)
	}
	ev.By = r.By
	return ev
}

// AnswerForSENDCo says whether the SENDCo is told of a parent's answer, and in what words: when
// the parent cannot come or asks for another time, and when they change such an answer to say
// they can come after all (before is their answer until now, "" for none).
func AnswerForSENDCo(before, now ParentResponseKind) (string, bool) {
	switch {
	case now == ResponseDeclined:
		return "they cannot come", true
	case now == ResponseAnotherTime:
		return "they would like another time", true
	case now == ResponseAccepted && (before == ResponseDeclined || before == ResponseAnotherTime):
		return "they can come after all", true
	}
	return "", false
}

// MeetingResponse is the parent's answer to a meeting so far ("" for none, or for a meeting the
// pathway does not know).
func (s *PathwayState) MeetingResponse(meetingID string) (ParentResponseKind, time.Time) {
	i := slices.IndexFunc(s.MeetingsHeld, func(m MeetingRef) bool { return m.MeetingID == meetingID })
	if i < 0 {
		return "", time.Time{}
	}
	return s.MeetingsHeld[i].Response, s.MeetingsHeld[i].At
}
