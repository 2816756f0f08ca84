package app

import (
	"context"
	"fmt"
	"html"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	ical "github.com/emersion/go-ical"
	"github.com/jackc/pgx/v5"

	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
	"github.com/sendflow/sendflow/internal/web"
)

// Issue 15: parents as partners, second round. Each test below is one item of the issue on the
// real stack: the parent's words reach the school, they can always get back in, and every page
// stays true.

const (
	leoParentID    = "5c0f0000-0000-4000-8000-000000000202"
	schoolContact  = `{"name":"Mrs Ada Khan, school office","email":"office@oakfield.example","phone":"01632 960 100"}`
	schoolOfficeTo = "office@oakfield.example"
)

// onSENSupport raises a concern about a pupil and triages it to SEN support.
func (j *journey) onSENSupport(pupil string) {
	j.t.Helper()
	p := "/v1/pupils/" + pupil
	j.post(
		teacher,
		p+"/concerns",
		`{"areas":["communication_and_interaction"],"observed":"Finds spoken instructions hard."}`,
		201,
	)
	j.post(sendco, p+"/pathway/triage", `{"decision":"sen_support"}`, 201)
}

// planned agrees a support plan reviewed in days days and returns its outcome ids.
func (j *journey) planned(pupil string, days int) []string {
	j.t.Helper()
	review := time.Now().UTC().AddDate(0, 0, days).Format(time.DateOnly)
	out := j.post(
		sendco,
		"/v1/pupils/"+pupil+"/cycles",
		fmt.Sprintf(`{"reviewDate":%q,"outcomes":[{"text":"Follows two-step instructions"}],
		"provision":[{"text":"Small group sessions","frequency":"3 times a week"}]}`, review),
		201,
	)
	var ids []string
	for _, o := range out["outcomes"].([]any) {
		ids = append(ids, o.(map[string]any)["id"].(string))
	}
	return ids
}

// put sends a PUT and expects the status; it returns the body.
func (j *journey) put(who, path, body string, want int) map[string]any {
	j.t.Helper()
	status, out := j.api.do("PUT", path, j.token[who], nil, body)
	if status != want {
		j.t.Fatalf("PUT %s as %s = %d, want %d: %v", path, who, status, want, out)
	}
	return out
}

// hiddenToken is the token a form on a page carries.
var hiddenTokenRE = regexp.MustCompile(`name="t" value="([^"]+)"`)

func hiddenToken(t *testing.T, body string) string {
	t.Helper()
	m := hiddenTokenRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no form with a link token on the page:\n%s", body)
	}
	return html.UnescapeString(m[1])
}

// visit follows a link to a parent's page (GET, or POST with form values), checks the answer's
// status and what the page must say, and returns the page.
func visit(t *testing.T, what, method, link string, form url.Values, wantStatus int, wants ...string) string {
	t.Helper()
	status, body := page(t, method, link, form)
	wantPage(t, what, status, body, wantStatus, wants...)
	return body
}

// signInFromEmail follows the sign-in link last emailed to the parent: its token, sent on the
// sign-in page, opens their home page. It checks the page as visit does and returns it.
func (j *journey) signInFromEmail(t *testing.T, what string, wants ...string) string {
	t.Helper()
	su, _ := url.Parse(linkIn(t, j.delivered("sign_in_link", parent).Text, "sign-in"))
	return visit(
		t,
		what,
		"POST",
		j.api.base+"/parent/sign-in",
		url.Values{"token": {su.Query().Get("token")}},
		200,
		wants...)
}

// reviewMeetingAhead puts a pupil on SEN support with a plan, and invites their parents to its
// review on Tuesday 4 March 2031 at 10:00 in the school library.
func (j *journey) reviewMeetingAhead(pupilID string) {
	j.onSENSupport(pupilID)
	j.planned(pupilID, 21)
	start := time.Date(2031, 3, 4, 10, 0, 0, 0, ukTime)
	j.post(
		sendco,
		"/v1/pupils/"+pupilID+"/meetings",
		fmt.Sprintf(`{"kind":"review","startsAt":%q,"location":"the school library"}`, start.Format(time.RFC3339)),
		201,
	)
}

// Item 1: a parent's views, given on the phone, reach the school: the SENDCo is told (without
// the words), the pathway and the review form show them with who wrote them and when, the
// timeline says who gave them, the review counts them as heard (so the readiness check does),
// and the evidence pack carries them.
func TestParentViewsReachTheSchool(t *testing.T) {
	t.Parallel()
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t), "SENDFLOW_TIMINGS_FILE", quickReviews(t)))
	amara := seed.PupilAmaraID
	p := "/v1/pupils/" + amara
	j.onSENSupport(amara)
	outcomes := j.planned(amara, 3)
	links := web.NewLinks(j.d.Key, j.d.Config.PublicURL)
	viewsLink, _ := links.Views(amaraParentID, amara, 1, time.Now())
	status, body := page(
		t,
		"POST",
		viewsLink,
		url.Values{"going_well": {"Reading together at bedtime"}, "hard": {"Getting ready in the morning"},
			"would_help": {"A picture timetable at home"}},
	)
	wantPage(t, "views sent", status, body, 200, "The school will read your views")

	told := j.delivered("parent_views_received", sendco)
	if !strings.Contains(told.Text, "Amara") || strings.Contains(told.Text, "bedtime") ||
		strings.Contains(told.Text, "morning") {
		t.Errorf("the SENDCo's email should name the pupil and leave the words behind the link:\n%s", told.Text)
	}
	if !strings.Contains(told.Text, "/pupils/"+amara+"/cycles/1/review") || strings.Contains(told.Text, "/v1/") {
		t.Errorf("the SENDCo's email should link to the review form's page:\n%s", told.Text)
	}

	wantViews := func(what string, list any) {
		t.Helper()
		views, _ := list.([]any)
		if len(views) != 1 {
			t.Fatalf("%s: parent views %v, want one", what, list)
		}
		v := views[0].(map[string]any)
		if v["parent"] != "Grace Okafor" || v["parentId"] != amaraParentID || v["cycle"] != float64(1) ||
			v["goingWell"] != "Reading together at bedtime" || v["hard"] != "Getting ready in the morning" ||
			v["wouldHelp"] != "A picture timetable at home" || v["givenAt"] == nil {
			t.Errorf("%s: parent views %v", what, v)
		}
	}
	pw := j.pathway(amara)
	wantViews("pathway", pw["parentViews"])
	found := false
	for _, e := range pw["timeline"].([]any) {
		if e := e.(map[string]any); e["kind"] == "parent_views_given" {
			found = true
			if e["by"] != "Grace Okafor" {
				t.Errorf("the timeline does not say who gave the views: %v", e)
			}
		}
	}
	if !found {
		t.Errorf("no parent_views_given on the timeline: %v", timelineKinds(pw))
	}

	// The SENDCo's caseload says the views are in for the review coming up.
	status, caseload := j.api.do("GET", "/v1/schools/"+seed.DemoSchoolID+"/caseload", j.token[sendco], nil, "")
	due, _ := caseload["reviewsDue"].([]any)
	if status != 200 || len(due) != 1 || due[0].(map[string]any)["parentViews"] != float64(1) {
		t.Errorf(
			"caseload reviews due = %d %v, want Amara's review with 1 set of parents' views",
			status,
			caseload["reviewsDue"],
		)
	}

	// The review form: the plan's outcomes to rate, and the parents' views beside them.
	status, form := j.api.do("GET", p+"/cycles/1", j.token[teacher], nil, "")
	if status != 200 {
		t.Fatalf("review form = %d %v", status, form)
	}
	wantViews("review form", form["parentViews"])
	if o, _ := form["outcomes"].([]any); len(o) != 1 || o[0].(map[string]any)["id"] != outcomes[0] ||
		form["reviewed"] != false {
		t.Errorf("review form = %v", form)
	}
	if status, _ := j.api.do("GET", p+"/cycles/1", j.token[other], nil, ""); status != 404 {
		t.Errorf("another child's parent reading the review form = %d, want 404", status)
	}

	// The review is recorded without typing the views again: they were heard.
	out := j.post(
		sendco,
		p+"/cycles/1/review",
		fmt.Sprintf(`{"ratings":[{"outcomeId":%q,"rating":"achieved"}],"nextStep":"continue"}`, outcomes[0]),
		201,
	)
	wantViews("review answer", out["parentViews"])
	testenv.Eventually(t, 10*time.Second, "the review to count the parents' views", func() bool {
		return strings.Contains(j.readiness(amara, "educational_psychology"), `"id":"reviewed_with_parents","met":true`)
	})
	_, form = j.api.do("GET", p+"/cycles/1", j.token[sendco], nil, "")
	if form["reviewed"] != true || form["review"] == nil {
		t.Errorf("review form after the review = %v", form)
	}
	pack := j.evidence(amara, "educational_psychology")
	for _, want := range []string{"Reading together at bedtime", "Getting ready in the morning", "A picture timetable at home", "Grace Okafor"} {
		if !strings.Contains(pack, want) {
			t.Errorf("the evidence pack lacks %q", want)
		}
	}
}

// Item 2: consent in a language the parent reads. A Polish-speaking parent sees the service's
// approved Polish wording where there is one, and where there is none, a plain Polish note with
// the English text and a way to ask the school for help; the record says which language's
// wording was agreed to. The page shows the school's reason for the referral.
func TestConsentInTheParentsLanguage(t *testing.T) {
	t.Parallel()
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t)))
	amara := seed.PupilAmaraID
	p := "/v1/pupils/" + amara
	j.put(sendco, "/v1/schools/"+seed.DemoSchoolID+"/contact", schoolContact, 200)
	if _, err := j.d.DB.Exec(context.Background(), `UPDATE pupil_parents SET preferred_language = 'pl' WHERE pupil_id = $1`, amara); err != nil {
		t.Fatal(err)
	}
	j.onSENSupport(amara)
	links := web.NewLinks(j.d.Key, j.d.Config.PublicURL)
	refer := func(service, reason string) string {
		ref := j.post(sendco, p+"/referrals", fmt.Sprintf(`{"service":%q,"reason":%q}`, service, reason), 201)["referralId"].(string)
		j.post(sendco, "/v1/referrals/"+ref+"/decision", `{"approve":true,"overrideReason":"Needed now"}`, 201)
		return ref
	}

	// Educational psychology has approved Polish wording.
	ep := refer("educational_psychology", "We would like advice on how to help with listening in class.")
	link, _ := links.Consent(amaraParentID, amara, ep, time.Now())
	status, body := page(t, "GET", link, nil)
	wantPage(t, "Polish consent page", status, body, 200, `<html lang="pl">`, "Wyrażam zgodę",
		"We would like advice on how to help with listening in class.", `lang="pl" id="wording"`, "consent-v1-pl")
	if strings.Contains(body, "I agree that the school may refer") {
		t.Errorf("the Polish page shows the English wording although a Polish one is approved:\n%s", body)
	}
	visit(
		t,
		"consent in Polish",
		"POST",
		link,
		url.Values{"action": {"give"}, "version": {"consent-v1-pl"}, "language": {"pl"}},
		200,
		"Wyrażono zgodę",
	)
	if n := j.scalar(`SELECT count(*) FROM consent_records WHERE referral_id = $1 AND wording_language = 'pl' AND wording_version = 'consent-v1-pl'
		AND wording_id = 'consent-v1' AND accepted_at IS NOT NULL`, ep); n != 1 {
		t.Errorf("%d consent records say the Polish wording was agreed to, want 1", n)
	}

	// Speech and language therapy has no Polish wording: say so in Polish, show the English
	// (marked as English), and offer the school's contact for help.
	salt := refer("speech_and_language", "Advice on speech sounds.")
	link, _ = links.Consent(amaraParentID, amara, salt, time.Now())
	status, body = page(t, "GET", link, nil)
	wantPage(t, "consent without a Polish wording", status, body, 200, "nie ma jeszcze zatwierdzonej polskiej wersji",
		`lang="en" id="wording"`, "I agree that the school may refer my child to Demoshire Speech and Language Therapy",
		`href="mailto:office@oakfield.example`, `href="tel:01632960100"`, "Advice on speech sounds.")
	status, _ = page(t, "POST", link, url.Values{"action": {"give"}, "version": {"consent-v1"}, "language": {"en"}})
	if status != 200 {
		t.Fatalf("consent to the English wording = %d", status)
	}
	if n := j.scalar(`SELECT count(*) FROM consent_records WHERE referral_id = $1 AND wording_language = 'en' AND wording_version = 'consent-v1'`, salt); n != 1 {
		t.Errorf("%d consent records say the English wording was agreed to, want 1", n)
	}
}

// Item 3: the school's contact details are kept and shown (tappable on a phone), and emails
// come from the school's name with replies going to the school, marked as automatic and with
// their language.
func TestSchoolContactDetailsAndMailHeaders(t *testing.T) {
	t.Parallel()
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t)))
	school := "/v1/schools/" + seed.DemoSchoolID
	if status, _ := j.api.do("PUT", school+"/contact", j.token[teacher], nil, schoolContact); status != 404 {
		t.Errorf("a teacher setting the school's contact = %d, want 404", status)
	}
	if status, out := j.api.do("PUT", school+"/contact", j.token[sendco], nil, `{"name":"Office","email":"not an address","phone":"call us"}`); status != 422 {
		t.Errorf("a bad contact = %d %v, want 422", status, out)
	}
	out := j.put(sendco, school+"/contact", schoolContact, 200)
	if c, _ := out["contact"].(map[string]any); c["email"] != schoolOfficeTo || c["phone"] != "01632 960 100" {
		t.Errorf("contact = %v", out)
	}
	if _, got := j.api.do("GET", school, j.token[teacher], nil, ""); fmt.Sprint(
		got["contact"],
	) != fmt.Sprint(
		out["contact"],
	) {
		t.Errorf("the school read back = %v", got)
	}

	j.onSENSupport(seed.PupilAmaraID)
	m := j.delivered("sen_support_started", parent)
	msg, err := mail.ReadMessage(strings.NewReader(string(m.Raw)))
	if err != nil {
		t.Fatal(err)
	}
	from, err := mail.ParseAddress(msg.Header.Get("From"))
	if err != nil || from.Name != "Oakfield Primary (demo)" || strings.HasSuffix(from.Address, ".invalid") {
		t.Errorf("From: %q (%v), want the school's name and a real sending address", msg.Header.Get("From"), err)
	}
	if got := msg.Header.Get("Reply-To"); !strings.Contains(got, "<"+schoolOfficeTo+">") {
		t.Errorf("Reply-To: %q, want the school office", got)
	}
	if got := msg.Header.Get("Auto-Submitted"); got != "auto-generated" {
		t.Errorf("Auto-Submitted: %q", got)
	}
	if got := msg.Header.Get("Content-Language"); got != "en" {
		t.Errorf("Content-Language: %q", got)
	}
	if !strings.Contains(m.Text, "01632 960 100") || !strings.Contains(m.Text, schoolOfficeTo) {
		t.Errorf("the parent's email does not say how to contact the school:\n%s", m.Text)
	}
	visit(
		t,
		"plan page",
		"GET",
		linkIn(t, m.Text, "plan"),
		nil,
		200,
		"Mrs Ada Khan, school office",
		`href="tel:01632960100"`,
		`href="mailto:office@oakfield.example"`,
	)

	// A Polish parent's email says so in its headers.
	if _, err := j.d.DB.Exec(context.Background(), `UPDATE pupil_parents SET preferred_language = 'pl' WHERE pupil_id = $1`, seed.PupilLeoID); err != nil {
		t.Fatal(err)
	}
	j.onSENSupport(seed.PupilLeoID)
	m = j.delivered("sen_support_started", "parent.leo@example.org")
	msg, _ = mail.ReadMessage(strings.NewReader(string(m.Raw)))
	if got := msg.Header.Get("Content-Language"); got != "pl" {
		t.Errorf("Polish email Content-Language: %q", got)
	}
}

// Item 4: a parent can always get back in. /parent asks for an email address and sends a
// sign-in link (the same answer for every address); signing in shows each child with the stage,
// the next dates, the plan, meetings and what the school has asked of them; an expired link
// says how to get a new one and offers it.
func TestParentsCanAlwaysGetBackIn(t *testing.T) {
	t.Parallel()
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t)))
	amara := seed.PupilAmaraID
	p := "/v1/pupils/" + amara
	j.reviewMeetingAhead(amara)
	ref := j.post(sendco, p+"/referrals", `{"service":"educational_psychology","reason":"Advice on listening"}`, 201)["referralId"].(string)
	j.post(sendco, "/v1/referrals/"+ref+"/decision", `{"approve":true,"overrideReason":"Needed now"}`, 201)

	for _, home := range []string{"/parent", "/parent/"} {
		visit(
			t,
			home,
			"GET",
			j.api.base+home,
			nil,
			200,
			`name="email"`,
			`action="/parent/sign-in"`,
			`autocomplete="email"`,
		)
	}
	known := visit(
		t,
		"asking for a link",
		"POST",
		j.api.base+"/parent/sign-in",
		url.Values{"email": {"parent.amara@example.org"}},
		200,
		"a sign-in link is on its way",
	)
	_, unknown := page(t, "POST", j.api.base+"/parent/sign-in", url.Values{"email": {"nobody@example.org"}})
	if strip := func(s string) string { return regexp.MustCompile(`\s+`).ReplaceAllString(s, " ") }; strip(
		known,
	) != strip(
		unknown,
	) {
		t.Errorf("the answer differs for a known and an unknown address:\n%s\n---\n%s", known, unknown)
	}
	visit(
		t,
		"a malformed address",
		"POST",
		j.api.base+"/parent/sign-in",
		url.Values{"email": {"not an address"}},
		422,
		"Enter your email address",
	)

	j.signInFromEmail(
		t,
		"home after signing in",
		"Amara",
		"SEN support",
		"the school library",
		"Consent for a referral",
		"/parent/consent?t=",
		"/parent/meeting?t=",
		"/parent/plan?t=",
		"/parent/views?t=",
		`name="language"`,
	)

	// An expired plan link says how to get a new one, and sends it.
	links := web.NewLinks(j.d.Key, j.d.Config.PublicURL)
	old, _ := links.Plan(amaraParentID, amara, time.Now().Add(-8*24*time.Hour))
	body := visit(t, "expired link", "GET", old, nil, 410, "This link has expired", "Email me a new link", "/parent")
	before := j.scalar(`SELECT count(*) FROM email_outbox WHERE template = 'sign_in_link' AND to_address = $1`, parent)
	visit(
		t,
		"new link asked for",
		"POST",
		j.api.base+"/parent/sign-in/new-link",
		url.Values{"t": {hiddenToken(t, body)}},
		200,
		"We have emailed you a new link",
	)
	testenv.Eventually(t, 10*time.Second, "a new sign-in link for the parent", func() bool {
		return j.scalar(
			`SELECT count(*) FROM email_outbox WHERE template = 'sign_in_link' AND to_address = $1`,
			parent,
		) == before+1
	})
	// An altered token gets no link.
	status, _ := page(t, "POST", j.api.base+"/parent/sign-in/new-link", url.Values{"t": {"abc.def"}})
	if status != 400 {
		t.Errorf("a new link for an altered token = %d, want 400", status)
	}
}

// Item 5: reopening an answered invitation shows the answer, the meeting's details, the way to
// give views and the way to change the answer while the meeting is ahead.
func TestAnsweredInvitationShowsTheAnswer(t *testing.T) {
	t.Parallel()
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t)))
	amara := seed.PupilAmaraID
	j.reviewMeetingAhead(amara)
	link := linkIn(t, j.delivered("review_meeting_invitation", parent).Text, "meeting")
	visit(
		t,
		"accept",
		"POST",
		link,
		url.Values{"response": {"accepted"}},
		200,
		"We have told the school that you can come.",
	)

	body := visit(
		t,
		"the answered invitation",
		"GET",
		link,
		nil,
		200,
		"You told the school: Yes, I can come",
		"Tuesday 4 March 2031",
		"10:00",
		"the school library",
		"Give your views",
		"/parent/views?t=",
		"Change your answer",
		"No, I cannot come",
	)
	// The change is a form of its own: it records a second answer, and the SENDCo is told which.
	visit(
		t,
		"change of answer",
		"POST",
		j.api.base+"/parent/meeting",
		url.Values{"t": {hiddenToken(t, body)}, "response": {"declined"}},
		200,
		"We have told the school that you cannot come.",
	)
	told := j.delivered("meeting_response", sendco)
	if !strings.Contains(told.Text, "cannot come") || strings.Contains(told.Text, "another time") {
		t.Errorf("the SENDCo's email should say the parent cannot come, and only that:\n%s", told.Text)
	}
	if kinds := timelineKinds(j.pathway(amara)); count(kinds, "meeting_accepted") != 1 ||
		count(kinds, "meeting_declined") != 1 {
		t.Errorf("timeline %v", kinds)
	}
	visit(t, "the invitation after the change", "GET", link, nil, 200, "You told the school: No, I cannot come")
	// The first link, tapped again with an answer, changes nothing and says so, with the details.
	visit(
		t,
		"a used link tapped again",
		"POST",
		link,
		url.Values{"response": {"accepted"}},
		410,
		"This link has already been used",
		"the school library",
		"Nothing has been changed",
	)
	if n := j.scalar(`SELECT count(*) FROM meeting_responses WHERE accepted_at IS NOT NULL`); n != 2 {
		t.Errorf("%d answers recorded, want 2", n)
	}
}

// Item 6: once the review has been recorded, the views form closes with a sentence saying the
// review happened and how to share more; words sent to a form opened before it are kept on the
// page, not lost.
func TestViewsFormClosesAfterTheReview(t *testing.T) {
	t.Parallel()
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t), "SENDFLOW_TIMINGS_FILE", quickReviews(t)))
	amara := seed.PupilAmaraID
	j.put(sendco, "/v1/schools/"+seed.DemoSchoolID+"/contact", schoolContact, 200)
	j.onSENSupport(amara)
	outcomes := j.planned(amara, 3)
	links := web.NewLinks(j.d.Key, j.d.Config.PublicURL)
	viewsLink, _ := links.Views(amaraParentID, amara, 1, time.Now())
	visit(t, "views form before the review", "GET", viewsLink, nil, 200, "What is going well?")
	j.post(
		sendco,
		"/v1/pupils/"+amara+"/cycles/1/review",
		fmt.Sprintf(`{"ratings":[{"outcomeId":%q,"rating":"achieved"}],"nextStep":"continue"}`, outcomes[0]),
		201,
	)

	body := visit(
		t,
		"views form after the review",
		"GET",
		viewsLink,
		nil,
		410,
		"The review has taken place",
		"office@oakfield.example",
	)
	if strings.Contains(body, "<textarea") {
		t.Errorf("the views form is still open after the review:\n%s", body)
	}
	visit(
		t,
		"views sent after the review",
		"POST",
		viewsLink,
		url.Values{"going_well": {"Swimming on Saturdays"}},
		409,
		"The review has taken place",
		"Swimming on Saturdays",
	)
	if n := j.rows("parent_views", amara); n != 0 {
		t.Errorf("%d views stored after the review", n)
	}
}

// Item 7: the calendar invitation does not ask the parent's calendar to answer (RSVP=FALSE), so
// its Yes/No buttons cannot send an answer sendflow never sees; the private answer link stays in
// the email; the organiser is the school; the reminder speaks the parent's language.
func TestCalendarInvitationsLeaveTheAnswerToSendflow(t *testing.T) {
	t.Parallel()
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t)))
	j.put(sendco, "/v1/schools/"+seed.DemoSchoolID+"/contact", schoolContact, 200)
	if _, err := j.d.DB.Exec(context.Background(), `UPDATE pupil_parents SET preferred_language = 'pl' WHERE pupil_id = $1`, seed.PupilLeoID); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ pupil, parent, reminder string }{
		{seed.PupilAmaraID, parent, "Reminder"}, {seed.PupilLeoID, "parent.leo@example.org", "Przypomnienie"},
	} {
		j.onSENSupport(c.pupil)
		start := time.Date(2031, 3, 4, 10, 0, 0, 0, ukTime)
		j.post(
			sendco,
			"/v1/pupils/"+c.pupil+"/meetings",
			fmt.Sprintf(`{"kind":"expectation","startsAt":%q,"location":"the school hall"}`,
				start.Format(time.RFC3339)),
			201,
		)
		m := j.delivered("meeting_invitation", c.parent)
		linkIn(t, m.Text, "meeting") // the answer link is in the email
		cal, _ := calendarOf(t, m.Raw)
		ev := cal.Events()[0]
		for _, a := range ev.Props.Values(ical.PropAttendee) {
			if rsvp := a.Params.Get("RSVP"); rsvp != "FALSE" {
				t.Errorf("%s: attendee %s RSVP=%q, want FALSE", c.parent, a.Value, rsvp)
			}
		}
		if u := ev.Props.Get(ical.PropURL); u != nil {
			t.Errorf("%s: the calendar entry carries a link: %s", c.parent, u.Value)
		}
		if desc, _ := ev.Props.Text(ical.PropDescription); strings.Contains(desc, "/parent/") {
			t.Errorf("%s: the calendar note carries the private link: %s", c.parent, desc)
		}
		if org := ev.Props.Get(ical.PropOrganizer); org == nil ||
			!strings.EqualFold(org.Value, "mailto:"+schoolOfficeTo) ||
			org.Params.Get("CN") != "Oakfield Primary (demo)" {
			t.Errorf("%s: organiser %v, want the school office", c.parent, org)
		}
		alarm := ""
		for _, child := range ev.Children {
			if child.Name == ical.CompAlarm {
				alarm, _ = child.Props.Text(ical.PropDescription)
			}
		}
		if !strings.HasPrefix(alarm, c.reminder+":") {
			t.Errorf("%s: reminder %q, want it to start %q", c.parent, alarm, c.reminder)
		}
	}
}

// Item 8: the plan page stays true after a review: the review meeting is no longer listed as
// ahead, and the plan is said to have been reviewed.
func TestPlanPageAfterTheReview(t *testing.T) {
	t.Parallel()
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t), "SENDFLOW_TIMINGS_FILE", quickReviews(t)))
	amara := seed.PupilAmaraID
	p := "/v1/pupils/" + amara
	j.onSENSupport(amara)
	outcomes := j.planned(amara, 3)
	review := time.Now().In(ukTime).AddDate(0, 0, 3)
	start := time.Date(review.Year(), review.Month(), review.Day(), 10, 0, 0, 0, ukTime)
	j.post(
		sendco,
		p+"/meetings",
		fmt.Sprintf(`{"kind":"review","startsAt":%q,"location":"the school library"}`, start.Format(time.RFC3339)),
		201,
	)
	j.post(
		sendco,
		p+"/cycles/1/review",
		fmt.Sprintf(`{"ratings":[{"outcomeId":%q,"rating":"achieved"}],"nextStep":"continue"}`, outcomes[0]),
		201,
	)
	links := web.NewLinks(j.d.Key, j.d.Config.PublicURL)
	plan, _ := links.Plan(amaraParentID, amara, time.Now())
	body := visit(t, "plan page after the review", "GET", plan, nil, 200, "Follows two-step instructions: achieved")
	if strings.Contains(body, "review meeting") || strings.Contains(body, "the school library") {
		t.Errorf("the plan page still lists the review meeting after the review:\n%s", body)
	}
}

// Item 9: the SENDCo's email says which answer the parent gave; a meeting on a Saturday or a
// bank holiday is arranged with a warning.
func TestMeetingAnswersAndDaysTheSchoolIsShut(t *testing.T) {
	t.Parallel()
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t)))
	amara := seed.PupilAmaraID
	p := "/v1/pupils/" + amara
	j.onSENSupport(amara)
	warnings := func(out map[string]any) string { return fmt.Sprint(out["warnings"]) }
	weekday := j.post(
		sendco,
		p+"/meetings",
		`{"kind":"expectation","startsAt":"2031-03-04T10:00:00Z","location":"the school hall"}`,
		201,
	)
	if w, _ := weekday["warnings"].([]any); w == nil || len(w) != 0 {
		t.Errorf("a Tuesday meeting warns: %v", weekday["warnings"])
	}
	saturday := j.post(
		sendco,
		p+"/meetings",
		`{"kind":"expectation","startsAt":"2031-03-08T10:00:00Z","location":"the school hall"}`,
		201,
	)
	if !strings.Contains(warnings(saturday), "Saturday") {
		t.Errorf("a Saturday meeting does not warn: %v", saturday["warnings"])
	}
	holiday := j.post(
		sendco,
		p+"/meetings",
		`{"kind":"expectation","startsAt":"2031-05-26T10:00:00Z","location":"the school hall"}`,
		201,
	)
	if !strings.Contains(warnings(holiday), "bank holiday") {
		t.Errorf("a meeting on the spring bank holiday does not warn: %v", holiday["warnings"])
	}
	moved := j.post(
		sendco,
		"/v1/meetings/"+weekday["meeting"].(map[string]any)["meetingId"].(string)+"/reschedule",
		`{"startsAt":"2031-12-25T10:00:00Z"}`,
		201,
	)
	if !strings.Contains(warnings(moved), "Christmas Day") {
		t.Errorf("a meeting moved to Christmas Day does not warn: %v", moved["warnings"])
	}

	// Three meetings were invited to; the moved one's first invitation is superseded (410), so
	// answer the Saturday meeting's, whichever order the mail went in.
	var texts []string
	testenv.Eventually(t, 60*time.Second, "three meeting invitations sent", func() bool {
		rows, err := j.d.DB.Query(context.Background(), `SELECT text_body FROM email_outbox
			WHERE template = 'meeting_invitation' AND to_address = $1 AND status = 'sent' AND text_body LIKE '%8 March 2031%'`, parent)
		if err != nil {
			return false
		}
		texts, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err == nil && len(texts) == 1
	})
	link := linkIn(t, texts[0], "meeting")
	if status, body := page(t, "POST", link, url.Values{"response": {"another_time"}}); status != 200 {
		t.Fatalf("asking for another time = %d\n%s", status, body)
	}
	told := j.delivered("meeting_response", sendco)
	if !strings.Contains(told.Text, "would like another time") || strings.Contains(told.Text, "cannot come") {
		t.Errorf("the SENDCo's email should say the parent would like another time, and only that:\n%s", told.Text)
	}
}

// Item 10: the parent's preferred language can be changed after the pupil was added: by the
// SENDCo through the API, and by the parent on their page.
func TestPreferredLanguageCanBeChanged(t *testing.T) {
	t.Parallel()
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t)))
	amara := seed.PupilAmaraID
	path := "/v1/pupils/" + amara + "/parents/" + amaraParentID
	if status, _ := j.api.do("PUT", path+"/language", j.token["teacher.beech@oakfield.example"], nil, `{"language":"pl"}`); status != 404 {
		t.Errorf("a teacher of another class = %d, want 404", status)
	}
	if status, _ := j.api.do("PUT", path+"/language", j.token[sendco], nil, `{"language":"not a language"}`); status != 422 {
		t.Errorf("a malformed language = %d, want 422", status)
	}
	out := j.put(sendco, path+"/language", `{"language":"pl"}`, 200)
	if out["language"] != "pl" {
		t.Errorf("answer %v", out)
	}
	j.onSENSupport(amara)
	if n := j.scalar(`SELECT count(*) FROM email_outbox WHERE template = 'sen_support_started' AND to_address = $1 AND language = 'pl'`, parent); n != 1 {
		t.Errorf("%d Polish emails after the SENDCo changed the language, want 1", n)
	}

	// The parent changes it back on their page.
	j.api.do("POST", "/v1/auth/magic-link", "", nil, `{"email":"parent.amara@example.org"}`)
	home := j.signInFromEmail(t, "home in Polish", `<html lang="pl">`, `name="language"`)
	visit(
		t,
		"home in English",
		"POST",
		j.api.base+"/parent/language",
		url.Values{"t": {hiddenToken(t, home)}, "language": {"en"}},
		200,
		`<html lang="en">`,
		"Amara",
	)
	if n := j.scalar(`SELECT count(*) FROM pupil_parents WHERE user_id = $1 AND preferred_language = 'en'`, amaraParentID); n != 1 {
		t.Errorf("the parent's choice was not kept")
	}
	if n := j.scalar(`SELECT count(*) FROM audit_log WHERE action = 'parent_language:update' AND actor_role IN ('sendco','parent') AND outcome = 'ok'`); n != 2 {
		t.Errorf("%d language changes audited, want 2", n)
	}
}
