// Package locale is what sendflow knows of the languages it speaks to families in, for every
// surface (the parents' pages, the emails and calendar files, the staff pages): which languages
// there are, picking one from a preference or a browser's Accept-Language, dates and times of day
// in a language on the UK calendar, and plural forms. The words of each surface stay with it
// (the parents' pages' in internal/web, the emails' in internal/email).
package locale

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Europe/London on machines without a tz database (distroless)
)

// Language is one language sendflow has.
type Language struct {
	Tag string
	// Unreviewed marks a translation not yet checked by a native speaker.
	Unreviewed bool
	months     [12]string
	days       [7]string
	dateFormat string
}

var (
	// English is the source language, and what anyone gets whose language sendflow does not have.
	English = &Language{
		Tag:        "en",
		months:     englishMonths,
		days:       englishDays,
		dateFormat: "{weekday} {day} {month} {year}",
	}
	// Polish is a first translation that NEEDS A NATIVE REVIEWER before it is used with families
	// (internal/web/README.md).
	Polish = &Language{
		Tag:        "pl",
		months:     polishMonths,
		days:       polishDays,
		dateFormat: "{weekday}, {day} {month} {year}",
		Unreviewed: true,
	}
	languages = map[string]*Language{"en": English, "pl": Polish}
)

// Tags are the languages sendflow has, English first.
func Tags() []string {
	tags := []string{"en"}
	for t := range languages {
		if t != "en" {
			tags = append(tags, t)
		}
	}
	slices.Sort(tags[1:])
	return tags
}

// Has says whether tag is exactly one of the languages sendflow has.
func Has(tag string) bool { _, ok := languages[tag]; return ok }

// For picks the language for a preference ("pl", "pl-PL", "PL", "pl_PL"); English when it is not
// one sendflow has.
func For(pref string) *Language {
	if l, ok := languages[Base(pref)]; ok {
		return l
	}
	return English
}

// Base reduces a language preference to its base tag, whether or not sendflow has it: "pl-PL",
// "PL", "pl_PL" → "pl"; "" → "en".
func Base(pref string) string {
	base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(pref)), "-")
	base, _, _ = strings.Cut(base, "_")
	if base == "" {
		return "en"
	}
	return base
}

// FromHeader picks the first language sendflow has from an Accept-Language header; English when
// there is none.
func FromHeader(h string) *Language {
	for _, part := range strings.Split(h, ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if l, ok := languages[base]; ok {
			return l
		}
	}
	return English
}

// London is the UK's time zone: every date and time of day sendflow shows is in it.
var London = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err) // time/tzdata is embedded
	}
	return loc
}()

// Date writes a day in words ("Tuesday 12 January 2027"); an instant is taken in UK time.
func (l *Language) Date(t time.Time) string { return l.dateWords(t.In(London)) }

// CalendarDate writes a calendar date kept as midnight UTC (review dates) in words.
func (l *Language) CalendarDate(t time.Time) string { return l.dateWords(t.UTC()) }

// ShortDate writes a day without its weekday ("30 November 2026"), for dates inside a sentence
// (a weekday would need its own grammatical case in some languages).
func (l *Language) ShortDate(t time.Time) string { return l.shortWords(t.In(London)) }

// ShortCalendarDate is ShortDate for a calendar date kept as midnight UTC.
func (l *Language) ShortCalendarDate(t time.Time) string { return l.shortWords(t.UTC()) }

// Clock writes a time of day in UK time on the 24-hour clock ("10:30").
func (l *Language) Clock(t time.Time) string { return t.In(London).Format("15:04") }

func (l *Language) shortWords(t time.Time) string {
	return fmt.Sprintf("%d %s %d", t.Day(), l.months[t.Month()-1], t.Year())
}

func (l *Language) dateWords(t time.Time) string {
	return strings.NewReplacer(
		"{weekday}", l.days[t.Weekday()], "{day}", fmt.Sprint(t.Day()),
		"{month}", l.months[t.Month()-1], "{year}", fmt.Sprint(t.Year()),
	).Replace(l.dateFormat)
}

// Plural is the English form for n of something: one when n is 1, many otherwise. (A language
// with more forms, Polish, has them in its own words.)
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Count writes n of something in English: "1 day", "3 days".
func Count(n int, one, many string) string { return strconv.Itoa(n) + " " + Plural(n, one, many) }

var (
	englishMonths = [12]string{
		"January",
		"February",
		"March",
		"April",
		"May",
		"June",
		"July",
		"August",
		"September",
		"October",
		"November",
		"December",
	}
	englishDays = [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	// Months in the genitive, as Polish dates write them ("12 stycznia 2027").
	polishMonths = [12]string{
		"stycznia",
		"lutego",
		"marca",
		"kwietnia",
		"maja",
		"czerwca",
		"lipca",
		"sierpnia",
		"września",
		"października",
		"listopada",
		"grudnia",
	}
	polishDays = [7]string{"niedziela", "poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota"}
)
