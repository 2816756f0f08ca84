// Package readiness decides whether a referral has the evidence an agency asks for, and says in
// plain sentences what is missing. It is plain Go over gathered evidence: the referral workflow,
// the SENDCo's decision and the API's readiness check all call Evaluate, so there is one rule.
//
// Rules are data: each agency service in the directory (and the EHC needs assessment request)
// carries its own Rules, loaded from YAML. A zero field means "not required".
package readiness

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/sendflow/sendflow/internal/locale"
	"github.com/sendflow/sendflow/internal/oag"
)

// Evidence is what the pathway holds about support already given.
type Evidence struct {
	// StrategiesTried is a bare count of OAG strategies recorded against the pupil's concerns. It
	// is used only when Strategies is empty and the rules ask nothing about weeks or impact.
	StrategiesTried int
	// ReviewedCyclesWithParentViews counts APDR cycles reviewed with the parents' views heard.
	ReviewedCyclesWithParentViews int

	// Strategies are the strategies tried, one entry per strategy (a repeated id counts once).
	Strategies []StrategyEvidence
	// AreasOfNeed are the pupil's areas of need (oag area codes). When set, only strategies from
	// these areas count.
	AreasOfNeed []string
	// SupportSince is the date of the pupil's first SEN support plan; nil when there is none.
	SupportSince *time.Time
	// ConsentGiven is true when the parents' signed consent to this referral is on record.
	ConsentGiven bool
	// AdviceReceived counts pieces of advice received from external professionals.
	AdviceReceived int
	// CostedPencePerYear is what the costed provision of the pupil's open plans comes to a year,
	// in pence; CostedItems counts the pieces costed (0: nothing is costed from a catalogue).
	CostedPencePerYear int64
	CostedItems        int
	// Now is the date the evidence is judged at (the workflow's or the request's time). Zero means
	// time.Now().
	Now time.Time
}

// StrategyEvidence is one strategy tried with the pupil.
type StrategyEvidence struct {
	ID             string    // oag strategy id
	Text           string    // the strategy as the catalogue names it, e.g. "Visual timetable"
	Area           string    // oag area code the strategy belongs to
	StartedOn      time.Time // when it was first tried
	ImpactRecorded bool      // a judgement of its impact is on record
	Impact         string    // helping, some_change or no_change; a non-empty Impact counts as recorded
}

// Rules are the thresholds a service asks for. All are optional: zero means not required.
type Rules struct {
	// MinStrategies is how many strategies from the pupil's areas of need must have been tried.
	MinStrategies int `yaml:"min_strategies,omitempty" json:"min_strategies,omitempty"`
	// MinTrialWeeks is how long each counted strategy must have been tried.
	MinTrialWeeks int `yaml:"min_trial_weeks,omitempty" json:"min_trial_weeks,omitempty"`
	// RequireImpact counts a strategy only once its impact is recorded.
	RequireImpact bool `yaml:"require_impact,omitempty" json:"require_impact,omitempty"`
	// MinReviewedWithParent is how many APDR cycles must have been reviewed with the parents' views.
	MinReviewedWithParent int `yaml:"min_reviewed_cycles_with_parent_views,omitempty" json:"min_reviewed_cycles_with_parent_views,omitempty"`
	// MinMonthsOfSupport is how long SEN support must have been evidenced, from the first plan.
	MinMonthsOfSupport int `yaml:"min_months_of_support,omitempty" json:"min_months_of_support,omitempty"`
	// RequireConsent asks for the parents' signed consent to the referral.
	RequireConsent bool `yaml:"require_consent,omitempty" json:"require_consent,omitempty"`
	// RequireExternalAdvice asks for advice from at least one external professional.
	RequireExternalAdvice bool `yaml:"require_external_advice,omitempty" json:"require_external_advice,omitempty"`
	// NotionalSENBudget is what a local authority expects a school to spend on the pupil from its
	// own notional SEN budget, in pounds a year, before an EHC needs assessment (commonly 6000);
	// judged from the pupil's costed provision.
	NotionalSENBudget float64 `yaml:"notional_sen_budget,omitempty" json:"notional_sen_budget,omitempty"`
}

// Default is what most services ask for before a referral.
var Default = Rules{MinStrategies: 2, MinReviewedWithParent: 1}

// Problem is something wrong with a set of rules: Field is the YAML key.
type Problem struct {
	Field   string
	Message string
}

// Problems checks rules for values that make no sense (negative numbers, weeks or impact asked
// for without a number of strategies). Nil means the rules are usable.
func (r Rules) Problems() []Problem {
	var ps []Problem
	neg := func(field string, v int) {
		if v < 0 {
			ps = append(ps, Problem{field, fmt.Sprintf("must be 0 or more, not %d", v)})
		}
	}
	neg("min_strategies", r.MinStrategies)
	neg("min_trial_weeks", r.MinTrialWeeks)
	neg("min_reviewed_cycles_with_parent_views", r.MinReviewedWithParent)
	neg("min_months_of_support", r.MinMonthsOfSupport)
	if r.NotionalSENBudget < 0 {
		ps = append(ps, Problem{"notional_sen_budget", fmt.Sprintf("must be 0 or more, not %v", r.NotionalSENBudget)})
	}
	if r.MinStrategies <= 0 {
		if r.MinTrialWeeks > 0 {
			ps = append(
				ps,
				Problem{"min_trial_weeks", "needs min_strategies: say how many strategies must be tried for that long"},
			)
		}
		if r.RequireImpact {
			ps = append(
				ps,
				Problem{
					"require_impact",
					"needs min_strategies: say how many strategies must have their impact recorded",
				},
			)
		}
	}
	return ps
}

// Criterion ids.
const (
	StrategiesTried     = "strategies_tried"
	ReviewedWithParents = "reviewed_with_parents"
	MonthsOfSupport     = "months_of_support"
	Consent             = "consent"
	ExternalAdvice      = "external_advice"
	NotionalBudget      = "notional_sen_budget"
)

// Criterion is one rule's result.
type Criterion struct {
	ID       string
	Rule     string // the rule in plain English: "At least 3 strategies from the pupil's areas of need, each tried for 6 weeks with impact recorded"
	Met      bool
	Evidence string // what meets it (for strategies, what counts so far even when not yet met)
	Missing  string // what to do, when it is not met
}

// Evaluate checks evidence against rules. There is one criterion per rule that is asked for, in
// a fixed order: strategies, reviews with parents, months of support, consent, external advice,
// notional SEN budget.
func Evaluate(ev Evidence, r Rules) []Criterion {
	now := ev.Now
	if now.IsZero() {
		now = time.Now()
	}
	today := day(now)
	var cs []Criterion
	if r.MinStrategies > 0 {
		cs = append(cs, strategies(ev, r, today))
	}
	if r.MinReviewedWithParent > 0 {
		c := count(
			ReviewedWithParents,
			ev.ReviewedCyclesWithParentViews,
			r.MinReviewedWithParent,
			"%d support plans reviewed with the parents' views.",
			"Review at least %d support plan"+locale.Plural(
				r.MinReviewedWithParent,
				"",
				"s",
			)+" with the parents' views (%d so far).",
		)
		c.Rule = fmt.Sprintf("At least %d support plan%s reviewed with the parents' views",
			r.MinReviewedWithParent, locale.Plural(r.MinReviewedWithParent, "", "s"))
		cs = append(cs, c)
	}
	if r.MinMonthsOfSupport > 0 {
		cs = append(cs, monthsOfSupport(ev, r.MinMonthsOfSupport, today))
	}
	if r.RequireConsent {
		c := Criterion{ID: Consent, Rule: "Signed parent consent to the referral", Met: ev.ConsentGiven}
		if c.Met {
			c.Evidence = "The parents' signed consent to this referral is on record."
		} else {
			c.Missing = "Ask the parents to sign consent to this referral."
		}
		cs = append(cs, c)
	}
	if r.RequireExternalAdvice {
		c := Criterion{
			ID:   ExternalAdvice,
			Rule: "Advice from at least one external professional",
			Met:  ev.AdviceReceived >= 1,
		}
		if c.Met {
			c.Evidence = fmt.Sprintf(
				"Advice received from %d external professional%s.",
				ev.AdviceReceived,
				locale.Plural(ev.AdviceReceived, "", "s"),
			)
		} else {
			c.Missing = "Record the advice received from at least one external professional, such as an educational psychologist (none so far)."
		}
		cs = append(cs, c)
	}
	if r.NotionalSENBudget > 0 {
		cs = append(cs, notionalBudget(ev, r))
	}
	return cs
}

// notionalBudget compares the pupil's costed provision with what the local authority expects the
// school to have spent from its notional SEN budget, and says the gap.
func notionalBudget(ev Evidence, r Rules) Criterion {
	need := int64(math.Round(r.NotionalSENBudget * 100))
	c := Criterion{ID: NotionalBudget, Met: ev.CostedPencePerYear >= need,
		Rule: "The school has spent its notional SEN budget on the pupil first: " + pounds(
			need,
		) + " a year of costed provision"}
	have := fmt.Sprintf("The costed provision in the pupil's plan comes to %s a year", pounds(ev.CostedPencePerYear))
	switch {
	case c.Met:
		c.Evidence = have + "."
	case ev.CostedItems == 0:
		c.Missing = "No provision in the pupil's plan is costed: pick it from the school's provision catalogue so its cost (" +
			pounds(
				need,
			) + " a year is expected) can be shown."
	default:
		c.Evidence = have + "."
		c.Missing = fmt.Sprintf(
			"%s, %s short of the %s a year expected from the school's notional SEN budget.",
			have,
			pounds(need-ev.CostedPencePerYear),
			pounds(need),
		)
	}
	return c
}

// pounds is £1,234.56.
func pounds(p int64) string {
	whole := fmt.Sprint(p / 100)
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	return fmt.Sprintf("£%s.%02d", whole, p%100)
}

func count(id string, have, need int, evidence, missing string) Criterion {
	c := Criterion{ID: id, Met: have >= need}
	if c.Met {
		c.Evidence = fmt.Sprintf(evidence, have)
	} else {
		c.Missing = fmt.Sprintf(missing, need, have)
	}
	return c
}

// Met reports whether every criterion is met, and the sentences of what is missing.
func Met(cs []Criterion) (bool, []string) {
	var missing []string
	for _, c := range cs {
		if !c.Met {
			missing = append(missing, c.Missing)
		}
	}
	return len(missing) == 0, missing
}

// strategiesRule is the strategies rule in plain English.
func strategiesRule(r Rules) string {
	var b strings.Builder
	fmt.Fprintf(
		&b,
		"At least %d strateg%s from the pupil's areas of need",
		r.MinStrategies,
		locale.Plural(r.MinStrategies, "y", "ies"),
	)
	each := ", each"
	if r.MinStrategies == 1 {
		each = ","
	}
	switch {
	case r.MinTrialWeeks > 0 && r.RequireImpact:
		fmt.Fprintf(&b, "%s tried for %s with impact recorded", each, weeks(r.MinTrialWeeks))
	case r.MinTrialWeeks > 0:
		fmt.Fprintf(&b, "%s tried for %s", each, weeks(r.MinTrialWeeks))
	case r.RequireImpact:
		fmt.Fprintf(&b, "%s with impact recorded", each)
	}
	return b.String()
}

func strategies(ev Evidence, r Rules, today time.Time) Criterion {
	// The bare count, kept for callers that only have a number and rules that only ask for one.
	if len(ev.Strategies) == 0 && r.MinTrialWeeks == 0 && !r.RequireImpact {
		c := count(StrategiesTried, ev.StrategiesTried, r.MinStrategies,
			"%d classroom strategies recorded.",
			"Record at least %d classroom strategies that have been tried (%d so far).")
		c.Rule = strategiesRule(r)
		return c
	}

	type cand struct {
		s        StrategyEvidence
		due      time.Time // the day it will have been tried long enough (zero: no weeks rule or no start)
		short    bool      // not yet tried for long enough
		noStart  bool      // weeks asked for but no start date
		noImpact bool      // impact asked for but not recorded
	}
	judge := func(s StrategyEvidence) cand {
		c := cand{s: s}
		if r.MinTrialWeeks > 0 {
			if s.StartedOn.IsZero() {
				c.noStart = true
			} else {
				c.due = day(s.StartedOn).AddDate(0, 0, 7*r.MinTrialWeeks)
				c.short = today.Before(c.due)
			}
		}
		c.noImpact = r.RequireImpact && !recorded(s)
		return c
	}
	ok := func(c cand) bool { return !c.short && !c.noStart && !c.noImpact }

	// One entry per id (entries without an id stand alone); a counting entry wins, else the
	// earliest start.
	inArea := func(s StrategyEvidence) bool {
		return len(ev.AreasOfNeed) == 0 || slices.Contains(ev.AreasOfNeed, s.Area)
	}
	var order []string
	best := map[string]cand{}
	for i, s := range ev.Strategies {
		if !inArea(s) {
			continue
		}
		key := s.ID
		if key == "" {
			key = fmt.Sprintf("#%d", i)
		}
		c := judge(s)
		prev, seen := best[key]
		switch {
		case !seen:
			order = append(order, key)
			best[key] = c
		case ok(prev):
		case ok(c), !c.s.StartedOn.IsZero() && (prev.s.StartedOn.IsZero() || c.s.StartedOn.Before(prev.s.StartedOn)):
			best[key] = c
		}
	}
	var counted, pending []cand
	for _, k := range order {
		if c := best[k]; ok(c) {
			counted = append(counted, c)
		} else {
			pending = append(pending, c)
		}
	}
	byStart := func(list []cand) {
		sort.SliceStable(list, func(i, j int) bool {
			a, b := list[i].s.StartedOn, list[j].s.StartedOn
			if !a.Equal(b) {
				return a.Before(b)
			}
			return list[i].s.ID < list[j].s.ID
		})
	}
	byStart(counted)
	// Nearest to counting first: fewest things left to do, then soonest due.
	sort.SliceStable(pending, func(i, j int) bool {
		a, b := pending[i], pending[j]
		if wa, wb := work(a.short || a.noStart, a.noImpact), work(b.short || b.noStart, b.noImpact); wa != wb {
			return wa < wb
		}
		if !a.due.Equal(b.due) {
			return a.due.Before(b.due)
		}
		return a.s.ID < b.s.ID
	})

	c := Criterion{ID: StrategiesTried, Rule: strategiesRule(r), Met: len(counted) >= r.MinStrategies}
	if len(counted) > 0 {
		cites := make([]string, len(counted))
		for i, x := range counted {
			cites[i] = cite(x.s)
		}
		c.Evidence = strings.Join(cites, "; ") + "."
	}
	if c.Met {
		return c
	}

	need := r.MinStrategies - len(counted)
	var todo []string
	for _, p := range pending {
		if need == 0 {
			break
		}
		name := label(p.s)
		switch {
		case p.noStart && p.noImpact:
			todo = append(todo, fmt.Sprintf("Record when %s was started and its impact.", name))
		case p.noStart:
			todo = append(todo, fmt.Sprintf("Record when %s was started.", name))
		case p.short && p.noImpact:
			todo = append(
				todo,
				fmt.Sprintf(
					"Keep %s going until %s (%s), then record its impact.",
					name,
					date(p.due),
					weeks(r.MinTrialWeeks),
				),
			)
		case p.short:
			todo = append(todo, fmt.Sprintf("Keep %s going until %s (%s).", name, date(p.due), weeks(r.MinTrialWeeks)))
		case p.noImpact:
			todo = append(todo, fmt.Sprintf("Record the impact of %s.", name))
		}
		need--
	}
	if need > 0 {
		var b strings.Builder
		b.WriteString("Try ")
		fmt.Fprintf(&b, "%d ", need)
		if len(counted) > 0 || len(todo) > 0 {
			b.WriteString("more ")
		}
		fmt.Fprintf(&b, "strateg%s", locale.Plural(need, "y", "ies"))
		if len(ev.AreasOfNeed) > 0 {
			b.WriteString(" from ")
			b.WriteString(areas(ev.AreasOfNeed))
		}
		if r.MinTrialWeeks > 0 {
			fmt.Fprintf(&b, " for at least %s", weeks(r.MinTrialWeeks))
		}
		if r.RequireImpact {
			fmt.Fprintf(&b, " and record %s impact", locale.Plural(need, "its", "their"))
		}
		b.WriteString(".")
		todo = append(todo, b.String())
	}
	c.Missing = strings.Join(todo, " ")
	return c
}

func work(a, b bool) int {
	n := 0
	if a {
		n++
	}
	if b {
		n++
	}
	return n
}

func monthsOfSupport(ev Evidence, need int, today time.Time) Criterion {
	c := Criterion{ID: MonthsOfSupport, Rule: fmt.Sprintf("SEN support evidenced for at least %s", months(need))}
	if ev.SupportSince == nil || ev.SupportSince.IsZero() {
		c.Missing = fmt.Sprintf(
			"No SEN support plan has been recorded yet; the service asks for %s of evidenced support, counted from the first plan.",
			months(need),
		)
		return c
	}
	since := day(*ev.SupportSince)
	// Whole months: the largest k with since + k months on or before today.
	have := 0
	for !today.Before(since.AddDate(0, have+1, 0)) {
		have++
	}
	if have >= need {
		c.Met = true
		c.Evidence = fmt.Sprintf("SEN support evidenced for %s, since %s.", months(have), date(since))
		return c
	}
	when := since.AddDate(0, need, 0)
	haveWords := months(have)
	if have == 0 {
		haveWords = "less than a month"
	}
	c.Missing = fmt.Sprintf(
		"Support has been evidenced for %s; the service asks for %d (from %s it will be %d).",
		haveWords,
		need,
		date(when),
		need,
	)
	return c
}

func recorded(s StrategyEvidence) bool { return s.ImpactRecorded || s.Impact != "" }

func label(s StrategyEvidence) string {
	switch {
	case s.Text != "":
		return s.Text
	case s.ID != "":
		return s.ID
	}
	return "the strategy"
}

// cite is "Visual timetable (since 2 November 2026, helping)".
func cite(s StrategyEvidence) string {
	var parts []string
	if !s.StartedOn.IsZero() {
		parts = append(parts, "since "+date(s.StartedOn))
	}
	switch {
	case s.Impact != "":
		parts = append(parts, ImpactWords(s.Impact))
	case s.ImpactRecorded:
		parts = append(parts, "impact recorded")
	default:
		parts = append(parts, "impact not recorded yet")
	}
	return fmt.Sprintf("%s (%s)", label(s), strings.Join(parts, ", "))
}

// ImpactWords turns an impact code into words: helping, some change, no change.
func ImpactWords(code string) string { return strings.ReplaceAll(code, "_", " ") }

func areas(codes []string) string {
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = oag.AreaName(c)
	}
	switch len(names) {
	case 1:
		return names[0]
	case 2:
		return names[0] + " or " + names[1]
	}
	// Names can hold commas ("Social, emotional and mental health"), so list with semicolons.
	return "any of " + strings.Join(names, "; ")
}

func day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func date(t time.Time) string { return t.Format("2 January 2006") }

func weeks(n int) string  { return fmt.Sprintf("%d week%s", n, locale.Plural(n, "", "s")) }
func months(n int) string { return fmt.Sprintf("%d month%s", n, locale.Plural(n, "", "s")) }
