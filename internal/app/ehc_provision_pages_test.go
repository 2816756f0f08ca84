package app

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
)

// TestEHCProvisionPages: the staff pages record an issued EHC plan's provision and log sessions
// against it, through the same actions as the API. Before the plan is issued there is no link and
// the form says why; once it is, the SENDCo records a catalogue item and a piece in the plan's
// words, bad input is shown beside its field and changes nothing, the same form sent twice is one
// item; a teacher sees the plan's provision but not the record form, and logs a session that the
// pupil's page and the provision map then count. Every form's read of the pupil is audited.
func TestEHCProvisionPages(t *testing.T) {
	t.Parallel()
	j := newJourney(t)
	noor, _ := j.newFamily("Noor")
	j.onSENSupport(noor)
	pupilPage, form := "/pupils/"+noor, "/pupils/"+noor+"/ehc-provision"
	items := func() int { return j.scalar(`SELECT count(*) FROM ehc_provision_items WHERE pupil_id = $1`, noor) }
	sessions := func() int { return j.scalar(`SELECT count(*) FROM ehc_provision_sessions WHERE pupil_id = $1`, noor) }

	b := testenv.NewBrowser(t, j.api.base)
	b.SignIn(sendco)
	_, page := b.Get(pupilPage)
	if strings.Contains(page, "Record provision from the plan") {
		t.Error("the pupil's page offers to record EHC plan provision before a plan is issued")
	}
	status, page := b.Get(form)
	wantPage(t, "the form before a plan is issued", status, page, 409, "no EHC plan in force", `href="`+pupilPage+`"`)

	j.issueEHCPlan(noor)
	status, page = b.Get(pupilPage)
	wantPage(t, "the pupil's page with a plan", status, page, 200, "Provision in the EHC plan",
		"No provision from the plan has been recorded yet", `href="`+form+`"`, "Record provision from the plan")
	status, page = b.Get(form)
	wantPage(t, "the record form", status, page, 200, "Record provision from the EHC plan",
		"Language group (Talk Boost style)", "Or write the plan&#39;s words", "Sessions a week")

	// Bad input: the form again, the problem beside its field, what was typed kept, nothing recorded.
	for _, c := range []struct {
		what string
		vals url.Values
		want []string
	}{
		{"nothing", url.Values{"itemId": {""}, "text": {""}, "sessionsPerWeek": {""}}, []string{
			"Choose the provision from the catalogue or write the plan&#39;s words", "Enter the sessions a week"}},
		{"both", url.Values{"itemId": {"talk-boost"}, "text": {"Small-group speech work"}, "sessionsPerWeek": {"2"}},
			[]string{"not both", "Small-group speech work"}},
		{"not a number", url.Values{"itemId": {"talk-boost"}, "sessionsPerWeek": {"twice"}},
			[]string{"Enter the sessions a week", `value="twice"`}},
		{"not in the catalogue", url.Values{"itemId": {"no-such-thing"}, "sessionsPerWeek": {"2"}},
			[]string{"is not in the school&#39;s provision catalogue"}},
	} {
		status, again := b.Submit(page, "Record the provision", c.vals)
		wantPage(t, "the record form with "+c.what, status, again, 422, append(c.want, "There is a problem")...)
	}
	if n := items(); n != 0 {
		t.Fatalf("%d items after bad input, want 0", n)
	}

	// A catalogue item, the same form sent twice: one item.
	sent := testenv.FormValues(t, page, "Record the provision")
	sent.Set("itemId", "talk-boost")
	sent.Set("sessionsPerWeek", "2")
	for range 2 {
		status, done := b.Post(form, sent)
		wantPage(t, "the catalogue item recorded", status, done, 200, "is recorded as provision in Noor",
			"Provision in the EHC plan", "Language group (Talk Boost style)")
	}
	if n := items(); n != 1 {
		t.Fatalf("%d items after the same form twice, want 1", n)
	}
	// The same item again from a new form is refused in place with the reason.
	_, page = b.Get(form)
	status, page = b.Submit(page, "Record the provision", url.Values{"itemId": {"talk-boost"}, "sessionsPerWeek": {"3"}})
	wantPage(t, "the same item from a new form", status, page, 409, "already has", `value="3"`)
	// The plan's own words.
	status, page = b.Submit(page, "Record the provision", url.Values{"itemId": {""},
		"text": {"Speech and language therapy from the NHS therapist"}, "sessionsPerWeek": {"1"}})
	wantPage(t, "the plan's words recorded", status, page, 200, "is recorded as provision in Noor",
		"Speech and language therapy from the NHS therapist", "1 session a week", "Log a session")
	if n := items(); n != 2 {
		t.Fatalf("%d items, want 2", n)
	}

	// The class teacher sees the plan's provision and logs sessions, but records none.
	tb := testenv.NewBrowser(t, j.api.base)
	tb.SignIn(teacher)
	status, page = tb.Get(pupilPage)
	wantPage(t, "the teacher's pupil page", status, page, 200, "Provision in the EHC plan", "Log a session")
	if strings.Contains(page, "Record provision from the plan") {
		t.Error("a teacher is offered the form to record the plan's provision")
	}
	if status, _ := tb.Get(form); status != 404 {
		t.Errorf("a teacher opens the record form: %d, want 404", status)
	}
	link := regexp.MustCompile(`href="(/pupils/` + noor + `/ehc-provision/[^"/]+/session)"[^>]*>Log a session<span class="govuk-visually-hidden">: Language group`).
		FindStringSubmatch(page)
	if link == nil {
		t.Fatalf("no Log a session link for the language group:\n%s", page)
	}
	status, page = tb.Get(link[1])
	today := time.Now().In(time.UTC).Format(time.DateOnly)
	wantPage(t, "the session form", status, page, 200, "Log a session", "Language group (Talk Boost style)",
		"2 sessions a week", "When was it given?")
	for what, c := range map[string]struct{ date, want string }{
		"no date":    {"", "Enter the date the session was given"},
		"not a date": {"someday", "must be a real date"},
		"tomorrow":   {time.Now().AddDate(0, 0, 2).Format(time.DateOnly), "The date is after today"},
	} {
		status, again := tb.Submit(page, "Log the session", url.Values{"givenOn": {c.date}, "description": {"Barrier games"}})
		wantPage(t, "the session form with "+what, status, again, 422, c.want, "Barrier games")
	}
	if n := sessions(); n != 0 {
		t.Fatalf("%d sessions after bad input, want 0", n)
	}
	sent = testenv.FormValues(t, page, "Log the session")
	if sent.Get("givenOn") == "" {
		t.Errorf("the session form has no date to start from (today is %s)", today)
	}
	sent.Set("description", "Barrier games with two friends")
	for range 2 {
		status, done := tb.Post(link[1], sent)
		wantPage(t, "the session logged", status, done, 200, "Session logged", "Provision in the EHC plan", "1 session logged")
	}
	if n := sessions(); n != 1 {
		t.Errorf("%d sessions after the same form twice, want 1", n)
	}
	status, page = b.Get("/schools/" + seed.DemoSchoolID + "/provision")
	wantPage(t, "the provision map", status, page, 200, "Noor", "EHC plan</strong>")

	// The plan changes at its annual review: the SENDCo ends the therapy from the pupil's page
	// (the teacher is not offered it); an empty date is refused in place; then it is ended, stays
	// on record and leaves the page's list of what the plan promises.
	if strings.Contains(page, ">End<") {
		t.Error("the provision map offers to end provision")
	}
	_, teacherPage := tb.Get(pupilPage)
	if strings.Contains(teacherPage, "/end\"") {
		t.Error("a teacher is offered to end the plan's provision")
	}
	_, page = b.Get(pupilPage)
	end := regexp.MustCompile(`href="(/pupils/` + noor + `/ehc-provision/[^"/]+/end)"[^>]*>End<span class="govuk-visually-hidden"> Speech`).
		FindStringSubmatch(page)
	if end == nil {
		t.Fatalf("no End link for the therapy:\n%s", page)
	}
	if status, _ := tb.Get(end[1]); status != 404 {
		t.Errorf("a teacher opens the end form: %d, want 404", status)
	}
	status, page = b.Get(end[1])
	wantPage(t, "the end form", status, page, 200, "End this provision", "Speech and language therapy", today)
	status, again := b.Submit(page, "End this provision", url.Values{"endedOn": {""}})
	wantPage(t, "the end form with no date", status, again, 422, "Enter the day the plan stopped promising it")
	if n := j.scalar(`SELECT count(*) FROM ehc_provision_items WHERE pupil_id = $1 AND ended_on IS NOT NULL`, noor); n != 0 {
		t.Fatalf("%d items ended after bad input, want 0", n)
	}
	status, done := b.Submit(page, "End this provision", url.Values{"endedOn": {today}})
	wantPage(t, "the therapy ended", status, done, 200, "has ended in Noor", "EHC plan from", "no longer checked for delivery")
	if strings.Contains(done, "1 session a week") {
		t.Error("the ended therapy is still listed as promised")
	}
	if n := j.scalar(`SELECT count(*) FROM ehc_provision_items WHERE pupil_id = $1 AND ended_on IS NOT NULL`, noor); n != 1 {
		t.Errorf("%d items ended, want 1", n)
	}

	// Every form's read of the pupil is audited; so are the saves.
	if n := j.scalar(`SELECT count(*) FROM audit_log WHERE pupil_id = $1 AND action = 'pupil:read'`, noor); n < 4 {
		t.Errorf("%d audited form reads, want at least 4", n)
	}
	if n := j.scalar(`SELECT count(*) FROM audit_log WHERE pupil_id = $1 AND action = 'ehc_provision:update' AND outcome = 'ok'`, noor); n < 2 {
		t.Errorf("%d audited saves, want at least 2", n)
	}
	if n := j.scalar(`SELECT count(*) FROM audit_log WHERE pupil_id = $1 AND action = 'provision:create' AND outcome = 'ok'`, noor); n < 1 {
		t.Errorf("%d audited session logs, want at least 1", n)
	}
}
