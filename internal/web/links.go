package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sendflow/sendflow/internal/onetap"
)

// How long each kind of link works.
const (
	MeetingLinkTTL = 28 * 24 * time.Hour
	ViewsLinkTTL   = 28 * 24 * time.Hour
	ConsentLinkTTL = 28 * 24 * time.Hour
	PlanLinkTTL    = 7 * 24 * time.Hour
	// HomeTTL is how long a parent's home page works after signing in (as the API's session).
	HomeTTL = 2 * time.Hour
)

// linkKeyLabel derives the one-tap key from the signing key, so a one-tap link and a bearer token
// are never signed with the same key.
const linkKeyLabel = "sendflow parent one-tap links v1"

// LinkKey is the key that signs parents' one-tap links: HMAC-SHA256(signing key, fixed label).
func LinkKey(signingKey []byte) []byte {
	m := hmac.New(sha256.New, signingKey)
	m.Write([]byte(linkKeyLabel))
	return m.Sum(nil)
}

// Links makes the signed links that go in parents' emails and pages.
type Links struct {
	signer *onetap.Signer
	base   string
}

// NewLinks makes links to base (the public URL) signed with a key derived from signingKey.
func NewLinks(signingKey []byte, publicURL string) *Links {
	s, err := onetap.NewSigner(LinkKey(signingKey))
	if err != nil {
		panic(err) // LinkKey is always 32 bytes
	}
	return &Links{signer: s, base: strings.TrimRight(publicURL, "/")}
}

// Signer is the signer behind the links.
func (l *Links) Signer() *onetap.Signer { return l.signer }

func (l *Links) link(path string, c onetap.Claim) (string, error) {
	tok, err := l.signer.Sign(c)
	if err != nil {
		return "", fmt.Errorf("sign %s link: %w", c.Action, err)
	}
	return l.base + path + "?t=" + url.QueryEscape(tok), nil
}

// meetingRef binds a meeting link to one version of the invitation: after a move or a
// cancellation the old email's link says so instead of answering for a time the parent never saw.
func meetingRef(meetingID string, sequence int) string {
	return meetingID + "/" + strconv.Itoa(sequence)
}

func parseMeetingRef(ref string) (id string, sequence int, ok bool) {
	id, seq, found := strings.Cut(ref, "/")
	n, err := strconv.Atoi(seq)
	return id, n, found && err == nil && id != "" && n >= 0
}

// Meeting is the link to answer an invitation (version sequence) to a meeting.
func (l *Links) Meeting(parentID, pupilID, meetingID string, sequence int, now time.Time) (string, error) {
	return l.meeting(parentID, pupilID, meetingID, sequence, "", now.Add(MeetingLinkTTL))
}

func (l *Links) meeting(
	parentID, pupilID, meetingID string,
	sequence int,
	nonce string,
	expires time.Time,
) (string, error) {
	return l.link(
		"/parent/meeting",
		onetap.Claim{Action: onetap.ActionMeetingResponse, Parent: parentID, Pupil: pupilID,
			Ref: meetingRef(meetingID, sequence), Expires: expires, Nonce: nonce},
	)
}

// Views is the link to give views before the review of support cycle n.
func (l *Links) Views(parentID, pupilID string, cycle int, now time.Time) (string, error) {
	return l.views(parentID, pupilID, cycle, "", now.Add(ViewsLinkTTL))
}

func (l *Links) views(parentID, pupilID string, cycle int, nonce string, expires time.Time) (string, error) {
	return l.link("/parent/views", onetap.Claim{Action: onetap.ActionReviewViews, Parent: parentID, Pupil: pupilID,
		Ref: "cycle/" + strconv.Itoa(cycle), Expires: expires, Nonce: nonce})
}

// Consent is the link to give or refuse consent to a referral.
func (l *Links) Consent(parentID, pupilID, referralID string, now time.Time) (string, error) {
	return l.consent(parentID, pupilID, referralID, "", now.Add(ConsentLinkTTL))
}

func (l *Links) consent(parentID, pupilID, referralID, nonce string, expires time.Time) (string, error) {
	return l.link("/parent/consent", onetap.Claim{Action: onetap.ActionConsent, Parent: parentID, Pupil: pupilID,
		Ref: referralID, Expires: expires, Nonce: nonce})
}

// home is the token of a parent's home page after signing in: every child of theirs, for a
// couple of hours. It is never emailed: the sign-in page sends the browser to it.
func (l *Links) home(parentID string, now time.Time) (string, error) {
	return l.signer.Sign(
		onetap.Claim{Action: onetap.ActionHome, Parent: parentID, Pupil: onetap.AllChildren, Expires: now.Add(HomeTTL)},
	)
}

// Plan is the link to read the pupil's plan, the last review and the next dates.
func (l *Links) Plan(parentID, pupilID string, now time.Time) (string, error) {
	return l.link("/parent/plan", onetap.Claim{Action: onetap.ActionViewPlan, Parent: parentID, Pupil: pupilID,
		Expires: now.Add(PlanLinkTTL)})
}

// derivedNonce is the nonce of a link offered on another link's page: the same page always
// offers the same link, so a single-use link stays single-use however often the page is opened.
func derivedNonce(purpose, nonce string) string {
	sum := sha256.Sum256([]byte(purpose + "\x00" + nonce))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

// MinutesIn writes a number of minutes in a language sendflow has ("15 minutes", "15 minut").
func MinutesIn(lang string, n int) string { return localeFor(lang).T("minutes", n) }

// CalendarText is a meeting's calendar title, note and reminder in a language sendflow has
// (English otherwise): plain words, the child's first name and the school, no needs and no link
// (the answer link stays in the email).
func CalendarText(lang, kind, firstName, school string, cancelled bool) (summary, description, reminder string) {
	l := localeFor(lang)
	summary = l.T("calendar_title", l.T("meeting_title_"+kind, firstName), school)
	reminder = l.T("calendar_reminder", summary)
	if cancelled {
		return summary, l.T("calendar_cancelled"), reminder
	}
	return summary, l.T("calendar_answer", school), reminder
}
