package email

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	stdhtml "html"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// catalogue returns every template through the public API.
func catalogue(t *testing.T) []Template {
	t.Helper()
	var out []Template
	for _, n := range Names() {
		tpl, ok := Lookup(n)
		if !ok {
			t.Fatalf("Names lists %q but Lookup does not find it", n)
		}
		out = append(out, tpl)
	}
	return out
}

// wantNames is the catalogue the pathway relies on.
var wantNames = []string{
	// staff and agency
	"concern_raised", "trial_ended", "more_evidence_requested", "parent_views_received", "triage_again", "plan_needed",
	"review_reminder", "review_overdue", "referral_decision_needed", "consent_expired",
	"consent_refused", "consent_withdrawn", "referral_submitted", "agency_no_reply",
	"advice_received_staff", "ehc_deadline_at_risk", "ehc_deadline_missed",
	"annual_review_to_arrange", "annual_review_step_due", "annual_review_step_late", "annual_review_schedule_warning",
	"meeting_response", "meeting_invitation_staff", "meeting_cancelled_staff", "delivery_behind",
	"transfer_requested",
	// parents
	"sen_support_started", "review_invitation", "review_reminder_parent", "review_outcome",
	"consent_request", "consent_reminder", "advice_received_parent", "ehc_request_received",
	"ehc_will_assess", "ehc_refused_to_assess", "ehc_clock_paused", "ehc_clock_resumed",
	"ehc_draft_issued", "ehc_not_issuing", "ehc_plan_issued", "annual_review_invitation",
	"annual_review_decision", "sign_in_link", "referral_portal_upload", "school_moved",
	"review_meeting_invitation", "meeting_invitation", "meeting_moved", "meeting_cancelled",
}

// decisionNames announce a decision to parents, so they must carry the rights block.
var decisionNames = []string{"ehc_refused_to_assess", "ehc_not_issuing", "ehc_plan_issued", "annual_review_decision"}

func TestCatalogueIsComplete(t *testing.T) {
	got := Names()
	want := slices.Clone(wantNames)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("Names() = %v\nwant %v", got, want)
	}
	if _, ok := Lookup("no_such_template"); ok {
		t.Error("Lookup found a template that does not exist")
	}
	// Lookup hands out copies: changing one does not change the catalogue.
	a, _ := Lookup("consent_request")
	a.Paragraphs[0] = "changed"
	if b, _ := Lookup("consent_request"); b.Paragraphs[0] == "changed" {
		t.Error("Lookup shares the catalogue's paragraphs with its caller")
	}
}

// everyLanguage returns every template in English, then every current translation of it: the
// checks on rendered messages (keys, HTML layout, privacy) run on each.
func everyLanguage(t *testing.T) []Template {
	t.Helper()
	out := catalogue(t)
	for _, tag := range sortedKeys(locales) {
		if tag == "en" {
			continue
		}
		for _, tpl := range catalogue(t) {
			if l := Localize(tpl, tag); l.Lang == tag {
				out = append(out, l)
			}
		}
	}
	return out
}

// caseName names a subtest: the template's name, with its language unless English.
func caseName(tpl Template) string {
	if tpl.Lang == "" || tpl.Lang == "en" {
		return tpl.Name
	}
	return tpl.Name + " (" + tpl.Lang + ")"
}

var keyRef = regexp.MustCompile(`\{\{-?\s*\.([A-Za-z0-9_]+)`)

// Each template is well formed: known audience, a version, declared keys that are all used, no
// key declared twice, and keys named for what they are (dates, references), never for needs.
func TestCatalogueEntriesAreWellFormed(t *testing.T) {
	forbiddenKey := regexp.MustCompile(
		`(?i)need|diagnos|outcome|rating|service|agency|provision|condition|therap|area|strength|difficult|disab`,
	)
	for _, tpl := range catalogue(t) {
		t.Run(tpl.Name, func(t *testing.T) {
			if tpl.Version == "" {
				t.Error("no Version")
			}
			if tpl.Audience != AudienceParent && tpl.Audience != AudienceStaff && tpl.Audience != AudienceAgency {
				t.Errorf("audience %q", tpl.Audience)
			}
			if tpl.Action == "" {
				t.Error("no action: every message in the catalogue links to its details")
			}
			seen := map[string]bool{}
			for _, k := range RequiredKeys(tpl) {
				if seen[k] {
					t.Errorf("key %s is declared twice (Keys must not repeat AlwaysKeys or RightsKeys)", k)
				}
				seen[k] = true
			}
			for _, k := range tpl.Keys {
				if forbiddenKey.MatchString(k) {
					t.Errorf("key %s looks like special category data; emails carry no needs, outcomes or services", k)
				}
			}
			used := map[string]bool{}
			for _, src := range append([]string{tpl.Subject, tpl.Heading, tpl.Action}, tpl.Paragraphs...) {
				for _, m := range keyRef.FindAllStringSubmatch(src, -1) {
					used[m[1]] = true
				}
			}
			for _, k := range tpl.Keys {
				if !used[k] {
					t.Errorf("declared key %s is never used", k)
				}
			}
			if tpl.Audience == AudienceAgency && used["PupilFirstName"] {
				t.Error("an agency email names the pupil")
			}
			if tpl.Decision && tpl.Audience != AudienceParent {
				t.Errorf("a decision letter for audience %s; rights letters go to parents", tpl.Audience)
			}
		})
	}
}

// Every template renders with exactly its declared keys, shows each declared value, and fails
// when any one of them is missing; in every language.
func TestEveryTemplateRendersWithItsKeys(t *testing.T) {
	for _, tpl := range everyLanguage(t) {
		t.Run(caseName(tpl), func(t *testing.T) {
			data := sampleData(t, tpl)
			subject, text, _ := mustRender(t, tpl, data)
			for _, k := range tpl.Keys {
				if !strings.Contains(subject+"\n"+text, data[k]) {
					t.Errorf("the value of %s (%q) does not appear in the message", k, data[k])
				}
			}
			for _, k := range RequiredKeys(tpl) {
				d := sampleData(t, tpl)
				delete(d, k)
				if _, _, _, err := Render(tpl, d); err == nil {
					t.Errorf("rendered without %s", k)
				}
			}
		})
	}
}

// Every decision letter states the parents' rights with the letter's own dates and contacts,
// in both bodies; and every parent email that announces a decision is marked as one.
func TestDecisionLettersStateParentsRights(t *testing.T) {
	for _, n := range decisionNames {
		tpl, ok := Lookup(n)
		if !ok {
			t.Errorf("decision letter %s is missing from the catalogue", n)
		} else if !tpl.Decision {
			t.Errorf("%s announces a decision but is not marked Decision, so it lacks the parents' rights", n)
		}
	}
	announces := regexp.MustCompile(`(?i)\b(has|have) decided\b|\bdecision\b`)
	for _, tpl := range catalogue(t) {
		t.Run(tpl.Name, func(t *testing.T) {
			data := sampleData(t, tpl)
			_, text, html := mustRender(t, tpl, data)
			if !tpl.Decision {
				if tpl.Audience == AudienceParent && announces.MatchString(text) {
					t.Errorf("a parent email that speaks of a decision is not marked Decision:\n%s", text)
				}
				if strings.Contains(text, rightsHeading) || strings.Contains(html, "<h2") {
					t.Error("the rights block appears in an email that is not a decision letter")
				}
				return
			}
			for _, k := range RightsKeys {
				if !strings.Contains(text, data[k]) {
					t.Errorf("text lacks %s (%q)", k, data[k])
				}
				if !strings.Contains(html, stdhtml.EscapeString(data[k])) {
					t.Errorf("html lacks %s (%q)", k, data[k])
				}
			}
			for _, want := range []string{
				"mediation adviser", "before you can appeal", "only about the school named",
				"appeal to the SEND Tribunal by " + data["TribunalDeadline"],
				"2 months from the date of this letter", "1 month from its date instead, if that is later",
				"free, impartial advice", "SENDIASS",
				"If " + data["PupilFirstName"] + " is 16 or over, they make these decisions themselves.",
			} {
				if !strings.Contains(text, want) {
					t.Errorf("rights block lacks %q:\n%s", want, text)
				}
			}
			if !strings.Contains(html, "<h2") {
				t.Error("html has no rights heading")
			}
		})
	}
}

var (
	tagRE        = regexp.MustCompile(`<[^>]*>`)
	headRE       = regexp.MustCompile(`(?s)<head>.*</head>`)
	spaceRE      = regexp.MustCompile(`\s+`)
	anchorRE     = regexp.MustCompile(`<a\s[^>]*href="([^"]*)"`)
	externalRefs = []string{"<img", "<script", "<link", "<iframe", "<object", "src=", "url(", "@import", "<style"}
)

// plainWords turns an HTML body into its visible words, one line.
func plainWords(html string) string {
	s := headRE.ReplaceAllString(html, " ")
	s = tagRE.ReplaceAllString(s, " ")
	return strings.TrimSpace(spaceRE.ReplaceAllString(stdhtml.UnescapeString(s), " "))
}

// The HTML body is accessible, self-contained and escaped, says the same words as the text, and
// declares its language; in every language.
func TestHTMLLayout(t *testing.T) {
	for _, tpl := range everyLanguage(t) {
		t.Run(caseName(tpl), func(t *testing.T) {
			data := sampleData(t, tpl)
			data["PupilFirstName"] = "<b>x</b>"
			data["SchoolName"] = `Oak & "Ash"`
			_, text, html := mustRender(t, tpl, data)
			lang := tpl.Lang
			if lang == "" {
				lang = "en"
			}
			for _, want := range []string{"<!DOCTYPE html>", `<html lang="` + lang + `">`, `<meta charset="utf-8">`, "<title>", "<main", "</main>"} {
				if !strings.Contains(html, want) {
					t.Errorf("html lacks %s", want)
				}
			}
			if n := strings.Count(html, "<h1"); n != 1 {
				t.Errorf("%d <h1> elements, want 1", n)
			}
			if n := strings.Count(html, "<main"); n != 1 {
				t.Errorf("%d <main> elements, want 1", n)
			}
			if strings.Contains(html, "<b>x</b>") {
				t.Error("html does not escape the pupil's name")
			}
			if tpl.Audience != AudienceAgency && !tpl.AboutSchool && !strings.Contains(html, "&lt;b&gt;x&lt;/b&gt;") {
				t.Error("html lacks the escaped pupil's name")
			}
			if strings.Contains(html, `Oak & "Ash"`) {
				t.Error("html does not escape the school's name")
			}
			if strings.Contains(text, `Oak & "Ash"`) && !strings.Contains(html, "Oak &amp; &#34;Ash&#34;") {
				t.Error("html lacks the escaped school's name")
			}
			for _, ref := range externalRefs {
				if strings.Contains(strings.ToLower(html), ref) {
					t.Errorf("html has %q: emails load nothing from outside and need no images", ref)
				}
			}
			anchors := anchorRE.FindAllStringSubmatch(html, -1)
			if len(anchors) != 1 || anchors[0][1] != data["Link"] {
				t.Errorf("links %v, want exactly one, to %s", anchors, data["Link"])
			}
			if n, m := strings.Count(html, "http"), strings.Count(html, data["Link"]); n != m {
				t.Errorf("html mentions %d addresses besides the link", n-m)
			}
			// Same words: every line of the text body appears in the HTML's visible words.
			words := plainWords(html)
			for _, line := range strings.Split(text, "\n") {
				line = strings.TrimSuffix(strings.TrimSpace(line), ":")
				if line != "" && !strings.Contains(words, line) {
					t.Errorf("the html lacks the text line %q\nhtml words: %s", line, words)
				}
			}
		})
	}
}

// blockedWords may never appear in an email: needs, diagnoses, outcomes and ratings, services.
// Matched as whole words, case-insensitively.
var blockedWords = []string{
	"autism", "autistic", "adhd", "dyslexia", "dyslexic", "dyspraxia", "dyscalculia",
	"diagnosis", "diagnoses", "diagnosed", "condition", "disorder", "syndrome", "impairment",
	"disability", "disabilities", "learning difficulty", "learning difficulties",
	"speech and language", "speech", "language therapy", "educational psychology",
	"educational psychologist", "psychology", "psychologist", "psychiatrist", "psychiatry",
	"occupational therapy", "occupational therapist", "therapy", "therapist", "paediatrician",
	"paediatric", "neurodevelopmental", "mental health", "emotional", "behaviour", "behavioural",
	"anxiety", "depression", "self-harm", "medication", "epilepsy", "hearing", "visual", "sensory",
	"physical", "cognition", "communication and interaction", "Communication and Autism Team",
	"Pupil and School Support", "sensory support", "not achieved", "partially achieved",
	"achieved", "exceeded", "progress", "below expected", "attainment", "reading age",
}

// blockedCodes are need and service codes, matched case-sensitively as whole words.
var blockedCodes = []string{
	"ASD", "DS", "HI", "MLD", "MSI", "OTH", "PD", "PMLD", "SEMH", "SLCN", "SLD", "SPLD", "SpLD", "VI",
	"ADHD", "CAMHS", "SALT", "EP", "OT", "CAT", "PSS",
}

var blockedRE = func() []*regexp.Regexp {
	var res []*regexp.Regexp
	for _, w := range blockedWords {
		res = append(res, regexp.MustCompile(`(?i)\b`+regexp.QuoteMeta(w)+`\b`))
	}
	for _, c := range blockedCodes {
		res = append(res, regexp.MustCompile(`\b`+regexp.QuoteMeta(c)+`\b`))
	}
	return res
}()

// privacyLeaks reports the blocked words in s.
func privacyLeaks(s string) []string {
	var found []string
	for _, re := range blockedRE {
		if m := re.FindString(s); m != "" {
			found = append(found, m)
		}
	}
	return found
}

func TestPrivacyCheckerCatchesLeaks(t *testing.T) {
	for _, s := range []string{
		"Zuzanna's autism assessment", "referred to Speech and Language Therapy", "Outcome: not achieved",
		"primary need SEMH", "a letter from CAMHS", "her ADHD", "an Educational Psychologist visit",
	} {
		if len(privacyLeaks(s)) == 0 {
			t.Errorf("the privacy check missed %q", s)
		}
	}
	if got := privacyLeaks("Add evidence for the review at Oakfield Primary."); len(got) != 0 {
		t.Errorf("false alarm: %v", got)
	}
}

// No template's subject or bodies carry needs, diagnoses, outcomes, ratings or agency names;
// the agency's email never carries the pupil's name. A translation is checked against the
// English list (codes, and English words left untranslated) and its own language's list.
func TestPrivacy(t *testing.T) {
	for _, tpl := range everyLanguage(t) {
		t.Run(caseName(tpl), func(t *testing.T) {
			data := sampleData(t, tpl)
			subject, text, html := mustRender(t, tpl, data)
			for part, s := range map[string]string{"subject": subject, "text": text, "html": plainWords(html)} {
				if leaks := privacyLeaks(s); len(leaks) > 0 {
					t.Errorf("%s contains %q", part, leaks)
				}
				if tpl.Lang == "pl" {
					if leaks := polishPrivacyLeaks(s); len(leaks) > 0 {
						t.Errorf("%s contains %q", part, leaks)
					}
				}
			}
			if tpl.Audience == AudienceAgency {
				for part, s := range map[string]string{"subject": subject, "text": text, "html": html} {
					if strings.Contains(s, data["PupilFirstName"]) {
						t.Errorf("the agency's %s names the pupil", part)
					}
				}
			}
		})
	}
}

var (
	urlRE       = regexp.MustCompile(`https?://\S+`)
	sentenceEnd = regexp.MustCompile(`[.!?]+(\s+|$)`)
	letters     = regexp.MustCompile(`\p{L}+`)
)

// readability measures plain text: sentences end at . ! ? or a line break; the data values and
// addresses are taken out first, as they are not the template's words.
func readability(text string, values []string) (avgWords float64, maxWords int, longestWord string) {
	values = slices.Clone(values)
	sort.Slice(values, func(i, j int) bool { return len(values[i]) > len(values[j]) })
	for _, v := range values {
		if v != "" {
			text = strings.ReplaceAll(text, v, "Value")
		}
	}
	text = urlRE.ReplaceAllString(text, "")
	sentences, words := 0, 0
	for _, line := range strings.Split(text, "\n") {
		for _, s := range sentenceEnd.Split(line, -1) {
			n := len(strings.Fields(s))
			if n == 0 {
				continue
			}
			sentences++
			words += n
			maxWords = max(maxWords, n)
		}
		for _, w := range letters.FindAllString(line, -1) {
			if len([]rune(w)) > len([]rune(longestWord)) {
				longestWord = w
			}
		}
	}
	if sentences > 0 {
		avgWords = float64(words) / float64(sentences)
	}
	return avgWords, maxWords, longestWord
}

const (
	maxAverageSentence = 20 // words
	maxSentence        = 25 // words: no single long sentence hidden among short lines
	maxWordLetters     = 16
)

func TestReadabilityCheckerCatchesHardText(t *testing.T) {
	long := "This sentence goes on and on with far too many words in it for anyone to follow it easily or comfortably at all, and it never seems to stop at any point."
	if avg, most, _ := readability(long, nil); avg <= maxAverageSentence || most <= maxSentence {
		t.Errorf("a %d-word sentence passed (average %.1f)", most, avg)
	}
	if _, _, w := readability("We discuss interdisciplinarity.", nil); len(w) <= maxWordLetters {
		t.Errorf("longest word %q; the check missed a long word", w)
	}
	if _, _, w := readability("Contact Counterrevolutionaries at https://example.org/averyveryverylongpath.", []string{"Counterrevolutionaries"}); len(
		w,
	) > maxWordLetters {
		t.Errorf("data values and addresses were counted: %q", w)
	}
}

// TestReadability judges the English source only: its thresholds (sentence length, and word length
// in particular) are tuned for English, and Polish words are longer by inflection. Translations
// get the sentence-length part in TestTranslatedSentencesAreShort (i18n_test.go).
func TestReadability(t *testing.T) {
	for _, tpl := range catalogue(t) {
		t.Run(tpl.Name, func(t *testing.T) {
			data := sampleData(t, tpl)
			subject, text, _ := mustRender(t, tpl, data)
			var values []string
			for _, v := range data {
				values = append(values, v)
			}
			avg, most, word := readability(subject+"\n"+text, values)
			if avg > maxAverageSentence {
				t.Errorf("average sentence %.1f words, want at most %d", avg, maxAverageSentence)
			}
			if most > maxSentence {
				t.Errorf("a sentence of %d words, want at most %d", most, maxSentence)
			}
			if len([]rune(word)) > maxWordLetters {
				t.Errorf("the word %q has more than %d letters", word, maxWordLetters)
			}
		})
	}
}

// fingerprints record the exact words (subject and plain text, which the HTML repeats) of each
// template's current Version, shared layout and rights block included. When wording changes the
// fingerprint changes: bump the template's Version and record the new fingerprint here, so the
// version stored with each sent message always identifies the words the person received.
var fingerprints = map[string]string{
	"advice_received_parent":         "2:3b890316f0c0",
	"advice_received_staff":          "1:ec7c55a0581e",
	"agency_no_reply":                "1:2a52da536213",
	"annual_review_decision":         "2:1c98fbcb81cc",
	"annual_review_invitation":       "2:a78d3adc1d6a",
	"annual_review_step_due":         "1:f819a8afeea6",
	"annual_review_step_late":        "1:116a57e239ee",
	"annual_review_schedule_warning": "1:5670f2aaa5e4",
	"annual_review_to_arrange":       "1:bcdc40b382f4",
	"concern_raised":                 "2:de23330b9200",
	"delivery_behind":                "1:c989119df173",
	"consent_expired":                "1:d82ec068a163",
	"consent_refused":                "1:5af2f221d896",
	"consent_reminder":               "1:f329a731beb4",
	"consent_request":                "1:69b0b03b8aa1",
	"consent_withdrawn":              "1:dba2e1c853ef",
	"ehc_clock_paused":               "2:a08b22e2e47c",
	"ehc_clock_resumed":              "2:c6783410cc1b",
	"ehc_deadline_at_risk":           "1:99ebb2b0e390",
	"ehc_deadline_missed":            "1:bc5d52cf1cb2",
	"ehc_draft_issued":               "2:4d18766ad261",
	"ehc_not_issuing":                "2:ae66d045763f",
	"ehc_plan_issued":                "2:f47c554cbe2a",
	"ehc_refused_to_assess":          "2:04d449d2a87d",
	"ehc_request_received":           "2:451c3cd98d0b",
	"ehc_will_assess":                "1:54dbb65b6f61",
	"meeting_cancelled":              "1:2d57d89ab291",
	"meeting_cancelled_staff":        "1:cc4eebf8277b",
	"meeting_invitation":             "1:d6a7ce756c6e",
	"meeting_invitation_staff":       "1:67408e2a7d9b",
	"meeting_moved":                  "1:b82208511e1f",
	"meeting_response":               "2:1a02c7792427",
	"more_evidence_requested":        "1:a044e3d08229",
	"parent_views_received":          "1:edd07885bbf5",
	"plan_needed":                    "1:be9f7e6dc94c",
	"referral_decision_needed":       "1:c057be79df76",
	"referral_submitted":             "1:34ec8794b7e2",
	"review_invitation":              "2:368dc6ca9817",
	"review_meeting_invitation":      "1:ed63f026b2a9",
	"review_outcome":                 "1:d6d2cdbe359f",
	"review_overdue":                 "1:e60fd8543c30",
	"review_reminder":                "1:c7dde53d9b8c",
	"review_reminder_parent":         "2:dc3e53a81e5d",
	"referral_portal_upload":         "1:c016e69fdbf1",
	"sign_in_link":                   "1:c9886a4a03dc",
	"school_moved":                   "1:97f3b0f2c7c5",
	"sen_support_started":            "1:2335882f130a",
	"triage_again":                   "1:97455b8ff3a8",
	"trial_ended":                    "1:a12ac0fbb82f",
	"transfer_requested":             "1:1a00dccc5a67",
}

func fingerprint(t *testing.T, tpl Template) string {
	t.Helper()
	subject, text, _ := mustRender(t, tpl, sampleData(t, tpl))
	sum := sha256.Sum256([]byte(subject + "\n" + text))
	return tpl.Version + ":" + hex.EncodeToString(sum[:6])
}

func TestWordingChangesBumpTheVersion(t *testing.T) {
	var table strings.Builder
	stale := false
	for _, tpl := range catalogue(t) {
		got := fingerprint(t, tpl)
		fmt.Fprintf(&table, "\t%q: %q,\n", tpl.Name, got)
		want, ok := fingerprints[tpl.Name]
		switch {
		case !ok:
			t.Errorf("%s: no recorded fingerprint", tpl.Name)
			stale = true
		case want != got:
			wantVersion, _, _ := strings.Cut(want, ":")
			if wantVersion == tpl.Version {
				t.Errorf("%s: the wording changed but Version is still %s; bump it", tpl.Name, tpl.Version)
			} else {
				t.Errorf("%s: Version is now %s; record its new fingerprint", tpl.Name, tpl.Version)
			}
			stale = true
		}
	}
	for name := range fingerprints {
		if _, ok := Lookup(name); !ok {
			t.Errorf("fingerprint recorded for %s, which is not in the catalogue", name)
			stale = true
		}
	}
	if stale {
		t.Logf("current fingerprints:\n%s", table.String())
	}
}
