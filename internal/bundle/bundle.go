// Package bundle is the portable SEND record: a pupil's history as JSON in the
// published format sendflow.bundle/v1 (docs/bundle.schema.json, explained in
// docs/bundle.md), the evidence pack PDF beside it, and an Ed25519 signature
// over both. One sendflow exports it, another imports it, and anyone can read
// and verify it with the sender's public key. Plain Go: no database.
package bundle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"
)

// Format is the format version every record carries; a reader refuses others.
const Format = "sendflow.bundle/v1"

// Record is the pupil's SEND record as one installation exported it. Dates are
// YYYY-MM-DD; instants are RFC 3339 in UTC. Empty lists are written as [].
type Record struct {
	Format      string    `json:"format"`
	GeneratedAt string    `json:"generatedAt"`
	GeneratedBy Person    `json:"generatedBy"`
	SchoolFrom  School    `json:"schoolFrom"`
	Pupil       Pupil     `json:"pupil"`
	Stage       string    `json:"stage"`
	AboutMe     *AboutMe  `json:"aboutMe"`
	Concerns    []Concern `json:"concerns"`
	Plans       []Plan    `json:"plans"`
	Advice      []Advice  `json:"advice"`
	Meetings    []Meeting `json:"meetings"`
	Timeline    []Line    `json:"timeline"`
}

// Person is who exported the record: their id in the sending installation,
// their name and their role at the school (e.g. "SENDCo").
type Person struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
}

// School is the school the record comes from.
type School struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	URN  string `json:"urn"`
}

// Pupil identifies the child or young person.
type Pupil struct {
	UPN         string `json:"upn"`
	FirstName   string `json:"firstName"`
	LastName    string `json:"lastName"`
	DateOfBirth string `json:"dateOfBirth"`
	YearOrClass string `json:"yearOrClass"`
}

// AboutMe is the latest version of the pupil's one-page profile, in their words.
type AboutMe struct {
	Liked       string `json:"liked"`
	Important   string `json:"important"`
	Support     string `json:"support"`
	WrittenWith string `json:"writtenWith"`
	Version     int    `json:"version"`
	SavedBy     string `json:"savedBy"`
	SavedOn     string `json:"savedOn"`
}

// Concern is one raised concern: what was seen, and the strategies tried.
type Concern struct {
	RaisedOn   string     `json:"raisedOn"`
	RaisedBy   string     `json:"raisedBy"`
	Areas      []string   `json:"areas"`
	Observed   string     `json:"observed"`
	Indicators []string   `json:"indicators"`
	Strategies []Strategy `json:"strategies"`
}

// Strategy is one strategy tried for a concern and what it did.
type Strategy struct {
	Text        string `json:"text"`
	Area        string `json:"area"`
	StartedOn   string `json:"startedOn"`
	Frequency   string `json:"frequency"`
	Notes       string `json:"notes"`
	Impact      string `json:"impact"`
	ImpactNotes string `json:"impactNotes"`
}

// Plan is one assess-plan-do-review cycle: outcomes, provision and its review.
type Plan struct {
	Number          int           `json:"number"`
	AgreedOn        string        `json:"agreedOn"`
	ReviewDate      string        `json:"reviewDate"`
	Outcomes        []Outcome     `json:"outcomes"`
	Provision       []string      `json:"provision"`
	ProvisionLogged int           `json:"provisionLogged"`
	ParentViews     string        `json:"parentViews"`
	PupilViews      string        `json:"pupilViews"`
	FamilyViews     []FamilyViews `json:"familyViews"`
	Review          *Review       `json:"review"`
}

// Review is what the review of a plan found; nil while not reviewed.
type Review struct {
	ReviewedOn  string `json:"reviewedOn"`
	ParentViews string `json:"parentViews"`
	PupilViews  string `json:"pupilViews"`
	NextStep    string `json:"nextStep"`
}

// FamilyViews are one parent's words before a review.
type FamilyViews struct {
	By        string `json:"by"`
	On        string `json:"on"`
	GoingWell string `json:"goingWell"`
	Hard      string `json:"hard"`
	WouldHelp string `json:"wouldHelp"`
}

// Outcome is one outcome of a plan and its rating at review ("" if not reviewed).
type Outcome struct {
	Text   string `json:"text"`
	Rating string `json:"rating"`
}

// Advice is advice received from a professional or service (a referral's answer).
type Advice struct {
	From       string `json:"from"`
	ReceivedOn string `json:"receivedOn"`
	Summary    string `json:"summary"`
}

// Meeting is one meeting the parents were invited to and their answer.
type Meeting struct {
	On             string `json:"on"`
	Kind           string `json:"kind"`
	ParentResponse string `json:"parentResponse"`
}

// Line is one dated line of the pupil's story, including statutory (EHC) steps.
type Line struct {
	On      string `json:"on"`
	Summary string `json:"summary"`
}

// Date writes a calendar date as YYYY-MM-DD ("" for the zero time).
func Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// Instant writes a moment as RFC 3339 in UTC ("" for the zero time).
func Instant(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// ErrMalformed, ErrFormat, ErrSignature and ErrKey say why a bundle was refused.
var (
	ErrMalformed = errors.New("malformed bundle")
	ErrFormat    = errors.New("unsupported bundle format")
	ErrSignature = errors.New("signature does not verify")
	ErrKey       = errors.New("bad key")
)

// normalise turns nil lists into empty ones so the JSON always has [] there.
func (r *Record) normalise() {
	if r.Concerns == nil {
		r.Concerns = []Concern{}
	}
	for i := range r.Concerns {
		c := &r.Concerns[i]
		c.Areas, c.Indicators = orEmpty(c.Areas), orEmpty(c.Indicators)
		if c.Strategies == nil {
			c.Strategies = []Strategy{}
		}
	}
	if r.Plans == nil {
		r.Plans = []Plan{}
	}
	for i := range r.Plans {
		p := &r.Plans[i]
		p.Provision = orEmpty(p.Provision)
		if p.Outcomes == nil {
			p.Outcomes = []Outcome{}
		}
		if p.FamilyViews == nil {
			p.FamilyViews = []FamilyViews{}
		}
	}
	if r.Advice == nil {
		r.Advice = []Advice{}
	}
	if r.Meetings == nil {
		r.Meetings = []Meeting{}
	}
	if r.Timeline == nil {
		r.Timeline = []Line{}
	}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Canonical is the record's canonical JSON: the fields in the order this
// package declares them, no insignificant white space, no HTML escaping, nil
// lists as [], no trailing newline. These are the bytes that are signed and
// shipped as bundle.json.
func Canonical(r Record) ([]byte, error) {
	r.normalise()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

var (
	datePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	upnPattern  = regexp.MustCompile(`^[A-Z]\d{11}[0-9A-Z]$`)
)

// Decode reads bundle.json: strictly (no unknown fields, no trailing data), in
// this format version, canonical, and with the fields a record must have.
func Decode(data []byte) (Record, error) {
	var probe struct {
		Format string `json:"format"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return Record{}, fmt.Errorf("%w: bundle.json is not JSON: %v", ErrMalformed, err)
	}
	if probe.Format != Format {
		return Record{}, fmt.Errorf("%w: %q (this sendflow reads %s)", ErrFormat, probe.Format, Format)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r Record
	if err := dec.Decode(&r); err != nil {
		return Record{}, fmt.Errorf("%w: bundle.json: %v", ErrMalformed, err)
	}
	if dec.More() {
		return Record{}, fmt.Errorf("%w: bundle.json has data after the record", ErrMalformed)
	}
	if err := r.check(); err != nil {
		return Record{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	again, err := Canonical(r)
	if err != nil || !bytes.Equal(again, data) {
		return Record{}, fmt.Errorf("%w: bundle.json is not in canonical form", ErrMalformed)
	}
	return r, nil
}

func (r Record) check() error {
	switch {
	case !upnPattern.MatchString(r.Pupil.UPN):
		return errors.New("pupil.upn is not a unique pupil number")
	case r.Pupil.FirstName == "" || r.Pupil.LastName == "":
		return errors.New("pupil.firstName and pupil.lastName are required")
	case !datePattern.MatchString(r.Pupil.DateOfBirth):
		return errors.New("pupil.dateOfBirth must be YYYY-MM-DD")
	case r.SchoolFrom.Name == "":
		return errors.New("schoolFrom.name is required")
	case r.GeneratedBy.Role == "":
		return errors.New("generatedBy.role is required")
	}
	if _, err := time.Parse(time.RFC3339, r.GeneratedAt); err != nil {
		return errors.New("generatedAt must be an RFC 3339 time")
	}
	return nil
}
