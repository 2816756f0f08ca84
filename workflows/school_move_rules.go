package workflows

import "time"

// UpdateMoveSchool tells a pupil's pathway that their record has moved to another school on the
// same sendflow (a transfer the receiving school asked for and the sending school released).
const UpdateMoveSchool = "move-school"

// RecordSchoolMove is the move a released transfer makes (its id is the transfer's).
const RecordSchoolMove RecordKind = "school_move"

// SchoolMoved is the move: ids only. The pathway's school becomes ToSchoolID; the history stays
// with the pupil, and each line of it keeps the school that wrote it.
type SchoolMoved struct {
	MoveID     string // the transfer's id, which names the proposed move record
	ToSchoolID string
	By         string // who released the record (the sending school's SENDCo or head)
}

// ValidateSchoolMove refuses a move that names no school or the school the pupil is at.
func (s *PathwayState) ValidateSchoolMove(m SchoolMoved) error {
	switch {
	case m.MoveID == "":
		return refuse("a move needs the transfer that makes it")
	case m.ToSchoolID == "":
		return refuse("a move needs the school the pupil is joining")
	case m.ToSchoolID == s.SchoolID:
		return refuse("the pupil's record is already at this school")
	}
	return nil
}

// ApplySchoolMove moves the pathway to the new school: its staff now hold the record, and the
// emails the pathway sends come from them.
func (s *PathwayState) ApplySchoolMove(m SchoolMoved, now time.Time) Event {
	s.SchoolID = m.ToSchoolID
	e := s.event(now, "school_moved",
		"The pupil's SEND record moved to their new school, which now holds it. The history before this stays with it.")
	e.By = m.By
	return e
}
