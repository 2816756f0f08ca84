package workflows

import (
	"fmt"
	"time"
	_ "time/tzdata" // Europe/London on machines without a tz database (distroless)
)

// Statutory dates are calendar dates in England: a time limit ends at the end of its day in
// Europe/London, whatever the time of day the step that started it was recorded, and whatever
// zone the server runs in. sendflow writes a date as midnight UTC of that calendar date (the form
// the API reads and writes), and reads any instant as the date it falls on in London.

// London is the zone statutory dates are read in.
var London = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic("workflows: Europe/London: " + err.Error()) // time/tzdata is embedded
	}
	return loc
}()

// CalendarDate is the date t falls on in London, as midnight UTC.
func CalendarDate(t time.Time) time.Time {
	y, m, d := t.In(London).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// DayStarts is the instant the London day of date begins.
func DayStarts(date time.Time) time.Time {
	y, m, d := CalendarDate(date).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, London)
}

// DayEnds is the instant the London day after date begins: the first moment a time limit
// ending on date has passed.
func DayEnds(date time.Time) time.Time {
	y, m, d := CalendarDate(date).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, London)
}

// CalendarDays counts the London calendar days from a's date to b's: 0 on the same day, 1 from
// one day to the next whatever the hours, negative when b's date is earlier.
func CalendarDays(a, b time.Time) int {
	return int(CalendarDate(b).Sub(CalendarDate(a)) / (24 * time.Hour))
}

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

// AppealDeadline is the last day to appeal to the SEND Tribunal (a date): the later of decision +
// AppealWindow and, when a mediation certificate has been issued, certificate +
// AppealAfterMediation. (The tribunal also moves deadlines that fall between 25 December and
// 1 January, or in August, to the next working day; that needs a working-day calendar and is
// not applied here.)
func AppealDeadline(decision time.Time, mediationCertificate *time.Time, t Timings) time.Time {
	due := t.EHC.AppealWindow.AddTo(CalendarDate(decision))
	if mediationCertificate != nil {
		if m := t.EHC.AppealAfterMediation.AddTo(CalendarDate(*mediationCertificate)); m.After(due) {
			due = m
		}
	}
	return due
}

// sameOrBeforeDate reports whether a falls on or before b's date in London: limits are dates, so
// anything done during the due day is in time.
func sameOrBeforeDate(a, b time.Time) bool { return !CalendarDate(a).After(CalendarDate(b)) }

// sameOrBeforeDateIn is sameOrBeforeDate as runs started before statutory-days read it: a in b's
// location.
func sameOrBeforeDateIn(a, b time.Time) bool {
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

// longDate is how dates are written to staff and parents: "5 January 2026", the date in London.
func longDate(t time.Time) string { return dateWords(t) }
