// Package evidence renders a pupil's evidence pack: the record an agency or
// the local authority asks for before it accepts a referral or an EHC needs
// assessment request. The pack is assembled by the caller from the pathway's
// history (concerns, indicators, strategies tried, plan-do-review cycles,
// advice, meetings, readiness checks, timeline) and rendered here, without a
// database or network, as printable HTML (HTML) or as an A4 PDF (PDF).
//
// Both renderers draw from one document model (see build), so the HTML and
// the PDF always carry the same sections, wording and "Not recorded yet" /
// "None recorded." markers.
//
// Dates are shown as "2 November 2026" in UK time (Europe/London), whatever
// location the times carry: a timestamp stored in UTC shows its UK day, and a
// date kept as UTC midnight or London midnight shows that same day. Nothing
// is sorted except Timeline, which is shown oldest first (stable, so lines at
// the same time keep their order).
package evidence

import (
	"fmt"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // Europe/London even where the system has no zoneinfo
	"unicode"
	"unicode/utf8"

	"github.com/sendflow/sendflow/internal/locale"
)

// Pack is everything an evidence pack shows. Empty fields and nil slices are
// fine: they render as "Not recorded yet" or "None recorded.".
type Pack struct {
	// For names who the pack is for, e.g. "Educational Psychology Service"
	// or "Demoshire Council: EHC needs assessment request".
	For         string
	GeneratedAt time.Time
	School      string
	Pupil       Pupil
	// Stage is the stage of support in plain words, e.g. "SEN support".
	Stage     string
	Concerns  []Concern
	Cycles    []Cycle
	Advice    []Advice
	Meetings  []Meeting
	Readiness []Criterion
	// Timeline is the pathway's story in plain words; shown oldest first.
	Timeline []Line
	// Passport is the latest version of the pupil's one-page profile, in their own words (nil:
	// none written, and the pack has no such section).
	Passport *Passport
}

// Passport is the pupil in their own words, as last saved.
type Passport struct {
	Liked, Important, Support string
	WrittenWith               string
	Version                   int
	SavedBy                   string
	SavedOn                   time.Time
}

// Pupil identifies the child or young person.
type Pupil struct {
	FirstName   string
	LastName    string
	DateOfBirth time.Time
	UPN         string
	YearOrClass string
}

// Concern is one raised concern with what was seen and what was tried.
type Concern struct {
	RaisedOn   time.Time
	RaisedBy   string
	Areas      []string // plain names of the areas of need
	Observed   string
	Indicators []string
	Strategies []Strategy
}

// Strategy is one strategy tried for a concern.
type Strategy struct {
	Text      string
	Area      string
	StartedOn time.Time
	Frequency string
	Notes     string
	// Impact is "helping", "some change", "no change", or "" when not
	// recorded yet. Catalogue spellings with underscores ("some_change")
	// are accepted too.
	Impact      string
	ImpactNotes string
}

// Cycle is one assess-plan-do-review cycle.
type Cycle struct {
	Number          int
	AgreedOn        time.Time
	ReviewDate      time.Time
	Outcomes        []Outcome
	Provision       []string
	ProvisionLogged int
	ParentViews     string
	PupilViews      string
	// FamilyViews are what the parents sent before the review from the link in their email.
	FamilyViews []FamilyViews
	// ReviewedOn is nil while the cycle has not been reviewed.
	ReviewedOn        *time.Time
	ReviewParentViews string
	ReviewPupilViews  string
	NextStep          string
}

// FamilyViews are one parent's words before a review: who, when, and their three answers.
type FamilyViews struct {
	By                         string
	On                         time.Time
	GoingWell, Hard, WouldHelp string
}

// Outcome is one outcome of a cycle's plan with its rating at review
// ("" if not reviewed).
type Outcome struct {
	Text   string
	Rating string
}

// Advice is advice received from a professional or service.
type Advice struct {
	From       string
	ReceivedOn time.Time
	Summary    string
}

// Meeting is one meeting the parents were invited to.
type Meeting struct {
	On   time.Time
	Kind string
	// ParentResponse is "accepted", "declined", "asked for another time",
	// "no answer", or "" when not recorded.
	ParentResponse string
}

// Criterion is one readiness check for the service the pack is for.
type Criterion struct {
	Rule     string
	Met      bool
	Evidence string
	Missing  string
}

// Line is one dated line of the pathway's story.
type Line struct {
	On      time.Time
	Summary string
}

// Fixed wording shared by the HTML and the PDF.
const (
	// ConfidentialLine heads the HTML and every PDF page.
	ConfidentialLine = "Confidential: special category data. Share only with the service named above."
	// NotRecorded stands in for a value that is missing.
	NotRecorded = "Not recorded yet"
	// NoneRecorded stands in for an empty list or section.
	NoneRecorded = "None recorded."
	notReviewed  = "Not reviewed yet"
	dateLayout   = "2 January 2006"
)

// ukZone is where the pack's readers are. UK offsets are 0 or +1 hour, so a
// UTC-midnight date keeps its day.
var ukZone = func() *time.Location {
	if loc, err := time.LoadLocation("Europe/London"); err == nil {
		return loc
	}
	return time.UTC
}()

// FormatDate formats t as "2 November 2026" in UK time, or "Not recorded yet"
// when t is the zero time.
func FormatDate(t time.Time) string {
	if t.IsZero() {
		return NotRecorded
	}
	return t.In(ukZone).Format(dateLayout)
}

// Title is the pack's heading, "Evidence pack for <First Last>".
func Title(p Pack) string {
	if n := pupilName(p.Pupil); n != "" {
		return "Evidence pack for " + n
	}
	return "Evidence pack"
}

func pupilName(p Pupil) string {
	return strings.Join(strings.Fields(p.FirstName+" "+p.LastName), " ")
}

func orNotRecorded(s string) string {
	if strings.TrimSpace(s) == "" {
		return NotRecorded
	}
	return strings.TrimSpace(s)
}

// plainLabel turns a stored value ("some_change", "no answer") into a label
// ("Some change", "No answer").
func plainLabel(s string) string {
	s = strings.Join(strings.Fields(strings.ReplaceAll(s, "_", " ")), " ")
	if s == "" {
		return ""
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// ImpactLabel is the words shown for a strategy's impact.
func ImpactLabel(impact string) string {
	if l := plainLabel(impact); l != "" {
		return l
	}
	return NotRecorded
}

// ResponseLabel is the words shown for a parent's response to a meeting.
func ResponseLabel(resp string) string {
	if l := plainLabel(resp); l != "" {
		return l
	}
	return NotRecorded
}

// ---- document model shared by both renderers ----

type blockKind int

const (
	blockPara  blockKind = iota // Text
	blockNone                   // Text, shown muted ("None recorded.")
	blockH3                     // Text
	blockFacts                  // Caption, Facts
	blockTable                  // Caption, Headers, Rows, Widths
	blockList                   // Caption (lead-in line), Items
)

type fact struct{ Label, Value string }

type block struct {
	Kind    blockKind
	Text    string
	Caption string
	Facts   []fact
	Headers []string
	Rows    [][]string
	// Widths are relative column widths for the PDF.
	Widths []float64
	Items  []string
}

// Template helpers: html/template compares these more readably than ints.
func (b block) IsPara() bool  { return b.Kind == blockPara }
func (b block) IsNone() bool  { return b.Kind == blockNone }
func (b block) IsH3() bool    { return b.Kind == blockH3 }
func (b block) IsFacts() bool { return b.Kind == blockFacts }
func (b block) IsTable() bool { return b.Kind == blockTable }
func (b block) IsList() bool  { return b.Kind == blockList }

type section struct {
	ID      string
	Heading string
	Blocks  []block
}

type document struct {
	Title        string
	For          string
	School       string
	Confidential string
	Generated    string
	Sections     []section
}

func para(s string) block { return block{Kind: blockPara, Text: s} }
func none(s string) block { return block{Kind: blockNone, Text: s} }
func h3(s string) block   { return block{Kind: blockH3, Text: s} }

func generatedLine(t time.Time) string {
	if t.IsZero() {
		return "Generated on: " + NotRecorded
	}
	t = t.In(ukZone)
	return "Generated on " + t.Format(dateLayout) + " at " + t.Format("15:04")
}

func build(p Pack) document {
	d := document{
		Title:        Title(p),
		For:          orNotRecorded(p.For),
		School:       orNotRecorded(p.School),
		Confidential: ConfidentialLine,
		Generated:    generatedLine(p.GeneratedAt),
	}
	d.Sections = []section{pupilSection(p)}
	if p.Passport != nil {
		d.Sections = append(d.Sections, passportSection(*p.Passport))
	}
	d.Sections = append(d.Sections,
		readinessSection(p.For, p.Readiness),
		concernsSection(p.Concerns),
		strategiesSection(p.Concerns),
		cyclesSection(p.Cycles),
		adviceSection(p.Advice),
		meetingsSection(p.Meetings),
		timelineSection(p.Timeline),
	)
	return d
}

func passportSection(pp Passport) section {
	saved := fmt.Sprintf("Version %d, saved by %s on %s", pp.Version, orNotRecorded(pp.SavedBy), FormatDate(pp.SavedOn))
	if pp.WrittenWith != "" {
		saved += "; written with " + pp.WrittenWith
	}
	return section{ID: "passport", Heading: "All about me: the pupil in their own words", Blocks: []block{{
		Kind:    blockFacts,
		Caption: "The pupil's one-page profile",
		Facts: []fact{
			{"What people like and admire about me", orNotRecorded(pp.Liked)},
			{"What is important to me", orNotRecorded(pp.Important)},
			{"How best to support me", orNotRecorded(pp.Support)},
			{"Version", saved},
		},
	}}}
}

func pupilSection(p Pack) section {
	dob := FormatDate(p.Pupil.DateOfBirth)
	return section{ID: "pupil", Heading: "About the pupil", Blocks: []block{{
		Kind:    blockFacts,
		Caption: "Pupil details",
		Facts: []fact{
			{"Name", orNotRecorded(pupilName(p.Pupil))},
			{"Date of birth", dob},
			{"Unique pupil number (UPN)", orNotRecorded(p.Pupil.UPN)},
			{"Year or class", orNotRecorded(p.Pupil.YearOrClass)},
			{"School", orNotRecorded(p.School)},
			{"Stage of support", orNotRecorded(p.Stage)},
		},
	}}}
}

func readinessSection(forWhom string, cs []Criterion) section {
	s := section{ID: "readiness", Heading: "Readiness checks"}
	if len(cs) == 0 {
		s.Blocks = append(s.Blocks, none(NoneRecorded))
		return s
	}
	caption := "Checks for this request"
	if f := strings.TrimSpace(forWhom); f != "" {
		caption = "Checks for " + f
	}
	met := 0
	t := block{
		Kind:    blockTable,
		Caption: caption,
		Headers: []string{"Check", "Result", "Evidence", "What is missing"},
		Widths:  []float64{3, 1.2, 3.2, 3.2},
	}
	for _, c := range cs {
		result, missing := "Not met", orNotRecorded(c.Missing)
		if c.Met {
			met++
			result = "Met"
			if strings.TrimSpace(c.Missing) == "" {
				missing = "Nothing"
			}
		}
		evidence := strings.TrimSpace(c.Evidence)
		if evidence == "" {
			evidence = NoneRecorded
		}
		t.Rows = append(t.Rows, []string{orNotRecorded(c.Rule), result, evidence, missing})
	}
	s.Blocks = append(s.Blocks,
		para(fmt.Sprintf("%d of %s met.", met, locale.Count(len(cs), "check", "checks"))), t)
	return s
}

func concernLabel(i int, c Concern) string {
	return fmt.Sprintf("Concern %d, raised on %s", i+1, FormatDate(c.RaisedOn))
}

func concernsSection(cs []Concern) section {
	s := section{ID: "concerns", Heading: "Concerns and what was seen"}
	if len(cs) == 0 {
		s.Blocks = append(s.Blocks, none(NoneRecorded))
		return s
	}
	for i, c := range cs {
		areas := make([]string, 0, len(c.Areas))
		for _, a := range c.Areas {
			if a = strings.TrimSpace(a); a != "" {
				areas = append(areas, a)
			}
		}
		s.Blocks = append(s.Blocks,
			h3(concernLabel(i, c)),
			block{Kind: blockFacts, Caption: fmt.Sprintf("Concern %d details", i+1), Facts: []fact{
				{"Raised on", FormatDate(c.RaisedOn)},
				{"Raised by", orNotRecorded(c.RaisedBy)},
				{"Areas of need", orNotRecorded(strings.Join(areas, ", "))},
				{"What was observed", orNotRecorded(c.Observed)},
			}})
		items := nonEmpty(c.Indicators)
		if len(items) == 0 {
			s.Blocks = append(s.Blocks, none("Indicators seen: "+NoneRecorded))
		} else {
			s.Blocks = append(s.Blocks, block{Kind: blockList, Caption: "Indicators seen", Items: items})
		}
	}
	return s
}

func nonEmpty(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func strategiesSection(cs []Concern) section {
	s := section{ID: "strategies", Heading: "Strategies tried"}
	total, withImpact := 0, 0
	for _, c := range cs {
		for _, st := range c.Strategies {
			total++
			if plainLabel(st.Impact) != "" {
				withImpact++
			}
		}
	}
	if total == 0 {
		s.Blocks = append(s.Blocks, none(NoneRecorded))
		return s
	}
	summary := fmt.Sprintf(
		"%s recorded. Impact recorded for %d",
		locale.Count(total, "strategy", "strategies"),
		withImpact,
	)
	if missing := total - withImpact; missing > 0 {
		summary += fmt.Sprintf("; not recorded yet for %d", missing)
	}
	s.Blocks = append(s.Blocks, para(summary+"."))
	for i, c := range cs {
		caption := "Strategies for " + strings.ToLower(concernLabel(i, c)[:1]) + concernLabel(i, c)[1:]
		if len(c.Strategies) == 0 {
			s.Blocks = append(s.Blocks, none(caption+": "+NoneRecorded))
			continue
		}
		t := block{
			Kind:    blockTable,
			Caption: caption,
			Headers: []string{"Strategy", "Area of need", "Started", "How often", "Impact", "Notes"},
			Widths:  []float64{2.7, 2.2, 1.7, 1.6, 2.1, 2.7},
		}
		for _, st := range c.Strategies {
			impact := ImpactLabel(st.Impact)
			if n := strings.TrimSpace(st.ImpactNotes); n != "" {
				impact += "\n" + n
			}
			notes := strings.TrimSpace(st.Notes)
			if notes == "" {
				notes = "None"
			}
			t.Rows = append(t.Rows, []string{
				orNotRecorded(st.Text), orNotRecorded(st.Area), FormatDate(st.StartedOn),
				orNotRecorded(st.Frequency), impact, notes,
			})
		}
		s.Blocks = append(s.Blocks, t)
	}
	return s
}

func cyclesSection(cs []Cycle) section {
	s := section{ID: "cycles", Heading: "Plan, do, review cycles"}
	if len(cs) == 0 {
		s.Blocks = append(s.Blocks, none(NoneRecorded))
		return s
	}
	for i, c := range cs {
		n := c.Number
		if n <= 0 {
			n = i + 1
		}
		name := fmt.Sprintf("Cycle %d", n)
		reviewed := c.ReviewedOn != nil && !c.ReviewedOn.IsZero()
		status := "not reviewed yet"
		if reviewed {
			status = "reviewed on " + FormatDate(*c.ReviewedOn)
		}
		provision := strings.Join(nonEmpty(c.Provision), "\n")
		if provision == "" {
			provision = NoneRecorded
		}
		logged := "None logged yet"
		if c.ProvisionLogged > 0 {
			logged = locale.Count(c.ProvisionLogged, "session logged", "sessions logged")
		}
		s.Blocks = append(s.Blocks,
			h3(name+", "+status),
			block{Kind: blockFacts, Caption: name + ": the plan", Facts: []fact{
				{"Agreed on", FormatDate(c.AgreedOn)},
				{"Review date", FormatDate(c.ReviewDate)},
				{"Provision", provision},
				{"Provision delivered", logged},
				{"Parent views when the plan was agreed", orNotRecorded(c.ParentViews)},
				{"Pupil views when the plan was agreed", orNotRecorded(c.PupilViews)},
			}})
		if len(c.Outcomes) == 0 {
			s.Blocks = append(s.Blocks, none(name+" outcomes: "+NoneRecorded))
		} else {
			t := block{
				Kind:    blockTable,
				Caption: name + ": outcomes",
				Headers: []string{"Outcome", "Rating at review"},
				Widths:  []float64{7, 3},
			}
			for _, o := range c.Outcomes {
				rating := plainLabel(o.Rating)
				switch {
				case rating != "":
				case reviewed:
					rating = NotRecorded
				default:
					rating = notReviewed
				}
				t.Rows = append(t.Rows, []string{orNotRecorded(o.Text), rating})
			}
			s.Blocks = append(s.Blocks, t)
		}
		for i, v := range c.FamilyViews {
			s.Blocks = append(
				s.Blocks,
				block{
					Kind: blockFacts,
					Caption: fmt.Sprintf(
						"%s: views the parents sent before the review (%d of %d)",
						name,
						i+1,
						len(c.FamilyViews),
					),
					Facts: []fact{
						{
							"Views the parents sent before the review",
							"From " + orNotRecorded(v.By) + ", on " + FormatDate(v.On),
						},
						{"What is going well", orNotRecorded(v.GoingWell)},
						{"What is hard", orNotRecorded(v.Hard)},
						{"What would help", orNotRecorded(v.WouldHelp)},
					},
				},
			)
		}
		if !reviewed {
			s.Blocks = append(
				s.Blocks,
				para(
					fmt.Sprintf(
						"%s has not been reviewed yet. The review is due on %s.",
						name,
						FormatDate(c.ReviewDate),
					),
				),
			)
			continue
		}
		s.Blocks = append(s.Blocks, block{Kind: blockFacts, Caption: name + ": the review", Facts: []fact{
			{"Reviewed on", FormatDate(*c.ReviewedOn)},
			{"Parent views at the review", orNotRecorded(c.ReviewParentViews)},
			{"Pupil views at the review", orNotRecorded(c.ReviewPupilViews)},
			{"Next step", orNotRecorded(c.NextStep)},
		}})
	}
	return s
}

func adviceSection(as []Advice) section {
	s := section{ID: "advice", Heading: "Advice received"}
	if len(as) == 0 {
		s.Blocks = append(s.Blocks, none(NoneRecorded))
		return s
	}
	t := block{
		Kind:    blockTable,
		Caption: "Advice from professionals and services",
		Headers: []string{"From", "Received on", "Summary"},
		Widths:  []float64{2.5, 1.8, 6},
	}
	for _, a := range as {
		t.Rows = append(t.Rows, []string{orNotRecorded(a.From), FormatDate(a.ReceivedOn), orNotRecorded(a.Summary)})
	}
	s.Blocks = append(s.Blocks, t)
	return s
}

func meetingsSection(ms []Meeting) section {
	s := section{ID: "meetings", Heading: "Meetings and attendance"}
	if len(ms) == 0 {
		s.Blocks = append(s.Blocks, none(NoneRecorded))
		return s
	}
	accepted := 0
	t := block{
		Kind:    blockTable,
		Caption: "Meetings parents were invited to",
		Headers: []string{"Date", "Meeting", "Parent response"},
		Widths:  []float64{2, 5, 3},
	}
	for _, m := range ms {
		if strings.EqualFold(strings.TrimSpace(m.ParentResponse), "accepted") {
			accepted++
		}
		t.Rows = append(
			t.Rows,
			[]string{FormatDate(m.On), orNotRecorded(plainLabel(m.Kind)), ResponseLabel(m.ParentResponse)},
		)
	}
	s.Blocks = append(
		s.Blocks,
		para(
			fmt.Sprintf(
				"Parents accepted %d of %s.",
				accepted,
				locale.Count(len(ms), "meeting invitation", "meeting invitations"),
			),
		),
		t,
	)
	return s
}

func timelineSection(ls []Line) section {
	s := section{ID: "timeline", Heading: "Timeline"}
	if len(ls) == 0 {
		s.Blocks = append(s.Blocks, none(NoneRecorded))
		return s
	}
	sorted := slices.Clone(ls)
	slices.SortStableFunc(sorted, func(a, b Line) int { return a.On.Compare(b.On) })
	t := block{
		Kind:    blockTable,
		Caption: "What happened, oldest first",
		Headers: []string{"Date", "What happened"},
		Widths:  []float64{2, 8},
	}
	for _, l := range sorted {
		t.Rows = append(t.Rows, []string{FormatDate(l.On), orNotRecorded(l.Summary)})
	}
	s.Blocks = append(s.Blocks, t)
	return s
}
