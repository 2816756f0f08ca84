package app

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/pupilcsv"
)

// TestTransferCSV (issue 16): "the sending school (or the pupil's leaving date in the import)
// releases". Riverside asks for Leo's record; Oakfield's next pupil file gives Leo a leaving
// date, and the import releases the request as the SENDCo's Release does: Leo moves. Importing
// the file again is the same release. A bad leaving date is a row-numbered error and changes
// nothing.
func TestTransferCSV(t *testing.T) {
	t.Parallel()
	j := newJourney(t)
	ctx := context.Background()
	leo := seed.PupilLeoID
	var upn, dob string
	if err := j.d.DB.QueryRow(ctx, `SELECT upn, date_of_birth::text FROM pupils WHERE id = $1`, leo).
		Scan(&upn, &dob); err != nil {
		t.Fatal(err)
	}
	asked := j.post(riverSENDCo, "/v1/schools/"+seed.OtherSchoolID+"/transfers",
		fmt.Sprintf(`{"upn":%q,"dateOfBirth":%q}`, upn, dob), 201)
	import_ := "/v1/schools/" + seed.DemoSchoolID + "/pupils/import"
	file := func(leaving string) string {
		return pupilcsv.Header + ",leaving_date\n" +
			upn + ",Leo,Fischer," + dob + ",,Dan Fischer,parent.leo@example.org,,,,,,,,," + leaving + "\n"
	}
	status := func() string {
		var s string
		if err := j.d.DB.QueryRow(ctx, `SELECT status FROM school_transfers WHERE id = $1`, asked["id"]).
			Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	pupils := j.pupilCount()

	// A bad leaving date: the row and column are named, nothing is released or added.
	for cell, want := range map[string]string{
		"31/02/2026": `is not a real date`,
		"2999-07-22": `is after today`,
	} {
		code, body := j.postCSV(sendco, import_, file(cell))
		if code != 422 || !strings.Contains(body, "row 2, leaving_date") || !strings.Contains(body, want) {
			t.Errorf("a leaving date of %s: %d %s", cell, code, body)
		}
	}
	if s := status(); s != "requested" || j.pupilCount() != pupils {
		t.Fatalf("a bad file changed something: transfer %s, %d pupils (was %d)", s, j.pupilCount(), pupils)
	}

	// The trust's admin may import pupils but not release a record: told so, nothing done.
	if code, body := j.postCSV("admin@oaktrust.example", import_, file("2026-07-22")); code != 422 ||
		!strings.Contains(body, "only the school's SENDCo or head can release it") {
		t.Errorf("the trust admin's import of a leaver = %d %s", code, body)
	}
	if s := status(); s != "requested" {
		t.Fatalf("the trust admin's import changed the transfer: %s", s)
	}

	// The leaving date releases the waiting request: Leo moves to Riverside.
	code, body := j.postCSV(sendco, import_, file("2026-07-22"))
	if code != 201 || !strings.Contains(body, `"imported":0`) || !strings.Contains(body, `"released":1`) {
		t.Fatalf("import with a leaving date = %d %s, want 0 imported and 1 released", code, body)
	}
	if s := status(); s != "completed" {
		t.Fatalf("after the import the transfer is %s, want completed", s)
	}
	if n := j.scalar(`SELECT count(*) FROM pupils WHERE id = $1 AND school_id = $2`, leo, seed.OtherSchoolID); n != 1 {
		t.Error("Leo is not at Riverside after the release")
	}
	// The same file again: one release, nothing added.
	if code, body := j.postCSV(sendco, import_, file("22/07/2026")); code != 201 || !strings.Contains(body, `"released":0`) {
		t.Fatalf("the file imported again = %d %s, want nothing released", code, body)
	}
	if n := j.scalar(`SELECT count(*) FROM audit_log WHERE action = 'transfer:complete' AND pupil_id = $1`, leo); n != 1 {
		t.Errorf("%d releases recorded, want 1", n)
	}
	if j.pupilCount() != pupils-1 {
		t.Errorf("Oakfield has %d pupils, want %d", j.pupilCount(), pupils-1)
	}
	// A leaver who was never on the roll is a row error.
	other := pupilcsv.Header + ",leaving_date\n" +
		"J823200124001,Ada,Lovelace,2017-05-01,,P One,p1@example.org,,,,,,,,,2026-07-22\n"
	if code, body := j.postCSV(sendco, import_, other); code != 422 || !strings.Contains(body, "row 2, leaving_date") {
		t.Errorf("a leaver not on the roll = %d %s", code, body)
	}
}
