package app

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
	"github.com/sendflow/sendflow/internal/provision"
)

// TestProvisionMapAndDeliveryBehind is #16's done-when: a SENDCo agrees a plan from the demo
// school's provision catalogue on the plan form, sees the costed provision map (page, JSON, CSV,
// PDF), and one intervention's delivery falling behind for two weeks is flagged on the map, the
// caseload and the pupil's page. Only the SENDCo and head read the map; every read is audited.
func TestProvisionMapAndDeliveryBehind(t *testing.T) {
	t.Parallel()
	j := journeyOn(
		t,
		devConfig(t, t.TempDir(), testenv.DatabaseURL(t)),
	) // real time: dates below are on the real calendar
	amara, school := seed.PupilAmaraID, seed.DemoSchoolID
	p := "/v1/pupils/" + amara
	j.post(
		teacher,
		p+"/concerns",
		`{"areas":["communication_and_interaction"],"observed":"Finds it hard to follow spoken instructions."}`,
		201,
	)
	j.post(sendco, p+"/pathway/triage", `{"decision":"sen_support"}`, 201)

	// The catalogue, with each item's cost per pupil.
	status, cat := j.api.do("GET", "/v1/schools/"+school+"/provision-catalogue", j.token[sendco], nil, "")
	if status != 200 || !strings.Contains(fmt.Sprint(cat["items"]), "talk-boost") ||
		!strings.Contains(fmt.Sprint(cat["items"]), "costPerYear:263.25") {
		t.Fatalf("provision catalogue = %d %v", status, cat)
	}

	// The SENDCo agrees the plan on the plan form, picking two items from the catalogue and
	// writing one unusual piece in their own words (which a spreadsheet must not run).
	b := testenv.NewBrowser(t, j.api.base)
	b.SignIn(sendco)
	status, form := b.Get("/pupils/" + amara + "/plan")
	wantPage(
		t,
		"the plan form",
		status,
		form,
		200,
		"From the catalogue",
		"Language group (Talk Boost style) (3 × 30 min a week, group of 4, £263.25 a year)",
	)
	today := time.Now().UTC()
	status, body := b.Submit(form, "Agree the plan", url.Values{
		"outcomes[0]":            {"Follows a two-step instruction in class."},
		"provision[0].item":      {"talk-boost"},
		"provision[1].item":      {"precision-teaching"},
		"provision[2].text":      {"=HYPERLINK(\"http://example.invalid\")"},
		"provision[2].frequency": {"weekly"},
		"reviewDate":             {today.AddDate(0, 0, 42).Format(time.DateOnly)},
	})
	wantPage(t, "the plan agreed", status, body, 200, "Support plan 1 is agreed")

	// Sessions logged against the plan, from the TA's paper record of the last three school weeks: the
	// language group was given 3 times, then once and once (promised 3 a week: behind two weeks
	// running); precision teaching 5 times in each of the last two weeks (on track).
	// School weeks on the demo's term dates, so a holiday between them is not judged.
	weeks := seed.SchoolWeeks(today, 3)
	logAt := func(item int, weeksAgo, day int) {
		d := weeks[weeksAgo-1].AddDate(0, 0, day).Format(time.DateOnly)
		j.post(
			teacher,
			p+"/cycles/1/provision",
			fmt.Sprintf(`{"description":"Session given","givenOn":%q,"planItem":%d}`, d, item),
			201,
		)
	}
	for _, d := range []int{0, 1, 2} {
		logAt(0, 3, d)
	}
	logAt(0, 2, 1)
	logAt(0, 1, 3)
	for w := 1; w <= 2; w++ {
		for d := range 5 {
			logAt(1, w, d)
		}
	}
	// A session said to deliver provision the plan does not have is refused.
	if r := j.call("POST", p+"/cycles/1/provision", teacher, "bad-item", `{"description":"x","givenOn":"`+today.Format(time.DateOnly)+`","planItem":7}`); r.status != 422 {
		t.Errorf("logging against plan entry 7 = %d, want 422", r.status)
	}

	// The map as JSON: costs per pupil from the catalogue, the school's totals, delivery behind.
	status, m := j.api.do("GET", "/v1/schools/"+school+"/provision-map", j.token[sendco], nil, "")
	if status != 200 {
		t.Fatalf("provision map = %d %v", status, m)
	}
	// £263.25 (the language group, £6.75 a week shared by 4) + £877.50 (precision teaching 1:1).
	if got := m["school"].(map[string]any)["costPerYear"]; got != "1140.75" {
		t.Errorf("school total a year = %v, want 1140.75", got)
	}
	behind := fmt.Sprint(m["behind"])
	if !strings.Contains(behind, "Language group") || strings.Contains(behind, "Precision teaching") {
		t.Errorf("delivery behind = %s; want the language group only", behind)
	}
	if lines := m["lines"].([]any); len(lines) != 3 {
		t.Errorf("the map has %d lines, want 3 (two costed, one in words)", len(lines))
	}

	// Demoshire expects £6,000 a year from the school's notional SEN budget before an EHC needs
	// assessment: the readiness check says what the costed provision comes to and the gap.
	status, ready := j.api.do("GET", p+"/referral-readiness?service=ehcna", j.token[sendco], nil, "")
	if got := fmt.Sprint(ready["criteria"]); status != 200 ||
		!strings.Contains(got, "comes to £1,140.75 a year, £4,859.25 short of the £6,000.00") {
		t.Errorf("ehcna readiness = %d %s", status, got)
	}

	// The page, the caseload and the pupil's page show the language group behind.
	status, body = b.Get("/schools/" + school + "/provision")
	wantPage(
		t,
		"the provision map",
		status,
		body,
		200,
		"Provision map",
		"£1,140.75",
		"Delivery behind",
		"Language group (Talk Boost style)",
		"1 and 1 logged in the school weeks of", // 3 a week promised; a week short for a holiday, its share
		"Oak",
		"Communication and interaction",
		"Not costed",
		"map.csv",
		"map.pdf",
	)
	status, body = b.Get("/")
	wantPage(
		t,
		"the caseload",
		status,
		body,
		200,
		"Support delivered below what the plan promised",
		"Language group (Talk Boost style): ",
		"1 and 1 logged in the school weeks of",
	)
	status, body = b.Get("/pupils/" + amara)
	wantPage(
		t,
		"the pupil's page",
		status,
		body,
		200,
		"Costed provision and delivery",
		"Support is behind what the plan promised",
		"£1,140.75",
	)

	// CSV: every cell safe to open in a spreadsheet; PDF: a PDF.
	status, csv := b.Get("/schools/" + school + "/provision/map.csv")
	if status != 200 || !strings.HasPrefix(csv, strings.Join(provision.CSVHeader, ",")) ||
		!strings.Contains(csv, `'=HYPERLINK`) ||
		!strings.Contains(csv, "talk-boost") {
		t.Errorf("CSV:\n%s", csv)
	}
	if pdf := j.raw("GET", "/v1/schools/"+school+"/provision-map/export?format=pdf", sendco); !strings.HasPrefix(
		pdf,
		"%PDF-",
	) {
		t.Errorf("the PDF export starts %.20q", pdf)
	}
	if csv := j.raw("GET", "/v1/schools/"+school+"/provision-map/export?format=csv", sendco); !strings.Contains(
		csv,
		"'=HYPERLINK",
	) {
		t.Errorf("API CSV:\n%s", csv)
	}

	// The head reads the map; a teacher, a parent and another school's SENDCo do not.
	if status, _ := j.api.do("GET", "/v1/schools/"+school+"/provision-map", j.token["head@oakfield.example"], nil, ""); status != 200 {
		t.Errorf("the head reads the map: %d", status)
	}
	for _, who := range []string{teacher, parent, "sendco@riverside.example"} {
		if status, _ := j.api.do("GET", "/v1/schools/"+school+"/provision-map", j.token[who], nil, ""); status != 404 {
			t.Errorf("%s reads the provision map: %d, want 404", who, status)
		}
	}
	other := testenv.NewBrowser(t, j.api.base)
	other.SignIn("sendco@riverside.example")
	if status, body := other.Get("/schools/" + school + "/provision/map.csv"); status != 404 ||
		strings.Contains(body, "Amara") {
		t.Errorf("another school's SENDCo gets the CSV: %d", status)
	}

	// Every read of the map is a read of each pupil it shows, audited.
	var n int
	if err := j.d.DB.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action = 'provision_map:read' AND pupil_id = $1`, amara).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n < 4 {
		t.Errorf("%d audited reads of Amara in the provision map, want one per read (at least 4)", n)
	}
}

// TestDemoProvision: `sendflow dev`'s demo shows the done-when without anyone typing: Zain's plan
// is costed from the catalogue and his language group is flagged behind; starting again adds nothing.
func TestDemoProvision(t *testing.T) {
	t.Parallel()
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t)))
	for range 2 {
		if err := DemoProvision(context.Background(), j.d); err != nil {
			t.Fatal(err)
		}
	}
	status, m := j.api.do("GET", "/v1/schools/"+seed.DemoSchoolID+"/provision-map", j.token[sendco], nil, "")
	if status != 200 {
		t.Fatalf("provision map = %d %v", status, m)
	}
	behind := fmt.Sprint(m["behind"])
	if !strings.Contains(behind, "Zain") || !strings.Contains(behind, "Language group") ||
		strings.Contains(behind, "Precision") {
		t.Errorf("delivery behind = %s; want Zain's language group", behind)
	}
	var n int
	if err := j.d.DB.QueryRow(context.Background(), `SELECT count(*) FROM provision_log WHERE pupil_id = $1 AND accepted_at IS NOT NULL`, seed.PupilZainID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 20 {
		t.Errorf("%d sessions logged for Zain, want 20 (15 precision teaching, 5 language group), once", n)
	}
}
