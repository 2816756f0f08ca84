package oag

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sendflow/sendflow/internal/oag/strictyaml"
)

func TestExample(t *testing.T) {
	c, err := Example()
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != "sendflow-example" || c.Version != "2026.1" || c.Published.IsZero() || c.Authority == "" {
		t.Errorf("header = %q %q %v %q", c.ID, c.Version, c.Published, c.Authority)
	}
	if len(c.Areas) != 4 {
		t.Fatalf("%d areas, want the 4 Code of Practice areas", len(c.Areas))
	}
	for i, a := range c.Areas {
		if a.ID != AreaCodes[i] {
			t.Errorf("area %d = %q, want %q", i, a.ID, AreaCodes[i])
		}
		if n := len(a.Indicators); n < 4 || n > 6 {
			t.Errorf("%s: %d indicators, want 4-6", a.ID, n)
		}
		if n := len(a.Strategies); n < 6 || n > 8 {
			t.Errorf("%s: %d strategies, want 6-8", a.ID, n)
		}
		if a.Name != AreaName(a.ID) {
			t.Errorf("%s: name %q, want %q", a.ID, a.Name, AreaName(a.ID))
		}
		for _, s := range a.Strategies {
			if s.Guidance == "" {
				t.Errorf("%s has no guidance", s.ID)
			}
		}
	}
	r, ok := c.Find("ci.s.visual-timetable")
	if !ok || r.Text != "Visual timetable" || r.Kind != KindStrategy || r.Area != CommunicationAndInteraction ||
		r.Version != "2026.1" {
		t.Errorf("Find = %+v %v", r, ok)
	}
}

const good = `id: la-oag
version: "1"
authority: Somewhere Council
published: 2026-09-01
areas:
  - id: sensory_physical
    name: Sensory and/or physical
    indicators:
      - id: sp.i.noise
        text: Covers ears in the hall.
    strategies:
      - id: sp.s.seating
        text: Seating near the front
      - id: sp.s.ear-defenders
        text: Ear defenders
      - id: sp.s.fidget
        text: Agreed fidget tool
`

func TestParseGood(t *testing.T) {
	c, err := Parse([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if c.Version != "1" || !c.Published.Equal(time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)) ||
		len(c.Areas[0].Strategies) != 3 {
		t.Errorf("parsed %+v", c)
	}
}

func TestParseRefuses(t *testing.T) {
	cases := []struct {
		name string
		edit func(string) string
		want []string // each error line, in order
	}{
		{"unknown key", func(s string) string {
			return strings.Replace(
				s,
				"        text: Ear defenders\n",
				"        text: Ear defenders\n        colour: red\n",
				1,
			)
		}, []string{`line 16: areas[0].strategies[1].colour: unknown field (allowed: id, text, guidance)`}},
		{"unknown top-level key", func(s string) string { return "owner: me\n" + s },
			[]string{`line 1: owner: unknown field (allowed: id, version, authority, published, areas)`}},
		{"duplicate key", func(s string) string {
			return strings.Replace(
				s,
				"        text: Ear defenders\n",
				"        text: Ear defenders\n        text: Ear muffs\n",
				1,
			)
		}, []string{`line 16: areas[0].strategies[1].text: appears twice (first on line 15)`}},
		{"duplicate id", func(s string) string { return strings.Replace(s, "sp.s.fidget", "sp.s.seating", 1) },
			[]string{
				`line 16: areas[0].strategies[2].id: id "sp.s.seating" is used twice (also at areas[0].strategies[0]); ids must be unique in a catalogue`,
			}},
		{
			"duplicate id across kinds",
			func(s string) string { return strings.Replace(s, "sp.s.fidget", "sp.i.noise", 1) },
			[]string{
				`line 16: areas[0].strategies[2].id: id "sp.i.noise" is used twice (also at areas[0].indicators[0]); ids must be unique in a catalogue`,
			},
		},
		{"bad id", func(s string) string { return strings.Replace(s, "sp.s.fidget", "SP_fidget", 1) },
			[]string{
				`line 16: areas[0].strategies[2].id: "SP_fidget" is not a valid id (use lower-case letters, digits, dots and hyphens, starting with a letter or digit)`,
			}},
		{"not an area", func(s string) string { return strings.Replace(s, "id: sensory_physical", "id: physical", 1) },
			[]string{
				`line 6: areas[0].id: "physical" is not an area of need in the Code of Practice (use one of communication_and_interaction, cognition_and_learning, social_emotional_mental_health, sensory_physical)`,
			}},
		{"too few strategies and no indicators", func(s string) string {
			s = strings.Replace(s, "      - id: sp.s.fidget\n        text: Agreed fidget tool\n", "", 1)
			return strings.Replace(s, "      - id: sp.i.noise\n        text: Covers ears in the hall.\n", "", 1)
		}, []string{
			`line 8: areas[0].indicators: list at least 1 indicator (what you might see); found 0`,
			`line 9: areas[0].strategies: list at least 3 strategies (what you can try); found 2`,
		}},
		{"area listed twice", func(s string) string {
			i := strings.Index(s, "  - id: sensory_physical")
			return s + s[i:]
		}, []string{
			`line 18: areas[1].id: area "sensory_physical" is listed twice (also areas[0])`,
			`line 21: areas[1].indicators[0].id: id "sp.i.noise" is used twice (also at areas[0].indicators[0]); ids must be unique in a catalogue`,
			`line 24: areas[1].strategies[0].id: id "sp.s.seating" is used twice (also at areas[0].strategies[0]); ids must be unique in a catalogue`,
			`line 26: areas[1].strategies[1].id: id "sp.s.ear-defenders" is used twice (also at areas[0].strategies[1]); ids must be unique in a catalogue`,
			`line 28: areas[1].strategies[2].id: id "sp.s.fidget" is used twice (also at areas[0].strategies[2]); ids must be unique in a catalogue`,
		}},
		{"missing text and name", func(s string) string {
			s = strings.Replace(s, "        text: Agreed fidget tool\n", "", 1)
			return strings.Replace(s, "    name: Sensory and/or physical\n", "", 1)
		}, []string{
			`line 6: areas[0].name: missing: give the area's name, such as "Sensory and/or physical"`,
			`line 15: areas[0].strategies[2].text: missing: say in a few words what it is`,
		}},
		{"wrong shape", func(s string) string {
			return strings.Replace(s, "    strategies:\n", "    strategies: lots\n    x:\n", 1)
		},
			[]string{
				`line 11: areas[0].strategies: want a list, got "lots"`,
				`line 12: areas[0].x: unknown field (allowed: id, name, summary, indicators, strategies)`,
			}},
		{"quoted date", func(s string) string {
			return strings.Replace(s, "published: 2026-09-01", `published: "2026-09-01"`, 1)
		},
			[]string{`line 4: published: write the date without quotes: 2026-09-01`}},
		{"header missing", func(s string) string {
			return strings.Replace(
				s,
				"id: la-oag\nversion: \"1\"\nauthority: Somewhere Council\npublished: 2026-09-01\n",
				"",
				1,
			)
		}, []string{
			`line 1: id: missing: give the catalogue an id such as sendflow-example`,
			`line 1: version: missing: give the version, such as "2026.1"`,
			`line 1: authority: missing: say who publishes this catalogue`,
			`line 1: published: missing: give the date this version was published, like 2026-09-01`,
		}},
		{"two documents", func(s string) string { return s + "---\nid: again\n" },
			[]string{`line 18: only one YAML document is allowed (remove the extra ---)`}},
		{
			"syntax",
			func(s string) string { return strings.Replace(s, "text: Ear defenders", `text: "Ear defenders`, 1) },
			[]string{`line 15: found unexpected end of stream`},
		},
		{"empty", func(string) string { return "# nothing\n" }, []string{`the file is empty`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.edit(good)))
			if err == nil {
				t.Fatal("no error")
			}
			want := "oag catalogue: " + strings.Join(tc.want, "\n")
			if err.Error() != want {
				t.Errorf("error\n%s\nwant\n%s", err, want)
			}
			var e *strictyaml.Error
			if !errors.As(err, &e) {
				t.Errorf("error %T does not wrap a *strictyaml.Error", err)
			}
		})
	}
}

func TestAreaName(t *testing.T) {
	if got := AreaName(SocialEmotionalMentalHealth); got != "Social, emotional and mental health" {
		t.Error(got)
	}
	if got := AreaName("made_up"); got != "made up" {
		t.Error(got)
	}
	if IsArea("made_up") || !IsArea(SensoryPhysical) {
		t.Error("IsArea")
	}
}
