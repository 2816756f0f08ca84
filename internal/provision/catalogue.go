package provision

import (
	"encoding/json"
	"io/fs"

	"fmt"
	"github.com/sendflow/sendflow/catalogue"
	"regexp"
	"strings"
	"time"

	"github.com/sendflow/sendflow/internal/oag"
	"github.com/sendflow/sendflow/internal/oag/strictyaml"
)

// Catalogue is one version of a school's provision catalogue: the interventions and adjustments
// it offers and what each costs. Ids are stable across versions; a plan names the item and the
// version it was costed from, so an old plan keeps its old cost.
type Catalogue struct {
	ID        string    `yaml:"id" json:"id"`
	Version   string    `yaml:"version" json:"version"`
	School    string    `yaml:"school" json:"school"` // who wrote it, in words
	Published time.Time `yaml:"published" json:"published"`
	// Share is the share of promised sessions below which delivery is behind (0.8 when unset).
	Share float64 `yaml:"delivery_share,omitempty" json:"deliveryShare,omitempty"`
	Items []Item  `yaml:"items" json:"items"`
}

// Item is one intervention or adjustment.
type Item struct {
	ID              string   `yaml:"id" json:"id"`
	Name            string   `yaml:"name" json:"name"`
	Kind            string   `yaml:"kind" json:"kind"`         // intervention or adjustment
	Delivery        string   `yaml:"delivery" json:"delivery"` // 1:1, group of N, whole class
	StaffRole       string   `yaml:"staff_role,omitempty" json:"staffRole,omitempty"`
	SessionMinutes  int      `yaml:"session_minutes,omitempty" json:"sessionMinutes,omitempty"`
	SessionsPerWeek float64  `yaml:"sessions_per_week,omitempty" json:"sessionsPerWeek,omitempty"`
	HourlyCost      float64  `yaml:"hourly_cost,omitempty" json:"hourlyCost,omitempty"` // pounds
	FixedCost       float64  `yaml:"fixed_cost,omitempty" json:"fixedCost,omitempty"`   // pounds a pupil a year
	Areas           []string `yaml:"areas" json:"areas"`                                // areas of need it serves
	Strategies      []string `yaml:"strategies,omitempty" json:"strategies,omitempty"`  // OAG strategy ids
}

// Costing is the item's costing.
func (it Item) Costing() Costing {
	d, _ := ParseDelivery(it.Delivery) // validated when the catalogue was parsed
	return Costing{Delivery: d, SessionMinutes: it.SessionMinutes, SessionsPerWeek: it.SessionsPerWeek,
		HourlyCost: PenceOf(it.HourlyCost), FixedYearly: PenceOf(it.FixedCost)}
}

// Cost is the item's cost to one pupil.
func (it Item) Cost() Cost { return it.Costing().PerPupil() }

// Frequency says the item's sessions in words: "3 × 30 min a week, group of 4".
func (it Item) Frequency() string {
	d, _ := ParseDelivery(it.Delivery)
	if it.SessionsPerWeek == 0 {
		return d.String()
	}
	return fmt.Sprintf("%s × %d min a week, %s", trim(it.SessionsPerWeek), it.SessionMinutes, d)
}

// DeliveryShare is the catalogue's share, or DefaultShare.
func (c Catalogue) DeliveryShare() float64 {
	if c.Share > 0 {
		return c.Share
	}
	return DefaultShare
}

// Item finds an item by id.
func (c Catalogue) Item(id string) (Item, bool) {
	for _, it := range c.Items {
		if it.ID == id {
			return it, true
		}
	}
	return Item{}, false
}

var (
	idPattern      = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*$`)
	versionPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
)

// Parse reads a provision catalogue from YAML and validates it; every problem names its line and
// field. strategies is the OAG catalogue the items' strategy ids must come from (nil: unchecked).
func Parse(src []byte, strategies *oag.Catalogue) (Catalogue, error) {
	var c Catalogue
	root, err := strictyaml.Decode(src, &c)
	if err != nil {
		return Catalogue{}, fmt.Errorf("provision catalogue: %w", err)
	}
	errs := strictyaml.NewErrors(root)
	c.validate(errs, strategies)
	if err := errs.Err(); err != nil {
		return Catalogue{}, fmt.Errorf("provision catalogue: %w", err)
	}
	return c, nil
}

func (c *Catalogue) validate(errs *strictyaml.Errors, strategies *oag.Catalogue) {
	p := strictyaml.Path{}
	if !idPattern.MatchString(c.ID) {
		errs.Addf(p.Add("id"), "%q is not a valid id (use lower-case letters, digits, dots and hyphens)", c.ID)
	}
	if !versionPattern.MatchString(c.Version) {
		errs.Addf(p.Add("version"), "%q is not a valid version, such as \"2026.1\"", c.Version)
	}
	if strings.TrimSpace(c.School) == "" {
		errs.Addf(p.Add("school"), "missing: say whose catalogue this is")
	}
	if c.Published.IsZero() {
		errs.Addf(p.Add("published"), "missing: give the date this version was published, like 2026-09-01")
	}
	if c.Share < 0 || c.Share > 1 {
		errs.Addf(p.Add("delivery_share"), "%v is not a share between 0 and 1 (0.8 is 80%%)", c.Share)
	}
	if len(c.Items) == 0 {
		errs.Addf(p.Add("items"), "missing: list at least one intervention or adjustment")
	}
	seen := map[string]bool{}
	for i, it := range c.Items {
		ip := p.Add("items", i)
		switch {
		case !idPattern.MatchString(it.ID):
			errs.Addf(ip.Add("id"), "%q is not a valid id", it.ID)
		case seen[it.ID]:
			errs.Addf(ip.Add("id"), "%q is used twice", it.ID)
		}
		seen[it.ID] = true
		if strings.TrimSpace(it.Name) == "" {
			errs.Addf(ip.Add("name"), "missing: name the intervention as staff say it")
		}
		if it.Kind != "intervention" && it.Kind != "adjustment" {
			errs.Addf(ip.Add("kind"), "%q: use intervention or adjustment", it.Kind)
		}
		if _, err := ParseDelivery(it.Delivery); err != nil {
			errs.Addf(ip.Add("delivery"), "%v", err)
		}
		switch {
		case it.FixedCost < 0 || it.HourlyCost < 0:
			errs.Addf(ip.Add("hourly_cost"), "a cost cannot be negative")
		case it.FixedCost > 0 && it.HourlyCost > 0:
			errs.Addf(ip.Add("fixed_cost"), "give a cost per hour or a fixed cost, not both")
		case it.FixedCost == 0 && it.HourlyCost > 0 && (it.SessionMinutes <= 0 || it.SessionsPerWeek <= 0):
			errs.Addf(ip.Add("session_minutes"), "a cost per hour needs session_minutes and sessions_per_week")
		}
		if it.SessionMinutes < 0 || it.SessionMinutes > 600 {
			errs.Addf(ip.Add("session_minutes"), "%d is not a session length in minutes", it.SessionMinutes)
		}
		if it.SessionsPerWeek < 0 || it.SessionsPerWeek > 50 {
			errs.Addf(ip.Add("sessions_per_week"), "%v is not a number of sessions a week", it.SessionsPerWeek)
		}
		if len(it.Areas) == 0 {
			errs.Addf(ip.Add("areas"), "missing: the areas of need it serves")
		}
		for j, a := range it.Areas {
			if !oag.IsArea(a) {
				errs.Addf(
					ip.Add("areas", j),
					"%q is not an area of need (use one of %s)",
					a,
					strings.Join(oag.AreaCodes, ", "),
				)
			}
		}
		if strategies != nil {
			for j, s := range it.Strategies {
				if _, ok := strategies.Find(s); !ok {
					errs.Addf(
						ip.Add("strategies", j),
						"%q is not a strategy in OAG catalogue %s %s",
						s,
						strategies.ID,
						strategies.Version,
					)
				}
			}
		}
	}
}

// DemoFile is the demo school's provision catalogue in catalogue.Files.
const DemoFile = "provision-oakfield.yaml"

// Demo reads the demo school's catalogue, its strategies checked against the example OAG catalogue.
func Demo() (Catalogue, error) {
	src, err := fs.ReadFile(catalogue.Files, DemoFile)
	if err != nil {
		return Catalogue{}, fmt.Errorf("read %s: %w", DemoFile, err)
	}
	o, err := oag.Example()
	if err != nil {
		return Catalogue{}, err
	}
	return Parse(src, &o)
}

// Decode reads stored catalogue versions (JSON documents, oldest first) and names the newest.
func Decode(docs [][]byte) (Catalogues, string, error) {
	out := Catalogues{}
	latest := ""
	for _, d := range docs {
		var c Catalogue
		if err := json.Unmarshal(d, &c); err != nil {
			return nil, "", fmt.Errorf("read provision catalogue: %w", err)
		}
		out[c.Version] = c
		latest = c.Version
	}
	return out, latest, nil
}
