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
// every span must be longer than zero, the draft comment period at least 15 days (the law's
// minimum), counts at least 1 and deadlines real days of the year.
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
	if d := t.EHC.DraftCommentPeriod; d.Months == 0 && d.Days > 0 && d.Days < MinDraftCommentDays {
		errs = append(errs, fmt.Errorf("`ehc.draft_comment_period` is %s, but the law gives parents at least %d days to comment on a draft plan; it may be longer, never shorter",
			d, MinDraftCommentDays))
	}
	return errors.Join(errs...)
}
