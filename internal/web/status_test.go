package web

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/workflows"
)

// Issue 15, item 8: the plan page stays true. A review meeting is not "ahead" once its plan has
// been reviewed; a review date that has passed is not in the future tense; each EHC step is told
// once; the school's own tasks are not shown to the parent; and a Polish page says all of it in
// Polish.
func TestPlanPageStaysTrue(t *testing.T) {
	today := time.Date(2027, 3, 10, 9, 0, 0, 0, time.UTC)
	review := time.Date(2027, 3, 5, 0, 0, 0, 0, time.UTC) // passed
	at := func(d int) time.Time { return today.AddDate(0, 0, d) }
	f := &childFacts{
		FirstName: "Amara", Today: today, Stage: workflows.StageEHCPlan,
		Plan: &store.PlanSummary{Cycle: 2, ReviewDate: review},
		Meetings: []store.Meeting{
			{
				Kind:            "review",
				Cycle:           1,
				StartsAt:        at(2),
				DurationMinutes: 60,
				Location:        "the old room",
			}, // cycle 1 was reviewed
			{Kind: "expectation", StartsAt: at(5), DurationMinutes: 30, Location: "the school hall"},
		},
		Timeline: []store.TimelineEvent{
			{
				Source:  "",
				Kind:    "ehcna_requested",
				At:      at(-200),
				Summary: "A request for an EHC needs assessment was made.",
			},
			{Source: "ehc/r1", Kind: "decided_to_assess", At: at(-170), Summary: "The council decided to assess."},
			{
				Source:  "ehc/r1",
				Kind:    "deadline_at_risk",
				At:      at(-100),
				Summary: "The deadline for x is y. Staff have been alerted.",
			},
			{
				Source:  "ehc/r1",
				Kind:    "final_plan_issued",
				At:      at(-60),
				Summary: "The final EHC plan was issued, on time.",
			},
			{
				Source:  "",
				Kind:    "ehc_plan_issued",
				At:      at(-60),
				Summary: "The EHC plan was issued. Its first annual review is due by z.",
			},
		},
		Deadlines: []store.Deadline{
			{
				ItemID: "annual-review/1",
				Kind:   workflows.ARArrange,
				Due:    at(10),
				Label:  "Book the annual review meeting",
			},
			{ItemID: "annual-review/1", Kind: "annual_review_due", Due: at(40), Label: "The annual review meeting"},
		},
	}

	for _, c := range []struct {
		lang                 string
		wantDates, wantSteps []string
		wantReview           string
		notWanted            []string
	}{
		{"en",
			[]string{"A meeting about Amara: Monday 15 March 2027", "The annual review meeting — by 19 April 2027"},
			[]string{"A request was made for an EHC needs assessment.", "The council decided to carry out the assessment.", "The final EHC plan was issued."},
			"The review was planned for 5 March 2027",
			[]string{"Book the annual review meeting", "the old room", "Staff have been alerted", "Its first annual review"}},
		{"pl",
			[]string{"Spotkanie w sprawie: Amara: poniedziałek, 15 marca 2027", "Spotkanie w sprawie corocznego przeglądu — do 19 kwietnia 2027"},
			[]string{"Złożono wniosek o ocenę potrzeb EHC", "Samorząd (council) zdecydował, że przeprowadzi ocenę.", "Wydano ostateczny plan EHC."},
			"Przegląd planowano na 5 marca 2027",
			[]string{"Book the annual review meeting", "The annual review meeting", "The council decided", "the old room"}},
	} {
		l := locales[c.lang]
		dates, steps, sentence := nextDates(l, f, true), statutorySteps(l, f), reviewSentence(l, f.Plan, f.Today)
		all := strings.Join(append(append(slices.Clone(dates), steps...), sentence), "\n")
		if len(dates) != len(c.wantDates) {
			t.Errorf("%s: dates %q, want %d", c.lang, dates, len(c.wantDates))
		}
		for i, want := range c.wantDates {
			if i < len(dates) && !strings.HasPrefix(dates[i], want) {
				t.Errorf("%s: date %d = %q, want it to start %q", c.lang, i, dates[i], want)
			}
		}
		if len(steps) != len(c.wantSteps) {
			t.Errorf("%s: steps %q, want %d (each once)", c.lang, steps, len(c.wantSteps))
		}
		for i, want := range c.wantSteps {
			if i < len(steps) && !strings.Contains(steps[i], want) {
				t.Errorf("%s: step %d = %q, want %q", c.lang, i, steps[i], want)
			}
		}
		if !strings.HasPrefix(sentence, c.wantReview) {
			t.Errorf("%s: review sentence %q, want it to start %q", c.lang, sentence, c.wantReview)
		}
		for _, no := range c.notWanted {
			if strings.Contains(all, no) {
				t.Errorf("%s: the page says %q:\n%s", c.lang, no, all)
			}
		}
	}
	// A review ahead is in the future tense; a reviewed plan says so.
	ahead := &store.PlanSummary{Cycle: 2, ReviewDate: time.Date(2027, 3, 20, 0, 0, 0, 0, time.UTC)}
	if got := reviewSentence(locales["en"], ahead, today); got != "The plan will be reviewed with you on 20 March 2027." {
		t.Errorf("review ahead: %q", got)
	}
	ahead.Reviewed = true
	if got := reviewSentence(locales["en"], ahead, today); got != "This plan has been reviewed." {
		t.Errorf("reviewed: %q", got)
	}
}

// Every statutory time limit the workflows set for parents has words in every locale, so a new
// milestone cannot reach a parent's page as a blank or in English on a Polish page.
func TestEveryParentDeadlineAndStepHasWords(t *testing.T) {
	for _, m := range workflows.EHCMilestones() {
		if !slices.Contains(parentDeadlines, string(m)) {
			t.Errorf("EHC milestone %s is not shown to parents; add it to parentDeadlines (or say why not)", m)
		}
	}
	var keys []string
	for _, k := range parentDeadlines {
		keys = append(keys, "deadline_"+k)
	}
	for _, kinds := range parentSteps {
		for _, k := range kinds {
			keys = append(keys, "step_"+k)
		}
	}
	for _, k := range keys {
		for tag, l := range locales {
			if _, ok := l.msgs[k]; !ok {
				t.Errorf("%s has no %s", tag, k)
			}
		}
	}
}
