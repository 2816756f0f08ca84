package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sendflow/sendflow/internal/bundle"
	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
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

// importBody is the JSON the API takes to import a bundle with the sender's key.
func importBody(zip, key []byte) string {
	b, _ := json.Marshal(map[string]any{"bundle": zip, "publicKey": string(key)})
	return string(b)
}

// TestBundleImportEightAtOnce: Riverside's SENDCo sends the same import eight times at once
// (a double click, a retrying client): one pupil and one imported record are made, and every
// copy is answered with that one import.
func TestBundleImportEightAtOnce(t *testing.T) {
	t.Parallel()
	j := newJourney(t)
	_, z := j.getBytes("/v1/pupils/"+seed.PupilAmaraID+"/bundle", sendco)
	_, key := j.getBytes("/.well-known/sendflow-bundle-key", "")
	pupils := func() int {
		return j.scalar(`SELECT count(*) FROM pupils WHERE school_id = $1`, seed.OtherSchoolID)
	}
	p0 := pupils()
	body := importBody(z, key)
	replies := parallel(8, func(int) reply {
		return j.call("POST", "/v1/schools/"+seed.OtherSchoolID+"/bundles", riverSENDCo, "", body)
	})
	for i, r := range replies {
		if r.err != nil || r.status != 201 {
			t.Fatalf("copy %d: %d %v %v; want 201", i, r.status, r.err, r.body)
		}
		if r.body["id"] != replies[0].body["id"] || r.body["pupilId"] != replies[0].body["pupilId"] {
			t.Errorf("copy %d answered with import %v, copy 0 with %v", i, r.body["id"], replies[0].body["id"])
		}
	}
	if n := j.scalar(`SELECT count(*) FROM imported_records WHERE school_id = $1`, seed.OtherSchoolID); n != 1 {
		t.Errorf("%d imported records, want 1", n)
	}
	if n := pupils(); n != p0+1 {
		t.Errorf("%d pupils at Riverside, want %d", n, p0+1)
	}
}

// TestBundleImportThroughAnOutage: PostgreSQL goes away while an import is inside its
// transaction (held there by a lock the test takes first). The SENDCo gets 503 with Retry-After;
// no pupil and no imported record are left behind; once the database is back, the same request
// imports the record.
func TestBundleImportThroughAnOutage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := testenv.DatabaseURL(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := testenv.NewProxy(t, u.Host)
	through := *u
	through.Host = proxy.Addr
	j := journeyOn(t, devConfig(t, t.TempDir(), through.String()))
	direct, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer direct.Close(ctx)
	count := func(sql string) int {
		var n int
		if err := direct.QueryRow(ctx, sql, seed.OtherSchoolID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	pupils := `SELECT count(*) FROM pupils WHERE school_id = $1`
	records := `SELECT count(*) FROM imported_records WHERE school_id = $1`
	p0 := count(pupils)

	_, z := j.getBytes("/v1/pupils/"+seed.PupilAmaraID+"/bundle", sendco)
	_, key := j.getBytes("/.well-known/sendflow-bundle-key", "")
	send := func() (int, http.Header, []byte) {
		req, _ := http.NewRequest("POST", j.api.base+"/v1/schools/"+seed.OtherSchoolID+"/bundles",
			strings.NewReader(importBody(z, key)))
		req.Header.Set("Authorization", "Bearer "+j.token[riverSENDCo])
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, nil, []byte(err.Error())
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, b
	}

	// Hold the school's import lock, so the import waits inside its transaction.
	hold, err := direct.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hold.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('import:' || $1))`, seed.OtherSchoolID); err != nil {
		t.Fatal(err)
	}
	type answer struct {
		status int
		header http.Header
		body   []byte
	}
	done := make(chan answer, 1)
	go func() {
		s, h, b := send()
		done <- answer{s, h, b}
	}()
	testenv.Eventually(t, 60*time.Second, "the import to wait inside its transaction", func() bool {
		var n int
		_ = direct.QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
			AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&n)
		return n == 1
	})
	proxy.Down()
	a := <-done
	if err := hold.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if a.status != 503 || a.header.Get("Retry-After") == "" {
		t.Fatalf("an import cut off by the outage: %d (Retry-After %q) %s; want 503 with Retry-After",
			a.status, a.header.Get("Retry-After"), a.body)
	}
	// The cut-off transaction's backend ends once it has the lock and finds its client gone.
	testenv.Eventually(t, 60*time.Second, "the cut-off import to end", func() bool {
		var n int
		_ = direct.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND query LIKE '%pg_advisory_xact_lock%' AND pid <> pg_backend_pid()`).Scan(&n)
		return n == 0
	})
	if p, r := count(pupils), count(records); p != p0 || r != 0 {
		t.Fatalf("after the cut-off import: %d pupils (want %d), %d imported records (want 0)", p, p0, r)
	}

	proxy.Up()
	var status int
	var body []byte
	testenv.Eventually(t, 60*time.Second, "the retry to be answered once the database is back", func() bool {
		status, _, body = send()
		return status != 503
	})
	if status != 201 {
		t.Fatalf("the retry: %d %s; want 201", status, body)
	}
	if p, r := count(pupils), count(records); p != p0+1 || r != 1 {
		t.Fatalf("after the retry: %d pupils (want %d), %d imported records (want 1)", p, p0+1, r)
	}
}
