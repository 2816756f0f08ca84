// Package directory is the agency directory of a local authority, as data: the services a school
// can refer to (educational psychology, speech and language therapy, ...), how to reach each one,
// the consent wording it needs, how long it takes to respond, and the evidence it asks for
// (readiness rules), plus the rules for an EHC needs assessment request and the SENDIASS and
// mediation contacts every decision letter quotes. One YAML file per local authority.
package directory

import (
	"fmt"
	"io/fs"
	"net/mail"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/sendflow/sendflow/catalogue"
	"github.com/sendflow/sendflow/internal/input"
	"github.com/sendflow/sendflow/internal/oag/strictyaml"
	"github.com/sendflow/sendflow/internal/readiness"
)

// Directory is one local authority's agency directory.
type Directory struct {
	Authority        string `yaml:"authority" json:"authority"` // the LA's three-digit code, e.g. "999"
	Name             string `yaml:"name" json:"name"`           // e.g. "Demoshire Council (demo)"
	SENDIASSContact  string `yaml:"sendiass_contact" json:"sendiass_contact"`
	MediationContact string `yaml:"mediation_contact" json:"mediation_contact"`
	// EHCTeamEmail is the council's EHC team address: told, with the pupil's EHC officer, when a
	// step the council owns is at risk or late. Optional.
	EHCTeamEmail   string          `yaml:"ehc_team_email,omitempty" json:"ehc_team_email,omitempty"`
	EHCNAReadiness readiness.Rules `yaml:"ehcna_readiness" json:"ehcna_readiness"` // before an EHC needs assessment request
	Services       []Service       `yaml:"services" json:"services"`
}

// Service is one agency service a school can refer to.
type Service struct {
	Code           string `yaml:"code" json:"code"` // e.g. educational_psychology
	Name           string `yaml:"name" json:"name"`
	Route          Route  `yaml:"route" json:"route"`
	ConsentWording string `yaml:"consent_wording" json:"consent_wording"` // what parents are asked to agree to
	ConsentVersion string `yaml:"consent_version" json:"consent_version"` // bump when the wording changes
	// ConsentTranslations are the consent wording in other languages, each approved by the local
	// authority for the current English version.
	ConsentTranslations []ConsentTranslation `yaml:"consent_translations,omitempty" json:"consent_translations,omitempty"`
	SLA                 Span                 `yaml:"sla" json:"sla"` // how long the service aims to take to respond, e.g. "6w"
	Readiness           readiness.Rules      `yaml:"readiness" json:"readiness"`
}

// ConsentTranslation is a service's consent wording in another language. It translates one
// version of the English wording and has a version of its own, so a parent's consent records
// exactly which words they agreed to.
type ConsentTranslation struct {
	Language   string `yaml:"language" json:"language"`     // e.g. pl
	Version    string `yaml:"version" json:"version"`       // e.g. consent-v1-pl; change it whenever the words change
	Translates string `yaml:"translates" json:"translates"` // the consent_version it translates
	Wording    string `yaml:"wording" json:"wording"`
}

// Route is how a referral reaches the service: exactly one of Email and PortalURL.
type Route struct {
	Email     string `yaml:"email,omitempty" json:"email,omitempty"`
	PortalURL string `yaml:"portal_url,omitempty" json:"portal_url,omitempty"`
}

// IsEmail reports whether referrals go by email.
func (r Route) IsEmail() bool { return r.Email != "" }

// Span is a length of time written as a whole number of days or weeks: "10d", "6w".
type Span string

var spanPattern = regexp.MustCompile(`^([0-9]+)(d|w)$`)

// Days returns the span in days.
func (s Span) Days() (int, error) {
	m := spanPattern.FindStringSubmatch(string(s))
	if m == nil {
		return 0, fmt.Errorf("%q is not a span: write a whole number of days or weeks, like 10d or 6w", string(s))
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return 0, fmt.Errorf("%q is not a span: %w", string(s), err)
	}
	if m[2] == "w" {
		n *= 7
	}
	return n, nil
}

// Words is the span in words: "6 weeks", "1 day". A malformed span comes back as written.
func (s Span) Words() string {
	m := spanPattern.FindStringSubmatch(string(s))
	if m == nil {
		return string(s)
	}
	unit := map[string]string{"d": "day", "w": "week"}[m[2]]
	if m[1] != "1" {
		unit += "s"
	}
	return m[1] + " " + unit
}

// Service returns the service with the given code.
func (d *Directory) Service(code string) (Service, bool) {
	for _, s := range d.Services {
		if s.Code == code {
			return s, true
		}
	}
	return Service{}, false
}

// Codes lists the service codes in file order.
func (d *Directory) Codes() []string {
	out := make([]string, len(d.Services))
	for i, s := range d.Services {
		out[i] = s.Code
	}
	return out
}

var (
	authorityPattern = regexp.MustCompile(`^[0-9]{3}$`)
	codePattern      = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	versionPattern   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
)

// Parse reads a directory from YAML and validates it. Unknown and duplicate keys are refused, as
// are duplicate service codes, routes without exactly one of email and portal_url, malformed
// addresses and spans, missing consent wording or version, and nonsensical readiness rules. Each
// problem names its line and field, all problems at once.
func Parse(src []byte) (*Directory, error) {
	var d Directory
	root, err := strictyaml.Decode(src, &d)
	if err != nil {
		return nil, fmt.Errorf("agency directory: %w", err)
	}
	errs := strictyaml.NewErrors(root)
	d.validate(errs)
	if err := errs.Err(); err != nil {
		return nil, fmt.Errorf("agency directory: %w", err)
	}
	return &d, nil
}

func (d *Directory) validate(errs *strictyaml.Errors) {
	p := strictyaml.Path{}
	switch {
	case d.Authority == "":
		errs.Addf(p.Add("authority"), "missing: give the local authority's three-digit code, such as \"999\"")
	case !authorityPattern.MatchString(d.Authority):
		errs.Addf(
			p.Add("authority"),
			"%q is not a local authority code (three digits, in quotes, such as \"999\")",
			d.Authority,
		)
	}
	required := func(path strictyaml.Path, v, what string) {
		if strings.TrimSpace(v) == "" {
			errs.Addf(path, "missing: %s", what)
		}
	}
	required(p.Add("name"), d.Name, "give the local authority's name")
	required(
		p.Add("sendiass_contact"),
		d.SENDIASSContact,
		"give the SENDIASS name, phone number and email; every decision letter quotes it",
	)
	required(
		p.Add("mediation_contact"),
		d.MediationContact,
		"give the mediation service's name, phone number and email; every decision letter quotes it",
	)
	if d.EHCTeamEmail != "" {
		if a, err := mail.ParseAddress(d.EHCTeamEmail); err != nil || a.Name != "" || a.Address != d.EHCTeamEmail {
			errs.Addf(
				p.Add("ehc_team_email"),
				"%q is not an email address (write just the address, like ehc@council.example)",
				d.EHCTeamEmail,
			)
		}
	}
	rules(errs, p.Add("ehcna_readiness"), d.EHCNAReadiness)
	if len(d.Services) == 0 {
		errs.Addf(p.Add("services"), "missing: list at least one service")
	}
	seen := map[string]int{}
	for i, s := range d.Services {
		sp := p.Add("services", i)
		switch {
		case s.Code == "":
			errs.Addf(sp.Add("code"), "missing: give a stable code such as educational_psychology")
		case !codePattern.MatchString(s.Code):
			errs.Addf(
				sp.Add("code"),
				"%q is not a valid code (lower-case letters, digits and underscores, starting with a letter)",
				s.Code,
			)
		default:
			if prev, dup := seen[s.Code]; dup {
				errs.Addf(sp.Add("code"), "service %q is listed twice (also services[%d])", s.Code, prev)
			} else {
				seen[s.Code] = i
			}
		}
		required(sp.Add("name"), s.Name, "give the service's name")
		route(errs, sp.Add("route"), s.Route)
		required(
			sp.Add("consent_wording"),
			s.ConsentWording,
			"give the words parents agree to when they consent to a referral",
		)
		switch {
		case s.ConsentVersion == "":
			errs.Addf(
				sp.Add("consent_version"),
				"missing: name the version of the consent wording, such as consent-v1, and change it whenever the wording changes",
			)
		case !versionPattern.MatchString(s.ConsentVersion):
			errs.Addf(
				sp.Add("consent_version"),
				"%q is not a valid version (letters, digits, dots, hyphens and underscores)",
				s.ConsentVersion,
			)
		}
		translations(errs, sp.Add("consent_translations"), s)
		if s.SLA == "" {
			errs.Addf(sp.Add("sla"), "missing: say how long the service aims to take, like 6w or 10d")
		} else if n, err := s.SLA.Days(); err != nil {
			errs.Addf(sp.Add("sla"), "%s", err)
		} else if n == 0 {
			errs.Addf(sp.Add("sla"), "must be longer than zero days")
		}
		rules(errs, sp.Add("readiness"), s.Readiness)
	}
}

// translations checks a service's consent wording in other languages: one per language, each a
// translation of the current English version with a version of its own. A translation of older
// words is refused, so no parent is shown words that are not what the English now says.
func translations(errs *strictyaml.Errors, p strictyaml.Path, s Service) {
	seen := map[string]int{}
	for i, tr := range s.ConsentTranslations {
		tp := p.Add(i)
		suffix := "pl" // for the examples in the messages
		if lang, err := input.Language(tr.Language); err == nil {
			suffix = lang
		}
		switch lang, err := input.Language(tr.Language); {
		case err != nil:
			errs.Addf(tp.Add("language"), "%s", err)
		case strings.HasPrefix(lang, "en"):
			errs.Addf(
				tp.Add("language"),
				"English is the consent_wording itself; translations are into other languages",
			)
		default:
			if prev, dup := seen[lang]; dup {
				errs.Addf(
					tp.Add("language"),
					"a second translation into %s (also consent_translations[%d]); keep one per language",
					lang,
					prev,
				)
			} else {
				seen[lang] = i
			}
		}
		switch {
		case tr.Version == "":
			errs.Addf(
				tp.Add("version"),
				"missing: name the version of these words, such as %s-%s, and change it whenever they change",
				s.ConsentVersion,
				suffix,
			)
		case !versionPattern.MatchString(tr.Version):
			errs.Addf(
				tp.Add("version"),
				"%q is not a valid version (letters, digits, dots, hyphens and underscores)",
				tr.Version,
			)
		case tr.Version == s.ConsentVersion:
			errs.Addf(
				tp.Add("version"),
				"%q is the English wording's version; give the translation a version of its own, such as %s-%s",
				tr.Version,
				tr.Version,
				suffix,
			)
		}
		if tr.Translates != s.ConsentVersion && s.ConsentVersion != "" {
			errs.Addf(
				tp.Add("translates"),
				"translates %q, but the English wording is now %q: translate the current wording, give it a new version, or remove this translation",
				tr.Translates,
				s.ConsentVersion,
			)
		}
		if strings.TrimSpace(tr.Wording) == "" {
			errs.Addf(tp.Add("wording"), "missing: give the translated words parents agree to")
		}
	}
}

// Translation returns the service's consent wording in a language, if the authority has one.
func (s Service) Translation(lang string) (ConsentTranslation, bool) {
	for _, tr := range s.ConsentTranslations {
		if tr.Language == lang {
			return tr, true
		}
	}
	return ConsentTranslation{}, false
}

func route(errs *strictyaml.Errors, p strictyaml.Path, r Route) {
	switch {
	case r.Email == "" && r.PortalURL == "":
		errs.Addf(p, "give exactly one of email and portal_url")
	case r.Email != "" && r.PortalURL != "":
		errs.Addf(p.Add("portal_url"), "give exactly one of email and portal_url, not both")
	case r.Email != "":
		a, err := mail.ParseAddress(r.Email)
		if err != nil || a.Name != "" || a.Address != r.Email {
			errs.Addf(
				p.Add("email"),
				"%q is not an email address (write just the address, like referrals@example.org)",
				r.Email,
			)
		}
	default:
		u, err := url.Parse(r.PortalURL)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			errs.Addf(p.Add("portal_url"), "%q is not a web address starting https://", r.PortalURL)
		}
	}
}

func rules(errs *strictyaml.Errors, p strictyaml.Path, r readiness.Rules) {
	for _, pr := range r.Problems() {
		errs.Addf(p.Add(pr.Field), "%s", pr.Message)
	}
}

// DemoFile is the demo directory's file name in catalogue.Files.
const DemoFile = "directory-demo.yaml"

// Demo parses the demo directory shipped with sendflow: local authority "999", Demoshire Council
// (demo), with seven example services. Its addresses are at demoshire.example and reach no one.
func Demo() (*Directory, error) {
	src, err := fs.ReadFile(catalogue.Files, DemoFile)
	if err != nil {
		return nil, err
	}
	return Parse(src)
}

// Registry holds the directories of several local authorities, keyed by authority code. It is
// safe for concurrent use; the zero value is empty.
type Registry struct {
	mu sync.RWMutex
	m  map[string]*Directory
}

// NewRegistry returns a registry holding the given directories.
func NewRegistry(ds ...*Directory) (*Registry, error) {
	r := &Registry{}
	for _, d := range ds {
		if err := r.Add(d); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Add loads a directory; a second directory for the same authority is refused.
func (r *Registry) Add(d *Directory) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = map[string]*Directory{}
	}
	if _, dup := r.m[d.Authority]; dup {
		return fmt.Errorf("agency directory for local authority %q is already loaded", d.Authority)
	}
	r.m[d.Authority] = d
	return nil
}

// Get returns the directory of a local authority.
func (r *Registry) Get(authority string) (*Directory, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	d, ok := r.m[authority]
	return d, ok
}

// Authorities lists the loaded authority codes in order.
func (r *Registry) Authorities() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.m))
	for k := range r.m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
