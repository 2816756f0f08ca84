package app

import (
	"bytes"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/sendflow/sendflow/internal/bundle"
	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
)

// TestPortableRecordPages: on the staff pages, Oakfield's SENDCo downloads Amara's portable
// record from her page (a file to save, which verifies with Oakfield's published key; audited)
// and her teacher cannot. Riverside's SENDCo finds "Import a record from another school" on
// Moving school; a form without its file and key, a changed file, a key that is not one and a
// file too large are each shown again with the reason beside the field, the key as typed, and
// nothing imported. The real file and key import Amara once, however often it is sent, and open
// her imported record: who sent and signed it, who imported it and when, what it says, and its
// PDF. The school's list of imported records shows it; reading it is audited.
func TestPortableRecordPages(t *testing.T) {
	t.Parallel()
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t)))
	amara := seed.PupilAmaraID
	observed := "Finds it hard to follow spoken instructions in busy lessons."
	j.post(teacher, "/v1/pupils/"+amara+"/concerns",
		`{"areas":["communication_and_interaction"],"observed":"`+observed+`"}`, 201)

	// The teacher has no link and no file.
	tb := testenv.NewBrowser(t, j.api.base)
	tb.SignIn(teacher)
	if _, page := tb.Get("/pupils/" + amara); strings.Contains(page, "Download the portable record") {
		t.Error("the teacher is offered the portable record")
	}
	if status, _ := tb.Get("/pupils/" + amara + "/bundle"); status != 404 {
		t.Errorf("the teacher's download = %d, want 404", status)
	}

	// Oakfield's SENDCo downloads it from Amara's page.
	ob := testenv.NewBrowser(t, j.api.base)
	ob.SignIn(sendco)
	status, page := ob.Get("/pupils/" + amara)
	wantPage(t, "Amara's page for the SENDCo", status, page, 200, "Download the portable record")
	href := regexp.MustCompile(`href="([^"]+)"[^>]*>Download the portable record`).FindStringSubmatch(page)
	if href == nil {
		t.Fatal("no link to the portable record")
	}
	status, zipped := ob.Get(href[1])
	upn := j.upn(amara)
	disp := ob.Header.Get("Content-Disposition")
	if status != 200 || ob.Header.Get("Content-Type") != "application/zip" ||
		!strings.HasPrefix(disp, `attachment; filename="sendflow-record-Okafor-Amara-`+upn+`-`) ||
		!strings.HasSuffix(disp, `.zip"`) {
		t.Fatalf("download = %d %s %q", status, ob.Header.Get("Content-Type"), disp)
	}
	_, key := j.getBytes("/.well-known/sendflow-bundle-key", "")
	pub, err := bundle.ParsePublicKey(key)
	if err != nil {
		t.Fatal(err)
	}
	rec, parts, err := bundle.Open(pub, []byte(zipped), 32<<20)
	if err != nil || len(rec.Concerns) != 1 || rec.Concerns[0].Observed != observed {
		t.Fatalf("the downloaded file does not verify or lacks the concern: %v %+v", err, rec.Concerns)
	}
	if n := j.codecAudits("pupil_bundle:read", sendco, "ok"); n != 1 {
		t.Errorf("the download was audited %d times, want 1", n)
	}

	// Riverside's SENDCo finds the import from Moving school.
	rb := testenv.NewBrowser(t, j.api.base)
	rb.SignIn(riverSENDCo)
	status, page = rb.Get("/transfers")
	wantPage(t, "Moving school at Riverside", status, page, 200, "Import a record from another school",
		"records imported from other schools")
	form := "/schools/" + seed.OtherSchoolID + "/import-record"
	status, page = rb.Get(form)
	wantPage(t, "the import form", status, page, 200, "The record file", "/.well-known/sendflow-bundle-key",
		`enctype="multipart/form-data"`)
	counts := func() (int, int) {
		return j.scalar(`SELECT count(*) FROM pupils WHERE school_id = $1`, seed.OtherSchoolID),
			j.scalar(`SELECT count(*) FROM imported_records WHERE school_id = $1`, seed.OtherSchoolID)
	}
	p0, r0 := counts()

	changed := parts
	changed.Record = bytes.Replace(parts.Record, []byte(observed), []byte("Changed after it was signed."), 1)
	badZip, err := bundle.Zip(changed)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what      string
		key       string
		file      []byte
		status    int
		wants     []string
		keptField bool
	}{
		{"no file and no key", "", nil, 422, []string{"Choose the file the sending school gave you",
			"Paste the sending school&#39;s public key"}, false},
		{"a file changed after signing", string(key), badZip, 422, []string{"This file was not signed by that key"}, true},
		{"a key that is not one", "not a key at all", []byte(zipped), 422, []string{"This is not a sendflow public key"}, true},
		{"something that is not a record", string(key), []byte("hello"), 422, []string{"This file is not a portable record from sendflow"}, true},
		{"a file too large", string(key), bytes.Repeat([]byte("x"), 5<<20), 413, []string{"The file is larger than 4 MB"}, false},
	} {
		status, page := rb.PostFile(form, url.Values{"publicKey": {c.key}}, "bundle", "record.zip", c.file)
		wantPage(t, c.what, status, page, c.status, append(c.wants, "There is a problem", "Import the record")...)
		if kept := testenv.FormValues(t, page, "Import the record").Get("publicKey"); c.keptField && kept != c.key {
			t.Errorf("%s: the key typed is not kept on the form", c.what)
		}
		if p, r := counts(); p != p0 || r != r0 {
			t.Fatalf("%s changed something: %d pupils (want %d), %d imported records (want %d)", c.what, p, p0, r, r0)
		}
	}

	// The real file and key: Amara's imported record opens.
	status, page = rb.PostFile(form, url.Values{"publicKey": {string(key)}}, "bundle", "record.zip", []byte(zipped))
	wantPage(t, "the imported record", status, page, 200,
		"Amara Okafor&#39;s record from Oakfield",
		"Record from Oakfield",
		"imported by Rosa Quinn on",
		observed,
		"Download the record as a PDF")
	if !regexp.MustCompile(`Record from Oakfield[^,]*, signed \d{1,2} [A-Z][a-z]+ \d{4}, imported by Rosa Quinn on \d{1,2} [A-Z][a-z]+ \d{4}`).MatchString(page) {
		t.Errorf("the imported record does not say who sent, signed and imported it, and when:\n%s", page)
	}
	recordPage := rb.Last.Path
	status, again := rb.PostFile(form, url.Values{"publicKey": {string(key)}}, "bundle", "record.zip", []byte(zipped))
	if status != 200 || rb.Last.Path != recordPage {
		t.Errorf("the same file again: %d at %s, want the same record page %s\n%.500s", status, rb.Last.Path, recordPage, again)
	}
	if p, r := counts(); p != p0+1 || r != r0+1 {
		t.Errorf("after importing twice: %d pupils (want %d), %d imported records (want %d)", p, p0+1, r, r0+1)
	}
	status, pdf := rb.Get(recordPage + "/pdf")
	if status != 200 || rb.Header.Get("Content-Type") != "application/pdf" ||
		!strings.HasPrefix(rb.Header.Get("Content-Disposition"), "attachment;") || pdf != string(parts.PDF) {
		t.Errorf("the imported PDF = %d %s %q", status, rb.Header.Get("Content-Type"), rb.Header.Get("Content-Disposition"))
	}

	// The school's list shows it; the new pupil's page links it.
	status, page = rb.Get("/schools/" + seed.OtherSchoolID + "/imported-records")
	wantPage(t, "Riverside's imported records", status, page, 200, "Amara Okafor", "Oakfield", recordPage)
	newPupil := strings.Split(strings.TrimPrefix(recordPage, "/pupils/"), "/")[0]
	status, page = rb.Get("/pupils/" + newPupil)
	wantPage(t, "the imported pupil's page", status, page, 200, "Record from Oakfield", recordPage)
	if n := j.codecAudits("imported_record:read", riverSENDCo, "ok"); n < 4 {
		t.Errorf("reads of the imported record audited %d times, want one for each of at least 4 reads", n)
	}
	// Oakfield's SENDCo cannot open Riverside's imported record.
	if status, _ := ob.Get(recordPage); status != 404 {
		t.Errorf("Oakfield's SENDCo opened Riverside's imported record: %d", status)
	}
}

// upn is a pupil's UPN.
func (j *journey) upn(pupilID string) string {
	j.t.Helper()
	var u string
	if err := j.d.DB.QueryRow(j.t.Context(), `SELECT upn FROM pupils WHERE id = $1`, pupilID).Scan(&u); err != nil {
		j.t.Fatal(err)
	}
	return u
}
