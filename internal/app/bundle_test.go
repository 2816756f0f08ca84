package app

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/sendflow/sendflow/internal/bundle"
	"github.com/sendflow/sendflow/internal/devkit/seed"
)

// getBytes fetches path as who (no sign-in when who is "") and returns the status and body.
func (j *journey) getBytes(path, who string) (int, []byte) {
	j.t.Helper()
	req, _ := http.NewRequest("GET", j.api.base+path, nil)
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+j.token[who])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		j.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// TestBundleExport: Oakfield's SENDCo downloads Amara's portable record; anyone verifies it with
// the key this sendflow publishes, and it carries her concern; the download is audited; her
// teacher cannot export it.
func TestBundleExport(t *testing.T) {
	t.Parallel()
	j := newJourney(t)
	amara := seed.PupilAmaraID
	observed := "Finds it hard to follow spoken instructions in busy lessons."
	j.post(
		teacher,
		"/v1/pupils/"+amara+"/concerns",
		fmt.Sprintf(`{"areas":["communication_and_interaction"],"observed":%q}`, observed),
		201,
	)
	if status, _ := j.getBytes("/v1/pupils/"+amara+"/bundle", teacher); status != 404 {
		t.Fatalf("teacher exported the bundle: %d", status)
	}
	status, z := j.getBytes("/v1/pupils/"+amara+"/bundle", sendco)
	if status != 200 {
		t.Fatalf("SENDCo export = %d: %.300s", status, z)
	}
	status, key := j.getBytes("/.well-known/sendflow-bundle-key", "")
	if status != 200 {
		t.Fatalf("well-known key = %d: %s", status, key)
	}
	pub, err := bundle.ParsePublicKey(key)
	if err != nil {
		t.Fatal(err)
	}
	r, _, err := bundle.Open(pub, z, 32<<20)
	if err != nil {
		t.Fatalf("the exported bundle does not verify with the published key: %v", err)
	}
	var upn string
	if err := j.d.DB.QueryRow(context.Background(), `SELECT upn FROM pupils WHERE id = $1`, amara).Scan(&upn); err != nil {
		t.Fatal(err)
	}
	if r.Pupil.UPN != upn || len(r.Concerns) != 1 || r.Concerns[0].Observed != observed ||
		r.GeneratedBy.Role != "SENDCo" || r.SchoolFrom.Name == "" {
		t.Fatalf("record = %+v", r)
	}
	if n := j.codecAudits("pupil_bundle:read", sendco, "ok"); n != 1 {
		t.Errorf("export audited %d times, want 1", n)
	}
}
