package provision

import (
	"bytes"
	"strings"
	"testing"
)

func TestBuildCostsAndTotals(t *testing.T) {
	cat, err := Demo()
	if err != nil {
		t.Fatal(err)
	}
	cats := Catalogues{cat.Version: cat}
	today := day("2026-09-30")
	plans := []PupilPlan{
		{PupilID: "a", Pupil: "Ann", Class: "Oak", Cycle: 1, Agreed: day("2026-09-07"), Entries: []Entry{
			{ItemID: "talk-boost", CatalogueVersion: cat.Version},
			{Text: "Lunchtime buddy", Frequency: "daily"}, // free text: not costed
		}, Logged: nil},
		{PupilID: "b", Pupil: "Ben", Class: "Beech", Cycle: 2, Agreed: day("2026-09-07"), Entries: []Entry{
			{ItemID: "talk-boost", CatalogueVersion: cat.Version},
			{ItemID: "writing-slope-kit", CatalogueVersion: cat.Version},
			{ItemID: "talk-boost", CatalogueVersion: "1999.1"}, // a version not loaded: not costed
		}},
	}
	m := Build(plans, cats, nil, today)
	if len(m.Lines) != 5 || m.School.Pupils != 2 {
		t.Fatalf("%d lines, %d pupils", len(m.Lines), m.School.Pupils)
	}
	// 2 × £263.25 (talk-boost) + £40 (kit) a year.
	if got := m.School.Cost.Year.String(); got != "£566.50" {
		t.Errorf("school a year = %s", got)
	}
	if len(m.Classes) != 2 || m.Classes[0].Label != "Beech" || m.Classes[0].Cost.Year != 30325 {
		t.Errorf("classes = %+v", m.Classes)
	}
	areas := map[string]Pence{}
	for _, a := range m.Areas {
		areas[a.Label] = a.Cost.Year
	}
	if areas["Communication and interaction"] != 52650 || areas["Sensory and/or physical"] != 4000 ||
		areas["not costed"] != 0 {
		t.Errorf("areas = %+v", m.Areas)
	}
	// Ann's language group: nothing logged in three complete weeks since the plan: behind.
	if len(m.Behind) != 2 || m.Behind[0].Pupil != "Ann" {
		t.Errorf("behind = %+v", m.Behind)
	}
	if m.Lines[1].Costed || m.Lines[1].Delivered() != "Not counted" {
		t.Errorf("free text line = %+v", m.Lines[1])
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, m); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(
		buf.String(),
		"a,Ann,Oak,1,Language group (Talk Boost style),talk-boost,intervention,group of 4,Teaching assistant,",
	) ||
		!strings.Contains(buf.String(), ",6.75,87.75,263.25,yes,") {
		t.Errorf("CSV:\n%s", buf.String())
	}
	pdf, err := PDF("Oakfield", m, nil, today)
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Errorf("PDF: %v %.10q", err, pdf)
	}
}

func TestEffectiveness(t *testing.T) {
	cat, err := Demo()
	if err != nil {
		t.Fatal(err)
	}
	got := Effectiveness([]Rated{
		{
			Entries: []Entry{{ItemID: "elsa"}, {ItemID: "elsa"}, {Text: "free"}},
			Ratings: []string{"achieved", "partly_achieved"},
		},
		{Entries: []Entry{{ItemID: "elsa"}, {ItemID: "talk-boost"}}, Ratings: []string{"not_achieved"}},
	}, cat)
	if len(got) != 2 {
		t.Fatalf("effects = %+v", got)
	}
	e := got[0] // sorted by name: "Emotional literacy support (ELSA)" before "Language group…"
	if e.ItemID != "elsa" || e.Reviews != 2 || e.Achieved != 1 || e.Partly != 1 || e.NotAchieved != 1 {
		t.Errorf("elsa = %+v", e)
	}
	if got[1].ItemID != "talk-boost" || got[1].Reviews != 1 || got[1].NotAchieved != 1 {
		t.Errorf("talk-boost = %+v", got[1])
	}
}
