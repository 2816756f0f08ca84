package workflows

import (
	"fmt"
	"time"
)

// Which September move an annual review prepares for is worked out, not ticked by hand: from the
// pupil's national curriculum year (their date of birth and the academic year) and the year
// groups their school teaches. A pupil in the last year group their school teaches moves on next
// September; the kind of move follows from where the school stops. The SENDCo may correct it, with
// a reason (a pupil taught out of their year group, or leaving a sixth-form school for college).

// Placement is what the rule needs to know of a pupil: the academic year they were born in and
// the year groups of their school. It carries no name and no date of birth.
type Placement struct {
	// BirthYear is the calendar year in which the academic year of the pupil's birth began: a
	// pupil born on 14 March 2018 has 2017 (born between 1 September 2017 and 31 August 2018).
	BirthYear int
	// LowestYear and HighestYear are the first and last year groups the school teaches (-1
	// nursery, 0 Reception, 1 to 13), nil when the school has not recorded its age range.
	LowestYear, HighestYear *int
}

// NCYear is the national curriculum year group of a pupil born in the academic year that began
// in birthYear, during the academic year containing on: children start Reception (0) in the
// September after they turn 4, so one born in 2017/18 is in Reception in 2022/23 and in Year 6 in
// 2028/29.
func NCYear(birthYear int, on time.Time) int {
	return AcademicYearStart(CalendarDate(on)) - birthYear - 5
}

// YearGroupWords names a year group: "nursery", "Reception", "Year 6".
func YearGroupWords(n int) string {
	switch {
	case n < 0:
		return "nursery"
	case n == 0:
		return "Reception"
	}
	return fmt.Sprintf("Year %d", n)
}

// TransferDerivation is the move worked out for an annual review, with the reason in words.
type TransferDerivation struct {
	Transfer PhaseTransfer
	Year     int // the calendar year of the September move; 0 with no move
	NCYear   int
	// Because says why, for staff and the timeline: "The pupil is in Year 6, the last year
	// group of a school that teaches Reception to Year 6: the pupil moves to secondary school
	// in September 2028."
	Because string
	// Check is set when the date of birth and the school's year groups disagree: the SENDCo
	// should check them, or correct the move with a reason.
	Check string
}

// schoolYears words a school's range: "Reception to Year 6".
func schoolYears(p Placement) string {
	return YearGroupWords(*p.LowestYear) + " to " + YearGroupWords(*p.HighestYear)
}

// transferFromLastYear is the move pupils make when they leave a school whose last year group is
// last, or none when that is not the end of a phase in the regulations.
func transferFromLastYear(last int) PhaseTransfer {
	switch {
	case last < 0:
		return PhaseTransferEarlyYearsToSchool
	case last == 2:
		return PhaseTransferInfantToJunior
	case last == 4 || last == 5:
		return PhaseTransferPrimaryToMiddle
	case last == 6:
		return PhaseTransferPrimaryToSecondary
	case last == 7 || last == 8:
		return PhaseTransferMiddleToSecondary
	case last == 11:
		return PhaseTransferSecondaryToPost16
	}
	return PhaseTransferNone
}

// DeriveTransfer works out the move a review held on date on prepares for. A school with no
// recorded year groups is taken to follow England's usual phases (primary to Year 6, secondary
// to Year 11), and Because says so.
func DeriveTransfer(p Placement, on time.Time) TransferDerivation {
	nc := NCYear(p.BirthYear, on)
	next := AcademicYearStart(CalendarDate(on)) + 1
	d := TransferDerivation{NCYear: nc}
	pupil := "The pupil is in " + YearGroupWords(nc)
	if p.LowestYear == nil || p.HighestYear == nil {
		d.Transfer = map[int]PhaseTransfer{-1: PhaseTransferEarlyYearsToSchool, 6: PhaseTransferPrimaryToSecondary, 11: PhaseTransferSecondaryToPost16}[nc]
		if d.Transfer == PhaseTransferNone {
			d.Because = pupil + ". The school's year groups are not recorded; in the usual phases there is no move next September."
			return d
		}
		d.Year = next
		d.Because = fmt.Sprintf(
			"%s. The school's year groups are not recorded; in the usual phases the pupil %s in September %d.",
			pupil,
			d.Transfer.MoveWords(),
			next,
		)
		return d
	}
	low, high := *p.LowestYear, *p.HighestYear
	switch {
	case nc < low || nc > high:
		d.Because = fmt.Sprintf("%s by date of birth, but the school teaches %s.", pupil, schoolYears(p))
		d.Check = d.Because + " Check the date of birth, or record the move with a reason."
	case nc < high:
		d.Because = fmt.Sprintf(
			"%s at a school that teaches %s: there is no move next September.",
			pupil,
			schoolYears(p),
		)
	default:
		d.Transfer = transferFromLastYear(high)
		if d.Transfer == PhaseTransferNone {
			d.Because = fmt.Sprintf(
				"%s, the last year group of a school that teaches %s; leaving it is not a phase transfer in the regulations.",
				pupil,
				schoolYears(p),
			)
			return d
		}
		d.Year = next
		d.Because = fmt.Sprintf("%s, the last year group of a school that teaches %s: the pupil %s in September %d.",
			pupil, schoolYears(p), d.Transfer.MoveWords(), next)
	}
	return d
}

// MoveWords says the move as a verb phrase: "moves to secondary school".
func (p PhaseTransfer) MoveWords() string {
	switch p {
	case PhaseTransferEarlyYearsToSchool:
		return "starts school"
	case PhaseTransferInfantToJunior:
		return "moves to junior school"
	case PhaseTransferPrimaryToMiddle:
		return "moves to middle school"
	case PhaseTransferPrimaryToSecondary, PhaseTransferMiddleToSecondary:
		return "moves to secondary school"
	case PhaseTransferSecondaryToPost16:
		return "moves from secondary school to post-16 education"
	}
	return "does not change phase"
}

// the move as a noun phrase, for "before the move to ___".
func (p PhaseTransfer) destinationWords() string {
	switch p {
	case PhaseTransferEarlyYearsToSchool:
		return "school"
	case PhaseTransferInfantToJunior:
		return "junior school"
	case PhaseTransferPrimaryToMiddle:
		return "middle school"
	case PhaseTransferPrimaryToSecondary, PhaseTransferMiddleToSecondary:
		return "secondary school"
	case PhaseTransferSecondaryToPost16:
		return "post-16 education"
	}
	return "the next phase"
}

// teaches reports whether a school teaching low to high has pupils who make the move.
func (p PhaseTransfer) from(low, high int) bool {
	in := func(years ...int) bool {
		for _, y := range years {
			if low <= y && y <= high {
				return true
			}
		}
		return false
	}
	switch p {
	case PhaseTransferEarlyYearsToSchool:
		return low < 0
	case PhaseTransferInfantToJunior:
		return in(2)
	case PhaseTransferPrimaryToMiddle:
		return in(4, 5)
	case PhaseTransferPrimaryToSecondary:
		return in(6)
	case PhaseTransferMiddleToSecondary:
		return in(7, 8)
	case PhaseTransferSecondaryToPost16:
		return in(11)
	}
	return true
}

// ValidateTransferCorrection refuses a move the pupil's school cannot make (a pupil at a school
// that teaches Reception to Year 6 does not move from secondary school to post-16). No move at
// all is always a possible correction.
func ValidateTransferCorrection(p *Placement, transfer PhaseTransfer) error {
	if !transfer.Valid() {
		return fmt.Errorf(
			"%q is not a phase transfer; use none, early_years_to_school, infant_to_junior, primary_to_middle, primary_to_secondary, middle_to_secondary or secondary_to_post16",
			transfer,
		)
	}
	if p == nil || p.LowestYear == nil || p.HighestYear == nil || transfer == PhaseTransferNone {
		return nil
	}
	if !transfer.from(*p.LowestYear, *p.HighestYear) {
		return fmt.Errorf(
			"the school teaches %s, so a pupil there does not make the move %q",
			schoolYears(*p),
			transfer,
		)
	}
	return nil
}
