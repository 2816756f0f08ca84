package workflows

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// The defaults are the numbers in DESIGN.md §2 and the brief; a changed default must be a
// deliberate edit of this table too.
func TestTimingDefaultsMatchDesign(t *testing.T) {
	d := DefaultTimings()
	spans := []struct {
		key  string
		got  Span
		want Span
	}{
		{"concern.trial_window", d.Concern.TrialWindow, Span{Days: 42}},
		{"cycle.review_reminder_before", d.Cycle.ReviewReminderBefore, Span{Days: 7}},
		{"cycle.parent_invite_before", d.Cycle.ParentInviteBefore, Span{Days: 14}},
		{"cycle.overdue_escalation_after", d.Cycle.OverdueEscalationAfter, Span{Days: 7}},
		{"referral.consent_reminder_after", d.Referral.ConsentReminderAfter, Span{Days: 7}},
		{"referral.consent_expiry", d.Referral.ConsentExpiry, Span{Days: 28}},
		{"referral.agency_acknowledgement_sla", d.Referral.AgencyAcknowledgementSLA, Span{Days: 42}},
		{"ehc.decision_to_assess", d.EHC.DecisionToAssess, Span{Days: 42}},
		{"ehc.advice_deadline", d.EHC.AdviceDeadline, Span{Days: 42}},
		{"ehc.notice_not_to_issue", d.EHC.NoticeNotToIssue, Span{Days: 112}},
		{"ehc.draft_comment_period", d.EHC.DraftCommentPeriod, Span{Days: 15}},
		{"ehc.final_plan", d.EHC.FinalPlan, Span{Days: 140}},
		{"ehc.alert_before", d.EHC.AlertBefore, Span{Days: 14}},
		{"ehc.appeal_window", d.EHC.AppealWindow, Span{Months: 2}},
		{"ehc.appeal_after_mediation", d.EHC.AppealAfterMediation, Span{Months: 1}},
		{"annual_review.interval", d.AnnualReview.Interval, Span{Months: 12}},
		{"annual_review.invitations_before", d.AnnualReview.InvitationsBefore, Span{Days: 14}},
		{"annual_review.report_within", d.AnnualReview.ReportWithin, Span{Days: 14}},
		{"annual_review.la_decision_within", d.AnnualReview.LADecisionWithin, Span{Days: 28}},
		{"annual_review.amended_plan_within", d.AnnualReview.AmendedPlanWithin, Span{Days: 56}},
	}
	for _, s := range spans {
		if s.got != s.want {
			t.Errorf("%s = %s, want %s", s.key, s.got, s.want)
		}
	}
	if d.Cycle.MinParentMeetingsPerYear != 3 {
		t.Errorf("cycle.min_parent_meetings_per_year = %d, want 3", d.Cycle.MinParentMeetingsPerYear)
	}
	if d.AnnualReview.PhaseTransferDeadline != (MonthDay{time.February, 15}) {
		t.Errorf("phase_transfer_deadline = %s", d.AnnualReview.PhaseTransferDeadline)
	}
	if d.AnnualReview.PostSixteenTransferDeadline != (MonthDay{time.March, 31}) {
		t.Errorf("post_sixteen_transfer_deadline = %s", d.AnnualReview.PostSixteenTransferDeadline)
	}
	// The table above must cover every key, so a new setting cannot go untested.
	if n := len(spans) + 3; n != len(timingKeys()) {
		t.Errorf("table checks %d keys, Timings has %d", n, len(timingKeys()))
	}
}

// The embedded policy file sets every key, each with a comment saying where it comes from.
func TestTimingDefaultFileComplete(t *testing.T) {
	if _, err := decodeTimings(defaultTimingsYAML, Timings{}, true); err != nil {
		t.Fatalf("embedded timings.default.yaml: %v", err)
	}
	if err := DefaultTimings().Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(defaultTimingsYAML, &root); err != nil {
		t.Fatal(err)
	}
	top := root.Content[0].Content
	for j := 1; j < len(top); j += 2 {
		section := top[j]
		for i := 0; i < len(section.Content); i += 2 {
			if k := section.Content[i]; strings.TrimSpace(k.HeadComment) == "" {
				t.Errorf("line %d: key %s has no comment giving its source", k.Line, k.Value)
			}
		}
	}
	// The exported copy cannot change the embedded bytes.
	b := DefaultTimingsYAML()
	b[0] = 'X'
	if defaultTimingsYAML[0] == 'X' {
		t.Error("DefaultTimingsYAML returned the embedded slice itself")
	}
}

func TestTimingDecodeRequireAllNamesMissingKey(t *testing.T) {
	_, err := decodeTimings([]byte("concern:\n  trial_window: 6w\n"), Timings{}, true)
	if err == nil || !strings.Contains(err.Error(), "ehc.final_plan") {
		t.Errorf("missing keys error = %v", err)
	}
}

func TestTimingOverrideKeepsOthers(t *testing.T) {
	got, err := ParseTimings([]byte("ehc:\n  final_plan: 18w\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultTimings()
	want.EHC.FinalPlan = Span{Days: 126}
	if got != want {
		t.Errorf("override changed more than ehc.final_plan:\n got %+v\nwant %+v", got, want)
	}
}

func TestTimingOverrideSeveral(t *testing.T) {
	got, err := ParseTimings([]byte(`
# our LA gives parents longer to comment
ehc:
  draft_comment_period: 3w
cycle:
  min_parent_meetings_per_year: 4
annual_review:
  phase_transfer_deadline: "02-01"
`))
	if err != nil {
		t.Fatal(err)
	}
	if got.EHC.DraftCommentPeriod != (Span{Days: 21}) || got.Cycle.MinParentMeetingsPerYear != 4 ||
		got.AnnualReview.PhaseTransferDeadline != (MonthDay{time.February, 1}) {
		t.Errorf("got %+v", got)
	}
	if got.EHC.FinalPlan != (Span{Days: 140}) || got.Cycle.ParentInviteBefore != (Span{Days: 14}) {
		t.Errorf("defaults lost: %+v", got)
	}
}

func TestTimingEmptyFileIsDefaults(t *testing.T) {
	for _, in := range []string{"", "# nothing changed\n", "ehc:\n  # final_plan: 20w\n"} {
		got, err := ParseTimings([]byte(in))
		if err != nil || got != DefaultTimings() {
			t.Errorf("ParseTimings(%q) = %+v, %v", in, got, err)
		}
	}
}

func TestTimingParseErrors(t *testing.T) {
	cases := []struct {
		name, in string
		mention  []string
	}{
		{"unknown key", "ehc:\n  final_plan: 20w\n  finall_plan: 18w\n", []string{"line 3", "`ehc.finall_plan`"}},
		{"unknown section", "ehcp:\n  final_plan: 20w\n", []string{"line 1", "`ehcp`"}},
		{
			"bad span",
			"concern:\n  trial_window: six weeks\n",
			[]string{"line 2", "`concern.trial_window`", `"six weeks"`},
		},
		{"bare number", "referral:\n  consent_expiry: 28\n", []string{"line 2", "`referral.consent_expiry`", "unit"}},
		{"no value", "ehc:\n  alert_before:\n", []string{"line 2", "`ehc.alert_before`", "no value"}},
		{
			"bad count",
			"cycle:\n  min_parent_meetings_per_year: three\n",
			[]string{"line 2", "`cycle.min_parent_meetings_per_year`"},
		},
		{
			"bad month-day",
			"annual_review:\n  phase_transfer_deadline: \"02-30\"\n",
			[]string{"line 2", "`annual_review.phase_transfer_deadline`"},
		},
		{"twice", "ehc:\n  final_plan: 20w\n  final_plan: 19w\n", []string{"line 3", "`ehc.final_plan`", "twice"}},
		{"section not a map", "ehc: 20w\n", []string{"line 1", "ehc"}},
		{"not a map", "- 6w\n", []string{"line 1"}},
		{"two documents", "ehc:\n  final_plan: 20w\n---\nehc:\n  final_plan: 19w\n", []string{"one YAML document"}},
		{"syntax", "ehc:\n  final_plan: [20w\n", []string{"yaml"}},
		{
			"draft too short",
			"ehc:\n  draft_comment_period: 10d\n",
			[]string{"`ehc.draft_comment_period`", "at least 15 days"},
		},
		{"zero span", "cycle:\n  parent_invite_before: 0d\n", []string{"`cycle.parent_invite_before`", "zero"}},
		{
			"zero meetings",
			"cycle:\n  min_parent_meetings_per_year: 0\n",
			[]string{"`cycle.min_parent_meetings_per_year`", "at least 1"},
		},
	}
	for _, c := range cases {
		_, err := ParseTimings([]byte(c.in))
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		for _, m := range c.mention {
			if !strings.Contains(err.Error(), m) {
				t.Errorf("%s: error %q does not mention %s", c.name, err, m)
			}
		}
	}
}

func TestTimingValidate(t *testing.T) {
	ok := DefaultTimings()
	ok.EHC.DraftCommentPeriod = Span{Months: 1} // longer than 15 days is allowed
	if err := ok.Validate(); err != nil {
		t.Errorf("1mo comment period refused: %v", err)
	}
	ok.EHC.DraftCommentPeriod = Span{Days: 15}
	if err := ok.Validate(); err != nil {
		t.Errorf("15d comment period refused: %v", err)
	}

	bad := DefaultTimings()
	bad.EHC.DraftCommentPeriod = Span{Days: 14}
	bad.Referral.ConsentExpiry = Span{}
	bad.EHC.AlertBefore = Span{Days: -1}
	bad.AnnualReview.PostSixteenTransferDeadline = MonthDay{}
	bad.Cycle.MinParentMeetingsPerYear = 0
	err := bad.Validate()
	if err == nil {
		t.Fatal("accepted")
	}
	// All problems reported at once, in file order.
	want := []string{
		"`cycle.min_parent_meetings_per_year`",
		"`referral.consent_expiry`",
		"`ehc.alert_before`",
		"`annual_review.post_sixteen_transfer_deadline`",
		"`ehc.draft_comment_period` is 2w, but the law gives parents at least 15 days",
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%s", len(lines), len(want), err)
	}
	for i, w := range want {
		if !strings.Contains(lines[i], w) {
			t.Errorf("problem %d = %q, want it to mention %s", i, lines[i], w)
		}
	}
}

func TestTimingLoad(t *testing.T) {
	got, err := LoadTimings("")
	if err != nil || got != DefaultTimings() {
		t.Errorf(`LoadTimings("") = %+v, %v`, got, err)
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "la.yaml")
	if err := os.WriteFile(good, []byte("concern:\n  trial_window: 8w\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err = LoadTimings(good)
	if err != nil || got.Concern.TrialWindow != (Span{Days: 56}) {
		t.Errorf("LoadTimings(good) = %+v, %v", got.Concern, err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("concern:\n  trial_windw: 8w\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadTimings(bad); err == nil || !strings.Contains(err.Error(), bad) ||
		!strings.Contains(err.Error(), "concern.trial_windw") {
		t.Errorf("LoadTimings(bad) error = %v", err)
	}
	missing := filepath.Join(dir, "nope.yaml")
	if _, err := LoadTimings(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("LoadTimings(missing) error = %v", err)
	}
}

// A Timings value written back out as YAML reads in unchanged (for an LA exporting its policy).
func TestTimingYAMLRoundTrip(t *testing.T) {
	want := DefaultTimings()
	want.EHC.FinalPlan = Span{Months: 4, Days: 3}
	out, err := yaml.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseTimings(out)
	if err != nil || got != want {
		t.Errorf("round trip = %+v, %v\n%s", got, err, out)
	}
}

// Issue 17, item 2: statutory limits are ceilings (the comment period and the notice before an
// annual review are floors) that a local authority may tighten, never loosen; a file that loosens
// one is refused, naming the key and the legal limit.
func TestTimingsMayTightenNeverLoosenTheLaw(t *testing.T) {
	refused := []struct {
		yaml    string
		mention []string
	}{
		{"ehc:\n  decision_to_assess: 10w\n", []string{"`ehc.decision_to_assess` is 10w", "6 weeks", "reg 5"}},
		{"ehc:\n  final_plan: 30w\n", []string{"`ehc.final_plan` is 30w", "20 weeks", "reg 13"}},
		{"ehc:\n  advice_deadline: 43d\n", []string{"`ehc.advice_deadline` is 43d", "6 weeks", "reg 8"}},
		{"ehc:\n  notice_not_to_issue: 4mo\n", []string{"`ehc.notice_not_to_issue` is 4mo", "16 weeks", "reg 10"}},
		{"ehc:\n  draft_comment_period: 14d\n", []string{"`ehc.draft_comment_period` is 2w", "at least 15 days"}},
		{"ehc:\n  appeal_window: 3mo\n", []string{"`ehc.appeal_window` is 3mo", "2 months", "Tribunal"}},
		{"ehc:\n  appeal_after_mediation: 2w\n", []string{"`ehc.appeal_after_mediation` is 2w", "1 month"}},
		{
			"annual_review:\n  invitations_before: 1w\n",
			[]string{"`annual_review.invitations_before` is 1w", "at least 2 weeks", "reg 20"},
		},
		{"annual_review:\n  interval: 18mo\n", []string{"`annual_review.interval` is 18mo", "12 months", "s.44"}},
		{
			"annual_review:\n  interval: 366d\n",
			[]string{"`annual_review.interval` is 366d", "12 months"},
		}, // longer than a year that has no 29 February
		{"annual_review:\n  report_within: 3w\n", []string{"`annual_review.report_within` is 3w", "2 weeks"}},
		{
			"annual_review:\n  la_decision_within: 1mo\n",
			[]string{"`annual_review.la_decision_within` is 1mo", "4 weeks"},
		}, // a month is longer than 4 weeks
		{
			"annual_review:\n  amended_plan_within: 9w\n",
			[]string{"`annual_review.amended_plan_within` is 9w", "8 weeks"},
		},
		{
			"annual_review:\n  phase_transfer_deadline: \"03-01\"\n",
			[]string{"`annual_review.phase_transfer_deadline` is 03-01", "15 February", "reg 18"},
		},
		{
			"annual_review:\n  post_sixteen_transfer_deadline: \"04-30\"\n",
			[]string{"`annual_review.post_sixteen_transfer_deadline` is 04-30", "31 March"},
		},
	}
	for _, c := range refused {
		_, err := ParseTimings([]byte(c.yaml))
		if err == nil {
			t.Errorf("%q: accepted", c.yaml)
			continue
		}
		for _, m := range c.mention {
			if !strings.Contains(err.Error(), m) {
				t.Errorf("%q: error %q does not mention %q", c.yaml, err, m)
			}
		}
	}
	// Tightening is the council's choice, as are sendflow's own defaults (not law).
	for _, ok := range []string{
		"ehc:\n  decision_to_assess: 5w\n  final_plan: 18w\n  draft_comment_period: 1mo\n",
		"annual_review:\n  interval: 11mo\n  invitations_before: 4w\n  report_within: 10d\n  phase_transfer_deadline: \"01-31\"\n",
		"annual_review:\n  interval: 365d\n", // never longer than 12 months
		"ehc:\n  alert_before: 5w\ncycle:\n  parent_invite_before: 1d\nconcern:\n  trial_window: 12w\n",
	} {
		if _, err := ParseTimings([]byte(ok)); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
}
