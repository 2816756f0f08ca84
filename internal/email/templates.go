package email

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"

	"github.com/sendflow/sendflow/internal/input"
	language "github.com/sendflow/sendflow/internal/locale"
)

// Audiences a template may be written for.
const (
	AudienceParent = "parent" // parents and carers (and young people aged 16 or over)
	AudienceStaff  = "staff"  // teachers, SENDCos and heads at the pupil's school
	AudienceAgency = "agency" // a specialist service that receives a referral
)

// Template is one kind of email. Every message is data: a subject, a heading, a few short
// paragraphs and at most one action, rendered through one shared layout (layout.html.tmpl and
// layout.txt.tmpl) so the HTML and the plain-text versions carry the same words.
//
// Subject, Heading, each paragraph and Action are text/templates over the message data. A message
// names the pupil by first name only and carries no needs, diagnoses, outcomes, ratings or agency
// names: the details sit behind the link, which asks the reader to sign in.
type Template struct {
	Name string
	// Version is recorded with each message sent, so the outbox keeps a record of exactly which
	// wording a person received. Bump it whenever the wording changes.
	Version  string
	Audience string // AudienceParent, AudienceStaff or AudienceAgency
	Subject  string
	Heading  string
	// Paragraphs are plain English: short sentences, no jargon.
	Paragraphs []string
	// Action is the label of the one link in the message, which goes to {{.Link}}; "" for none.
	Action string
	// Decision marks a decision letter: the parents' rights block is appended automatically and
	// RightsKeys become required.
	Decision bool
	// Keys lists the data this template needs beyond AlwaysKeys (and RightsKeys for a decision).
	Keys []string
	// AboutSchool marks a message about a school rather than one pupil (a weekly summary): it
	// names no pupil, so PupilFirstName is not among its keys.
	AboutSchool bool
	// Lang is the language the words are in: "" or "en" for the English catalogue, or the tag
	// Localize set ("pl"). Render uses it for <html lang>, the greeting, footers and rights block.
	Lang string
}

// AlwaysKeys are present in the data for every message.
var AlwaysKeys = []string{"RecipientName", "PupilFirstName", "SchoolName", "Link"}

// RightsKeys are required by every decision letter, for the rights block:
// LetterDate and TribunalDeadline are dates in words ("23 November 2026"), MediationContact and
// SENDIASSContact say how to reach the mediation adviser and the local SENDIASS.
var RightsKeys = []string{"LetterDate", "TribunalDeadline", "MediationContact", "SENDIASSContact"}

// ContactKeys are optional data for a parent's email: how to reach the school (its contact's
// name, telephone number and email address). When given, the email ends with a line saying so.
var ContactKeys = []string{"ContactName", "ContactPhone", "ContactEmail"}

// RequiredKeys lists every data key Render needs for t: AlwaysKeys, then t.Keys, then RightsKeys
// if t is a decision letter.
func RequiredKeys(t Template) []string {
	var keys []string
	for _, k := range AlwaysKeys {
		if k != "PupilFirstName" || !t.AboutSchool {
			keys = append(keys, k)
		}
	}
	keys = append(keys, t.Keys...)
	if t.Decision {
		keys = append(keys, RightsKeys...)
	}
	return keys
}

// rightsHeading and rightsParagraphs are the parents' rights block appended to every decision
// letter (SEND Code of Practice: mediation, appeal to the SEND Tribunal, SENDIASS; from 16 the
// young person decides). They are text/templates over the message data, like a template's own
// paragraphs.
const rightsHeading = "Your rights"

var rightsParagraphs = []string{
	"The date of this letter is {{.LetterDate}}.",
	"You can talk to a mediation adviser about this decision: {{.MediationContact}}.",
	"You must talk to a mediation adviser before you can appeal, unless your appeal is only about the school named in a plan.",
	"You can appeal to the SEND Tribunal by {{.TribunalDeadline}}. " +
		"That is 2 months from the date of this letter. " +
		"If you get a mediation certificate, you have 1 month from its date instead, if that is later.",
	"For free, impartial advice, contact your local SEND Information, Advice and Support Service (SENDIASS): {{.SENDIASSContact}}.",
	"If {{.PupilFirstName}} is 16 or over, they make these decisions themselves.",
}

// footers close every message; they say why the email is short on detail.
const (
	footerWithLink = "To keep personal information safe, this email leaves out the details. Use the link to read them."
	footerNoLink   = "To keep personal information safe, this email leaves out the details."
)

// englishLayout is the source of the layout's words; every locale translates each of them
// (locale_pl.go). GreetingName and the rights paragraphs are text/templates over the message data.
var englishLayout = layoutText{
	Greeting:         "Hello,",
	GreetingName:     "Hello {{.RecipientName}},",
	FooterWithLink:   footerWithLink,
	FooterNoLink:     footerNoLink,
	LinkHelp:         "If the link does not work, copy this address into your web browser:",
	RightsHeading:    rightsHeading,
	RightsParagraphs: rightsParagraphs,
	ContactLead:      "To contact {{.SchoolName}}:",
}

// Colours of the layout. The button and body text meet WCAG AAA contrast (7:1) on their
// backgrounds; the test checks it.
const (
	colourText       = "#1b1b1b"
	colourMuted      = "#4b4b4b"
	colourBackground = "#ffffff"
	colourButton     = "#1d4f91"
	colourButtonText = "#ffffff"
)

//go:embed templates/*.tmpl
var templateFiles embed.FS

var (
	textLayout = texttemplate.Must(texttemplate.New("layout.txt.tmpl").Option("missingkey=error").
			ParseFS(templateFiles, "templates/layout.txt.tmpl"))
	htmlLayout = htmltemplate.Must(htmltemplate.New("layout.html.tmpl").Option("missingkey=error").
			ParseFS(templateFiles, "templates/layout.html.tmpl"))
)

// page is what the layouts see: the template's parts already filled with the message data, as
// plain text. The HTML layout escapes every field.
type page struct {
	Lang       string
	Subject    string
	Heading    string
	Greeting   string
	Paragraphs []string
	Action     string
	Link       string
	LinkHelp   string
	Rights     *section
	Contact    *contact // how to reach the school, in a parent's email
	Footer     string
	Unreviewed *note // set for a translation a native speaker has not checked yet
	Colour     colours
}

// note is a line in the locale's language with its English in brackets.
type note struct {
	Text, English string
}

// contact is the line of a parent's email that says how to reach the school.
type contact struct {
	Lead, Name, Phone, Tel, Email string
}

// Parts lists the contact's name, number and address that are given, for the text body.
func (c *contact) Parts() string {
	var parts []string
	for _, p := range []string{c.Name, c.Phone, c.Email} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

type section struct {
	Heading    string
	Paragraphs []string
}

type colours struct {
	Text, Muted, Background, Button, ButtonText htmltemplate.CSS
}

// Render fills a template's subject, text and HTML bodies through the shared layout. A missing
// value is an error, never a blank in a letter: every key in RequiredKeys(t) must be present and
// not empty (only RecipientName may be empty; the greeting is then "Hello,"), and a key the
// template uses but does not declare fails too. html/template escapes the values in the HTML body.
//
// The layout's words (greeting, footers, rights block) and <html lang> follow t.Lang, which
// Localize sets; a language sendflow has no layout for is an error.
func Render(t Template, data map[string]string) (subject, text, html string, err error) {
	fail := func(err error) (string, string, string, error) { return "", "", "", err }
	loc, ok := locales[language.Base(t.Lang)]
	if !ok {
		return fail(fmt.Errorf("render %s: no layout in language %q", t.Name, t.Lang))
	}
	words := loc.Layout
	for _, k := range RequiredKeys(t) {
		v, ok := data[k]
		if !ok {
			return fail(fmt.Errorf("render %s: missing value for %s", t.Name, k))
		}
		if v == "" && k != "RecipientName" {
			return fail(fmt.Errorf("render %s: empty value for %s", t.Name, k))
		}
	}
	if t.Subject == "" || t.Heading == "" || len(t.Paragraphs) == 0 {
		return fail(fmt.Errorf("render %s: a template needs a subject, a heading and at least one paragraph", t.Name))
	}
	fill := func(part, src string) (string, error) { return fillWith(t.Name+" "+part, src, data) }
	fillAll := func(part string, srcs []string) ([]string, error) {
		out := make([]string, len(srcs))
		for i, src := range srcs {
			var err error
			if out[i], err = fill(fmt.Sprintf("%s %d", part, i+1), src); err != nil {
				return nil, err
			}
		}
		return out, nil
	}

	p := page{Lang: loc.Tag, Link: data["Link"], LinkHelp: words.LinkHelp, Footer: words.FooterNoLink, Colour: colours{
		Text: colourText, Muted: colourMuted, Background: colourBackground,
		Button: colourButton, ButtonText: colourButtonText,
	}}
	if p.Subject, err = fill("subject", t.Subject); err != nil {
		return fail(err)
	}
	if strings.ContainsAny(p.Subject, "\r\n") {
		return fail(fmt.Errorf("render %s subject: a subject must be one line", t.Name))
	}
	if p.Heading, err = fill("heading", t.Heading); err != nil {
		return fail(err)
	}
	if p.Paragraphs, err = fillAll("paragraph", t.Paragraphs); err != nil {
		return fail(err)
	}
	if t.Action != "" {
		if p.Action, err = fill("action", t.Action); err != nil {
			return fail(err)
		}
		p.Footer = words.FooterWithLink
	}
	if t.Decision {
		rights, err := fillAll("rights", words.RightsParagraphs)
		if err != nil {
			return fail(err)
		}
		p.Rights = &section{Heading: words.RightsHeading, Paragraphs: rights}
	}
	p.Greeting = words.Greeting
	if name := strings.TrimSpace(data["RecipientName"]); name != "" {
		if p.Greeting, err = fillWith(t.Name+" greeting", words.GreetingName, map[string]string{"RecipientName": name}); err != nil {
			return fail(err)
		}
	}
	if t.Audience == AudienceParent && (data["ContactPhone"] != "" || data["ContactEmail"] != "") {
		c := &contact{Name: data["ContactName"], Phone: data["ContactPhone"], Email: data["ContactEmail"]}
		if _, dial, err := input.Phone(c.Phone); err == nil {
			c.Tel = dial
		}
		if c.Lead, err = fillWith(t.Name+" contact", words.ContactLead, data); err != nil {
			return fail(err)
		}
		p.Contact = c
	}
	if loc.Unreviewed {
		p.Unreviewed = &note{Text: words.UnreviewedNote, English: unreviewedNoteEnglish}
	}

	var tb, hb bytes.Buffer
	if err := textLayout.Execute(&tb, p); err != nil {
		return fail(fmt.Errorf("render %s text: %w", t.Name, err))
	}
	if err := htmlLayout.Execute(&hb, p); err != nil {
		return fail(fmt.Errorf("render %s html: %w", t.Name, err))
	}
	return p.Subject, tb.String(), hb.String(), nil
}

// fillWith executes one text/template part over data; name ("consent_request subject") is for
// errors.
func fillWith(name, src string, data map[string]string) (string, error) {
	tt, err := texttemplate.New(name).Option("missingkey=error").Parse(src)
	if err != nil {
		return "", fmt.Errorf("parse %s: %w", name, err)
	}
	var b strings.Builder
	if err := tt.Execute(&b, data); err != nil {
		return "", fmt.Errorf("render %s: %w", name, err)
	}
	return b.String(), nil
}
