package workflows

import (
	"fmt"
	"time"
)

// England's academic year runs from 1 September to 31 August. Dates are read in the location of
// the time given, so pass times in the school's zone (Europe/London) or UTC midnights.

// AcademicYearStart is the calendar year in which t's academic year began:
// 1 September 2026 to 31 August 2027 is 2026.
func AcademicYearStart(t time.Time) int {
	if t.Month() >= time.September {
		return t.Year()
	}
	return t.Year() - 1
}

// AcademicYearLabel is the usual written form, "2026/27".
func AcademicYearLabel(t time.Time) string {
	y := AcademicYearStart(t)
	return fmt.Sprintf("%d/%02d", y, (y+1)%100)
}

// AcademicYearBounds is the first day of t's academic year and the first day of the next one,
// both at midnight in t's location: an academic year is [start, end).
func AcademicYearBounds(t time.Time) (start, end time.Time) {
	y := AcademicYearStart(t)
	return time.Date(y, time.September, 1, 0, 0, 0, 0, t.Location()),
		time.Date(y+1, time.September, 1, 0, 0, 0, 0, t.Location())
}

// ParentMeetingsWarning counts meetings (planned or held) in the academic year containing now and
// says whether fewer than min are planned (CoP 6.65: at least three a year). Meetings are read in
// now's location (pass now in the school's zone), so a meeting stored in UTC falls in the
// academic year of its local date.
func ParentMeetingsWarning(meetings []time.Time, now time.Time, min int) (count int, warn bool) {
	year := AcademicYearStart(now)
	for _, m := range meetings {
		if m.IsZero() {
			continue
		}
		if AcademicYearStart(m.In(now.Location())) == year {
			count++
		}
	}
	return count, count < min
}

// AppealDeadline is the last day to appeal to the SEND Tribunal: the later of decision +
// AppealWindow and, when a mediation certificate has been issued, certificate +
// AppealAfterMediation. (The tribunal also moves deadlines that fall between 25 December and
// 1 January, or in August, to the next working day; that needs a working-day calendar and is
// not applied here.)
func AppealDeadline(decision time.Time, mediationCertificate *time.Time, t Timings) time.Time {
	due := t.EHC.AppealWindow.AddTo(decision)
	if mediationCertificate != nil {
		if m := t.EHC.AppealAfterMediation.AddTo(*mediationCertificate); m.After(due) {
			due = m
		}
	}
	return due
}

// sameOrBeforeDate reports whether a falls on or before b's calendar date, read in b's location:
// limits are dates, so anything done during the due day is in time.
func sameOrBeforeDate(a, b time.Time) bool {
	a = a.In(b.Location())
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	if ay != by {
		return ay < by
	}
	if am != bm {
		return am < bm
	}
	return ad <= bd
}

// longDate is how dates are written to staff and parents: "5 January 2026".
func longDate(t time.Time) string { return t.Format("2 January 2006") }
