package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sendflow/sendflow/catalogue"
	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
	"github.com/sendflow/sendflow/internal/provision"
)

// sendYAML posts a catalogue file to the API.
func (j *journey) sendYAML(who, path string, body []byte) (int, map[string]any) {
	return j.api.do("POST", path, j.token[who], map[string]string{"Content-Type": "application/yaml"}, string(body))
}

// TestSchoolUploadsProvisionCatalogue is the second gap: a school loads its own provision
// catalogue. The SENDCo uploads a new version through the API and the staff page; a bad file is
// refused with its lines named and changes nothing; the same file twice is one version; a changed
// file under a loaded version is refused; the version in use can be downloaded; a plan agreed
// before keeps the cost of the version it was costed from; `sendflow provision load` takes the
// same path. Every upload is audited.
func TestSchoolUploadsProvisionCatalogue(t *testing.T) {
	t.Parallel()
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t)))
	school := seed.DemoSchoolID
	path := "/v1/schools/" + school + "/provision-catalogue"
	versions := func() int {
		return j.scalar(`SELECT count(*) FROM provision_catalogues WHERE school_id = $1`, school)
	}

	// A plan costed from the seeded version 2026.1: the language group at £263.25 a year.
	pupil, _ := j.newFamily("Ola")
	j.onSENSupport(pupil)
	j.post(sendco, "/v1/pupils/"+pupil+"/cycles", fmt.Sprintf(`{"reviewDate":%q,"outcomes":[{"text":"Follows two-step instructions"}],
		"provision":[{"itemId":"talk-boost"}]}`, time.Now().UTC().AddDate(0, 0, 42).Format(time.DateOnly)), 201)

	seeded, err := fs.ReadFile(catalogue.Files, provision.DemoFile)
	if err != nil {
		t.Fatal(err)
	}
	// Version 2027.1: the language group's staff cost £36 an hour.
	v2 := bytes.Replace(seeded, []byte(`version: "2026.1"`), []byte(`version: "2027.1"`), 1)
	v2 = bytes.Replace(v2, []byte("published: 2026-09-01"), []byte("published: 2027-09-01"), 1)
	v2 = bytes.Replace(v2, []byte("    hourly_cost: 18.00\n    areas: [communication_and_interaction]\n    strategies: [ci.s.pre-teach-vocabulary"),
		[]byte("    hourly_cost: 36.00\n    areas: [communication_and_interaction]\n    strategies: [ci.s.pre-teach-vocabulary"), 1)
	if bytes.Equal(v2, seeded) || !bytes.Contains(v2, []byte("hourly_cost: 36.00")) {
		t.Fatal("the test's new version did not change the file")
	}
	before := versions()

	// A bad file: each problem names its line; nothing is loaded.
	bad := bytes.Replace(v2, []byte("delivery: group of 4"), []byte("delivery: a small group"), 1)
	bad = bytes.Replace(bad, []byte("kind: intervention"), []byte("kind: lesson"), 1)
	status, out := j.sendYAML(sendco, path, bad)
	if status != 422 || !strings.Contains(fmt.Sprint(out), "line 16, items[0].delivery") ||
		!strings.Contains(fmt.Sprint(out), "line 15, items[0].kind") {
		t.Errorf("a bad file = %d %v; want 422 naming lines 15 and 16", status, out)
	}
	if status, _ := j.sendYAML(sendco, path, []byte("id: [unclosed")); status != 422 {
		t.Errorf("a file that is not YAML = %d, want 422", status)
	}
	// Not YAML by its type, and not the teacher's to load.
	if status, _ := j.api.do("POST", path, j.token[sendco], map[string]string{"Content-Type": "application/json"}, string(v2)); status != 415 {
		t.Errorf("a catalogue sent as JSON = %d, want 415", status)
	}
	if status, _ := j.sendYAML(teacher, path, v2); status != 404 {
		t.Errorf("a teacher's upload = %d, want 404", status)
	}
	if n := versions(); n != before {
		t.Fatalf("%d versions after refused files, want %d", n, before)
	}

	// The good file: one version, however often it is sent — eight copies at once (the SENDCo
	// and the head, a double click): exactly one creates it, the rest find it there.
	ups, _ := j.burst(8, func(i int) reply {
		who := sendco
		if i%2 == 1 {
			who = "head@oakfield.example"
		}
		status, out := j.sendYAML(who, path, v2)
		return reply{status: status, body: out}
	})
	created := 0
	for _, r := range ups {
		switch {
		case r.status == 201 && r.body["created"] == true && r.body["version"] == "2027.1":
			created++
		case r.status == 200 && r.body["created"] == false && r.body["version"] == "2027.1":
		default:
			t.Errorf("an upload sent at once with others = %d %v", r.status, r.body)
		}
	}
	if created != 1 {
		t.Errorf("%d of 8 uploads at once created the version, want 1", created)
	}
	if status, out := j.sendYAML("head@oakfield.example", path, v2); status != 200 || out["created"] != false {
		t.Errorf("the same file again = %d %v; want 200, created false", status, out)
	}
	if n := versions(); n != before+1 {
		t.Errorf("%d versions, want %d", n, before+1)
	}
	// The same version changed: refused, naming the version's line.
	changed := bytes.Replace(v2, []byte("hourly_cost: 36.00"), []byte("hourly_cost: 40.00"), 1)
	if status, out := j.sendYAML(sendco, path, changed); status != 422 || !strings.Contains(fmt.Sprint(out), "line 7, version") {
		t.Errorf("a changed file under 2027.1 = %d %v; want 422 naming line 7", status, out)
	}

	// The catalogue in use is the new version; the plan agreed before keeps its cost.
	status, cat := j.api.do("GET", path, j.token[teacher], nil, "")
	if status != 200 || cat["version"] != "2027.1" || !strings.Contains(fmt.Sprint(cat["items"]), "costPerYear:526.50") {
		t.Errorf("catalogue = %d %v", status, cat["version"])
	}
	if _, mine := j.api.do("GET", "/v1/pupils/"+pupil+"/provision", j.token[sendco], nil, ""); mine["total"].(map[string]any)["costPerYear"] != "263.25" {
		t.Errorf("the plan agreed under 2026.1 now costs %v a year, want 263.25", mine["total"])
	}
	if got := j.raw("GET", path+"/file", teacher); got != string(v2) {
		t.Errorf("the download is not the file uploaded:\n%.200s", got)
	}

	// The staff page: the version in use with its download; an upload's problems in place.
	b := testenv.NewBrowser(t, j.api.base)
	b.SignIn(sendco)
	status, body := b.Get("/schools/" + school + "/provision/catalogue")
	wantPage(t, "the catalogue page", status, body, 200, "Version 2027.1", "catalogue.yaml", "Upload a new version")
	status, body = j.uploadForm(b, "/schools/"+school+"/provision/catalogue", bad)
	wantPage(t, "a bad file uploaded on the page", status, body, 422, "nothing was loaded", "Line 16, items[0].delivery", "Line 15, items[0].kind")
	v3 := bytes.Replace(v2, []byte(`version: "2027.1"`), []byte(`version: "2027.2"`), 1)
	status, body = j.uploadForm(b, "/schools/"+school+"/provision/catalogue", v3)
	wantPage(t, "a good file uploaded on the page", status, body, 200, "Version 2027.2 of the provision catalogue is loaded")
	tb := testenv.NewBrowser(t, j.api.base)
	tb.SignIn(teacher)
	if status, body := tb.Get("/schools/" + school + "/provision/catalogue"); status != 200 || strings.Contains(body, "Upload a new version") {
		t.Errorf("the teacher's catalogue page = %d, offering an upload: %v", status, strings.Contains(body, "Upload a new version"))
	}

	// The command line takes the same path.
	file := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(file, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	var printed bytes.Buffer
	if err := LoadProvisionCatalogue(context.Background(), j.d.DB, school, file, &printed); err == nil ||
		!strings.Contains(printed.String(), "line 16, items[0].delivery") {
		t.Errorf("provision load of a bad file: %v\n%s", err, printed.String())
	}
	v4 := bytes.Replace(v2, []byte(`version: "2027.1"`), []byte(`version: "2027.3"`), 1)
	if err := os.WriteFile(file, v4, 0o600); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := LoadProvisionCatalogue(context.Background(), j.d.DB, school, file, &printed); err != nil {
			t.Fatal(err)
		}
	}
	if n := versions(); n != before+3 {
		t.Errorf("%d versions, want %d (2027.1, 2027.2, 2027.3)", n, before+3)
	}

	// Every upload answered is audited: the 8 sent at once, the head's repeat, the page and the command.
	for outcome, want := range map[string]int{"ok": 12, "invalid": 5} {
		if n := j.scalar(`SELECT count(*) FROM audit_log WHERE action = 'provision_catalogue:update' AND school_id = $1 AND outcome = $2`, school, outcome); n != want {
			t.Errorf("%d audited uploads %s, want %d", n, outcome, want)
		}
	}
}

// uploadForm sends a file from the staff catalogue page's form, signed in as b, and follows the
// redirect like a browser.
func (j *journey) uploadForm(b *testenv.Browser, path string, file []byte) (int, string) {
	j.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, err := w.CreateFormFile("catalogue", "catalogue.yaml")
	if err != nil {
		j.t.Fatal(err)
	}
	_, _ = part.Write(file)
	if err := w.Close(); err != nil {
		j.t.Fatal(err)
	}
	req, err := http.NewRequest("POST", j.api.base+path, &body)
	if err != nil {
		j.t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	for _, c := range b.Cookies() {
		req.AddCookie(c)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Do(req)
	if err != nil {
		j.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusSeeOther {
		return b.Get(resp.Header.Get("Location"))
	}
	page, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(page)
}
