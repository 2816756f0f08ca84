package email

import (
	"slices"

	language "github.com/sendflow/sendflow/internal/locale"
)

// Languages. English is the source text: the templates in catalog.go and the layout's words in
// englishLayout (templates.go). Every other language is a locale in its own file (locale_pl.go)
// that translates the layout's words and every parent template; staff and agency emails are
// always English. README.md in this folder is the translators' guide.
var locales = map[string]*locale{
	"en": {Tag: "en", Layout: englishLayout},
	"pl": polish,
}

// locale is one language of the emails.
type locale struct {
	Tag string // the language's tag, for <html lang> and the outbox's language column
	// Unreviewed marks a translation a native speaker has not checked yet. Its emails say so in
	// the footer (Layout.UnreviewedNote, with unreviewedNoteEnglish in brackets).
	Unreviewed bool
	Layout     layoutText
	// Templates translates the parent templates, by template Name.
	Templates map[string]translation
}

// layoutText is the layout's own words in one language.
type layoutText struct {
	Greeting     string // when the recipient's name is not known
	GreetingName string // a text/template over {{.RecipientName}}
	// FooterWithLink closes a message with a link, FooterNoLink one without.
	FooterWithLink, FooterNoLink string
	// LinkHelp comes before the bare address under the button, in the HTML body.
	LinkHelp string
	// RightsHeading and RightsParagraphs are the parents' rights block of a decision letter:
	// text/templates over the message data, with every one of RightsKeys.
	RightsHeading    string
	RightsParagraphs []string
	// UnreviewedNote says the translation has not been checked by a native speaker yet.
	UnreviewedNote string
	// ContactLead starts the line of a parent's email that says how to reach the school: a
	// text/template over the message data ({{.SchoolName}}).
	ContactLead string
}

// unreviewedNoteEnglish follows an unreviewed locale's note, in brackets, so an English reader
// (the school) knows too.
const unreviewedNoteEnglish = "This translation has not yet been checked by a native speaker."

// translation is one template in another language. Its parts are text/templates with exactly
// the {{.Key}} placeholders of the English template; the number of paragraphs may differ.
type translation struct {
	// EnglishVersion is the English template's Version this translates. When the English
	// wording changes and its Version moves on, the translation is stale: Localize sends
	// English instead until the translation is updated and this field set to the new Version.
	EnglishVersion string
	Subject        string
	Heading        string
	Paragraphs     []string
	Action         string
}

// Localize returns t in the parent's preferred language ("pl", "pl-PL", "PL", "pl_PL"), with
// Lang set to the locale's tag. It returns t in English, with Lang "en", when sendflow has no
// current translation: an unknown language, a staff or agency template (always English), or a
// stale translation (the English Version has moved on). Pass an English template, from Lookup or
// the catalogue's variables; Keys, Version and the rest stay as they are.
func Localize(t Template, preferred string) Template {
	want := language.Base(preferred)
	if t.Lang != "" && t.Lang != "en" {
		if language.Base(t.Lang) == want {
			return t
		}
		en, ok := Lookup(t.Name)
		if !ok || en.Version != t.Version {
			return t // not from the catalogue: nothing to go back to
		}
		t = en
	}
	t.Lang = "en"
	if t.Audience != AudienceParent {
		return t
	}
	l, ok := locales[want]
	if !ok {
		return t
	}
	tr, ok := l.Templates[t.Name]
	if !ok || tr.EnglishVersion != t.Version {
		return t
	}
	t.Lang = l.Tag
	t.Subject, t.Heading, t.Action = tr.Subject, tr.Heading, tr.Action
	t.Paragraphs = slices.Clone(tr.Paragraphs)
	return t
}

// staleTranslations lists l's translations whose English template has a new Version (and any
// translation of a template the catalogue no longer has), one line each.
func staleTranslations(l *locale) []string {
	var stale []string
	for _, name := range sortedKeys(l.Templates) {
		tr := l.Templates[name]
		en, ok := byName[name]
		switch {
		case !ok:
			stale = append(stale, l.Tag+" "+name+": the catalogue has no such template; delete the translation")
		case tr.EnglishVersion != en.Version:
			stale = append(stale, l.Tag+" "+name+": translates English version "+tr.EnglishVersion+
				", English is now version "+en.Version+"; update the translation and its EnglishVersion")
		}
	}
	return stale
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
