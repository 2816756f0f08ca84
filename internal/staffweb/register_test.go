package staffweb_test

import (
	"context"
	"encoding/csv"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
)

// The SENDCo keeps the SEN register: the demo school's shows Leo on SEN support and Zain with an
// EHC plan, each said to differ from the pathway (which has no plan for either); a change with a
// note a spreadsheet would run is kept, and the CSV for the census neutralises it; what the
// census would refuse is refused; nobody outside the school reaches it.
func TestSENRegister(t *testing.T) {
	s := newSite(t, time.Hour)
	if err := seed.History(context.Background(), s.st.DB); err != nil {
		t.Fatal(err)
	}
	b := testenv.NewBrowser(t, s.URL)
	b.SignIn("sendco@oakfield.example")
	status, body := b.Get("/register")
	want(
		t,
		"the SENDCo's register",
		status,
		body,
		200,
		"SEN register",
		"Leo Fischer",
		"Zain Hussain",
		"Amara Okafor",
		"1: SLCN",
		"2: SEMH",
		"1: ASD",
		"1 pupil on SEN support (K), 1 pupil with an EHC plan (E)",
		"Recorded as E (EHC plan), but the pathway says N (No special educational need): no concern has been raised.",
		"census.csv",
	)

	// Amara's line: SEN support not yet assessed, with a note that starts like a formula.
	status, body = b.Get("/pupils/" + seed.PupilAmaraID + "/register")
	want(t, "Amara's register form", status, body, 200, "As the pathway says: N", "Primary need (SENtype, rank 1)")
	// NSA is for SEN support only: refused with the field named, nothing kept.
	status, refused := b.Submit(body, "Save", url.Values{"provision": {"E"}, "primaryNeed": {"NSA"}})
	want(
		t,
		"NSA with a plan",
		status,
		refused,
		422,
		"There is a problem",
		"NSA (no specialist assessment of type of need) is for SEN support (K) only",
	)
	note := `=HYPERLINK("http://evil.example","Open")`
	status, body = b.Submit(body, "Save", url.Values{"provision": {"K"}, "primaryNeed": {"NSA"}, "note": {note}})
	want(t, "Amara recorded", status, body, 200, "register line is saved: K, NSA", "the pathway says N")
	// The same form sent again (a double click) is one change.
	_, form := b.Get("/pupils/" + seed.PupilAmaraID + "/register")
	action := regexp.MustCompile(`name="action" value="([^"]+)"`).FindStringSubmatch(form)[1]
	again := url.Values{"action": {action}, "provision": {"K"}, "primaryNeed": {"NSA"}, "note": {note}}
	for range 2 {
		if status, body := b.Post("/pupils/"+seed.PupilAmaraID+"/register", again); status != 200 {
			t.Fatalf("sent again = %d\n%.2000s", status, body)
		}
	}
	var changes int
	if err := s.st.DB.QueryRow(context.Background(), `SELECT count(*) FROM sen_register_changes WHERE pupil_id = $1`, seed.PupilAmaraID).Scan(&changes); err != nil ||
		changes != 1 {
		// The form sent twice says what the register already says: a repeat, not a change.
		t.Errorf("Amara's changes = %d, %v; want 1 (the same entry sent again changes nothing)", changes, err)
	}

	status, body = b.Get("/register/" + seed.DemoSchoolID + "/census.csv")
	if status != 200 {
		t.Fatalf("CSV = %d\n%s", status, body)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string][]string{}
	for _, r := range rows[1:] {
		byName[r[2]] = r
	}
	if rows[0][3] != "SENprovision" || byName["Zain"][3] != "E" || byName["Zain"][4] != "ASD" ||
		byName["Leo"][5] != "SEMH" {
		t.Errorf("CSV = %q", rows)
	}
	if a := byName["Amara"]; a[3] != "K" || a[4] != "NSA" || a[8] != "'"+note {
		t.Errorf("Amara's CSV line = %q: the note must be text, not a formula", a)
	}
	var audited int
	if err := s.st.DB.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action = 'register:export' AND pupil_id = $1`, seed.PupilZainID).Scan(&audited); err != nil ||
		audited != 1 {
		t.Errorf("the export's audit of Zain = %d, %v", audited, err)
	}

	// The head reads it and cannot change it; another school's SENDCo and the council's officer
	// reach neither the page's lines nor the CSV.
	head := testenv.NewBrowser(t, s.URL)
	head.SignIn("head@oakfield.example")
	status, body = head.Get("/register")
	want(t, "the head's register", status, body, 200, "Zain Hussain")
	if strings.Contains(body, "/pupils/"+seed.PupilZainID+"/register") {
		t.Error("the head is offered to change the register")
	}
	if status, _ := head.Get("/pupils/" + seed.PupilZainID + "/register"); status != 404 {
		t.Errorf("the head's register form = %d, want 404", status)
	}
	for _, who := range []string{"sendco@riverside.example", "ehc.officer@demoshire.example"} {
		o := testenv.NewBrowser(t, s.URL)
		o.SignIn(who)
		status, body := o.Get("/register/" + seed.DemoSchoolID + "/census.csv")
		if status != 404 || strings.Contains(body, "Zain") {
			t.Errorf("%s: Oakfield's CSV = %d", who, status)
		}
		if _, body := o.Get("/register"); strings.Contains(body, "Zain") {
			t.Errorf("%s: the register page shows Oakfield's pupils", who)
		}
	}
}

// The demo council's officer sees the 20-week figure by school beside England's; another
// council's officer gets "not found"; the trust's admin sees its schools, another trust's not.
func TestCouncilAndTrustFigures(t *testing.T) {
	s := newSite(t, time.Hour)
	if err := seed.History(context.Background(), s.st.DB); err != nil {
		t.Fatal(err)
	}
	b := testenv.NewBrowser(t, s.URL)
	b.SignIn("ehc.officer@demoshire.example")
	status, body := b.Get("/council/999/figures")
	// Five plans issued: Isla (130 days) and Ethan (126) within 20 weeks; Maya paused, within by
	// the limit counting the pause but not by the limit itself; Theo (170) and Ava (180) late.
	// Excluding Maya's (an exception applied): 2 of 4.
	want(
		t,
		"the council's figures",
		status,
		body,
		200,
		"EHC figures: Demoshire",
		"England, 2024 (excluding exceptions)",
		"46.4%",
		"40% (2 of 5)",
		"50% (2 of 4)",
		"Elm Park Primary (demo)",
		"Hazel Bank Primary (demo)",
		"Oakfield Primary (demo)",
		"Request to the final plan",
		"1 refused, 1 not issued",
	)
	if strings.Contains(body, "Isla") {
		t.Error("the figures name a pupil")
	}
	status, body = b.Get("/council/999/figures.csv")
	if rows, err := csv.NewReader(strings.NewReader(body)).ReadAll(); status != 200 || err != nil || len(rows) != 5 ||
		rows[0][0] != "School" || rows[4][0] != "All schools" || rows[4][7] != "5" || rows[4][9] != "40" || rows[4][15] != "2" ||
		rows[1][0] != "Elm Park Primary (demo)" || rows[1][16] != "2" || rows[1][17] != "1" || rows[1][18] != "1" {
		t.Errorf("the council's figures CSV = %d %v %q", status, err, rows)
	}
	// The council's own view lists the demo's overdue annual review meetings as late.
	status, body = b.Get("/council/999")
	want(
		t,
		"the council's view with the demo history",
		status,
		body,
		200,
		"Theo Marsh",
		"Ava Lloyd",
		"The annual review meeting",
	)
	const theo = "5c0f0000-0000-4000-8000-0000000006a2"
	for _, path := range []string{"/pupils/" + theo, "/pupils/" + theo + "/annual-reviews/1", "/pupils/" + theo + "/ehc/5c0f0000-0000-4000-8000-0000000007a2"} {
		status, body := b.Get(path)
		want(t, "the council's officer on "+path, status, body, 200, "Theo Marsh")
	}
	o := testenv.NewBrowser(t, s.URL)
	o.SignIn("ehc.officer@otherborough.example")
	for _, path := range []string{"/council/999/figures", "/council/999/figures.csv"} {
		if status, body := o.Get(path); status != 404 || strings.Contains(body, "Elm Park") {
			t.Errorf("another council's officer on %s = %d", path, status)
		}
	}
	var denied int
	if err := s.st.DB.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action = 'figures:read' AND outcome = 'denied'`).Scan(&denied); err != nil ||
		denied != 2 {
		t.Errorf("denied reads audited = %d, %v; want 2", denied, err)
	}

	trust := testenv.NewBrowser(t, s.URL)
	trust.SignIn("admin@oaktrust.example")
	status, body = trust.Get("/")
	want(
		t,
		"the trust admin's home with the demo history",
		status,
		body,
		200,
		"Caseload: Elm Park Primary (demo)",
		"Theo Marsh",
	)
	status, body = trust.Get("/trust")
	want(
		t,
		"the trust's view",
		status,
		body,
		200,
		"Oak Learning Trust (demo): across its schools",
		"SEN registers",
		"Elm Park Primary (demo)",
		"40% (2 of 5)",
	)
	if status, _ := trust.Get("/trust/" + seed.OtherTrustID); status != 404 {
		t.Errorf("another trust's view = %d", status)
	}
	other := testenv.NewBrowser(t, s.URL)
	other.SignIn("admin@rivertrust.example")
	if status, body := other.Get("/trust/" + seed.TrustID); status != 404 || strings.Contains(body, "Elm Park") {
		t.Errorf("the River trust's admin on the Oak trust = %d", status)
	}
}
