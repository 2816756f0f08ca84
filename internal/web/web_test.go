package web

import (
	"bytes"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sendflow/sendflow/internal/locale"
	"github.com/sendflow/sendflow/internal/onetap"
)

var verbRE = regexp.MustCompile(`%[a-z]`)

// Every locale has every English key, no key English lacks, and the same verbs in the same order.
func TestLocalesAreComplete(t *testing.T) {
	for tag, l := range locales {
		if tag == "en" {
			continue
		}
		var missing []string
		for k, en := range english {
			msg, ok := l.msgs[k]
			if !ok {
				missing = append(missing, k)
				continue
			}
			if a, b := verbRE.FindAllString(en, -1), verbRE.FindAllString(msg, -1); strings.Join(
				a,
				"",
			) != strings.Join(
				b,
				"",
			) {
				t.Errorf("%s %s: verbs %v, English has %v", tag, k, b, a)
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Errorf("%s lacks %v", tag, missing)
		}
		for k := range l.msgs {
			if _, ok := english[k]; !ok {
				t.Errorf("%s has %s, which English does not", tag, k)
			}
		}
		if !l.Unreviewed && tag == "pl" {
			t.Error("the Polish pages have not been reviewed by a native speaker; keep them marked")
		}
	}
}

func TestLocaleChoice(t *testing.T) {
	for pref, want := range map[string]string{"pl": "pl", "pl-PL": "pl", "PL_pl": "pl", "en-GB": "en", "cy": "en", "": "en"} {
		if got := localeFor(pref).Tag; got != want {
			t.Errorf("localeFor(%q) = %s, want %s", pref, got, want)
		}
	}
	if got := localeFromHeader("fr-FR, pl;q=0.8, en;q=0.5").Tag; got != "pl" {
		t.Errorf("Accept-Language choice = %s", got)
	}
}

func TestDatesInWords(t *testing.T) {
	summer := time.Date(2027, time.June, 15, 9, 30, 0, 0, time.UTC) // 10:30 BST
	winter := time.Date(2027, time.January, 12, 10, 0, 0, 0, time.UTC)
	if got := locales["en"].Date(summer) + " " + locales["en"].Clock(summer); got != "Tuesday 15 June 2027 10:30" {
		t.Errorf("en = %q", got)
	}
	if got := locales["pl"].Date(winter) + " " + locales["pl"].Clock(winter); got != "wtorek, 12 stycznia 2027 10:00" {
		t.Errorf("pl = %q", got)
	}
}

// One-tap links are signed with a key derived from the signing key, never the key itself.
func TestLinkKeyIsDerived(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	if k := LinkKey(key); len(k) != 32 || bytes.Equal(k, key) || !bytes.Equal(k, LinkKey(key)) {
		t.Errorf("LinkKey = %x", k)
	}
	l := NewLinks(key, "https://sendflow.example/")
	link, err := l.Meeting("p", "u", "m", 3, time.Now())
	if err != nil || !strings.HasPrefix(link, "https://sendflow.example/parent/meeting?t=") {
		t.Fatalf("link %q %v", link, err)
	}
	tok := strings.TrimPrefix(link, "https://sendflow.example/parent/meeting?t=")
	c, err := l.Signer().VerifyAction(tok, onetap.ActionMeetingResponse, time.Now())
	if err != nil || c.Ref != "m/3" || time.Until(c.Expires) < MeetingLinkTTL-time.Minute {
		t.Errorf("claim %+v %v", c, err)
	}
	raw, _ := onetap.NewSigner(key)
	if _, err := raw.Verify(tok, time.Now()); err == nil {
		t.Error("a one-tap link verifies with the bearer-token key")
	}
	if id, seq, ok := parseMeetingRef(c.Ref); !ok || id != "m" || seq != 3 {
		t.Errorf("parseMeetingRef = %s %d %v", id, seq, ok)
	}
	if first, second := derivedNonce("views", "n1"), derivedNonce("views", "n1"); first != second ||
		derivedNonce("views", "n1") == derivedNonce("views", "n2") {
		t.Error("derived nonces are not stable per link")
	}
}

// Every page renders in every locale (missingkey=error catches a field a template lacks).
func TestPagesRender(t *testing.T) {
	h := New(Deps{SigningKey: []byte("0123456789abcdef0123456789abcdef")})
	for _, name := range pageNames {
		for tag, l := range locales {
			var b strings.Builder
			if err := h.pages[name].ExecuteTemplate(&b, "layout", &page{L: l, Title: "T", School: "Oakfield"}); err != nil {
				t.Errorf("%s/%s: %v", name, tag, err)
			}
			if !strings.Contains(b.String(), `<html lang="`+tag+`">`) {
				t.Errorf("%s/%s lacks its lang attribute", name, tag)
			}
		}
	}
}

// A calendar entry is titled in the language of its email, with the child's first name and the
// school; a cancelled one says so.
func TestCalendarText(t *testing.T) {
	summary, note, reminder := CalendarText("en", "review", "Amara", "Oakfield Primary", false)
	if summary != "Amara's review meeting at Oakfield Primary" || !strings.Contains(note, "say if you can come") ||
		reminder != "Reminder: "+summary {
		t.Errorf("English: %q / %q / %q", summary, note, reminder)
	}
	summary, note, reminder = CalendarText("pl-PL", "annual_review", "Amara", "Oakfield Primary", true)
	if summary != "Coroczny przegląd planu: Amara (szkoła Oakfield Primary)" ||
		note != "To spotkanie zostało odwołane." ||
		reminder != "Przypomnienie: "+summary {
		t.Errorf("Polish: %q / %q / %q", summary, note, reminder)
	}
}

// The pages have words for every language sendflow has (internal/locale), and no others: a
// language added there without its words here would show a parent a blank page.
func TestWordsForEveryLanguage(t *testing.T) {
	for _, tag := range locale.Tags() {
		if l, ok := locales[tag]; !ok || l.Tag != tag || len(l.msgs) == 0 {
			t.Errorf("no words for %s", tag)
		}
	}
	if len(locales) != len(locale.Tags()) {
		t.Errorf("words for %d languages, sendflow has %d", len(locales), len(locale.Tags()))
	}
}
