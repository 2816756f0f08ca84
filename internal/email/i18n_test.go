package email

import (
	"fmt"
	stdhtml "html"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The parent templates the pathway sends; every one must be translated into every locale.
var parentNames = []string{
	"sign_in_link", "review_meeting_invitation", "meeting_invitation", "meeting_moved", "meeting_cancelled",
	"sen_support_started", "review_invitation", "review_reminder_parent", "review_outcome",
	"consent_request", "consent_reminder", "advice_received_parent", "ehc_request_received",
	"ehc_will_assess", "ehc_refused_to_assess", "ehc_clock_paused", "ehc_clock_resumed",
	"ehc_draft_issued", "ehc_not_issuing", "ehc_plan_issued", "annual_review_invitation",
	"annual_review_decision", "school_moved",
}

func mustLookup(t *testing.T, name string) Template {
	t.Helper()
	tpl, ok := Lookup(name)
	if !ok {
		t.Fatalf("no template %s", name)
	}
	return tpl
}

// A Polish parent's consent request is in Polish from the subject to the footer, says its
// language to the mail client and screen readers, and says the translation is not yet checked.
func TestPolishParentGetsConsentRequestInPolish(t *testing.T) {
	en := mustLookup(t, "consent_request")
	tpl := Localize(en, "pl-PL")
	if tpl.Lang != "pl" || tpl.Name != en.Name || tpl.Version != en.Version || !slices.Equal(tpl.Keys, en.Keys) {
		t.Fatalf("Localize = %+v", tpl)
	}
	data := sampleData(t, tpl)
	subject, text, html := mustRender(t, tpl, data)

	if subject != "Prosimy o Twoją zgodę: Zuzanna" {
		t.Errorf("subject %q", subject)
	}
	for _, want := range []string{
		"Czy możemy poprosić specjalistę o radę?",
		"\nDzień dobry, Robin Quill,\n",
		"Najpierw potrzebujemy Twojej zgody. Bez niej nic nie zostanie wysłane.",
		"Przeczytaj i odpowiedz:\n" + data["Link"],
		"Aby chronić dane osobowe, ten e-mail nie zawiera szczegółów. Znajdziesz je pod linkiem.",
		"Tego tłumaczenia nie sprawdził jeszcze rodzimy użytkownik języka polskiego. (" + unreviewedNoteEnglish + ")",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	for _, want := range []string{
		`<html lang="pl">`,
		"<title>Prosimy o Twoją zgodę: Zuzanna</title>",
		"Dzień dobry, Robin Quill,",
		`Jeśli link nie działa, skopiuj ten adres do przeglądarki internetowej: <span style="word-break: break-all;">` + data["Link"] + `</span>`,
		`<span lang="en">(` + unreviewedNoteEnglish + `)</span>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("html lacks %q:\n%s", want, html)
		}
	}
	for _, english := range []string{"Hello", footerWithLink, "We need your consent", "If the link does not work", rightsHeading} {
		if strings.Contains(text, english) || strings.Contains(html, english) {
			t.Errorf("the Polish email still says %q", english)
		}
	}

	// Without the parent's name, the greeting is plain.
	data["RecipientName"] = " "
	_, text, html = mustRender(t, tpl, data)
	if !strings.Contains(text, "\nDzień dobry,\n") || !strings.Contains(html, ">Dzień dobry,</p>") {
		t.Errorf("greeting without a name:\n%s", text)
	}
}

// English parents, and staff, get exactly the English email: Localize to English changes
// nothing a reader sees, and adds no note about translation.
func TestEnglishIsUnchanged(t *testing.T) {
	for _, tpl := range catalogue(t) {
		data := sampleData(t, tpl)
		s1, t1, h1 := mustRender(t, tpl, data)
		for _, pref := range []string{"", "en", "en-GB"} {
			l := Localize(tpl, pref)
			if l.Lang != "en" {
				t.Errorf("%s: Localize(%q).Lang = %q, want en", tpl.Name, pref, l.Lang)
			}
			s2, t2, h2 := mustRender(t, l, data)
			if s1 != s2 || t1 != t2 || h1 != h2 {
				t.Errorf("%s: Localize(%q) changed the English email", tpl.Name, pref)
			}
		}
		if !strings.Contains(h1, `<html lang="en">`) || strings.Contains(t1, unreviewedNoteEnglish) {
			t.Errorf("%s: English email has the wrong lang or a translation note", tpl.Name)
		}
	}
}

// Localize understands the ways a preference is written, and falls back to English for a
// language sendflow does not have and for staff and agency emails.
func TestLocalizeChoosesTheLanguage(t *testing.T) {
	consent := mustLookup(t, "consent_request")
	for pref, want := range map[string]string{
		"pl": "pl", "pl-PL": "pl", "PL": "pl", "pl_PL": "pl", " pl ": "pl", "PL_pl": "pl",
		"de": "en", "fr-FR": "en", "cy": "en", "en": "en", "en-GB": "en", "": "en",
	} {
		got := Localize(consent, pref)
		if got.Lang != want {
			t.Errorf("Localize(consent_request, %q).Lang = %q, want %s", pref, got.Lang, want)
		}
		if want == "en" && (got.Subject != consent.Subject || !slices.Equal(got.Paragraphs, consent.Paragraphs)) {
			t.Errorf("Localize(consent_request, %q) changed the English words", pref)
		}
	}
	for _, tpl := range catalogue(t) {
		if tpl.Audience == AudienceParent {
			continue
		}
		got := Localize(tpl, "pl")
		if got.Lang != "en" || got.Subject != tpl.Subject || !slices.Equal(got.Paragraphs, tpl.Paragraphs) ||
			got.Action != tpl.Action {
			t.Errorf("%s (%s) was translated; staff and agency emails are always English", tpl.Name, tpl.Audience)
		}
	}

	// A Polish template asked for in another language goes back to English; asked for in Polish
	// again, it stays as it is.
	pl := Localize(consent, "pl")
	if got := Localize(pl, "de"); got.Lang != "en" || got.Subject != consent.Subject {
		t.Errorf("Localize(Polish, de) = %s %q", got.Lang, got.Subject)
	}
	if got := Localize(pl, "pl-PL"); got.Lang != "pl" || got.Subject != pl.Subject {
		t.Errorf("Localize(Polish, pl-PL) = %s %q", got.Lang, got.Subject)
	}
	// The caller's copy is its own: changing it leaves the translation alone.
	pl.Paragraphs[0] = "changed"
	if again := Localize(consent, "pl"); again.Paragraphs[0] == "changed" {
		t.Error("Localize shares the translation's paragraphs with its caller")
	}
}

func TestRenderRefusesALanguageWithoutALayout(t *testing.T) {
	tpl := ConcernRaised
	tpl.Lang = "de"
	_, _, _, err := Render(tpl, sampleData(t, tpl))
	if err == nil || !strings.Contains(err.Error(), `no layout in language "de"`) {
		t.Errorf("Render with Lang de: %v", err)
	}
}

// Every parent template is translated, and only parent templates are.
func TestEveryParentTemplateIsTranslated(t *testing.T) {
	var got []string
	for _, tpl := range catalogue(t) {
		if tpl.Audience == AudienceParent {
			got = append(got, tpl.Name)
		}
	}
	want := slices.Sorted(slices.Values(parentNames))
	if !slices.Equal(got, want) {
		t.Errorf("parent templates %v\nwant %v", got, want)
	}
	if len(want) != 23 {
		t.Errorf("%d parent templates, want 23", len(want))
	}
	for tag, l := range locales {
		if tag == "en" {
			continue
		}
		for _, problem := range localeProblems(l) {
			t.Error(problem)
		}
	}
	if !polish.Unreviewed {
		t.Error("the Polish emails have not been reviewed by a native speaker; keep them marked")
	}
}

// placeholders returns the sorted, distinct {{.Key}} names in srcs.
func placeholders(srcs ...string) []string {
	set := map[string]bool{}
	for _, src := range srcs {
		for _, m := range keyRef.FindAllStringSubmatch(src, -1) {
			set[m[1]] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// localeProblems checks a locale against the English source: every parent template translated,
// none other; each translation with exactly the English template's placeholders and all its
// parts; the layout's words all there, the greeting with {{.RecipientName}} and nothing else,
// the rights block with exactly the English block's placeholders (every one of RightsKeys), and
// the unreviewed note when the locale is marked unreviewed. Staleness is TestNoStaleTranslations'.
func localeProblems(l *locale) []string {
	var problems []string
	add := func(format string, args ...any) {
		problems = append(problems, l.Tag+" "+fmt.Sprintf(format, args...))
	}
	for _, name := range Names() {
		en := byName[name]
		tr, ok := l.Templates[name]
		switch {
		case en.Audience != AudienceParent && ok:
			add("%s: a %s template is translated; staff and agency emails are always English", name, en.Audience)
			continue
		case en.Audience != AudienceParent:
			continue
		case !ok:
			add("%s: not translated", name)
			continue
		}
		if tr.Subject == "" || tr.Heading == "" || len(tr.Paragraphs) == 0 || (tr.Action == "") != (en.Action == "") {
			add("%s: a translation needs a subject, a heading, paragraphs and an action if the English has one", name)
		}
		want := placeholders(append([]string{en.Subject, en.Heading, en.Action}, en.Paragraphs...)...)
		got := placeholders(append([]string{tr.Subject, tr.Heading, tr.Action}, tr.Paragraphs...)...)
		if !slices.Equal(got, want) {
			add("%s: placeholders %v, English has %v", name, got, want)
		}
	}
	lt := l.Layout
	for field, s := range map[string]string{
		"Greeting": lt.Greeting, "FooterWithLink": lt.FooterWithLink, "FooterNoLink": lt.FooterNoLink,
		"LinkHelp": lt.LinkHelp, "RightsHeading": lt.RightsHeading, "UnreviewedNote": lt.UnreviewedNote,
	} {
		if s == "" && (field != "UnreviewedNote" || l.Unreviewed) {
			add("layout %s is empty", field)
		}
		if p := placeholders(s); len(p) > 0 {
			add("layout %s has placeholders %v; it takes none", field, p)
		}
	}
	if got := placeholders(lt.ContactLead); !slices.Equal(got, []string{"SchoolName"}) {
		add("layout ContactLead has placeholders %v, want [SchoolName]", got)
	}
	if got := placeholders(lt.GreetingName); !slices.Equal(got, []string{"RecipientName"}) {
		add("layout GreetingName has placeholders %v, want [RecipientName]", got)
	}
	want := placeholders(englishLayout.RightsParagraphs...)
	if got := placeholders(lt.RightsParagraphs...); !slices.Equal(got, want) {
		add("rights block has placeholders %v, English has %v", got, want)
	}
	return problems
}

// The locale check finds each kind of mistake a translator could make.
func TestLocaleCheckCatchesMistakes(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		edit       func(l *locale)
	}{
		{"a rights paragraph lost its deadline", "rights block has placeholders", func(l *locale) {
			l.Layout.RightsParagraphs[3] = "Możesz złożyć odwołanie do trybunału SEND."
		}},
		{"a template lost a date", "consent_reminder: placeholders [PupilFirstName]", func(l *locale) {
			tr := l.Templates["consent_reminder"]
			tr.Subject, tr.Paragraphs = "Przypomnienie", []string{"Prosimy o odpowiedź w sprawie: {{.PupilFirstName}}."}
			l.Templates["consent_reminder"] = tr
		}},
		{"a template gained a key", "sen_support_started: placeholders", func(l *locale) {
			tr := l.Templates["sen_support_started"]
			tr.Paragraphs = append(slices.Clone(tr.Paragraphs), "{{.NeedName}}")
			l.Templates["sen_support_started"] = tr
		}},
		{"a template is missing", "ehc_plan_issued: not translated", func(l *locale) { delete(l.Templates, "ehc_plan_issued") }},
		{"a staff template is translated", "concern_raised: a staff template is translated", func(l *locale) {
			l.Templates["concern_raised"] = l.Templates["consent_request"]
		}},
		{"the greeting lost the name", "GreetingName has placeholders []", func(l *locale) { l.Layout.GreetingName = "Dzień dobry," }},
		{"no unreviewed note", "layout UnreviewedNote is empty", func(l *locale) { l.Layout.UnreviewedNote = "" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := cloneLocale(polish)
			tc.edit(l)
			problems := strings.Join(localeProblems(l), "\n")
			if !strings.Contains(problems, tc.want) {
				t.Errorf("problems %q, want one mentioning %q", problems, tc.want)
			}
		})
	}
	if problems := localeProblems(cloneLocale(polish)); len(problems) > 0 {
		t.Errorf("a clone of the Polish locale has problems: %v", problems)
	}
}

func cloneLocale(l *locale) *locale {
	c := *l
	c.Layout.RightsParagraphs = slices.Clone(l.Layout.RightsParagraphs)
	c.Templates = make(map[string]translation, len(l.Templates))
	for k, v := range l.Templates {
		v.Paragraphs = slices.Clone(v.Paragraphs)
		c.Templates[k] = v
	}
	return &c
}

// When the English wording of a template changes, its Version moves on and every translation of
// it is stale until a translator updates it. This test lists them, so nobody forgets.
func TestNoStaleTranslations(t *testing.T) {
	for _, tag := range sortedKeys(locales) {
		if stale := staleTranslations(locales[tag]); len(stale) > 0 {
			t.Errorf("stale translations (Localize sends these in English until they are updated):\n\t%s",
				strings.Join(stale, "\n\t"))
		}
	}
}

// A stale translation is never sent: the parent gets the new English words instead.
func TestStaleTranslationFallsBackToEnglish(t *testing.T) {
	changed := mustLookup(t, "consent_request")
	changed.Version = "2"
	changed.Paragraphs[1] = "We need your consent first. We send nothing without it."
	got := Localize(changed, "pl")
	if got.Lang != "en" || !slices.Equal(got.Paragraphs, changed.Paragraphs) || got.Version != "2" {
		t.Errorf("Localize of a template newer than its translation = %s %q", got.Lang, got.Paragraphs)
	}
	_, text, html := mustRender(t, got, sampleData(t, got))
	if !strings.Contains(text, "We send nothing without it.") || !strings.Contains(html, `lang="en"`) ||
		strings.Contains(text, unreviewedNoteEnglish) {
		t.Errorf("fallback email is not the new English:\n%s", text)
	}

	l := cloneLocale(polish)
	tr := l.Templates["consent_request"]
	tr.EnglishVersion = "0"
	l.Templates["consent_request"] = tr
	l.Templates["no_such_template"] = tr
	stale := strings.Join(staleTranslations(l), "\n")
	for _, want := range []string{
		"pl consent_request: translates English version 0, English is now version 1",
		"pl no_such_template: the catalogue has no such template",
	} {
		if !strings.Contains(stale, want) {
			t.Errorf("staleTranslations = %q, want it to mention %q", stale, want)
		}
	}
}

// Every Polish decision letter carries the whole rights block, in Polish, with the letter's own
// dates and contacts in both bodies; no other Polish parent email has it or speaks of a decision.
func TestPolishDecisionLettersStateParentsRights(t *testing.T) {
	speaksOfDecision := regexp.MustCompile(`(?i)decyzj|zdecydował`)
	for _, name := range parentNames {
		t.Run(name, func(t *testing.T) {
			tpl := Localize(mustLookup(t, name), "pl")
			if tpl.Lang != "pl" {
				t.Fatalf("no current Polish translation")
			}
			data := sampleData(t, tpl)
			_, text, html := mustRender(t, tpl, data)
			if !tpl.Decision {
				if strings.Contains(text, "Twoje prawa") || strings.Contains(html, "<h2") {
					t.Error("the rights block appears in an email that is not a decision letter")
				}
				if m := speaksOfDecision.FindString(text); m != "" {
					t.Errorf("speaks of a decision (%q) but is not a decision letter:\n%s", m, text)
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
				"\nTwoje prawa\n", "doradcą do spraw mediacji", "Zanim złożysz odwołanie",
				"tylko szkoły wskazanej w planie", "do trybunału SEND (SEND Tribunal) do " + data["TribunalDeadline"],
				"2 miesiące od daty tego listu", "1 miesiąc od jego daty", "jeśli ten termin jest późniejszy",
				"Bezpłatną i bezstronną poradę", "SENDIASS",
				"Jeśli " + data["PupilFirstName"] + " ma co najmniej 16 lat, te decyzje podejmuje samodzielnie.",
			} {
				if !strings.Contains(text, want) {
					t.Errorf("rights block lacks %q:\n%s", want, text)
				}
			}
			if !strings.Contains(html, ">Twoje prawa</h2>") {
				t.Error("html has no Polish rights heading")
			}
			if strings.Contains(text, rightsHeading) {
				t.Error("the Polish letter has the English rights heading")
			}
		})
	}
}

// polishBlocked are Polish words for needs, diagnoses, therapies, services and ratings, as
// regular expressions matched case-insensitively at the start of a word (Polish inflects, so
// most are stems: "diagnoz" finds diagnoza, diagnozy, diagnozę).
var polishBlocked = []string{
	`autyzm`, `autysty`, `asperger`, `dysleks`, `dyslekty`, `dyspraks`, `dyskalkul`, `dysgraf`, `dysortograf`,
	`diagnoz`, `zdiagnozow`, `rozpoznani`, `zaburze`, `niepełnospraw`, `upośledz`, `niedosłuch`, `niesłysz`,
	`słuchow`, `głuch`, `niedowid`, `niewidom`, `słabowid`, `wzrok`, `terapi`, `terapeu`, `logoped`,
	`psycholog`, `psychiatr`, `pediatr`, `neurolog`, `neurorozw`, `zdrowi\p{L}* psychiczn`, `emocj`,
	`zachowani`, `lęk`, `depresj`, `samookalecz`, `samouszkodz`, `lek(i|ów|ami)(?:$|[^\p{L}])`, `padaczk`,
	`epileps`, `sensory`, `fizyczn`, `poznawcz`, `mow(a|y|ie|ę|ą)(?:$|[^\p{L}])`, `osiągnię`, `postęp`,
	`poniżej oczekiwa`, `wiek czytania`, `poradni\p{L}* psychologiczn`,
}

var polishBlockedRE = func() []*regexp.Regexp {
	var res []*regexp.Regexp
	for _, w := range polishBlocked {
		res = append(res, regexp.MustCompile(`(?i)(?:^|[^\p{L}\p{N}])(`+w+`)`))
	}
	return res
}()

// polishPrivacyLeaks reports the Polish blocked words in s.
func polishPrivacyLeaks(s string) []string {
	var found []string
	for _, re := range polishBlockedRE {
		if m := re.FindStringSubmatch(s); m != nil {
			found = append(found, m[1])
		}
	}
	return found
}

func TestPolishPrivacyCheckerCatchesLeaks(t *testing.T) {
	for _, s := range []string{
		"diagnoza autyzmu", "Zuzanna chodzi na terapię logopedyczną", "Cel: nie osiągnięto",
		"zaburzenia lękowe", "opinia psychologa", "niepełnosprawność ruchowa", "Poradnia Psychologiczno-Pedagogiczna",
		"problemy z zachowaniem", "bierze leki", "trudności z mową", "Zdrowie psychiczne",
	} {
		if len(polishPrivacyLeaks(s)) == 0 {
			t.Errorf("the Polish privacy check missed %q", s)
		}
	}
	if got := polishPrivacyLeaks("Umowy i lekcje w szkole Oakfield Primary. Posłuchaj. Przegląd wsparcia, zalecenia specjalisty."); len(
		got,
	) != 0 {
		t.Errorf("false alarm: %v", got)
	}
}

// Translations keep sentences short, like the English (at most maxSentence words, on average at
// most maxAverageSentence). The English word-length limit is not applied: Polish inflection makes
// ordinary words long.
func TestTranslatedSentencesAreShort(t *testing.T) {
	for _, tpl := range everyLanguage(t) {
		if tpl.Lang == "" || tpl.Lang == "en" {
			continue
		}
		t.Run(caseName(tpl), func(t *testing.T) {
			data := sampleData(t, tpl)
			subject, text, _ := mustRender(t, tpl, data)
			var values []string
			for _, v := range data {
				values = append(values, v)
			}
			avg, most, _ := readability(subject+"\n"+text, values)
			if avg > maxAverageSentence {
				t.Errorf("average sentence %.1f words, want at most %d", avg, maxAverageSentence)
			}
			if most > maxSentence {
				t.Errorf("a sentence of %d words, want at most %d", most, maxSentence)
			}
		})
	}
}

// Slips a native reviewer found in the Polish (issue 15), kept from coming back: a weekday after
// "odbędzie się" needs "w" and the accusative, so dates with a weekday are set off instead
// ("Termin spotkania: poniedziałek, 12 stycznia 2027"); rendered with such a date, no sentence
// puts a bare weekday after a verb.
func TestPolishDatesWithAWeekdayReadWell(t *testing.T) {
	bare := regexp.MustCompile(
		`(?i)(się|odbyć|teraz|odbędzie) (poniedziałek|wtorek|środa|czwartek|piątek|sobota|niedziela)`,
	)
	for _, name := range parentNames {
		tpl := Localize(mustLookup(t, name), "pl")
		data := sampleData(t, tpl)
		for _, k := range []string{"MeetingDate", "ReviewDate"} {
			if _, ok := data[k]; ok {
				data[k] = "poniedziałek, 12 stycznia 2027"
			}
		}
		subject, text, _ := mustRender(t, tpl, data)
		if m := bare.FindString(subject + "\n" + text); m != "" {
			t.Errorf("%s: %q reads wrongly in Polish:\n%s", name, m, text)
		}
	}
}
