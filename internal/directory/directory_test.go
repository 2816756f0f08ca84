package directory

import (
	"errors"
	"strings"
	"testing"

	"github.com/sendflow/sendflow/internal/oag/strictyaml"
	"github.com/sendflow/sendflow/internal/readiness"
)

func TestDemo(t *testing.T) {
	d, err := Demo()
	if err != nil {
		t.Fatal(err)
	}
	if d.Authority != "999" || d.Name != "Demoshire Council (demo)" {
		t.Errorf("authority %q %q", d.Authority, d.Name)
	}
	if d.SENDIASSContact != "Demoshire SENDIASS, 01632 960000, sendiass@demoshire.example" {
		t.Errorf("SENDIASS %q", d.SENDIASSContact)
	}
	if d.MediationContact != "Demoshire Mediation Service, 01632 960001, mediation@demoshire.example" {
		t.Errorf("mediation %q", d.MediationContact)
	}
	if d.EHCTeamEmail != "ehc.team@demoshire.example" {
		t.Errorf("EHC team %q", d.EHCTeamEmail)
	}
	want := "educational_psychology,speech_and_language,occupational_therapy,communication_autism,pupil_school_support,neurodevelopmental,sensory_support"
	if got := strings.Join(d.Codes(), ","); got != want {
		t.Errorf("services %s\nwant %s", got, want)
	}
	for _, s := range d.Services {
		if !s.Route.IsEmail() || !strings.HasSuffix(s.Route.Email, "@demoshire.example") {
			t.Errorf("%s: route %+v", s.Code, s.Route)
		}
		if s.ConsentVersion != "consent-v1" || !strings.Contains(s.ConsentWording, "withdraw my consent") {
			t.Errorf("%s: consent %q %q", s.Code, s.ConsentVersion, s.ConsentWording)
		}
		if days, err := s.SLA.Days(); err != nil || days <= 0 {
			t.Errorf("%s: SLA %q %d %v", s.Code, s.SLA, days, err)
		}
		if !s.Readiness.RequireConsent || s.Readiness.MinStrategies == 0 {
			t.Errorf("%s: readiness %+v", s.Code, s.Readiness)
		}
	}
	nd, ok := d.Service("neurodevelopmental")
	if !ok || nd.Readiness.MinMonthsOfSupport != 6 {
		t.Errorf("neurodevelopmental %+v %v", nd, ok)
	}
	if !d.EHCNAReadiness.RequireExternalAdvice || d.EHCNAReadiness.RequireConsent {
		t.Errorf("EHCNA readiness %+v", d.EHCNAReadiness)
	}
	if _, ok := d.Service("astrology"); ok {
		t.Error("found a service that is not there")
	}
	// The readiness rules are live: the demo neurodevelopmental pathway refuses a pupil with none.
	if met, missing := readiness.Met(readiness.Evaluate(readiness.Evidence{}, nd.Readiness)); met || len(missing) != 4 {
		t.Errorf("empty evidence against neurodevelopmental: %v %q", met, missing)
	}
}

const good = `authority: "123"
name: Testshire
sendiass_contact: Testshire SENDIASS, 01632 960100
mediation_contact: Testshire Mediation, 01632 960101
ehcna_readiness:
  require_external_advice: true
services:
  - code: educational_psychology
    name: EP
    route:
      portal_url: https://referrals.testshire.example/ep
    consent_wording: I agree.
    consent_version: v1
    sla: 10d
    readiness:
      min_strategies: 2
`

func TestParseGood(t *testing.T) {
	d, err := Parse(
		[]byte(
			good + "    consent_translations:\n      - language: pl\n        version: v1-pl\n        translates: v1\n        wording: Zgadzam się.\n",
		),
	)
	if err != nil {
		t.Fatal(err)
	}
	if tr := d.Services[0].ConsentTranslations; len(tr) != 1 || tr[0].Language != "pl" || tr[0].Version != "v1-pl" ||
		tr[0].Wording != "Zgadzam się." {
		t.Errorf("translations %+v", tr)
	}
	s := d.Services[0]
	if s.Route.IsEmail() || s.Route.PortalURL != "https://referrals.testshire.example/ep" || s.SLA != "10d" ||
		s.Readiness.MinStrategies != 2 {
		t.Errorf("parsed %+v", s)
	}
}

func TestParseRefuses(t *testing.T) {
	cases := []struct {
		name     string
		old, new string
		want     []string
	}{
		{"unknown key", "    sla: 10d\n", "    sla: 10d\n    priority: high\n",
			[]string{
				`line 15: services[0].priority: unknown field (allowed: code, name, route, consent_wording, consent_version, consent_translations, sla, readiness)`,
			}},
		{
			"translation of an older wording",
			"    sla: 10d\n",
			"    sla: 10d\n    consent_translations:\n      - language: pl\n        version: v0-pl\n        translates: v0\n        wording: Zgadzam się.\n",
			[]string{
				`line 18: services[0].consent_translations[0].translates: translates "v0", but the English wording is now "v1": translate the current wording, give it a new version, or remove this translation`,
			},
		},
		{
			"translation without its words",
			"    sla: 10d\n",
			"    sla: 10d\n    consent_translations:\n      - language: Polish\n        version: v1\n        translates: v1\n",
			[]string{
				`line 16: services[0].consent_translations[0].language: "Polish" is not a language code; use a code such as en, pl, ur or pa-Guru`,
				`line 16: services[0].consent_translations[0].wording: missing: give the translated words parents agree to`,
				`line 17: services[0].consent_translations[0].version: "v1" is the English wording's version; give the translation a version of its own, such as v1-pl`,
			},
		},
		{
			"two translations into one language",
			"    sla: 10d\n",
			"    sla: 10d\n    consent_translations:\n      - {language: pl, version: v1-pl, translates: v1, wording: Zgadzam się.}\n      - {language: pl, version: v1-pl2, translates: v1, wording: Zgadzam się!}\n      - {language: en, version: v1-en, translates: v1, wording: I agree.}\n",
			[]string{
				`line 17: services[0].consent_translations[1].language: a second translation into pl (also consent_translations[0]); keep one per language`,
				`line 18: services[0].consent_translations[2].language: English is the consent_wording itself; translations are into other languages`,
			},
		},
		{"unknown readiness rule", "      min_strategies: 2\n", "      min_strategies: 2\n      min_weeks: 6\n",
			[]string{
				`line 17: services[0].readiness.min_weeks: unknown field (allowed: min_strategies, min_trial_weeks, require_impact, min_reviewed_cycles_with_parent_views, min_months_of_support, require_consent, require_external_advice, notional_sen_budget)`,
			}},
		{"rule of the wrong type", "      min_strategies: 2\n", "      min_strategies: two\n",
			[]string{`line 16: services[0].readiness.min_strategies: want a whole number, got "two"`}},
		{
			"both routes",
			"      portal_url: https://referrals.testshire.example/ep\n",
			"      portal_url: https://referrals.testshire.example/ep\n      email: ep@testshire.example\n",
			[]string{`line 11: services[0].route.portal_url: give exactly one of email and portal_url, not both`},
		},
		{"no route", "    route:\n      portal_url: https://referrals.testshire.example/ep\n", "    route: {}\n",
			[]string{`line 10: services[0].route: give exactly one of email and portal_url`}},
		{
			"bad email",
			"      portal_url: https://referrals.testshire.example/ep\n",
			"      email: EP Team <ep@testshire.example>\n",
			[]string{
				`line 11: services[0].route.email: "EP Team <ep@testshire.example>" is not an email address (write just the address, like referrals@example.org)`,
			},
		},
		{"plain http portal", "https://referrals", "http://referrals",
			[]string{
				`line 11: services[0].route.portal_url: "http://referrals.testshire.example/ep" is not a web address starting https://`,
			}},
		{"bad sla", "sla: 10d", "sla: 2 months",
			[]string{
				`line 14: services[0].sla: "2 months" is not a span: write a whole number of days or weeks, like 10d or 6w`,
			}},
		{"zero sla", "sla: 10d", "sla: 0w",
			[]string{`line 14: services[0].sla: must be longer than zero days`}},
		{"missing consent", "    consent_wording: I agree.\n    consent_version: v1\n", "",
			[]string{
				`line 8: services[0].consent_wording: missing: give the words parents agree to when they consent to a referral`,
				`line 8: services[0].consent_version: missing: name the version of the consent wording, such as consent-v1, and change it whenever the wording changes`,
			}},
		{
			"duplicate service",
			"",
			"  - code: educational_psychology\n    name: EP again\n    route: {email: ep@testshire.example}\n    consent_wording: I agree.\n    consent_version: v1\n    sla: 1w\n",
			[]string{`line 17: services[1].code: service "educational_psychology" is listed twice (also services[0])`},
		},
		{"bad code and authority", "code: educational_psychology", "code: Educational-Psychology",
			[]string{
				`line 8: services[0].code: "Educational-Psychology" is not a valid code (lower-case letters, digits and underscores, starting with a letter)`,
			}},
		{"authority", `authority: "123"`, `authority: Testshire`,
			[]string{
				`line 1: authority: "Testshire" is not a local authority code (three digits, in quotes, such as "999")`,
			}},
		{
			"rules that make no sense",
			"  require_external_advice: true\n",
			"  require_impact: true\n  min_months_of_support: -1\n",
			[]string{
				`line 6: ehcna_readiness.require_impact: needs min_strategies: say how many strategies must have their impact recorded`,
				`line 7: ehcna_readiness.min_months_of_support: must be 0 or more, not -1`,
			},
		},
		{"bad EHC team address", `authority: "123"`, "authority: \"123\"\nehc_team_email: the EHC team",
			[]string{
				`line 2: ehc_team_email: "the EHC team" is not an email address (write just the address, like ehc@council.example)`,
			}},
		{
			"contacts missing",
			"sendiass_contact: Testshire SENDIASS, 01632 960100\nmediation_contact: Testshire Mediation, 01632 960101\n",
			"",
			[]string{
				`line 1: sendiass_contact: missing: give the SENDIASS name, phone number and email; every decision letter quotes it`,
				`line 1: mediation_contact: missing: give the mediation service's name, phone number and email; every decision letter quotes it`,
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := good + tc.new
			if tc.old != "" {
				if !strings.Contains(good, tc.old) {
					t.Fatalf("test edit %q does not apply", tc.old)
				}
				src = strings.Replace(good, tc.old, tc.new, 1)
			}
			_, err := Parse([]byte(src))
			want := "agency directory: " + strings.Join(tc.want, "\n")
			if err == nil || err.Error() != want {
				t.Errorf("error\n%v\nwant\n%s", err, want)
			}
			var e *strictyaml.Error
			if err != nil && !errors.As(err, &e) {
				t.Errorf("error %T does not wrap a *strictyaml.Error", err)
			}
		})
	}
}

func TestSpan(t *testing.T) {
	for _, tc := range []struct {
		s     Span
		days  int
		words string
		bad   bool
	}{
		{"6w", 42, "6 weeks", false},
		{"1w", 7, "1 week", false},
		{"10d", 10, "10 days", false},
		{"1d", 1, "1 day", false},
		{"6 weeks", 0, "6 weeks", true},
		{"w", 0, "w", true},
		{"", 0, "", true},
	} {
		days, err := tc.s.Days()
		if days != tc.days || (err != nil) != tc.bad || tc.s.Words() != tc.words {
			t.Errorf("%q: %d %v %q", tc.s, days, err, tc.s.Words())
		}
	}
}

func TestRegistry(t *testing.T) {
	demo, err := Demo()
	if err != nil {
		t.Fatal(err)
	}
	other, err := Parse([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRegistry(demo, other)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.Authorities(), ","); got != "123,999" {
		t.Errorf("Authorities = %s", got)
	}
	if d, ok := r.Get("999"); !ok || d != demo {
		t.Errorf("Get(999) = %v %v", d, ok)
	}
	if _, ok := r.Get("000"); ok {
		t.Error("Get(000) found something")
	}
	if err := r.Add(demo); err == nil || err.Error() != `agency directory for local authority "999" is already loaded` {
		t.Errorf("second 999: %v", err)
	}
	var zero Registry
	if _, ok := zero.Get("999"); ok || len(zero.Authorities()) != 0 {
		t.Error("zero registry is not empty")
	}
}
