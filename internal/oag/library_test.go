package oag

import (
	"strings"
	"testing"
)

func version(t *testing.T, v, published string, edit func(string) string) Catalogue {
	t.Helper()
	src := strings.Replace(good, `version: "1"`, `version: "`+v+`"`, 1)
	src = strings.Replace(src, "published: 2026-09-01", "published: "+published, 1)
	if edit != nil {
		src = edit(src)
	}
	c, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestLibrary(t *testing.T) {
	v1 := version(t, "2026.1", "2026-09-01", nil)
	// 2027.1 rewords the seating strategy, drops the fidget tool and adds a calmer-displays one.
	v2 := version(t, "2027.1", "2027-01-04", func(s string) string {
		s = strings.Replace(s, "Seating near the front", "Seat near the front, away from noise", 1)
		return strings.Replace(
			s,
			"id: sp.s.fidget\n        text: Agreed fidget tool",
			"id: sp.s.calmer-displays\n        text: Calmer displays",
			1,
		)
	})
	// Added out of order: the latest is the one published last.
	l, err := NewLibrary(v2, v1)
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := l.Latest(); !ok || c.Version != "2027.1" {
		t.Errorf("Latest = %q %v", c.Version, ok)
	}
	if c, ok := l.Get("2026.1"); !ok || c.Version != "2026.1" {
		t.Errorf("Get(2026.1) = %q %v", c.Version, ok)
	}
	if _, ok := l.Get("2025.1"); ok {
		t.Error("Get(2025.1) found a version never loaded")
	}
	if got := strings.Join(l.Versions(), ","); got != "2027.1,2026.1" {
		t.Errorf("Versions = %s", got)
	}

	cases := []struct {
		id   string
		want Ref
		ok   bool
	}{
		{
			"sp.s.seating",
			Ref{
				Item:    Item{ID: "sp.s.seating", Text: "Seat near the front, away from noise"},
				Kind:    KindStrategy,
				Area:    SensoryPhysical,
				Version: "2027.1",
			},
			true,
		},
		{
			"sp.s.fidget",
			Ref{
				Item:    Item{ID: "sp.s.fidget", Text: "Agreed fidget tool"},
				Kind:    KindStrategy,
				Area:    SensoryPhysical,
				Version: "2026.1",
				Retired: true,
			},
			true,
		},
		{
			"sp.s.calmer-displays",
			Ref{
				Item:    Item{ID: "sp.s.calmer-displays", Text: "Calmer displays"},
				Kind:    KindStrategy,
				Area:    SensoryPhysical,
				Version: "2027.1",
			},
			true,
		},
		{"sp.i.noise", Ref{}, false}, // an indicator, not a strategy
		{"nope", Ref{}, false},
	}
	for _, tc := range cases {
		got, ok := l.Strategy(tc.id)
		if ok != tc.ok || got != tc.want {
			t.Errorf("Strategy(%q) = %+v %v, want %+v %v", tc.id, got, ok, tc.want, tc.ok)
		}
	}
	if r, ok := l.Indicator("sp.i.noise"); !ok || r.Kind != KindIndicator || r.Retired {
		t.Errorf("Indicator = %+v %v", r, ok)
	}

	ids := func(items []Item) string {
		var s []string
		for _, it := range items {
			s = append(s, it.ID)
		}
		return strings.Join(s, ",")
	}
	if items, err := l.StrategiesFor(SensoryPhysical, ""); err != nil ||
		ids(items) != "sp.s.seating,sp.s.ear-defenders,sp.s.calmer-displays" {
		t.Errorf("StrategiesFor latest = %s %v", ids(items), err)
	}
	if items, err := l.StrategiesFor(SensoryPhysical, "2026.1"); err != nil ||
		ids(items) != "sp.s.seating,sp.s.ear-defenders,sp.s.fidget" {
		t.Errorf("StrategiesFor 2026.1 = %s %v", ids(items), err)
	}
	if items, err := l.IndicatorsFor(SensoryPhysical, ""); err != nil || ids(items) != "sp.i.noise" {
		t.Errorf("IndicatorsFor = %s %v", ids(items), err)
	}
	for _, tc := range []struct{ area, version, want string }{
		{CognitionAndLearning, "", `oag catalogue version "2027.1" has no area "cognition_and_learning"`},
		{"maths", "", `"maths" is not an area of need`},
		{SensoryPhysical, "1999", `oag catalogue version "1999" is not loaded`},
	} {
		if _, err := l.StrategiesFor(tc.area, tc.version); err == nil || err.Error() != tc.want {
			t.Errorf("StrategiesFor(%q, %q) error = %v, want %s", tc.area, tc.version, err, tc.want)
		}
	}
}

func TestLibraryRefuses(t *testing.T) {
	v1 := version(t, "2026.1", "2026-09-01", nil)
	l, err := NewLibrary(v1)
	if err != nil {
		t.Fatal(err)
	}
	same := version(t, "2026.1", "2026-10-01", nil)
	other := v1
	other.ID = "someone-else"
	other.Version = "9"
	kind := version(t, "2026.2", "2026-10-01", func(s string) string {
		return strings.Replace(s, "id: sp.s.fidget", "id: sp.i.noise2", 1)
	})
	kind.Areas[0].Indicators = append(kind.Areas[0].Indicators, Item{ID: "sp.s.fidget", Text: "now an indicator"})
	for _, tc := range []struct {
		c    Catalogue
		want string
	}{
		{same, `oag catalogue "la-oag" version "2026.1" is already loaded; bump the version when the catalogue changes`},
		{other, `oag library holds catalogue "la-oag"; cannot add "someone-else"`},
		{kind, `oag catalogue "la-oag" version "2026.2": id "sp.s.fidget" was a strategy in sensory_physical in version "2026.1" and is now an indicator in sensory_physical; ids must stay stable, so use a new id`},
	} {
		if err := l.Add(tc.c); err == nil || err.Error() != tc.want {
			t.Errorf("Add error = %v\nwant %s", err, tc.want)
		}
	}
	if got := l.Versions(); len(got) != 1 {
		t.Errorf("refused versions were kept: %q", got)
	}
}

func TestLibraryEmptyAndSameDay(t *testing.T) {
	var l Library
	if _, ok := l.Latest(); ok {
		t.Error("empty library has a latest version")
	}
	if _, ok := l.Strategy("x"); ok {
		t.Error("empty library resolved a strategy")
	}
	if _, err := l.StrategiesFor(SensoryPhysical, ""); err == nil {
		t.Error("empty library listed strategies")
	}
	a := version(t, "a", "2026-09-01", nil)
	b := version(t, "b", "2026-09-01", nil)
	if err := l.Add(a); err != nil {
		t.Fatal(err)
	}
	if err := l.Add(b); err != nil {
		t.Fatal(err)
	}
	if c, _ := l.Latest(); c.Version != "b" {
		t.Errorf("same-day latest = %q, want the one added last", c.Version)
	}
}
