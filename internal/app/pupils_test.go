package app

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
	"github.com/sendflow/sendflow/internal/pupilcsv"
)

func (j *journey) postCSV(who, path, csv string) (int, string) {
	j.t.Helper()
	req, _ := http.NewRequest("POST", j.api.base+path, strings.NewReader(csv))
	req.Header.Set("Authorization", "Bearer "+j.token[who])
	req.Header.Set("Content-Type", "text/csv")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		j.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (j *journey) pupilCount() int {
	var n int
	_ = j.d.DB.QueryRow(context.Background(), `SELECT count(*) FROM pupils WHERE school_id = $1`, seed.DemoSchoolID).
		Scan(&n)
	return n
}

// TestPupilImportAndPages: a file with any bad row imports nothing and names every bad row; a good
// file imports every pupil with their parents; pages follow an opaque cursor.
func TestPupilImportAndPages(t *testing.T) {
	t.Parallel()
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t)))
	school := "/v1/schools/" + seed.DemoSchoolID
	before := j.pupilCount()

	bad := pupilcsv.Header + "\n" +
		"J823200124001,Ada,Lovelace,2017-05-01,Oak,P One,p1@example.org,,,,,,,,\n" +
		"B823200124001,Bad,Check,2017-05-01,Oak,P Two,p2@example.org,,,,,,,,\n" + // wrong check letter
		"J823200124001,Dup,Licate,2017-05-01,,P Three,p3@example.org,,,,,,,,\n" // same UPN as row 2
	status, body := j.postCSV(sendco, school+"/pupils/import", bad)
	if status != 422 || !strings.Contains(body, "row 3, upn") || !strings.Contains(body, "row 4, upn") {
		t.Fatalf("bad file = %d: %s", status, body)
	}
	if n := j.pupilCount(); n != before {
		t.Fatalf("a bad file stored %d pupils", n-before)
	}
	unknownClass := pupilcsv.Header + "\nJ823200124001,Ada,Lovelace,2017-05-01,Willow,P One,p1@example.org,,,,,,,,\n"
	if status, body := j.postCSV(sendco, school+"/pupils/import", unknownClass); status != 422 ||
		!strings.Contains(body, `no class called \"Willow\"`) {
		t.Errorf("unknown class = %d: %s", status, body)
	}

	good := pupilcsv.Header + "\n"
	for i := 0; i < 5; i++ {
		good += fmt.Sprintf(
			"%s,Pupil%d,Imported,2017-05-0%d,Oak,Parent %d,parent%d@import.example,,,,,,,,\n",
			newUPN(),
			i,
			i+1,
			i,
			i,
		)
	}
	if status, body := j.postCSV(sendco, school+"/pupils/import", good); status != 201 ||
		!strings.Contains(body, `"imported":5`) {
		t.Fatalf("good file = %d: %s", status, body)
	}
	if n := j.pupilCount(); n != before+5 {
		t.Errorf("pupils after import = %d, want %d", n, before+5)
	}
	if status, _ := j.postCSV(teacher, school+"/pupils/import", good); status != 404 {
		t.Errorf("a teacher importing = %d, want 404", status)
	}

	// Page through the school's pupils two at a time; every pupil once, in name order.
	seen, next := []string{}, ""
	for page := 0; page < 10; page++ {
		path := school + "/pupils?limit=2"
		if next != "" {
			path += "&cursor=" + next
		}
		status, out := j.api.do("GET", path, j.token[sendco], nil, "")
		if status != 200 {
			t.Fatalf("page %d = %d %v", page, status, out)
		}
		for _, p := range out["pupils"].([]any) {
			seen = append(seen, p.(map[string]any)["lastName"].(string)+" "+p.(map[string]any)["firstName"].(string))
		}
		n, _ := out["next"].(string)
		if next = n; next == "" {
			break
		}
	}
	if len(seen) != before+5 {
		t.Errorf("paged through %d pupils, want %d: %v", len(seen), before+5, seen)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] < seen[i-1] {
			t.Errorf("not in name order: %v", seen)
		}
	}
	if status, _ := j.api.do("GET", school+"/pupils?limit=2&cursor=forged.cursor", j.token[sendco], nil, ""); status != 422 {
		t.Errorf("forged cursor = %d, want 422", status)
	}
	if status, _ := j.api.do("GET", school+"/pupils?limit=500", j.token[sendco], nil, ""); status != 422 {
		t.Errorf("page size 500 = %d, want 422", status)
	}
	// A single pupil with a bad UPN is refused, naming the check letter.
	status, out := j.api.do(
		"POST",
		school+"/pupils",
		j.token[sendco],
		nil,
		`{"upn":"B823200124001","firstName":"A","lastName":"B","dateOfBirth":"2017-01-01","parents":[{"name":"P","email":"p@example.org"}]}`,
	)
	if status != 422 || !strings.Contains(fmt.Sprint(out), "check letter") {
		t.Errorf("bad UPN = %d %v", status, out)
	}
}
