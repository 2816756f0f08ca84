package evidence

import (
	"strings"
	"testing"
	"time"
)

// The latest profile travels with the record: the pack shows it near the top, with its version;
// a pupil with no profile has no such section.
func TestPackCarriesThePassport(t *testing.T) {
	p := Pack{
		For:    "Educational Psychology Service",
		School: "Oakfield Primary",
		Pupil:  Pupil{FirstName: "Amara", LastName: "Okafor"},
		Passport: &Passport{
			Liked:       "I make people laugh.",
			Important:   "My cat Biscuit.",
			Support:     "Tell me what is coming next.",
			WrittenWith: "Amara and her mum",
			Version:     2,
			SavedBy:     "Grace Okafor",
			SavedOn:     time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC),
		},
	}
	html, err := HTML(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"All about me: the pupil in their own words", "I make people laugh.", "My cat Biscuit.",
		"Version 2, saved by Grace Okafor on 30 November 2026; written with Amara and her mum"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("pack lacks %q", want)
		}
	}
	if strings.Index(string(html), "All about me") > strings.Index(string(html), "Timeline") {
		t.Error("the profile should come before the timeline")
	}
	if _, err := PDF(p); err != nil {
		t.Errorf("PDF with a profile: %v", err)
	}
	p.Passport = nil
	html, _ = HTML(p)
	if strings.Contains(string(html), "All about me") {
		t.Error("a pack without a profile shows its section")
	}
}
