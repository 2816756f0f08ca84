package workflows

import (
	"fmt"
	"slices"
	"time"
)

// Holiday is a bank holiday in England and Wales.
type Holiday struct {
	Date time.Time // midnight UTC
	Name string    // in words that fit "falls on ___": "Christmas Day", "the spring bank holiday"
}

// BankHolidays are England and Wales's regular bank holidays in a year, in date order: New
// Year's Day, Good Friday, Easter Monday, the early May, spring and summer bank holidays,
// Christmas Day and Boxing Day, with the substitute weekdays when one falls at a weekend.
// One-off holidays (a coronation, a jubilee) and moved ones are proclaimed year by year and are
// not known here.
func BankHolidays(year int) []Holiday {
	d := func(m time.Month, day int) time.Time { return time.Date(year, m, day, 0, 0, 0, 0, time.UTC) }
	weekday := func(t time.Time) time.Time { // the next Monday for a Saturday or Sunday
		switch t.Weekday() {
		case time.Saturday:
			return t.AddDate(0, 0, 2)
		case time.Sunday:
			return t.AddDate(0, 0, 1)
		}
		return t
	}
	firstMonday := func(m time.Month) time.Time {
		t := d(m, 1)
		return t.AddDate(0, 0, (8-int(t.Weekday()))%7)
	}
	lastMonday := func(m time.Month) time.Time {
		t := d(m+1, 1).AddDate(0, 0, -1)
		return t.AddDate(0, 0, -((int(t.Weekday()) + 6) % 7))
	}
	easter := easterSunday(year)
	christmas, boxing := d(time.December, 25), d(time.December, 26)
	christmasName, boxingName := "Christmas Day", "Boxing Day"
	switch christmas.Weekday() {
	case time.Friday: // Boxing Day on Saturday: Monday
		boxing, boxingName = d(time.December, 28), "Boxing Day (moved from the weekend)"
	case time.Saturday:
		christmas, boxing = d(time.December, 27), d(time.December, 28)
		christmasName, boxingName = "Christmas Day (moved from the weekend)", "Boxing Day (moved from the weekend)"
	case time.Sunday:
		christmas, christmasName = d(time.December, 27), "Christmas Day (moved from the weekend)"
	}
	newYear, newYearName := weekday(d(time.January, 1)), "New Year's Day"
	if newYear.Day() != 1 {
		newYearName += " (moved from the weekend)"
	}
	hs := []Holiday{
		{newYear, newYearName},
		{easter.AddDate(0, 0, -2), "Good Friday"},
		{easter.AddDate(0, 0, 1), "Easter Monday"},
		{firstMonday(time.May), "the early May bank holiday"},
		{lastMonday(time.May), "the spring bank holiday"},
		{lastMonday(time.August), "the summer bank holiday"},
		{christmas, christmasName},
		{boxing, boxingName},
	}
	slices.SortFunc(hs, func(a, b Holiday) int { return a.Date.Compare(b.Date) })
	return hs
}

// easterSunday is Easter Day in the Gregorian calendar (the anonymous Gregorian algorithm).
func easterSunday(y int) time.Time {
	a, b, c := y%19, y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Date(y, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}

// MeetingDayWarning warns about a meeting on a day a school is usually closed — a Saturday, a
// Sunday or a bank holiday — so whoever arranges it checks the date with the family; "" for a
// school day. day is the meeting's date in UK time (only its year, month and day are read).
// The meeting is still arranged: some schools meet families at weekends.
func MeetingDayWarning(day time.Time) string {
	y, m, dd := day.Date()
	date := time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
	for _, h := range BankHolidays(y) {
		if h.Date.Equal(date) {
			return fmt.Sprintf(
				"The meeting falls on %s, a bank holiday, when the school is usually closed. Check the date with the family.",
				h.Name,
			)
		}
	}
	switch date.Weekday() {
	case time.Saturday, time.Sunday:
		return fmt.Sprintf(
			"The meeting falls on a %s, when the school is usually closed. Check the date with the family.",
			date.Weekday(),
		)
	}
	return ""
}
