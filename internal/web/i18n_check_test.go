package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/sendflow/sendflow/workflows"
)

// Issue 15, item 11: a checker that fails when a page string has no translation. Every word a
// parent page shows comes from i18n.go: the templates hold no words of their own, and every key
// the templates and the code ask for is in English and in every other locale (a missing key
// would show the English, or the key itself, on a Polish page). Keys nothing uses are reported
// too, so a reviewer never checks dead text.
func TestEveryPageStringIsTranslated(t *testing.T) {
	used := map[string]bool{}
	literal := regexp.MustCompile(`\bT\(?\s*"([a-z_]*[a-z])"`) // a key ending in _ starts a family, below
	// Keys built from a value: each family with every value it takes.
	families := map[string][]string{
		"meeting_title_": {
			string(workflows.MeetingReview),
			string(workflows.MeetingExpectation),
			string(workflows.MeetingAnnualReview),
		},
		"answer_": responses(), "answered_": responses(), "done_": responses(),
		"done_consent_": {string(workflows.ConsentGive), string(workflows.ConsentRefuse)},
		"rating_": {
			string(workflows.RatingAchieved),
			string(workflows.RatingPartly),
			string(workflows.RatingNotAchieved),
			"none",
		},
		"stage_": {
			string(workflows.StageNone),
			string(workflows.StageMonitoring),
			string(workflows.StageAwaitingTriage),
			string(workflows.StageSENSupport),
			string(workflows.StageEHCAssessment),
			string(workflows.StageEHCPlan),
			string(workflows.StageClosed),
		},
	}
	for _, k := range parentDeadlines {
		used["deadline_"+k] = true
	}
	for _, kinds := range parentSteps {
		for _, k := range kinds {
			used["step_"+k] = true
		}
	}
	for prefix, values := range families {
		for _, v := range values {
			used[prefix+v] = true
		}
	}
	// The problem pages: kind_title, kind_body and kind_hint for each kind passed to problem().
	kindRE := regexp.MustCompile(`(?:nil|v\.sc|sc), "([a-z_]+)", `)
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, "_test.go") ||
			(!strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, ".html")) {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range literal.FindAllStringSubmatch(string(src), -1) {
			used[m[1]] = true
		}
		for _, m := range kindRE.FindAllStringSubmatch(string(src), -1) {
			for _, part := range []string{"_title", "_body", "_hint"} {
				if _, ok := english[m[1]+part]; ok || part != "_hint" {
					used[m[1]+part] = true
				}
			}
		}
		if strings.HasSuffix(path, ".html") {
			if words := wordsOutsideActions(string(src)); len(words) > 0 {
				t.Errorf("%s shows words that are not translated: %q; put them in i18n.go", path, words)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 0, len(used))
	for k := range used {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for tag, l := range locales {
			if _, ok := l.msgs[k]; !ok {
				t.Errorf("%s: the pages ask for %q, which it does not have", tag, k)
			}
		}
	}
	for k := range english {
		if !used[k] {
			t.Errorf("%q is in i18n.go but no page uses it; delete it", k)
		}
	}
}

func responses() []string {
	return []string{
		string(workflows.ResponseAccepted),
		string(workflows.ResponseDeclined),
		string(workflows.ResponseAnotherTime),
	}
}

// wordsOutsideActions is the text of a template outside its tags and {{actions}}, less
// punctuation: what it would show in every language alike.
func wordsOutsideActions(src string) []string {
	src = regexp.MustCompile(`(?s)<style>.*?</style>`).ReplaceAllString(src, " ")
	src = regexp.MustCompile(`(?s)\{\{.*?\}\}`).ReplaceAllString(src, " ")
	src = regexp.MustCompile(`(?s)<[^>]*>`).ReplaceAllString(src, " ")
	var words []string
	for _, w := range strings.Fields(src) {
		if strings.IndexFunc(w, unicode.IsLetter) >= 0 {
			words = append(words, w)
		}
	}
	return words
}

// Slips a native reviewer found in the Polish (issue 15), kept from coming back.
func TestPolishSlipsStayFixed(t *testing.T) {
	slips := regexp.MustCompile(
		`Każdy link można|Reminder|się (poniedziałek|wtorek|środa|czwartek|piątek|sobota|niedziela)`,
	)
	for k, msg := range locales["pl"].msgs {
		if m := slips.FindString(msg); m != "" {
			t.Errorf("pl %s: %q", k, m)
		}
	}
	if _, _, reminder := CalendarText("pl", "review", "Amara", "Oakfield", false); !strings.HasPrefix(
		reminder,
		"Przypomnienie:",
	) {
		t.Errorf("the Polish calendar reminder is %q", reminder)
	}
}
