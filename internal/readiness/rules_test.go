package readiness

import (
	"reflect"
	"testing"
	"time"

	"github.com/sendflow/sendflow/internal/oag"
)

func d(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func dp(s string) *time.Time { t := d(s); return &t }

var (
	now = d("2026-12-14") // a Monday

	visual = StrategyEvidence{
		ID:        "ci.s.visual-timetable",
		Text:      "Visual timetable",
		Area:      oag.CommunicationAndInteraction,
		StartedOn: d("2026-11-02"),
		Impact:    "helping",
	}
	nowNext = StrategyEvidence{
		ID:        "ci.s.now-and-next",
		Text:      "Now and next board",
		Area:      oag.CommunicationAndInteraction,
		StartedOn: d("2026-10-05"),
		Impact:    "some_change",
	}
	chunked = StrategyEvidence{
		ID:        "ci.s.chunked-instructions",
		Text:      "Short, chunked instructions",
		Area:      oag.CommunicationAndInteraction,
		StartedOn: d("2026-11-23"),
		Impact:    "no_change",
	}
	worked = StrategyEvidence{
		ID:             "cl.s.worked-examples",
		Text:           "Worked examples",
		Area:           oag.CognitionAndLearning,
		StartedOn:      d("2026-09-07"),
		ImpactRecorded: true,
	}
	calm = StrategyEvidence{
		ID:        "semh.s.calm-space",
		Text:      "Agreed calm space",
		Area:      oag.SocialEmotionalMentalHealth,
		StartedOn: d("2026-09-07"),
		Impact:    "helping",
	}

	full = Rules{MinStrategies: 3, MinTrialWeeks: 6, RequireImpact: true}
)

func without(s StrategyEvidence, f func(*StrategyEvidence)) StrategyEvidence { f(&s); return s }

// one evaluates a single-rule set and returns its only criterion.
func one(t *testing.T, ev Evidence, r Rules) Criterion {
	t.Helper()
	cs := Evaluate(ev, r)
	if len(cs) != 1 {
		t.Fatalf("Evaluate gave %d criteria, want 1: %+v", len(cs), cs)
	}
	return cs[0]
}

func TestRules(t *testing.T) {
	ci := []string{oag.CommunicationAndInteraction}
	cases := []struct {
		name  string
		ev    Evidence
		rules Rules
		want  Criterion
	}{
		// min_strategies with weeks and impact
		{
			"strategies: all three counted",
			Evidence{
				Now:         now,
				AreasOfNeed: ci,
				Strategies: []StrategyEvidence{
					visual,
					nowNext,
					without(chunked, func(s *StrategyEvidence) { s.StartedOn = d("2026-11-02") }),
				},
			},
			full,
			Criterion{
				ID: StrategiesTried, Met: true,
				Rule:     "At least 3 strategies from the pupil's areas of need, each tried for 6 weeks with impact recorded",
				Evidence: "Now and next board (since 5 October 2026, some change); Short, chunked instructions (since 2 November 2026, no change); Visual timetable (since 2 November 2026, helping).",
			},
		},
		{
			"strategies: one more to try",
			Evidence{Now: now, AreasOfNeed: ci, Strategies: []StrategyEvidence{visual, nowNext}},
			full,
			Criterion{
				ID:       StrategiesTried,
				Rule:     "At least 3 strategies from the pupil's areas of need, each tried for 6 weeks with impact recorded",
				Evidence: "Now and next board (since 5 October 2026, some change); Visual timetable (since 2 November 2026, helping).",
				Missing:  "Try 1 more strategy from Communication and interaction for at least 6 weeks and record its impact.",
			},
		},
		{
			"strategies: none at all, two areas",
			Evidence{Now: now, AreasOfNeed: []string{oag.CommunicationAndInteraction, oag.SocialEmotionalMentalHealth}},
			full,
			Criterion{
				ID:      StrategiesTried,
				Rule:    "At least 3 strategies from the pupil's areas of need, each tried for 6 weeks with impact recorded",
				Missing: "Try 3 strategies from Communication and interaction or Social, emotional and mental health for at least 6 weeks and record their impact.",
			},
		},
		{
			"strategies: three areas",
			Evidence{
				Now:         now,
				AreasOfNeed: []string{oag.CommunicationAndInteraction, oag.CognitionAndLearning, oag.SensoryPhysical},
				Strategies:  []StrategyEvidence{worked},
			},
			Rules{MinStrategies: 2},
			Criterion{
				ID:       StrategiesTried,
				Rule:     "At least 2 strategies from the pupil's areas of need",
				Evidence: "Worked examples (since 7 September 2026, impact recorded).",
				Missing:  "Try 1 more strategy from any of Communication and interaction; Cognition and learning; Sensory and/or physical.",
			},
		},
		{
			"strategies: too recent, then too recent without impact",
			Evidence{Now: now, AreasOfNeed: ci, Strategies: []StrategyEvidence{
				visual, chunked, without(nowNext, func(s *StrategyEvidence) { s.StartedOn = d("2026-12-07"); s.Impact = "" }),
			}},
			full,
			Criterion{
				ID:       StrategiesTried,
				Rule:     "At least 3 strategies from the pupil's areas of need, each tried for 6 weeks with impact recorded",
				Evidence: "Visual timetable (since 2 November 2026, helping).",
				Missing:  "Keep Short, chunked instructions going until 4 January 2027 (6 weeks). Keep Now and next board going until 18 January 2027 (6 weeks), then record its impact.",
			},
		},
		{
			"strategies: impact missing, start missing",
			Evidence{Now: now, AreasOfNeed: ci, Strategies: []StrategyEvidence{
				visual,
				without(nowNext, func(s *StrategyEvidence) { s.Impact = "" }),
				without(chunked, func(s *StrategyEvidence) { s.StartedOn = time.Time{}; s.Impact = "" }),
			}},
			full,
			Criterion{
				ID:       StrategiesTried,
				Rule:     "At least 3 strategies from the pupil's areas of need, each tried for 6 weeks with impact recorded",
				Evidence: "Visual timetable (since 2 November 2026, helping).",
				Missing:  "Record the impact of Now and next board. Record when Short, chunked instructions was started and its impact.",
			},
		},
		{
			"strategies: other areas and repeats do not count",
			Evidence{
				Now:         now,
				AreasOfNeed: ci,
				Strategies: []StrategyEvidence{
					visual,
					worked,
					calm,
					without(visual, func(s *StrategyEvidence) { s.StartedOn = d("2026-12-01") }),
				},
			},
			Rules{MinStrategies: 2, MinTrialWeeks: 6, RequireImpact: true},
			Criterion{
				ID:       StrategiesTried,
				Rule:     "At least 2 strategies from the pupil's areas of need, each tried for 6 weeks with impact recorded",
				Evidence: "Visual timetable (since 2 November 2026, helping).",
				Missing:  "Try 1 more strategy from Communication and interaction for at least 6 weeks and record its impact.",
			},
		},
		{
			"strategies: no areas of need recorded, so any area counts",
			Evidence{Now: now, Strategies: []StrategyEvidence{worked, calm}},
			Rules{MinStrategies: 2, MinTrialWeeks: 6},
			Criterion{
				ID: StrategiesTried, Met: true,
				Rule:     "At least 2 strategies from the pupil's areas of need, each tried for 6 weeks",
				Evidence: "Worked examples (since 7 September 2026, impact recorded); Agreed calm space (since 7 September 2026, helping).",
			},
		},
		{
			"strategies: weeks only, one week short",
			Evidence{
				Now:        now,
				Strategies: []StrategyEvidence{without(visual, func(s *StrategyEvidence) { s.Impact = "" })},
			},
			Rules{MinStrategies: 1, MinTrialWeeks: 7},
			Criterion{
				ID:      StrategiesTried,
				Rule:    "At least 1 strategy from the pupil's areas of need, tried for 7 weeks",
				Missing: "Keep Visual timetable going until 21 December 2026 (7 weeks).",
			},
		},
		{
			"strategies: exactly six weeks counts",
			Evidence{
				Now:        now,
				Strategies: []StrategyEvidence{without(visual, func(s *StrategyEvidence) { s.Impact = "" })},
			},
			Rules{MinStrategies: 1, MinTrialWeeks: 6},
			Criterion{
				ID: StrategiesTried, Met: true,
				Rule:     "At least 1 strategy from the pupil's areas of need, tried for 6 weeks",
				Evidence: "Visual timetable (since 2 November 2026, impact not recorded yet).",
			},
		},
		{
			"strategies: impact only",
			Evidence{
				Now:         now,
				AreasOfNeed: ci,
				Strategies:  []StrategyEvidence{without(visual, func(s *StrategyEvidence) { s.Impact = "" })},
			},
			Rules{MinStrategies: 2, RequireImpact: true},
			Criterion{
				ID:      StrategiesTried,
				Rule:    "At least 2 strategies from the pupil's areas of need, each with impact recorded",
				Missing: "Record the impact of Visual timetable. Try 1 more strategy from Communication and interaction and record its impact.",
			},
		},
		{"strategies: count only, met", Evidence{Now: now, StrategiesTried: 3}, Rules{MinStrategies: 3}, Criterion{
			ID: StrategiesTried, Met: true,
			Rule:     "At least 3 strategies from the pupil's areas of need",
			Evidence: "3 classroom strategies recorded.",
		}},

		// min_reviewed_cycles_with_parent_views
		{
			"reviewed: met",
			Evidence{Now: now, ReviewedCyclesWithParentViews: 2},
			Rules{MinReviewedWithParent: 2},
			Criterion{
				ID: ReviewedWithParents, Met: true,
				Rule:     "At least 2 support plans reviewed with the parents' views",
				Evidence: "2 support plans reviewed with the parents' views.",
			},
		},
		{
			"reviewed: one short",
			Evidence{Now: now, ReviewedCyclesWithParentViews: 1},
			Rules{MinReviewedWithParent: 2},
			Criterion{
				ID:      ReviewedWithParents,
				Rule:    "At least 2 support plans reviewed with the parents' views",
				Missing: "Review at least 2 support plans with the parents' views (1 so far).",
			},
		},

		// min_months_of_support
		{"months: met", Evidence{Now: now, SupportSince: dp("2026-05-02")}, Rules{MinMonthsOfSupport: 6}, Criterion{
			ID: MonthsOfSupport, Met: true,
			Rule:     "SEN support evidenced for at least 6 months",
			Evidence: "SEN support evidenced for 7 months, since 2 May 2026.",
		}},
		{
			"months: exactly six",
			Evidence{Now: now, SupportSince: dp("2026-06-14")},
			Rules{MinMonthsOfSupport: 6},
			Criterion{
				ID: MonthsOfSupport, Met: true,
				Rule:     "SEN support evidenced for at least 6 months",
				Evidence: "SEN support evidenced for 6 months, since 14 June 2026.",
			},
		},
		{
			"months: four of six",
			Evidence{Now: now, SupportSince: dp("2026-08-02")},
			Rules{MinMonthsOfSupport: 6},
			Criterion{
				ID:      MonthsOfSupport,
				Rule:    "SEN support evidenced for at least 6 months",
				Missing: "Support has been evidenced for 4 months; the service asks for 6 (from 2 February 2027 it will be 6).",
			},
		},
		{
			"months: one day short",
			Evidence{Now: now, SupportSince: dp("2026-06-15")},
			Rules{MinMonthsOfSupport: 6},
			Criterion{
				ID:      MonthsOfSupport,
				Rule:    "SEN support evidenced for at least 6 months",
				Missing: "Support has been evidenced for 5 months; the service asks for 6 (from 15 December 2026 it will be 6).",
			},
		},
		{
			"months: just started",
			Evidence{Now: now, SupportSince: dp("2026-12-01")},
			Rules{MinMonthsOfSupport: 1},
			Criterion{
				ID:      MonthsOfSupport,
				Rule:    "SEN support evidenced for at least 1 month",
				Missing: "Support has been evidenced for less than a month; the service asks for 1 (from 1 January 2027 it will be 1).",
			},
		},
		{"months: no plan", Evidence{Now: now}, Rules{MinMonthsOfSupport: 6}, Criterion{
			ID:      MonthsOfSupport,
			Rule:    "SEN support evidenced for at least 6 months",
			Missing: "No SEN support plan has been recorded yet; the service asks for 6 months of evidenced support, counted from the first plan.",
		}},

		// require_consent
		{"consent: given", Evidence{Now: now, ConsentGiven: true}, Rules{RequireConsent: true}, Criterion{
			ID: Consent, Met: true,
			Rule:     "Signed parent consent to the referral",
			Evidence: "The parents' signed consent to this referral is on record.",
		}},
		{"consent: missing", Evidence{Now: now}, Rules{RequireConsent: true}, Criterion{
			ID:      Consent,
			Rule:    "Signed parent consent to the referral",
			Missing: "Ask the parents to sign consent to this referral.",
		}},

		// require_external_advice
		{"advice: received", Evidence{Now: now, AdviceReceived: 2}, Rules{RequireExternalAdvice: true}, Criterion{
			ID: ExternalAdvice, Met: true,
			Rule:     "Advice from at least one external professional",
			Evidence: "Advice received from 2 external professionals.",
		}},
		{"advice: one", Evidence{Now: now, AdviceReceived: 1}, Rules{RequireExternalAdvice: true}, Criterion{
			ID: ExternalAdvice, Met: true,
			Rule:     "Advice from at least one external professional",
			Evidence: "Advice received from 1 external professional.",
		}},
		{"advice: none", Evidence{Now: now}, Rules{RequireExternalAdvice: true}, Criterion{
			ID:      ExternalAdvice,
			Rule:    "Advice from at least one external professional",
			Missing: "Record the advice received from at least one external professional, such as an educational psychologist (none so far).",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := one(t, tc.ev, tc.rules); got != tc.want {
				t.Errorf("got\n  %+v\nwant\n  %+v", got, tc.want)
			}
		})
	}
}

func TestEvaluateOrderAndSkipsZeroRules(t *testing.T) {
	all := Rules{
		MinStrategies:         1,
		MinReviewedWithParent: 1,
		MinMonthsOfSupport:    1,
		RequireConsent:        true,
		RequireExternalAdvice: true,
	}
	var ids []string
	for _, c := range Evaluate(Evidence{Now: now}, all) {
		ids = append(ids, c.ID)
	}
	if want := []string{StrategiesTried, ReviewedWithParents, MonthsOfSupport, Consent, ExternalAdvice}; !reflect.DeepEqual(
		ids,
		want,
	) {
		t.Errorf("ids = %q, want %q", ids, want)
	}
	if cs := Evaluate(Evidence{Now: now}, Rules{}); len(cs) != 0 {
		t.Errorf("zero rules gave %+v, want no criteria", cs)
	}
}

// The neurodevelopmental pathway journey: too little evidence lists exactly what is missing; once
// the strategies, time and consent are recorded, it passes.
func TestNeurodevelopmentalJourney(t *testing.T) {
	rules := Rules{
		MinStrategies:         4,
		MinTrialWeeks:         6,
		RequireImpact:         true,
		MinReviewedWithParent: 2,
		MinMonthsOfSupport:    6,
		RequireConsent:        true,
	}
	ev := Evidence{
		Now:                           d("2026-11-02"),
		AreasOfNeed:                   []string{oag.CommunicationAndInteraction},
		SupportSince:                  dp("2026-07-02"),
		ReviewedCyclesWithParentViews: 1,
		Strategies:                    []StrategyEvidence{nowNext},
	}
	met, missing := Met(Evaluate(ev, rules))
	want := []string{
		"Keep Now and next board going until 16 November 2026 (6 weeks). Try 3 more strategies from Communication and interaction for at least 6 weeks and record their impact.",
		"Review at least 2 support plans with the parents' views (1 so far).",
		"Support has been evidenced for 4 months; the service asks for 6 (from 2 January 2027 it will be 6).",
		"Ask the parents to sign consent to this referral.",
	}
	if met || !reflect.DeepEqual(missing, want) {
		t.Fatalf("Met = %v\n%q\nwant false\n%q", met, missing, want)
	}
	ev.Now = d("2027-01-04")
	ev.ReviewedCyclesWithParentViews = 2
	ev.ConsentGiven = true
	ev.Strategies = []StrategyEvidence{
		nowNext,
		visual,
		chunked,
		{
			ID:        "ci.s.thinking-time",
			Text:      "Extra thinking time",
			Area:      oag.CommunicationAndInteraction,
			StartedOn: d("2026-11-16"),
			Impact:    "helping",
		},
	}
	if met, missing := Met(Evaluate(ev, rules)); !met {
		t.Fatalf("still missing %q", missing)
	}
}

func TestNowDefaultsToClock(t *testing.T) {
	ev := Evidence{SupportSince: func() *time.Time { t := time.Now().AddDate(0, -7, 0); return &t }()}
	if c := one(t, ev, Rules{MinMonthsOfSupport: 6}); !c.Met {
		t.Errorf("7 months ago with zero Now: %+v", c)
	}
}

func TestProblems(t *testing.T) {
	cases := []struct {
		r    Rules
		want []Problem
	}{
		{Default, nil},
		{
			Rules{
				MinStrategies:         3,
				MinTrialWeeks:         6,
				RequireImpact:         true,
				MinReviewedWithParent: 1,
				MinMonthsOfSupport:    6,
				RequireConsent:        true,
				RequireExternalAdvice: true,
			},
			nil,
		},
		{Rules{MinTrialWeeks: 6, RequireImpact: true}, []Problem{
			{"min_trial_weeks", "needs min_strategies: say how many strategies must be tried for that long"},
			{"require_impact", "needs min_strategies: say how many strategies must have their impact recorded"},
		}},
		{Rules{MinStrategies: -1, MinMonthsOfSupport: -2}, []Problem{
			{"min_strategies", "must be 0 or more, not -1"},
			{"min_months_of_support", "must be 0 or more, not -2"},
		}},
	}
	for _, tc := range cases {
		if got := tc.r.Problems(); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%+v.Problems() = %q, want %q", tc.r, got, tc.want)
		}
	}
}
