package app

import (
	"context"
	"fmt"
	"testing"

	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
)

// TestRegisterAndCouncilFiguresAPI is the register and the council's figures on the whole stack:
// the pathway makes Amara K once her support plan is agreed; the SENDCo records her needs (a
// retry with the same key is one change, a code the census does not know is refused); the demo
// council's officer reads the 20-week figure for their authority, another council's officer and
// the SENDCo get 404; another school's SENDCo cannot read Oakfield's register.
func TestRegisterAndCouncilFiguresAPI(t *testing.T) {
	t.Parallel()
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t)))
	if err := seed.History(context.Background(), j.d.DB); err != nil {
		t.Fatal(err)
	}
	amara := seed.PupilAmaraID
	line := func() map[string]any {
		t.Helper()
		status, out := j.api.do("GET", "/v1/schools/"+seed.DemoSchoolID+"/register", j.token[sendco], nil, "")
		if status != 200 {
			t.Fatalf("register = %d %v", status, out)
		}
		for _, l := range out["lines"].([]any) {
			if m := l.(map[string]any); m["pupilId"] == amara {
				return m
			}
		}
		t.Fatalf("Amara is not on the register: %v", out)
		return nil
	}
	if l := line(); l["senProvision"] != "N" || l["pathwaySays"] != "N" {
		t.Errorf("Amara before any concern: %v", l)
	}
	// SEN support with a plan agreed: the pathway says K.
	j.post(
		teacher,
		"/v1/pupils/"+amara+"/concerns",
		`{"areas":["communication_and_interaction"],"observed":"Finds it hard to follow spoken instructions."}`,
		201,
	)
	j.post(sendco, "/v1/pupils/"+amara+"/pathway/triage", `{"decision":"sen_support"}`, 201)
	j.post(
		sendco,
		"/v1/pupils/"+amara+"/cycles",
		`{"reviewDate":"2031-01-15","outcomes":[{"text":"Follows two-step instructions"}],"provision":[]}`,
		201,
	)
	if l := line(); l["senProvision"] != "K" || l["pathwaySays"] != "K" || l["problems"] == nil {
		t.Errorf("Amara on SEN support, no need recorded yet: %v", l)
	}

	put := func(key, body string) reply { return j.call("PUT", "/v1/pupils/"+amara+"/register", sendco, key, body) }
	if r := put("reg-1", `{"primaryNeed":"ADHD"}`); r.status != 422 {
		t.Errorf("an unknown need type = %d %v", r.status, r.body)
	}
	for range 2 {
		if r := put("reg-2", `{"primaryNeed":"slcn","secondaryNeed":"SEMH","note":"=1+1"}`); r.status != 200 ||
			r.body["primaryNeed"] != "SLCN" ||
			r.body["senProvision"] != "K" {
			t.Errorf("record needs = %d %v", r.status, r.body)
		}
	}
	var changes int
	if err := j.d.DB.QueryRow(context.Background(), `SELECT count(*) FROM sen_register_changes WHERE pupil_id = $1`, amara).Scan(&changes); err != nil ||
		changes != 1 {
		t.Errorf("changes after a retry = %d, %v; want 1", changes, err)
	}
	if l := line(); l["secondaryNeed"] != "SEMH" || l["differs"] != nil || l["problems"] != nil {
		t.Errorf("Amara recorded: %v", l)
	}
	if r := j.call("GET", "/v1/schools/"+seed.DemoSchoolID+"/register", "sendco@riverside.example", "", ""); r.status != 404 {
		t.Errorf("another school's SENDCo on Oakfield's register = %d", r.status)
	}
	if r := j.call("PUT", "/v1/pupils/"+amara+"/register", "head@oakfield.example", "", `{"primaryNeed":"MLD"}`); r.status != 404 {
		t.Errorf("the head changing the register = %d, want 404", r.status)
	}

	// The council's 20-week figure, for its own authority only.
	status, out := j.api.do("GET", "/v1/local-authorities/999/figures", j.token[officer], nil, "")
	all, _ := out["all"].(map[string]any)
	if status != 200 || all["plansIssued"] != float64(5) || all["within20Weeks"] != float64(2) ||
		all["within20WeeksPercent"] != float64(40) ||
		all["within20WeeksExcludingExceptionsPercent"] != float64(50) ||
		out["nationalWithin20Weeks2024"] != 46.4 {
		t.Errorf("the council's figures = %d %v", status, out)
	}
	if n := len(out["schools"].([]any)); n != 3 {
		t.Errorf("the council's figures list %d schools, want Oakfield, Elm Park and Hazel Bank", n)
	}
	for _, who := range []string{"ehc.officer@otherborough.example", sendco} {
		if r := j.call("GET", "/v1/local-authorities/999/figures", who, "", ""); r.status != 404 {
			t.Errorf("%s on Demoshire's figures = %d, want 404", who, r.status)
		}
	}
	if r := j.call("GET", "/v1/trusts/"+seed.TrustID+"/figures", "admin@oaktrust.example", "", ""); r.status != 200 ||
		fmt.Sprint(r.body["all"]) == "" {
		t.Errorf("the trust's figures = %d %v", r.status, r.body)
	}
	if r := j.call("GET", "/v1/trusts/"+seed.TrustID+"/figures", "admin@rivertrust.example", "", ""); r.status != 404 {
		t.Errorf("another trust's admin = %d, want 404", r.status)
	}
}
