package app

import (
	"net/url"
	"strings"
	"testing"

	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
)

// TestPupilPassport: Amara's teacher writes her one-page profile with her on the staff pages;
// her parent adds to it; every save is a new version with who and when, earlier versions stay
// readable; the teaching assistant reads it, another school does not.
func TestPupilPassport(t *testing.T) {
	t.Parallel()
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t)))
	amara := seed.PupilAmaraID
	b := testenv.NewBrowser(t, j.api.base)
	b.SignIn(teacher)
	status, page := b.Get("/pupils/" + amara)
	wantPage(t, "Amara's page", status, page, 200, "All about me: Amara Okafor in their own words")
	status, page = b.Get("/pupils/" + amara + "/passport")
	wantPage(
		t,
		"an empty profile",
		status,
		page,
		200,
		"Nobody has written Amara Okafor's profile yet",
		"Write the profile",
	)
	status, page = b.Get("/pupils/" + amara + "/passport/edit")
	wantPage(t, "the profile form", status, page, 200, "What people like and admire about me", "How best to support me")
	status, page = b.Submit(
		page,
		"Save this version",
		url.Values{"liked": {""}, "important": {"My cat Biscuit."}, "support": {"Tell me what is next."}},
	)
	wantPage(t, "a profile with a part missing", status, page, 422, "What people like and admire about me is empty")
	status, page = b.Submit(
		page,
		"Save this version",
		url.Values{"liked": {"I make people laugh."}, "important": {"My cat Biscuit."},
			"support": {"Tell me what is coming next."}, "writtenWith": {"Amara"}},
	)
	wantPage(
		t,
		"the saved profile",
		status,
		page,
		200,
		"Version 1 of the profile is saved",
		"I make people laugh.",
		"written with Amara",
		"Tom Reed (teacher)",
	)

	// Her parent adds to it (a new version); both stay readable.
	out := j.post(
		parent,
		"/v1/pupils/"+amara+"/passport",
		`{"liked":"I make people laugh and I am kind.","important":"My cat Biscuit and my nan.","support":"Tell me what is coming next; give me time.","writtenWith":"Amara and her mum"}`,
		201,
	)
	if out["version"] != float64(2) || out["savedBy"] != "Grace Okafor" {
		t.Fatalf("parent's save = %v", out)
	}
	status, page = b.Get("/pupils/" + amara + "/passport")
	wantPage(
		t,
		"the latest profile",
		status,
		page,
		200,
		"my nan",
		"Version 2, written with Amara and her mum",
		"Grace Okafor (parent)",
		"Version 1</a>",
	)
	status, page = b.Get("/pupils/" + amara + "/passport?version=1")
	wantPage(t, "the first version", status, page, 200, "an earlier version", "I make people laugh.")
	if strings.Contains(page, "my nan") {
		t.Error("version 1 shows version 2's words")
	}

	// Everyone who works with her reads it; another school's SENDCo does not even learn it exists.
	if status, out := j.api.do("GET", "/v1/pupils/"+amara+"/passport", j.token["ta@oakfield.example"], nil, ""); status != 200 ||
		len(out["versions"].([]any)) != 2 {
		t.Errorf("the teaching assistant reads %d %v", status, out)
	}
	if status, _ := j.api.do("GET", "/v1/pupils/"+amara+"/passport", j.token[riverSENDCo], nil, ""); status != 404 {
		t.Errorf("another school's SENDCo reads Amara's profile: %d", status)
	}
	if status, _ := j.api.do("POST", "/v1/pupils/"+amara+"/passport", j.token["ta@oakfield.example"], nil, `{"liked":"x","important":"y","support":"z"}`); status != 404 {
		t.Errorf("the teaching assistant wrote the profile: %d", status)
	}
	// The latest version travels with the record, in the evidence pack.
	if pack := j.raw("GET", "/v1/pupils/"+amara+"/evidence-pack?for=educational_psychology", sendco); !strings.Contains(
		pack,
		"my nan",
	) ||
		!strings.Contains(pack, "Version 2, saved by Grace Okafor") {
		t.Error("the evidence pack lacks the latest profile")
	}
	if n := j.scalar(`SELECT count(*) FROM audit_log WHERE pupil_id = $1 AND action = 'passport:read'`, amara); n < 3 {
		t.Errorf("%d reads of the profile audited", n)
	}
}
