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
	"github.com/sendflow/sendflow/workflows"
)

const riverSENDCo = "sendco@riverside.example"

// TestTransferToRiverside: Amara joins Riverside. Riverside's SENDCo asks by UPN and date of
// birth (a wrong date gets the very same answer), Oakfield's SENDCo releases the record (two
// copies of the form at once: one move), and then Riverside's SENDCo sees her whole history,
// Oakfield's staff no longer reach her, her parent is emailed without a word of her needs, and
// the pathway itself now works for Riverside.
func TestTransferToRiverside(t *testing.T) {
	t.Parallel()
	j := newJourney(t)
	ctx := context.Background()
	amara := seed.PupilAmaraID
	observed := "Finds it hard to follow spoken instructions in busy lessons."
	j.post(
		teacher,
		"/v1/pupils/"+amara+"/concerns",
		fmt.Sprintf(`{"areas":["communication_and_interaction"],"observed":%q}`, observed),
		201,
	)
	j.post(sendco, "/v1/pupils/"+amara+"/pathway/triage", `{"decision":"sen_support"}`, 201)

	var upn, dob string
	if err := j.d.DB.QueryRow(ctx, `SELECT upn, date_of_birth::text FROM pupils WHERE id = $1`, amara).Scan(&upn, &dob); err != nil {
		t.Fatal(err)
	}
	transfers := "/v1/schools/" + seed.OtherSchoolID + "/transfers"
	// Nobody matches a wrong date of birth: the answer says nothing different.
	miss := j.post(riverSENDCo, transfers, fmt.Sprintf(`{"upn":%q,"dateOfBirth":"2017-01-02"}`, upn), 201)
	hit := j.post(riverSENDCo, transfers, fmt.Sprintf(`{"upn":%q,"dateOfBirth":%q}`, upn, dob), 201)
	for _, k := range []string{"status", "words", "pupilId", "pupilName", "fromSchool", "fromSchoolId"} {
		if fmt.Sprint(miss[k]) != fmt.Sprint(hit[k]) {
			t.Errorf("the answer's %s tells a match from a miss: %v / %v", k, miss[k], hit[k])
		}
	}
	if hit["status"] != "requested" {
		t.Fatalf("request = %v", hit)
	}
	// Before release Riverside reaches nothing of hers; Oakfield's SENDCo only one request to decide.
	if status, _ := j.api.do("GET", "/v1/pupils/"+amara+"/pathway", j.token[riverSENDCo], nil, ""); status != 404 {
		t.Fatalf("Riverside read Amara's pathway before the release: %d", status)
	}
	_, list := j.api.do("GET", "/v1/schools/"+seed.DemoSchoolID+"/transfers", j.token[sendco], nil, "")
	outgoing, _ := list["outgoing"].([]any)
	if len(outgoing) != 1 || outgoing[0].(map[string]any)["pupilId"] != amara ||
		outgoing[0].(map[string]any)["id"] != hit["id"] {
		t.Fatalf("Oakfield's requests to decide = %v", list)
	}
	// Only the pupil's own school can release her record.
	if status, _ := j.api.do("POST", "/v1/transfers/"+hit["id"].(string)+"/release", j.token[riverSENDCo], nil, ""); status != 404 {
		t.Fatalf("the receiving school released the record itself: %d", status)
	}

	// Two copies of the release form at once (different keys, so the API's key does not join them).
	answers := parallel(2, func(i int) reply {
		return j.call(
			"POST",
			"/v1/transfers/"+hit["id"].(string)+"/release",
			sendco,
			fmt.Sprintf("release-%d-%d", i, time.Now().UnixNano()),
			"",
		)
	})
	for _, a := range answers {
		if a.err != nil || a.status != 200 || a.body["status"] != "completed" {
			t.Fatalf("release = %d %v %v", a.status, a.body, a.err)
		}
	}
	if n := j.scalar(`SELECT count(*) FROM pathway_events WHERE pupil_id = $1 AND kind = 'school_moved'`, amara); n != 1 {
		t.Errorf("%d moves recorded, want 1", n)
	}

	// Oakfield's staff no longer reach her; Riverside's SENDCo sees the whole history.
	for _, who := range []string{sendco, teacher, "head@oakfield.example"} {
		if status, _ := j.api.do("GET", "/v1/pupils/"+amara+"/pathway", j.token[who], nil, ""); status != 404 {
			t.Errorf("%s still reads Amara's pathway after the move: %d", who, status)
		}
	}
	status, view := j.api.do("GET", "/v1/pupils/"+amara+"/pathway", j.token[riverSENDCo], nil, "")
	if status != 200 || view["stage"] != "sen_support" {
		t.Fatalf("Riverside's SENDCo reads %d %v", status, view["stage"])
	}
	var kinds []string
	schools := map[string]string{}
	for _, e := range view["timeline"].([]any) {
		m := e.(map[string]any)
		kinds = append(kinds, m["kind"].(string))
		schools[m["kind"].(string)], _ = m["school"].(string)
	}
	for _, want := range []string{"concern_raised", "triaged_sen_support", "school_moved"} {
		if !strings.Contains(strings.Join(kinds, " "), want) {
			t.Errorf("Riverside's view of the history lacks %s: %v", want, kinds)
		}
	}
	if schools["concern_raised"] != "Oakfield Primary (demo)" {
		t.Errorf("the concern should still say Oakfield raised it: %q", schools["concern_raised"])
	}
	if status, _ := j.api.do("GET", "/v1/pupils/"+amara+"/pathway", j.token[parent], nil, ""); status != 200 {
		t.Errorf("Amara's parent lost her record in the move: %d", status)
	}
	// Her parent is told, by the new school, with nothing of her needs.
	mail := j.sent("school_moved", parent)
	if !strings.Contains(mail, "Riverside Primary (demo)") || strings.Contains(mail, "instructions") ||
		strings.Contains(mail, "communication") {
		t.Errorf("parent's email:\n%s", mail)
	}

	// The pathway now works for Riverside: its SENDCo acts, and Riverside's SENDCo is told of a concern.
	j.post(
		riverSENDCo,
		"/v1/pupils/"+amara+"/concerns",
		`{"areas":["cognition_and_learning"],"observed":"Needs longer to start written tasks."}`,
		201,
	)
	j.sent("concern_raised", riverSENDCo)
	v, err := j.d.Temporal.QueryWorkflow(ctx, workflows.PathwayWorkflowID(amara), "", workflows.QueryState)
	if err != nil {
		t.Fatal(err)
	}
	var st workflows.PathwayState
	if err := v.Get(&st); err != nil || st.SchoolID != seed.OtherSchoolID {
		t.Errorf("the workflow's school = %q %v", st.SchoolID, err)
	}
	// A pathway that took the versioned move-school Update, for the replay tests in workflows/.
	recordHistories(t, j.d, "transfer", workflows.PathwayWorkflowID(amara))
	if n := j.scalar(`SELECT count(*) FROM pathways WHERE pupil_id = $1 AND school_id = $2`, amara, seed.OtherSchoolID); n != 1 {
		t.Error("the read model's school did not change")
	}
	// Both schools' trails say what happened.
	if n := j.scalar(`SELECT count(*) FROM audit_log WHERE pupil_id = $1 AND action = 'transfer:complete' AND school_id = $2`, amara, seed.OtherSchoolID); n < 1 {
		t.Error("the move is not in the new school's audit trail")
	}
	if n := j.scalar(`SELECT count(*) FROM audit_log WHERE pupil_id = $1 AND action = 'transfer:release' AND school_id = $2 AND outcome = 'ok'`, amara, seed.DemoSchoolID); n < 1 {
		t.Error("the release is not in the old school's audit trail")
	}
	// Released again later: answered as done, nothing moves twice.
	if a := j.call("POST", "/v1/transfers/"+hit["id"].(string)+"/release", sendco, "again", ""); a.status != 200 ||
		a.body["status"] != "completed" {
		t.Errorf("release again = %d %v", a.status, a.body)
	}
	// The request that matched nobody can be withdrawn by Riverside, and then not released.
	if a := j.call("POST", "/v1/transfers/"+miss["id"].(string)+"/withdraw", riverSENDCo, "w", ""); a.status != 200 ||
		a.body["status"] != "withdrawn" {
		t.Errorf("withdraw = %d %v", a.status, a.body)
	}
}

// TestTransferPages: the same move through the staff pages. Riverside's SENDCo asks on
// "Moving school", Oakfield's SENDCo sees Amara asked for and releases her record, and then her
// page is Riverside's (each line of her story saying which school wrote it) and no longer
// Oakfield's.
func TestTransferPages(t *testing.T) {
	t.Parallel()
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t)))
	ctx := context.Background()
	amara := seed.PupilAmaraID
	j.post(
		teacher,
		"/v1/pupils/"+amara+"/concerns",
		`{"areas":["communication_and_interaction"],"observed":"Finds it hard to follow spoken instructions."}`,
		201,
	)
	var upn, dob string
	if err := j.d.DB.QueryRow(ctx, `SELECT upn, date_of_birth::text FROM pupils WHERE id = $1`, amara).Scan(&upn, &dob); err != nil {
		t.Fatal(err)
	}

	river := testenv.NewBrowser(t, j.api.base)
	river.SignIn(riverSENDCo)
	status, page := river.Get("/transfers")
	wantPage(
		t,
		"Riverside's moving school page",
		status,
		page,
		200,
		"Pupils moving school",
		"Riverside Primary (demo)",
		"You have not asked for any records.",
	)
	status, page = river.Submit(page, "Ask for the record", url.Values{"upn": {upn}, "dateOfBirth": {"2015-01-01"}})
	wantPage(
		t,
		"a request that matches nobody",
		status,
		page,
		200,
		"Your request is recorded. If this pupil&#39;s record is on sendflow at another school",
	)
	status, page = river.Submit(page, "Ask for the record", url.Values{"upn": {upn}, "dateOfBirth": {dob}})
	wantPage(
		t,
		"a request that matches Amara",
		status,
		page,
		200,
		"Your request is recorded. If this pupil&#39;s record is on sendflow at another school",
	)
	if strings.Contains(page, "Amara") || strings.Contains(page, "Oakfield") {
		t.Errorf("the page tells Riverside who matched before the release:\n%s", page)
	}
	status, page = river.Submit(page, "Ask for the record", url.Values{"upn": {""}, "dateOfBirth": {"yesterday"}})
	wantPage(
		t,
		"a request with nothing in it",
		status,
		page,
		422,
		"Enter the pupil&#39;s UPN",
		"Enter the pupil&#39;s date of birth",
	)

	oak := testenv.NewBrowser(t, j.api.base)
	oak.SignIn(sendco)
	status, page = oak.Get("/transfers")
	wantPage(
		t,
		"Oakfield's moving school page",
		status,
		page,
		200,
		"Other schools asking for your pupils",
		"Amara Okafor",
		"Riverside Primary (demo)",
	)
	status, page = oak.Submit(page, "Release Amara Okafor's record to Riverside Primary (demo)", nil)
	wantPage(
		t,
		"the release",
		status,
		page,
		200,
		"Amara Okafor&#39;s record is now with Riverside Primary (demo)",
		"Moved: the record is with the new school",
	)

	if status, _ := oak.Get("/pupils/" + amara); status != 404 {
		t.Errorf("Oakfield's SENDCo still opens Amara's page: %d", status)
	}
	status, page = river.Get("/pupils/" + amara)
	wantPage(
		t,
		"Amara's page at Riverside",
		status,
		page,
		200,
		"Amara Okafor",
		"A teacher raised a concern",
		"moved to their new school",
	)
	// Once Riverside writes in her story too, each line says which school wrote it.
	j.post(
		riverSENDCo,
		"/v1/pupils/"+amara+"/concerns",
		`{"areas":["cognition_and_learning"],"observed":"Needs longer to start written tasks."}`,
		201,
	)
	status, page = river.Get("/pupils/" + amara)
	wantPage(
		t,
		"Amara's page after Riverside's concern",
		status,
		page,
		200,
		"· Oakfield Primary (demo)",
		"· Riverside Primary (demo)",
	)
	status, page = river.Get("/transfers")
	wantPage(
		t,
		"Riverside's list after the move",
		status,
		page,
		200,
		"Moved: the record is with the new school",
		`href="/pupils/`+amara+`"`,
	)
}
