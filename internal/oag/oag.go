// Package oag holds the Ordinarily Available Guidance (OAG) catalogue as versioned data: for each
// of the four areas of need, indicators ("what you might see") and strategies ("what you can
// try"), each with a stable id. A local authority replaces or extends the catalogue with a YAML
// file (documented in catalogue/README.md); every version loaded stays in the Library so evidence
// recorded against an older version stays readable.
package oag

import (
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"time"

	"github.com/sendflow/sendflow/catalogue"
	"github.com/sendflow/sendflow/internal/oag/strictyaml"
)

// The four areas of need in the SEND Code of Practice. Area ids in a catalogue must be one of them.
const (
	CommunicationAndInteraction = "communication_and_interaction"
	CognitionAndLearning        = "cognition_and_learning"
	SocialEmotionalMentalHealth = "social_emotional_mental_health"
	SensoryPhysical             = "sensory_physical"
)

// AreaCodes lists the four areas of need in Code of Practice order.
var AreaCodes = []string{
	CommunicationAndInteraction,
	CognitionAndLearning,
	SocialEmotionalMentalHealth,
	SensoryPhysical,
}

var areaNames = map[string]string{
	CommunicationAndInteraction: "Communication and interaction",
	CognitionAndLearning:        "Cognition and learning",
	SocialEmotionalMentalHealth: "Social, emotional and mental health",
	SensoryPhysical:             "Sensory and/or physical",
}

// IsArea reports whether code is one of the four areas of need.
func IsArea(code string) bool { _, ok := areaNames[code]; return ok }

// AreaName is the Code of Practice name of an area ("Communication and interaction"). An unknown
// code comes back with its underscores turned into spaces.
func AreaName(code string) string {
	if n, ok := areaNames[code]; ok {
		return n
	}
	return strings.ReplaceAll(code, "_", " ")
}

// Catalogue is one version of an OAG catalogue.
type Catalogue struct {
	ID        string    `yaml:"id" json:"id"`               // e.g. "sendflow-example"; the same across versions
	Version   string    `yaml:"version" json:"version"`     // e.g. "2026.1"; bump on every change
	Authority string    `yaml:"authority" json:"authority"` // who publishes it
	Published time.Time `yaml:"published" json:"published"` // a date
	Areas     []Area    `yaml:"areas" json:"areas"`
}

// Area is one area of need in a catalogue.
type Area struct {
	ID         string `yaml:"id" json:"id"` // one of AreaCodes
	Name       string `yaml:"name" json:"name"`
	Summary    string `yaml:"summary,omitempty" json:"summary,omitempty"`
	Indicators []Item `yaml:"indicators" json:"indicators"` // what you might see
	Strategies []Item `yaml:"strategies" json:"strategies"` // what you can try
}

// Item is an indicator or a strategy.
type Item struct {
	ID       string `yaml:"id" json:"id"`     // stable across versions, e.g. "ci.s.visual-timetable"
	Text     string `yaml:"text" json:"text"` // short, as a teacher would say it: "Visual timetable"
	Guidance string `yaml:"guidance,omitempty" json:"guidance,omitempty"`
}

// Rules a catalogue file must satisfy.
const (
	MinIndicatorsPerArea = 1
	MinStrategiesPerArea = 3
)

var (
	idPattern      = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*$`)
	versionPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
)

// Parse reads a catalogue from YAML and validates it. Unknown and duplicate keys, duplicate ids,
// areas that are not Code of Practice areas, areas with fewer than 1 indicator or 3 strategies,
// and malformed ids are refused; each problem names its line and field, all problems at once.
func Parse(src []byte) (Catalogue, error) {
	var c Catalogue
	root, err := strictyaml.Decode(src, &c)
	if err != nil {
		return Catalogue{}, fmt.Errorf("oag catalogue: %w", err)
	}
	errs := strictyaml.NewErrors(root)
	c.validate(errs)
	if err := errs.Err(); err != nil {
		return Catalogue{}, fmt.Errorf("oag catalogue: %w", err)
	}
	return c, nil
}

func (c *Catalogue) validate(errs *strictyaml.Errors) {
	p := strictyaml.Path{}
	switch {
	case c.ID == "":
		errs.Addf(p.Add("id"), "missing: give the catalogue an id such as sendflow-example")
	case !idPattern.MatchString(c.ID):
		errs.Addf(p.Add("id"), "%q is not a valid id (use lower-case letters, digits, dots and hyphens)", c.ID)
	}
	switch {
	case c.Version == "":
		errs.Addf(p.Add("version"), "missing: give the version, such as \"2026.1\"")
	case !versionPattern.MatchString(c.Version):
		errs.Addf(
			p.Add("version"),
			"%q is not a valid version (use letters, digits, dots, hyphens and underscores)",
			c.Version,
		)
	}
	if strings.TrimSpace(c.Authority) == "" {
		errs.Addf(p.Add("authority"), "missing: say who publishes this catalogue")
	}
	if c.Published.IsZero() {
		errs.Addf(p.Add("published"), "missing: give the date this version was published, like 2026-09-01")
	}
	if len(c.Areas) == 0 {
		errs.Addf(p.Add("areas"), "missing: list at least one area of need")
	}
	areaSeen := map[string]int{}
	itemSeen := map[string]string{} // id -> path where first seen
	for i, a := range c.Areas {
		ap := p.Add("areas", i)
		switch {
		case a.ID == "":
			errs.Addf(ap.Add("id"), "missing: use one of %s", strings.Join(AreaCodes, ", "))
		case !IsArea(a.ID):
			errs.Addf(
				ap.Add("id"),
				"%q is not an area of need in the Code of Practice (use one of %s)",
				a.ID,
				strings.Join(AreaCodes, ", "),
			)
		default:
			if prev, dup := areaSeen[a.ID]; dup {
				errs.Addf(ap.Add("id"), "area %q is listed twice (also areas[%d])", a.ID, prev)
			} else {
				areaSeen[a.ID] = i
			}
		}
		if strings.TrimSpace(a.Name) == "" {
			errs.Addf(ap.Add("name"), "missing: give the area's name, such as %q", AreaName(a.ID))
		}
		if len(a.Indicators) < MinIndicatorsPerArea {
			errs.Addf(
				ap.Add("indicators"),
				"list at least %d indicator (what you might see); found %d",
				MinIndicatorsPerArea,
				len(a.Indicators),
			)
		}
		if len(a.Strategies) < MinStrategiesPerArea {
			errs.Addf(
				ap.Add("strategies"),
				"list at least %d strategies (what you can try); found %d",
				MinStrategiesPerArea,
				len(a.Strategies),
			)
		}
		for _, list := range []struct {
			kind  string
			items []Item
		}{{"indicators", a.Indicators}, {"strategies", a.Strategies}} {
			for j, it := range list.items {
				kind := list.kind
				ip := ap.Add(kind, j)
				switch {
				case it.ID == "":
					errs.Addf(ip.Add("id"), "missing: give a stable id such as ci.s.visual-timetable")
				case !idPattern.MatchString(it.ID):
					errs.Addf(
						ip.Add("id"),
						"%q is not a valid id (use lower-case letters, digits, dots and hyphens, starting with a letter or digit)",
						it.ID,
					)
				default:
					if prev, dup := itemSeen[it.ID]; dup {
						errs.Addf(
							ip.Add("id"),
							"id %q is used twice (also at %s); ids must be unique in a catalogue",
							it.ID,
							prev,
						)
					} else {
						itemSeen[it.ID] = ip.String()
					}
				}
				if strings.TrimSpace(it.Text) == "" {
					errs.Addf(ip.Add("text"), "missing: say in a few words what it is")
				}
			}
		}
	}
}

// Area returns the area with the given code.
func (c Catalogue) Area(code string) (Area, bool) {
	for _, a := range c.Areas {
		if a.ID == code {
			return a, true
		}
	}
	return Area{}, false
}

// Find looks an indicator or strategy up by id in this version.
func (c Catalogue) Find(id string) (Ref, bool) {
	for _, a := range c.Areas {
		for _, it := range a.Strategies {
			if it.ID == id {
				return Ref{Item: it, Kind: KindStrategy, Area: a.ID, Version: c.Version}, true
			}
		}
		for _, it := range a.Indicators {
			if it.ID == id {
				return Ref{Item: it, Kind: KindIndicator, Area: a.ID, Version: c.Version}, true
			}
		}
	}
	return Ref{}, false
}

// Kinds of item.
const (
	KindIndicator = "indicator"
	KindStrategy  = "strategy"
)

// Ref is an item found by id, with where it was found.
type Ref struct {
	Item
	Kind    string `json:"kind"`    // KindIndicator or KindStrategy
	Area    string `json:"area"`    // area code
	Version string `json:"version"` // the newest catalogue version holding the id (its text is this version's)
	Retired bool   `json:"retired"` // the id is not in the latest version
}

// ExampleFile is the example catalogue's file name in catalogue.Files.
const ExampleFile = "oag-example.yaml"

// Example parses the example catalogue shipped with sendflow (written for this project; not any
// authority's guidance).
func Example() (Catalogue, error) {
	src, err := fs.ReadFile(catalogue.Files, ExampleFile)
	if err != nil {
		return Catalogue{}, err
	}
	return Parse(src)
}
