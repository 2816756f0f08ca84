package workflows

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"
)

// Timings are every duration the engine uses. The defaults come from the SEND Code of Practice
// 0 to 25, the SEND Regulations 2014 and the tribunal rules (DESIGN.md §2); the embedded
// timings.default.yaml is the documented policy file. A local authority may override any of them
// in its own YAML file; keys it leaves out keep the default.
type Timings struct {
	Concern struct {
		TrialWindow Span `yaml:"trial_window"` // 6w: how long OAG strategies are tried before the teacher is asked to record impact
	} `yaml:"concern"`
	Cycle struct {
		ReviewReminderBefore     Span `yaml:"review_reminder_before"`       // 7d: teacher and SENDCo reminded
		ParentInviteBefore       Span `yaml:"parent_invite_before"`         // 2w: parents invited at least this long before a review
		OverdueEscalationAfter   Span `yaml:"overdue_escalation_after"`     // 7d after the review date with no review: escalate to SENDCo
		MinParentMeetingsPerYear int  `yaml:"min_parent_meetings_per_year"` // 3
	} `yaml:"cycle"`
	Referral struct {
		ConsentReminderAfter     Span `yaml:"consent_reminder_after"`     // 7d
		ConsentExpiry            Span `yaml:"consent_expiry"`             // 28d
		AgencyAcknowledgementSLA Span `yaml:"agency_acknowledgement_sla"` // 6w
	} `yaml:"referral"`
	EHC struct {
		DecisionToAssess     Span `yaml:"decision_to_assess"`     // 6w from request
		AdviceDeadline       Span `yaml:"advice_deadline"`        // 6w from the LA's request for advice
		NoticeNotToIssue     Span `yaml:"notice_not_to_issue"`    // 16w from request
		DraftCommentPeriod   Span `yaml:"draft_comment_period"`   // 15d minimum; a file may lengthen, never shorten, it
		FinalPlan            Span `yaml:"final_plan"`             // 20w from request
		AlertBefore          Span `yaml:"alert_before"`           // 2w: staff alerted this long before a milestone would be missed
		AppealWindow         Span `yaml:"appeal_window"`          // 2mo from the decision letter
		AppealAfterMediation Span `yaml:"appeal_after_mediation"` // 1mo from the mediation certificate
	} `yaml:"ehc"`
	AnnualReview struct {
		Interval                    Span     `yaml:"interval"`                       // 12mo from plan issue, then from the previous review
		InvitationsBefore           Span     `yaml:"invitations_before"`             // 2w
		ReportWithin                Span     `yaml:"report_within"`                  // 2w after the meeting
		LADecisionWithin            Span     `yaml:"la_decision_within"`             // 4w after the meeting
		AmendedPlanWithin           Span     `yaml:"amended_plan_within"`            // 8w after the LA's decision to amend
		PhaseTransferDeadline       MonthDay `yaml:"phase_transfer_deadline"`        // 02-15
		PostSixteenTransferDeadline MonthDay `yaml:"post_sixteen_transfer_deadline"` // 03-31
	} `yaml:"annual_review"`
}

// MinDraftCommentDays is the statutory floor for parents' comments on a draft EHC plan.
const MinDraftCommentDays = 15

// How a statutory limit binds a local authority's timings file.
type limitKind int

const (
	atMost  limitKind = iota // a time limit the council must meet: it may be shorter, never longer
	atLeast                  // time the law gives people: it may be longer, never shorter
	exactly                  // a right the law sets for parents: the council cannot change it
)

// statutoryLimit is one limit set by law, which a timings file may tighten but never loosen.
type statutoryLimit struct {
	key  string
	kind limitKind
	span Span     // for a length of time
	day  MonthDay // for a date in the year: at most means no later
	law  string   // the rule in words, with its source
	get  func(Timings) any
}

// statutoryLimits are the keys of timings.default.yaml that the law sets (DESIGN.md §2). The
// defaults equal them; the other keys are sendflow's own defaults and free to change.
var statutoryLimits = []statutoryLimit{
	{"ehc.decision_to_assess", atMost, Span{Days: 42}, MonthDay{},
		"the local authority decides whether to assess within 6 weeks of the request (SEND Regulations 2014, reg 5(1))",
		func(t Timings) any { return t.EHC.DecisionToAssess }},
	{"ehc.advice_deadline", atMost, Span{Days: 42}, MonthDay{},
		"professionals give their advice within 6 weeks of being asked (SEND Regulations 2014, reg 8(1))",
		func(t Timings) any { return t.EHC.AdviceDeadline }},
	{"ehc.notice_not_to_issue", atMost, Span{Days: 112}, MonthDay{},
		"a decision not to issue a plan is sent within 16 weeks of the request (SEND Regulations 2014, reg 10(1))",
		func(t Timings) any { return t.EHC.NoticeNotToIssue }},
	{"ehc.draft_comment_period", atLeast, Span{Days: MinDraftCommentDays}, MonthDay{},
		"the law gives parents at least 15 days to comment on a draft plan (SEND Regulations 2014, reg 13(1))",
		func(t Timings) any { return t.EHC.DraftCommentPeriod }},
	{"ehc.final_plan", atMost, Span{Days: 140}, MonthDay{},
		"the final plan is issued within 20 weeks of the request (SEND Regulations 2014, reg 13(2))",
		func(t Timings) any { return t.EHC.FinalPlan }},
	{"ehc.appeal_window", exactly, Span{Months: 2}, MonthDay{},
		"parents may appeal to the SEND Tribunal within 2 months of the decision letter (Tribunal Procedure (First-tier Tribunal) (HESC) Rules 2008, rule 20)",
		func(t Timings) any { return t.EHC.AppealWindow }},
	{"ehc.appeal_after_mediation", exactly, Span{Months: 1}, MonthDay{},
		"after mediation parents may appeal within 1 month of the mediation certificate, if that is later (HESC Rules 2008, rule 20)",
		func(t Timings) any { return t.EHC.AppealAfterMediation }},
	{"annual_review.interval", atMost, Span{Months: 12}, MonthDay{},
		"a plan is reviewed within 12 months of being issued, then of the previous review (Children and Families Act 2014, s.44)",
		func(t Timings) any { return t.AnnualReview.Interval }},
	{"annual_review.invitations_before", atLeast, Span{Days: 14}, MonthDay{},
		"invitations and advice go out at least 2 weeks before the review meeting (SEND Regulations 2014, reg 20)",
		func(t Timings) any { return t.AnnualReview.InvitationsBefore }},
	{"annual_review.report_within", atMost, Span{Days: 14}, MonthDay{},
		"the school sends its review report within 2 weeks of the meeting (SEND Regulations 2014, reg 20)",
		func(t Timings) any { return t.AnnualReview.ReportWithin }},
	{"annual_review.la_decision_within", atMost, Span{Days: 28}, MonthDay{},
		"the local authority decides whether to keep, amend or end the plan within 4 weeks of the meeting (SEND Regulations 2014, reg 20)",
		func(t Timings) any { return t.AnnualReview.LADecisionWithin }},
	{"annual_review.amended_plan_within", atMost, Span{Days: 56}, MonthDay{},
		"an amended plan is issued within 8 weeks of the amendments being proposed (SEND Regulations 2014, reg 22)",
		func(t Timings) any { return t.AnnualReview.AmendedPlanWithin }},
	{"annual_review.phase_transfer_deadline", atMost, Span{}, MonthDay{time.February, 15},
		"in a phase-transfer year the amended plan is issued by 15 February (SEND Regulations 2014, reg 18)",
		func(t Timings) any { return t.AnnualReview.PhaseTransferDeadline }},
	{"annual_review.post_sixteen_transfer_deadline", atMost, Span{}, MonthDay{time.March, 31},
		"for a move from secondary school to post-16 the amended plan is issued by 31 March (SEND Regulations 2014, reg 18)",
		func(t Timings) any { return t.AnnualReview.PostSixteenTransferDeadline }},
}

// spanEndsLater says whether a, added to some start date, ends later than b added to it, and
// whether it ends earlier from some start. Months have no fixed length, so "52w" against "12mo" is decided over every
// day of four
// years (a leap year and its month ends included), not by counting.
func spanEndsLater(a, b Span) (later, earlier bool) {
	start := time.Date(2024, time.January, 1, 0, 0, 0, 0, time.UTC)
	for d := 0; d < 4*366; d++ {
		t := start.AddDate(0, 0, d)
		ea, eb := a.AddTo(t), b.AddTo(t)
		later = later || ea.After(eb)
		earlier = earlier || ea.Before(eb)
	}
	return later, earlier
}

// check reports how v breaks the limit, or nil.
func (l statutoryLimit) check(t Timings) error {
	switch v := l.get(t).(type) {
	case Span:
		if v.IsZero() || v.Months < 0 || v.Days < 0 {
			return nil // reported as zero or negative
		}
		later, earlier := spanEndsLater(v, l.span)
		switch {
		case l.kind == atMost && later:
			return fmt.Errorf("`%s` is %s, but the law sets %s: %s. A local authority may set a shorter time, never a longer one",
				l.key, v, l.span.Describe(), l.law)
		case l.kind == atLeast && earlier:
			return fmt.Errorf("`%s` is %s, but %s. It may be longer, never shorter", l.key, v, l.law)
		case l.kind == exactly && (later || earlier):
			return fmt.Errorf("`%s` is %s, but %s: %s, which a local authority cannot change",
				l.key, v, l.law, l.span.Describe())
		}
	case MonthDay:
		if v.validate() != nil {
			return nil // reported as not a day of the year
		}
		if v.Month > l.day.Month || v.Month == l.day.Month && v.Day > l.day.Day {
			return fmt.Errorf("`%s` is %s, but %s. A local authority may set an earlier date, never a later one",
				l.key, v, l.law)
		}
	}
	return nil
}

//go:embed timings.default.yaml
var defaultTimingsYAML []byte

// The embedded file must set every key, so the defaults never silently fall back to zero.
var defaultTimings = sync.OnceValue(func() Timings {
	t, err := decodeTimings(defaultTimingsYAML, Timings{}, true)
	if err == nil {
		err = t.Validate()
	}
	if err != nil {
		panic("workflows: embedded timings.default.yaml is broken: " + err.Error())
	}
	return t
})

// DefaultTimings are the timings from the embedded timings.default.yaml.
func DefaultTimings() Timings { return defaultTimings() }

// DefaultTimingsYAML is the documented default policy file, for a local authority to copy.
func DefaultTimingsYAML() []byte { return bytes.Clone(defaultTimingsYAML) }

// ParseTimings starts from the defaults and overrides the keys present in b. Unknown keys, keys
// without a value and values that do not read are errors naming the key (as in
// `ehc.final_plan`) and its line. The result is validated.
func ParseTimings(b []byte) (Timings, error) {
	t, err := decodeTimings(b, DefaultTimings(), false)
	if err != nil {
		return Timings{}, err
	}
	if err := t.Validate(); err != nil {
		return Timings{}, err
	}
	return t, nil
}

// LoadTimings reads a timings file; an empty path means the defaults.
func LoadTimings(path string) (Timings, error) {
	if path == "" {
		return DefaultTimings(), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return Timings{}, fmt.Errorf("timings file %s: %w", path, err)
	}
	t, err := ParseTimings(b)
	if err != nil {
		return Timings{}, fmt.Errorf("timings file %s: %w", path, err)
	}
	return t, nil
}

// decodeTimings walks the YAML tree against Timings' yaml tags instead of decoding straight into
// the struct: yaml.v3's KnownFields errors name the anonymous section type, not the dotted key a
// local authority officer can find in the file. requireAll demands every key (the embedded file).
func decodeTimings(b []byte, base Timings, requireAll bool) (Timings, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var doc yaml.Node
	err := dec.Decode(&doc)
	if errors.Is(err, io.EOF) {
		doc = yaml.Node{}
	} else if err != nil {
		return Timings{}, err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return Timings{}, errors.New("a timings file holds one YAML document; remove the extra `---`")
	}
	t := base
	seen := map[string]bool{}
	if len(doc.Content) > 0 {
		if err := assignNode(doc.Content[0], reflect.ValueOf(&t).Elem(), "", seen); err != nil {
			return Timings{}, err
		}
	}
	if requireAll {
		var missing []string
		for _, k := range timingKeys() {
			if !seen[k] {
				missing = append(missing, k)
			}
		}
		if len(missing) > 0 {
			return Timings{}, fmt.Errorf("missing keys: %s", strings.Join(missing, ", "))
		}
	}
	return t, nil
}

var yamlUnmarshaler = reflect.TypeFor[yaml.Unmarshaler]()

// isSection says a struct field is a group of keys (concern, ehc, ...) rather than one value.
func isSection(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && !reflect.PointerTo(t).Implements(yamlUnmarshaler)
}

func yamlKey(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	return name
}

func joinKey(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func assignNode(n *yaml.Node, v reflect.Value, path string, seen map[string]bool) error {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if !isSection(v.Type()) {
		return assignLeaf(n, v, path)
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil // a section with every key commented out keeps its defaults
	}
	where := "the file"
	if path != "" {
		where = path
	}
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: %s should list keys such as `key: value`", n.Line, where)
	}
	fields := map[string]int{}
	var known []string
	for i := 0; i < v.NumField(); i++ {
		k := yamlKey(v.Type().Field(i))
		fields[k] = i
		known = append(known, k)
	}
	done := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		key := joinKey(path, kn.Value)
		idx, ok := fields[kn.Value]
		if !ok {
			return fmt.Errorf("line %d: unknown key `%s`; %s has: %s", kn.Line, key, where, strings.Join(known, ", "))
		}
		if done[kn.Value] {
			return fmt.Errorf("line %d: `%s` is set twice", kn.Line, key)
		}
		done[kn.Value] = true
		if err := assignNode(vn, v.Field(idx), key, seen); err != nil {
			return err
		}
		if !isSection(v.Field(idx).Type()) {
			seen[key] = true
		}
	}
	return nil
}

func assignLeaf(n *yaml.Node, v reflect.Value, key string) error {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return fmt.Errorf("line %d: `%s` has no value; delete the line to keep the default", n.Line, key)
	}
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: `%s` should be a single value", n.Line, key)
	}
	switch p := v.Addr().Interface().(type) {
	case *Span:
		s, err := ParseSpan(n.Value)
		if err != nil {
			return fmt.Errorf("line %d: `%s`: %w", n.Line, key, err)
		}
		*p = s
	case *MonthDay:
		m, err := ParseMonthDay(n.Value)
		if err != nil {
			return fmt.Errorf("line %d: `%s`: %w", n.Line, key, err)
		}
		*p = m
	case *int:
		var i int
		if n.Tag != "!!int" || n.Decode(&i) != nil {
			return fmt.Errorf("line %d: `%s`: %q is not a whole number", n.Line, key, n.Value)
		}
		*p = i
	default:
		if err := n.Decode(p); err != nil {
			return fmt.Errorf("line %d: `%s`: %w", n.Line, key, err)
		}
	}
	return nil
}

// timingKeys lists every leaf key of Timings in dotted form, in declaration order.
func timingKeys() []string {
	var keys []string
	var walk func(t reflect.Type, path string)
	walk = func(t reflect.Type, path string) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			key := joinKey(path, yamlKey(f))
			if isSection(f.Type) {
				walk(f.Type, key)
			} else {
				keys = append(keys, key)
			}
		}
	}
	walk(reflect.TypeFor[Timings](), "")
	return keys
}

// Validate checks every value and reports all problems at once, each naming its yaml key:
// every span must be longer than zero, counts at least 1 and deadlines real days of the year;
// and no statutory limit may be loosened (statutoryLimits): a council may shorten the time it
// takes, never the time the law gives parents, and never go past a limit the law sets.
func (t Timings) Validate() error {
	var errs []error
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			key := joinKey(path, yamlKey(f))
			fv := v.Field(i)
			if isSection(f.Type) {
				walk(fv, key)
				continue
			}
			switch x := fv.Interface().(type) {
			case Span:
				switch {
				case x.Months < 0 || x.Days < 0:
					errs = append(errs, fmt.Errorf("`%s` is %s; it cannot be negative", key, x))
				case x.IsZero():
					errs = append(errs, fmt.Errorf("`%s` is zero; give a length such as 2w", key))
				}
			case MonthDay:
				if err := x.validate(); err != nil {
					errs = append(errs, fmt.Errorf("`%s` is %s: %w", key, x, err))
				}
			case int:
				if x < 1 {
					errs = append(errs, fmt.Errorf("`%s` is %d; it must be at least 1", key, x))
				}
			}
		}
	}
	walk(reflect.ValueOf(t), "")
	for _, l := range statutoryLimits {
		if err := l.check(t); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
