package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
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

// TestBundleImport: Amara's portable record exported by Oakfield is imported by Riverside's SENDCo
// with the sender's public key: 201 and the record visible, its PDF downloadable; a tampered
// bundle is 422 and changes nothing; the same bundle twice is one import; Oakfield's own roll
// already has her UPN (409).
func TestBundleImport(t *testing.T) {
	t.Parallel()
	j := newJourney(t)
	ctx := context.Background()
	amara := seed.PupilAmaraID
	_, z := j.getBytes("/v1/pupils/"+amara+"/bundle", sendco)
	_, key := j.getBytes("/.well-known/sendflow-bundle-key", "")
	body := func(zip []byte, key string) string {
		b, _ := json.Marshal(map[string]any{"bundle": zip, "publicKey": key})
		return string(b)
	}
	count := func() (records, pupils int) {
		if err := j.d.DB.QueryRow(ctx, `SELECT (SELECT count(*) FROM imported_records),
			(SELECT count(*) FROM pupils WHERE school_id = $1)`, seed.OtherSchoolID).Scan(&records, &pupils); err != nil {
			t.Fatal(err)
		}
		return
	}
	imports := "/v1/schools/" + seed.OtherSchoolID + "/bundles"
	r0, p0 := count()

	// Tampered: one byte of the zip's bundle.json changed, re-zipped.
	parts, err := bundle.Unzip(z, 32<<20)
	if err != nil {
		t.Fatal(err)
	}
	parts.Record = bytes.Replace(parts.Record, []byte(`"firstName":"`), []byte(`"firstName":"X`), 1)
	bad, _ := bundle.Zip(parts)
	refused := j.post(riverSENDCo, imports, body(bad, string(key)), 422)
	if !strings.Contains(fmt.Sprint(refused["detail"]), "signature") {
		t.Errorf("refusal does not say the signature: %v", refused)
	}
	j.post(riverSENDCo, imports, body([]byte("not a zip"), string(key)), 422)
	if r, p := count(); r != r0 || p != p0 {
		t.Fatalf("a refused import changed something: %d/%d records, %d/%d pupils", r, r0, p, p0)
	}

	first := j.post(riverSENDCo, imports, body(z, string(key)), 201)
	again := j.post(riverSENDCo, imports, body(z, string(key)), 201)
	if first["id"] != again["id"] || first["pupilId"] != again["pupilId"] {
		t.Fatalf("the same bundle twice made two imports: %v / %v", first, again)
	}
	if r, p := count(); r != r0+1 || p != p0+1 {
		t.Fatalf("after import: %d records (want %d), %d pupils (want %d)", r, r0+1, p, p0+1)
	}
	pupil := first["pupilId"].(string)
	status, list := j.api.do("GET", "/v1/pupils/"+pupil+"/imported-records", j.token[riverSENDCo], nil, "")
	recs, _ := list["records"].([]any)
	if status != 200 || len(recs) != 1 ||
		!strings.HasPrefix(recs[0].(map[string]any)["words"].(string), "Record from Oakfield") {
		t.Fatalf("imported records = %d %v", status, list)
	}
	status, pdf := j.getBytes("/v1/pupils/"+pupil+"/imported-records/"+first["id"].(string)+"/pdf", riverSENDCo)
	if status != 200 || !bytes.Equal(pdf, mustUnzip(t, z).PDF) {
		t.Fatalf("imported PDF = %d", status)
	}
	// Oakfield has her on its roll already.
	refusedRoll := j.post(sendco, "/v1/schools/"+seed.DemoSchoolID+"/bundles", body(z, string(key)), 409)
	if !strings.Contains(fmt.Sprint(refusedRoll["detail"]), "already on the school's roll") {
		t.Errorf("409 without its reason: %v", refusedRoll)
	}
}

func mustUnzip(t *testing.T, z []byte) bundle.Parts {
	t.Helper()
	p, err := bundle.Unzip(z, 32<<20)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
