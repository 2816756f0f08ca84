package email

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

// sentinels are distinctive values for every data key a template may need, so a test can find
// each value in what was rendered (and strip it before judging the template's own words).
var sentinels = map[string]string{
	"RecipientName":    "Robin Quill",
	"PupilFirstName":   "Zuzanna",
	"SchoolName":       "Oakfield Primary",
	"RequestingSchool": "Riverside Primary",
	"Link":             "https://sendflow.example/l/Tk9xQ2",
	"TrialEnded":       "2 October 2026",
	"ReviewDate":       "14 January 2027",
	"SubmittedOn":      "5 March 2027",
	"Due":              "9 April 2027",
	"DecisionDue":      "4 January 2027",
	"FinalPlanDue":     "12 April 2027",
	"CommentsBy":       "1 March 2027",
	"ExpiresOn":        "7 December 2026",
	"ExpiresIn":        "15 minutes",
	"MeetingDate":      "18 May 2027",
	"LetterDate":       "23 November 2026",
	"TribunalDeadline": "23 January 2027",
	"MediationContact": "Mediation Line, 0300 000 0001, help@mediation.example",
	"SENDIASSContact":  "Oakshire SENDIASS, 0300 000 0002, advice@sendiass.example",
	"Milestone":        "the decision whether to assess",
	"Step":             "the review report",
	"Reason":           "the school was closed for 4 weeks or more",
	"Reference":        "REF-2026-0042",
	"MeetingTime":      "10:30",
	"Location":         "the school library",
	"PausedFrom":       "5 January 2027",
	"ResumedOn":        "7 February 2027",
	"PausedDays":       "33",
	"Answer":           "they would like another time",
	"NewlyBehind":      "2 pupils",
	"AllBehind":        "3 pupils",
}

// sampleData fills exactly RequiredKeys(tpl) with sentinels, so a key the template uses but does
// not declare makes Render fail.
func sampleData(t *testing.T, tpl Template) map[string]string {
	t.Helper()
	data := map[string]string{}
	for _, k := range RequiredKeys(tpl) {
		v, ok := sentinels[k]
		if !ok {
			t.Fatalf("%s: no sentinel value for key %s; add one to sentinels", tpl.Name, k)
		}
		data[k] = v
	}
	return data
}

func mustRender(t *testing.T, tpl Template, data map[string]string) (subject, text, html string) {
	t.Helper()
	subject, text, html, err := Render(tpl, data)
	if err != nil {
		t.Fatalf("%s: %v", tpl.Name, err)
	}
	return subject, text, html
}

// The lead's code renders ConcernRaised with the four always-present keys.
func TestConcernRaisedRendersForTheActivity(t *testing.T) {
	subject, text, html := mustRender(t, ConcernRaised, map[string]string{
		"RecipientName": "Sam", "PupilFirstName": "<Amara>", "SchoolName": "Oakfield", "Link": "https://s.example/p/1",
	})
	if subject != "A new concern to look at: <Amara>" {
		t.Errorf("subject %q", subject)
	}
	for _, want := range []string{"Hello Sam,", "A teacher has raised a concern about <Amara> at Oakfield.", "https://s.example/p/1"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(html, "<Amara>") || !strings.Contains(html, "&lt;Amara&gt;") ||
		!strings.Contains(html, `lang="en"`) {
		t.Errorf("html not escaped or missing lang:\n%s", html)
	}
	if got, ok := Lookup(ConcernRaised.Name); !ok || got.Version != ConcernRaised.Version ||
		got.Subject != ConcernRaised.Subject {
		t.Errorf("Lookup(%q) = %+v, %v; want the exported ConcernRaised", ConcernRaised.Name, got, ok)
	}
}

func TestRenderRefusesIncompleteData(t *testing.T) {
	full := func() map[string]string {
		return map[string]string{
			"RecipientName":  "Sam",
			"PupilFirstName": "Amara",
			"SchoolName":     "Oakfield",
			"Link":           "https://s.example/p/1",
		}
	}
	custom := Template{
		Name:       "custom",
		Version:    "1",
		Audience:   AudienceStaff,
		Subject:    "S",
		Heading:    "H",
		Paragraphs: []string{"P"},
	}
	for _, tc := range []struct {
		name string
		want string // in the error
		tpl  Template
		edit func(map[string]string)
	}{
		{"missing always-present key", "missing value for SchoolName", ConcernRaised, func(d map[string]string) { delete(d, "SchoolName") }},
		{"missing link", "missing value for Link", ConcernRaised, func(d map[string]string) { delete(d, "Link") }},
		{"empty pupil name", "empty value for PupilFirstName", ConcernRaised, func(d map[string]string) { d["PupilFirstName"] = "" }},
		{"missing declared key", "missing value for ReviewDate", Template{Name: "k", Subject: "S", Heading: "H", Paragraphs: []string{"{{.ReviewDate}}"}, Keys: []string{"ReviewDate"}}, func(map[string]string) {}},
		{"key used but not declared", "no entry for key \"ReviewDate\"", Template{Name: "u", Subject: "S", Heading: "H", Paragraphs: []string{"On {{.ReviewDate}}."}}, func(map[string]string) {}},
		{"undeclared key in subject", "no entry for key \"Due\"", Template{Name: "u", Subject: "{{.Due}}", Heading: "H", Paragraphs: []string{"P"}}, func(map[string]string) {}},
		{"decision without rights keys", "missing value for LetterDate", Template{Name: "d", Subject: "S", Heading: "H", Paragraphs: []string{"P"}, Decision: true}, func(map[string]string) {}},
		{"decision with an empty deadline", "empty value for TribunalDeadline", Template{Name: "d", Subject: "S", Heading: "H", Paragraphs: []string{"P"}, Decision: true}, func(d map[string]string) {
			d["LetterDate"], d["TribunalDeadline"], d["MediationContact"], d["SENDIASSContact"] = "1 May 2026", "", "m", "s"
		}},
		{"two-line subject", "subject must be one line", Template{Name: "n", Subject: "{{.PupilFirstName}}", Heading: "H", Paragraphs: []string{"P"}}, func(d map[string]string) { d["PupilFirstName"] = "A\r\nBcc: x@y" }},
		{"no paragraphs", "at least one paragraph", Template{Name: "e", Subject: "S", Heading: "H"}, func(map[string]string) {}},
		{"bad template syntax", "unclosed action", Template{Name: "b", Subject: "S", Heading: "H", Paragraphs: []string{"{{.PupilFirstName"}}, func(map[string]string) {}},
		{"custom template, missing recipient", "missing value for RecipientName", custom, func(d map[string]string) { delete(d, "RecipientName") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := full()
			tc.edit(d)
			s, _, _, err := Render(tc.tpl, d)
			if err == nil {
				t.Fatalf("rendered without error; subject %q", s)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestEmptyRecipientNameGreetsPlainly(t *testing.T) {
	_, text, html := mustRender(t, ConcernRaised, map[string]string{
		"RecipientName": "", "PupilFirstName": "Amara", "SchoolName": "Oakfield", "Link": "https://s.example/p/1",
	})
	if !strings.Contains(text, "\nHello,\n") || !strings.Contains(html, "<p style=\"margin: 0 0 16px;\">Hello,</p>") {
		t.Errorf("greeting without a name:\n%s\n%s", text, html)
	}
}

func TestNoActionMeansNoLink(t *testing.T) {
	tpl := Template{
		Name:       "n",
		Version:    "1",
		Audience:   AudienceStaff,
		Subject:    "S",
		Heading:    "H",
		Paragraphs: []string{"Words."},
	}
	_, text, html := mustRender(
		t,
		tpl,
		map[string]string{
			"RecipientName":  "Sam",
			"PupilFirstName": "A",
			"SchoolName":     "O",
			"Link":           "https://s.example/p/1",
		},
	)
	if strings.Contains(text, "https://") || strings.Contains(html, "<a ") || strings.Contains(html, "https://") {
		t.Errorf("a template without an action shows the link:\n%s\n%s", text, html)
	}
	if !strings.Contains(text, footerNoLink) || strings.Contains(text, footerWithLink) {
		t.Errorf("footer without a link:\n%s", text)
	}
}

// relativeLuminance and contrast follow WCAG 2.
func relativeLuminance(t *testing.T, hex string) float64 {
	t.Helper()
	if len(hex) != 7 || hex[0] != '#' {
		t.Fatalf("colour %q is not #rrggbb", hex)
	}
	var l [3]float64
	for i := range l {
		v, err := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		if err != nil {
			t.Fatal(err)
		}
		c := float64(v) / 255
		if c <= 0.04045 {
			l[i] = c / 12.92
		} else {
			l[i] = math.Pow((c+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*l[0] + 0.7152*l[1] + 0.0722*l[2]
}

func TestLayoutColoursHaveGoodContrast(t *testing.T) {
	for _, pair := range [][2]string{
		{colourText, colourBackground}, {colourMuted, colourBackground}, {colourButtonText, colourButton},
	} {
		a, b := relativeLuminance(t, pair[0]), relativeLuminance(t, pair[1])
		ratio := (math.Max(a, b) + 0.05) / (math.Min(a, b) + 0.05)
		if ratio < 7 {
			t.Errorf("%s on %s: contrast %.2f:1, want at least 7:1", pair[0], pair[1], ratio)
		}
	}
}

// A parent's email says how to reach the school, in its language, with the number and address
// tappable in the HTML (issue 15); staff emails and mail with no contact leave the line out.
func TestParentEmailsSayHowToReachTheSchool(t *testing.T) {
	tpl, _ := Lookup("sen_support_started")
	data := sampleData(t, tpl)
	data["ContactName"], data["ContactPhone"], data["ContactEmail"] = "Mrs Khan, school office", "01632 960 100", "office@oakfield.example"
	_, text, html := mustRender(t, tpl, data)
	if !strings.Contains(
		text,
		"To contact Oakfield Primary: Mrs Khan, school office, 01632 960 100, office@oakfield.example",
	) {
		t.Errorf("text lacks the school's contact:\n%s", text)
	}
	for _, want := range []string{`href="tel:01632960100"`, `href="mailto:office@oakfield.example"`} {
		if !strings.Contains(html, want) {
			t.Errorf("html lacks %s:\n%s", want, html)
		}
	}
	_, text, _ = mustRender(t, Localize(tpl, "pl"), data)
	if !strings.Contains(
		text,
		"Kontakt ze szkołą Oakfield Primary: Mrs Khan, school office, 01632 960 100, office@oakfield.example",
	) {
		t.Errorf("Polish text lacks the school's contact:\n%s", text)
	}
	staff := sampleData(t, ConcernRaised)
	staff["ContactEmail"] = "office@oakfield.example"
	if _, text, _ := mustRender(t, ConcernRaised, staff); strings.Contains(text, "To contact") {
		t.Errorf("a staff email carries the school's contact line:\n%s", text)
	}
	if _, text, _ := mustRender(t, tpl, sampleData(t, tpl)); strings.Contains(text, "To contact") {
		t.Errorf("an email with no contact has a contact line:\n%s", text)
	}
}
