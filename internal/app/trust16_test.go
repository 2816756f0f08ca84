package app

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sendflow/sendflow/internal/auth"
	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
	"github.com/sendflow/sendflow/workflows"
)

// Issue 16's actions under the trust rules: every action sent many times at once, and every
// dependency going away in the middle of one.

// oneAnswer checks a burst's answers: every copy answered without a transport error, the
// successes all say the same thing (same says what), and every other copy is a 409 problem
// with a reason. It returns how many succeeded.
func oneAnswer(t *testing.T, what string, answers []reply, same func(reply) string) int {
	t.Helper()
	ok, first := 0, ""
	for i, a := range answers {
		switch {
		case a.err != nil:
			t.Errorf("%s %d: %v", what, i, a.err)
		case a.status == 200 || a.status == 201:
			ok++
			if s := same(a); first == "" {
				first = s
			} else if s != first {
				t.Errorf("%s %d answered %q, another copy %q: copies of one action must agree", what, i, s, first)
			}
		case a.status == 409:
			if d, _ := a.body["detail"].(string); d == "" {
				t.Errorf("%s %d: 409 without a reason: %v", what, i, a.body)
			}
		default:
			t.Errorf("%s %d answered %d %v; want success or 409 with a reason", what, i, a.status, a.body)
		}
	}
	if ok == 0 {
		t.Errorf("%s: no copy succeeded", what)
	}
	return ok
}

// postForm sends a form without touching testing.T, so goroutines may use it; it returns the
// status and the page.
func postForm(link string, form url.Values) (int, string, error) {
	resp, err := http.PostForm(link, form)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

// TestParallelRegisterAndPassportSaves: the SENDCo's register entry for a pupil and the pupil's
// one-page profile, each sent eight times at once — with one Idempotency-Key and without any —
// and a parent's profile form sent eight times at once. Each burst makes one change (one
// register change, one profile version), every copy is told the same result, and the audit
// trail records one change and the rest as repeats.
func TestParallelRegisterAndPassportSaves(t *testing.T) {
	t.Parallel()
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t)))
	amara := seed.PupilAmaraID
	reg := "/v1/pupils/" + amara + "/register"
	need := func(r reply) string { return fmt.Sprint(r.body["primaryNeed"], "/", r.body["senProvision"]) }

	answers := parallel(8, func(int) reply {
		return j.call("PUT", reg, sendco, "register-once", `{"provision":"K","primaryNeed":"SLCN"}`)
	})
	if n := oneAnswer(t, "register with one key", answers, need); n != 8 {
		t.Errorf("register with one key: %d of 8 answered with the entry, want all (a repeat is answered as the first)", n)
	}
	answers = parallel(8, func(int) reply {
		return j.call("PUT", reg, sendco, "", `{"provision":"K","primaryNeed":"MLD","note":"From the reading test"}`)
	})
	oneAnswer(t, "register without a key", answers, need)
	if n := j.scalar(`SELECT count(*) FROM sen_register_changes WHERE pupil_id = $1`, amara); n != 2 {
		t.Errorf("%d register changes after two bursts of the same entry, want 2", n)
	}
	if n := j.scalar(`SELECT count(*) FROM sen_register WHERE pupil_id = $1 AND primary_need = 'MLD'`, amara); n != 1 {
		t.Errorf("the register entry is not the last one recorded")
	}
	if n := j.scalar(`SELECT count(*) FROM audit_log WHERE pupil_id = $1 AND action = 'register:update' AND outcome = 'ok'`, amara); n != 2 {
		t.Errorf("the audit trail records %d register changes, the register 2", n)
	}

	pass := "/v1/pupils/" + amara + "/passport"
	version := func(r reply) string { return fmt.Sprint(r.body["version"], "/", r.body["liked"]) }
	answers = parallel(8, func(int) reply {
		return j.call("POST", pass, teacher, "passport-once",
			`{"liked":"I make people laugh.","important":"My cat Biscuit.","support":"Tell me what is next."}`)
	})
	if n := oneAnswer(t, "passport with one key", answers, version); n != 8 {
		t.Errorf("passport with one key: %d of 8 answered with the version", n)
	}
	answers = parallel(8, func(int) reply {
		return j.call("POST", pass, teacher, "",
			`{"liked":"I am kind.","important":"My nan.","support":"Give me time.","writtenWith":"Amara"}`)
	})
	oneAnswer(t, "passport without a key", answers, version)
	if n := j.scalar(`SELECT count(*) FROM pupil_passports WHERE pupil_id = $1`, amara); n != 2 {
		t.Errorf("%d profile versions after two bursts, want 2", n)
	}

	// The parent's form, sent eight times at once.
	j.api.do("POST", "/v1/auth/magic-link", "", nil, `{"email":"parent.amara@example.org"}`)
	home := j.signInFromEmail(t, "home after signing in", "All about Amara")
	link := html.UnescapeString(regexp.MustCompile(`href="(/parent/passport\?[^"]+)"`).FindStringSubmatch(home)[1])
	body := visit(t, "the profile", "GET", j.api.base+link, nil, 200, "Version 2")
	form := formFields(body, "t", "pupil", "base")
	form.Set("liked", "I am kind and funny.")
	form.Set("important", "My nan and my cat.")
	form.Set("support", "Give me time to answer.")
	type page struct {
		status int
		body   string
		err    error
	}
	pages := parallel(8, func(int) page {
		s, b, err := postForm(j.api.base+"/parent/passport", form)
		return page{s, b, err}
	})
	for i, p := range pages {
		if p.err != nil || p.status != 200 || !strings.Contains(p.body, "Version 3") {
			t.Errorf("parent's form copy %d: %d %v (want 200 saying Version 3)", i, p.status, p.err)
		}
	}
	if n := j.scalar(`SELECT count(*) FROM pupil_passports WHERE pupil_id = $1`, amara); n != 3 {
		t.Errorf("%d profile versions after the parent's form was sent 8 times at once, want 3", n)
	}
	if n := j.scalar(`SELECT count(*) FROM audit_log WHERE pupil_id = $1 AND action = 'passport:update' AND outcome = 'ok'`, amara); n != 3 {
		t.Errorf("the audit trail records %d profile saves, the profile has 3 versions", n)
	}
	status, out := j.api.do("GET", pass, j.token[sendco], nil, "")
	if status != 200 || len(out["versions"].([]any)) != 3 {
		t.Errorf("the profile read back: %d %v", status, out)
	}
}

// where says which school each reader holds a pupil at: PostgreSQL's pupil row, the read
// model's pathway and items, the pupil's workflow, and who of the two SENDCos reads the pathway.
func (j *journey) where(pupil string) map[string]string {
	j.t.Helper()
	ctx := context.Background()
	w := map[string]string{}
	var s string
	if err := j.d.DB.QueryRow(ctx, `SELECT school_id::text FROM pupils WHERE id = $1`, pupil).Scan(&s); err != nil {
		j.t.Fatal(err)
	}
	w["pupils"] = s
	if err := j.d.DB.QueryRow(ctx, `SELECT school_id::text FROM pathways WHERE pupil_id = $1`, pupil).Scan(&s); err != nil {
		j.t.Fatal(err)
	}
	w["pathways"] = s
	if err := j.d.DB.QueryRow(ctx, `SELECT coalesce(string_agg(DISTINCT school_id::text, ','), '') FROM pathway_items WHERE pupil_id = $1`, pupil).Scan(&s); err != nil {
		j.t.Fatal(err)
	}
	if s != "" {
		w["pathway_items"] = s
	}
	w["workflow"] = queryState[workflows.PathwayState](j.t, j, workflows.PathwayWorkflowID(pupil)).SchoolID
	for who, school := range map[string]string{sendco: seed.DemoSchoolID, riverSENDCo: seed.OtherSchoolID} {
		if status, _ := j.api.do("GET", "/v1/pupils/"+pupil+"/pathway", j.token[who], nil, ""); status == 200 {
			w["api"] += school
		}
	}
	return w
}

// at checks that every reader holds the pupil at one school.
func (j *journey) at(what, pupil, school string) {
	j.t.Helper()
	for k, v := range j.where(pupil) {
		if v != school {
			j.t.Errorf("%s: %s holds the pupil at %s, want %s", what, k, v, school)
		}
	}
}

// upnAndBirth reads a pupil's UPN and date of birth, as the receiving school would have them.
func (j *journey) upnAndBirth(pupil string) (upn, dob string) {
	j.t.Helper()
	if err := j.d.DB.QueryRow(context.Background(), `SELECT upn, date_of_birth::text FROM pupils WHERE id = $1`, pupil).
		Scan(&upn, &dob); err != nil {
		j.t.Fatal(err)
	}
	return upn, dob
}

// TestParallelTransferRequestsAndDecisions: Riverside's SENDCo asks for a pupil's record eight
// times at once (one Idempotency-Key, then none): one request, the same answer to every copy,
// and one email to the pupil's school's SENDCo (a link to decide, nothing of the record).
// Then the sending school's release and refusal and the receiving school's withdrawal race each
// other, eight copies at once: one decision wins, every other copy is told so (409 with the
// reason) or gets the winner's answer, and the pupil's school is the same everywhere — the
// pupils row, the read model's pathway and items, the workflow and who may read it.
func TestParallelTransferRequestsAndDecisions(t *testing.T) {
	t.Parallel()
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t)))
	transfers := "/v1/schools/" + seed.OtherSchoolID + "/transfers"
	id := func(r reply) string { return fmt.Sprint(r.body["id"], "/", r.body["status"]) }

	for round, steps := range [][]string{
		{"release", "withdraw"},
		{"release", "refuse", "withdraw"},
	} {
		pupil := []string{seed.PupilAmaraID, seed.PupilLeoID}[round]
		j.onSENSupport(pupil)
		j.planned(pupil, 30)
		upn, dob := j.upnAndBirth(pupil)
		ask := fmt.Sprintf(`{"upn":%q,"dateOfBirth":%q}`, upn, dob)
		key := fmt.Sprintf("ask-%d", round)
		answers := parallel(8, func(int) reply { return j.call("POST", transfers, riverSENDCo, key, ask) })
		oneAnswer(t, "request with one key", answers, id)
		asked := answers[0].body["id"]
		answers = parallel(8, func(int) reply { return j.call("POST", transfers, riverSENDCo, "", ask) })
		oneAnswer(t, "request without a key", answers, id)
		if answers[0].body["id"] != asked {
			t.Errorf("round %d: a request sent again without a key made another request (%v, first %v)", round, answers[0].body["id"], asked)
		}
		if n := j.scalar(`SELECT count(*) FROM school_transfers WHERE to_school_id = $1 AND upn = $2`, seed.OtherSchoolID, upn); n != 1 {
			t.Errorf("round %d: %d requests recorded for one pupil, want 1", round, n)
		}
		if n := j.scalar(`SELECT count(*) FROM audit_log WHERE action = 'transfer:request' AND outcome = 'ok' AND pupil_id = $1`, pupil); n != 1 {
			t.Errorf("round %d: the audit trail records %d requests for the pupil, the transfers 1", round, n)
		}
		tr := fmt.Sprint(asked)
		// The pupil's school's SENDCo is told once, with a link to decide and nothing of the record.
		var mail string
		testenv.Eventually(t, 60*time.Second, "the transfer_requested email to Oakfield's SENDCo", func() bool {
			return j.d.DB.QueryRow(context.Background(), `SELECT text_body FROM email_outbox WHERE template = 'transfer_requested'
				AND to_address = $1 AND pupil_id = $2 AND status = 'sent'`, sendco, pupil).Scan(&mail) == nil
		})
		if !strings.Contains(mail, "Riverside Primary (demo)") || !strings.Contains(mail, "/transfers") ||
			strings.Contains(mail, "instructions") || strings.Contains(mail, "communication") || strings.Contains(mail, "Follows") {
			t.Errorf("round %d: the sending SENDCo's email:\n%s", round, mail)
		}
		if n := j.scalar(`SELECT count(*) FROM email_outbox WHERE template = 'transfer_requested' AND pupil_id = $1`, pupil); n != 1 {
			t.Errorf("round %d: the sending school was told %d times of one request, want once", round, n)
		}

		// The decisions race: each copy of the release shares one key, the others have none.
		answers = parallel(8, func(i int) reply {
			step := steps[i%len(steps)]
			who, k := sendco, ""
			switch step {
			case "withdraw":
				who = riverSENDCo
			case "release":
				k = fmt.Sprintf("release-%d", round)
			}
			return j.call("POST", "/v1/transfers/"+tr+"/"+step, who, k, "")
		})
		won := map[string]bool{}
		for i, a := range answers {
			if a.status == 200 {
				won[steps[i%len(steps)]] = true
			}
		}
		oneAnswer(t, fmt.Sprintf("round %d decisions", round), answers, func(r reply) string { return fmt.Sprint(r.body["status"]) })
		if len(won) != 1 {
			t.Fatalf("round %d: %v all succeeded; one decision must win", round, won)
		}
		t.Logf("round %d: %v won the race", round, won)
		status := ""
		if err := j.d.DB.QueryRow(context.Background(), `SELECT status FROM school_transfers WHERE id = $1`, tr).Scan(&status); err != nil {
			t.Fatal(err)
		}
		moves := j.scalar(`SELECT count(*) FROM school_moves WHERE id = $1 AND accepted_at IS NOT NULL`, tr)
		events := j.scalar(`SELECT count(*) FROM pathway_events WHERE pupil_id = $1 AND kind = 'school_moved'`, pupil)
		switch {
		case won["release"]:
			if status != "completed" || moves != 1 || events != 1 {
				t.Errorf("round %d: the release won, but the transfer is %s with %d moves and %d move events", round, status, moves, events)
			}
			j.at(fmt.Sprintf("round %d, released", round), pupil, seed.OtherSchoolID)
			if n := j.scalar(`SELECT count(*) FROM audit_log WHERE pupil_id = $1 AND action = 'transfer:complete' AND outcome = 'ok'`, pupil); n != 1 {
				t.Errorf("round %d: the move audited %d times, want once", round, n)
			}
		default:
			want := map[bool]string{true: "refused", false: "withdrawn"}[won["refuse"]]
			if status != want || moves != 0 || events != 0 {
				t.Errorf("round %d: %v won, but the transfer is %s with %d moves and %d move events", round, won, status, moves, events)
			}
			j.at(fmt.Sprintf("round %d, kept", round), pupil, seed.DemoSchoolID)
		}
	}
}

// apiThrough is a dev stack whose every PostgreSQL connection goes through a proxy the test can
// take down.
func apiThrough(t *testing.T, extra ...string) (*journey, *testenv.Proxy) {
	dbURL := testenv.DatabaseURL(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := testenv.NewProxy(t, u.Host)
	u.Host = proxy.Addr
	return journeyOn(t, devConfig(t, t.TempDir(), u.String(), extra...)), proxy
}

// TestOutageWhileRecordingRegisterOrPassport: PostgreSQL stops answering while the SENDCo
// records a register entry and a teacher saves a profile. Each is told at once that the service
// is unavailable (503 problem details with Retry-After), nothing of either is written, and the
// same requests sent again once the database is back are recorded once.
func TestOutageWhileRecordingRegisterOrPassport(t *testing.T) {
	t.Parallel()
	j, proxy := apiThrough(t, "SENDFLOW_ACTION_TIMEOUT", "3s")
	amara := seed.PupilAmaraID
	reg, pass := "/v1/pupils/"+amara+"/register", "/v1/pupils/"+amara+"/passport"
	regBody := `{"provision":"K","primaryNeed":"SLCN"}`
	passBody := `{"liked":"I make people laugh.","important":"My cat Biscuit.","support":"Tell me what is next."}`

	proxy.Down()
	for what, r := range map[string]reply{
		"register": j.rawCall("PUT", reg, sendco, "reg-outage", regBody),
		"passport": j.rawCall("POST", pass, teacher, "pass-outage", passBody),
	} {
		if r.err != nil || r.status != 503 || r.body["retryAfter"] == "" ||
			!strings.HasPrefix(fmt.Sprint(r.body["contentType"]), "application/problem+json") {
			t.Errorf("%s while the database is away: %d %v %v; want a 503 problem with Retry-After", what, r.status, r.body, r.err)
		}
	}
	proxy.Up()
	if n := j.scalar(`SELECT count(*) FROM sen_register_changes WHERE pupil_id = $1`, amara); n != 0 {
		t.Errorf("%d register changes written during the outage", n)
	}
	if n := j.scalar(`SELECT count(*) FROM pupil_passports WHERE pupil_id = $1`, amara); n != 0 {
		t.Errorf("%d profile versions written during the outage", n)
	}
	testenv.Eventually(t, 30*time.Second, "the register entry to be recorded by the retry", func() bool {
		return j.call("PUT", reg, sendco, "reg-outage", regBody).status == 200
	})
	testenv.Eventually(t, 30*time.Second, "the profile to be saved by the retry", func() bool {
		return j.call("POST", pass, teacher, "pass-outage", passBody).status == 201
	})
	if n := j.scalar(`SELECT count(*) FROM sen_register_changes WHERE pupil_id = $1`, amara); n != 1 {
		t.Errorf("%d register changes after the retry, want 1", n)
	}
	if n := j.scalar(`SELECT count(*) FROM pupil_passports WHERE pupil_id = $1`, amara); n != 1 {
		t.Errorf("%d profile versions after the retry, want 1", n)
	}
}

// rawCall is call that also reports the answer's Content-Type and Retry-After (in the body
// map, as contentType and retryAfter).
func (j *journey) rawCall(method, path, who, key, body string) reply {
	req, err := http.NewRequest(method, j.api.base+path, strings.NewReader(body))
	if err != nil {
		return reply{err: err}
	}
	req.Header.Set("Authorization", "Bearer "+j.token[who])
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return reply{err: err}
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return reply{status: resp.StatusCode, body: map[string]any{
		"contentType": resp.Header.Get("Content-Type"), "retryAfter": resp.Header.Get("Retry-After")}}
}

// TestOutageDuringTransferRelease: PostgreSQL stops answering the worker while Oakfield's
// SENDCo releases Amara's record to Riverside, after the pathway took the move in and before its
// Commit saved it; the worker is killed and a new one started. The release is answered clearly
// (503: not recorded yet); nothing shows a half move; once the database is back the move is made
// once, the release sent again answers with the completed transfer, and every reader agrees.
func TestOutageDuringTransferRelease(t *testing.T) {
	t.Parallel()
	dbURL := testenv.DatabaseURL(t)
	j := journeyOn(t, devConfig(t, t.TempDir(), dbURL, "SENDFLOW_ACTION_TIMEOUT", "3s"))
	proxy := j.workerThrough(dbURL)
	amara := seed.PupilAmaraID
	j.onSENSupport(amara)
	upn, dob := j.upnAndBirth(amara)
	asked := j.post(riverSENDCo, "/v1/schools/"+seed.OtherSchoolID+"/transfers",
		fmt.Sprintf(`{"upn":%q,"dateOfBirth":%q}`, upn, dob), 201)
	release := "/v1/transfers/" + asked["id"].(string) + "/release"

	proxy.Down()
	first := j.call("POST", release, sendco, "release-through-an-outage", "")
	if first.status != 503 || !strings.Contains(fmt.Sprint(first.body["detail"]), "not recorded yet") {
		t.Fatalf("a release while the worker's database is away: %d %v; want 503 'not recorded yet'", first.status, first.body)
	}
	j.at("during the outage", amara, seed.DemoSchoolID)
	j.commitRetrying(amara, "the move's save")
	j.d.Worker.Stop()
	j.restartWorker()
	proxy.Up()
	testenv.Eventually(t, 90*time.Second, "the move to be made once the database is back", func() bool {
		return j.scalar(`SELECT count(*) FROM school_moves WHERE id = $1 AND accepted_at IS NOT NULL`, asked["id"]) == 1
	})
	again := j.call("POST", release, sendco, "release-through-an-outage", "")
	if again.status != 200 || again.body["status"] != "completed" {
		t.Fatalf("the release sent again: %d %v; want 200 completed", again.status, again.body)
	}
	j.at("after the outage", amara, seed.OtherSchoolID)
	if n := j.scalar(`SELECT count(*) FROM pathway_events WHERE pupil_id = $1 AND kind = 'school_moved'`, amara); n != 1 {
		t.Errorf("%d moves recorded, want 1", n)
	}
	if n := j.scalar(`SELECT count(*) FROM email_outbox WHERE template = 'school_moved' AND pupil_id = $1`, amara); n != 1 {
		t.Errorf("the parents were told of the move %d times, want once", n)
	}
}

// TestMoveRefusedWhenUPNJoinsRollBeforeMove: between Oakfield's release of Amara's record and
// the move itself (held up by the worker's database being away), Riverside adds a pupil with her
// UPN to its roll. The move is refused: nothing is half moved (she, her pathway, its items, the
// workflow and her parents stay at Oakfield), the transfer is no longer "released", and both
// SENDCos are told why — the release sent again is refused with the reason, and Riverside's
// list of transfers gives it.
func TestMoveRefusedWhenUPNJoinsRollBeforeMove(t *testing.T) {
	t.Parallel()
	dbURL := testenv.DatabaseURL(t)
	j := journeyOn(t, devConfig(t, t.TempDir(), dbURL, "SENDFLOW_ACTION_TIMEOUT", "3s"))
	proxy := j.workerThrough(dbURL)
	amara := seed.PupilAmaraID
	j.onSENSupport(amara)
	j.planned(amara, 30)
	upn, dob := j.upnAndBirth(amara)
	asked := j.post(riverSENDCo, "/v1/schools/"+seed.OtherSchoolID+"/transfers",
		fmt.Sprintf(`{"upn":%q,"dateOfBirth":%q}`, upn, dob), 201)
	tr := asked["id"].(string)

	proxy.Down()
	if r := j.call("POST", "/v1/transfers/"+tr+"/release", sendco, "release-1", ""); r.status != 503 {
		t.Fatalf("the release while the worker's database is away: %d %v", r.status, r.body)
	}
	j.post(riverSENDCo, "/v1/schools/"+seed.OtherSchoolID+"/pupils",
		fmt.Sprintf(`{"upn":%q,"firstName":"Ama","lastName":"Example","dateOfBirth":%q,"parents":[{"name":"Sam Example","email":"ama.family@example.org"}]}`, upn, dob), 201)
	proxy.Up()

	testenv.Eventually(t, 90*time.Second, "the move to be refused", func() bool {
		var status string
		_ = j.d.DB.QueryRow(context.Background(), `SELECT status FROM school_transfers WHERE id = $1`, tr).Scan(&status)
		return status != "released"
	})
	again := j.call("POST", "/v1/transfers/"+tr+"/release", sendco, "release-2", "")
	if again.status != 409 || !strings.Contains(fmt.Sprint(again.body["detail"]), "UPN") {
		t.Errorf("the release sent again: %d %v; want 409 naming the UPN on the new school's roll", again.status, again.body)
	}
	j.at("after the refused move", amara, seed.DemoSchoolID)
	if n := j.scalar(`SELECT count(*) FROM school_moves WHERE id = $1 AND accepted_at IS NOT NULL`, tr); n != 0 {
		t.Errorf("the refused move was accepted")
	}
	if n := j.scalar(`SELECT count(*) FROM memberships m JOIN pupil_parents pp ON pp.user_id = m.user_id
		WHERE pp.pupil_id = $1 AND m.school_id = $2`, amara, seed.OtherSchoolID); n != 0 {
		t.Errorf("Amara's parents became parents at Riverside although she did not move")
	}
	status, list := j.api.do("GET", "/v1/schools/"+seed.OtherSchoolID+"/transfers", j.token[riverSENDCo], nil, "")
	found := false
	for _, in := range list["incoming"].([]any) {
		m := in.(map[string]any)
		if m["id"] == tr {
			found = true
			if !strings.Contains(fmt.Sprint(m["reason"]), "UPN") || m["status"] == "released" || m["status"] == "completed" {
				t.Errorf("Riverside's list shows the transfer as %v %q; want it held with the reason", m["status"], m["reason"])
			}
		}
	}
	if status != 200 || !found {
		t.Errorf("Riverside's transfers: %d %v", status, list)
	}
	status, list = j.api.do("GET", "/v1/schools/"+seed.DemoSchoolID+"/transfers", j.token[sendco], nil, "")
	if out, _ := list["outgoing"].([]any); status != 200 || len(out) != 1 ||
		!strings.Contains(fmt.Sprint(out[0].(map[string]any)["reason"]), "UPN") {
		t.Errorf("Oakfield's transfers: %d %v; want the request with the reason", status, list)
	}
}

// TestMovedPupilChoosesClass: Leo (no pathway yet) moves to Riverside and arrives in no class.
// Riverside's moving-school page and his page say so and lead the SENDCo to choose one of
// Riverside's classes; the choice is saved and audited, and then his page names the class.
// Oakfield's SENDCo can no longer choose his class.
func TestMovedPupilChoosesClass(t *testing.T) {
	t.Parallel()
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t)))
	leo := seed.PupilLeoID
	class := j.post(riverSENDCo, "/v1/schools/"+seed.OtherSchoolID+"/classes", `{"name":"Willow","teachers":[]}`, 201)
	upn, dob := j.upnAndBirth(leo)
	asked := j.post(riverSENDCo, "/v1/schools/"+seed.OtherSchoolID+"/transfers",
		fmt.Sprintf(`{"upn":%q,"dateOfBirth":%q}`, upn, dob), 201)
	if r := j.call("POST", "/v1/transfers/"+asked["id"].(string)+"/release", sendco, "release-leo", ""); r.status != 200 ||
		r.body["status"] != "completed" {
		t.Fatalf("release = %d %v", r.status, r.body)
	}

	river := testenv.NewBrowser(t, j.api.base)
	river.SignIn(riverSENDCo)
	status, page := river.Get("/transfers")
	wantPage(t, "Riverside's moving school page", status, page, 200, "Not in a class yet", `href="/pupils/`+leo+`/class"`)
	status, page = river.Get("/pupils/" + leo)
	wantPage(t, "Leo's page at Riverside", status, page, 200,
		"is not in a class at Riverside Primary (demo), so no teacher sees their record yet", "Choose a class")
	status, page = river.Get("/pupils/" + leo + "/class")
	wantPage(t, "the class form", status, page, 200, "Which class is this pupil in?", "Willow")
	status, page = river.Submit(page, "Save", url.Values{"class": {class["classId"].(string)}})
	wantPage(t, "the class chosen", status, page, 200, "is now in this class", "Willow class")
	if strings.Contains(page, "is not in a class") {
		t.Error("Leo's page still says he has no class")
	}
	if n := j.scalar(`SELECT count(*) FROM pupils WHERE id = $1 AND class_id = $2`, leo, class["classId"]); n != 1 {
		t.Error("Leo's class was not saved")
	}
	if n := j.scalar(`SELECT count(*) FROM audit_log WHERE pupil_id = $1 AND action = 'class:assign' AND outcome = 'ok'`, leo); n != 1 {
		t.Errorf("%d class choices audited, want 1", n)
	}
	oak := testenv.NewBrowser(t, j.api.base)
	oak.SignIn(sendco)
	if status, _ := oak.Get("/pupils/" + leo + "/class"); status != 404 {
		t.Errorf("Oakfield's SENDCo opens Leo's class form after the move: %d", status)
	}
}

// TestMovedPupilGetsANewClass: a school with no classes on sendflow yet is not a dead end. The
// SENDCo names the moved pupil's class on the class form, with its teachers; the class is added,
// the pupil is in it and its teacher reads their record; the same form sent twice adds one class.
func TestMovedPupilGetsANewClass(t *testing.T) {
	t.Parallel()
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t)))
	leo := seed.PupilLeoID
	const kingfisherTeacher = "teacher.kingfisher@riverside.example"
	j.post(riverSENDCo, "/v1/schools/"+seed.OtherSchoolID+"/staff",
		`{"email":"`+kingfisherTeacher+`","name":"Kit Fisher","role":"teacher"}`, 201)
	tok, err := auth.Issue(j.d.Key, j.userID(kingfisherTeacher), kingfisherTeacher, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	j.token[kingfisherTeacher] = tok
	if n := j.scalar(`SELECT count(*) FROM classes WHERE school_id = $1`, seed.OtherSchoolID); n != 0 {
		t.Fatalf("Riverside has %d classes at the start, want none", n)
	}
	upn, dob := j.upnAndBirth(leo)
	asked := j.post(riverSENDCo, "/v1/schools/"+seed.OtherSchoolID+"/transfers",
		fmt.Sprintf(`{"upn":%q,"dateOfBirth":%q}`, upn, dob), 201)
	if r := j.call("POST", "/v1/transfers/"+asked["id"].(string)+"/release", sendco, "release-leo", ""); r.status != 200 {
		t.Fatalf("release = %d %v", r.status, r.body)
	}
	if r := j.call("GET", "/v1/pupils/"+leo+"/pathway", kingfisherTeacher, "", ""); r.status != 404 {
		t.Fatalf("a teacher of no class of Leo's reads his pathway: %d", r.status)
	}

	river := testenv.NewBrowser(t, j.api.base)
	river.SignIn(riverSENDCo)
	status, page := river.Get("/pupils/" + leo + "/class")
	wantPage(t, "the class form at a school with no classes", status, page, 200,
		"has no classes on sendflow yet", "Name of the class", "Kit Fisher")
	status, refused := river.Submit(page, "Save", url.Values{})
	wantPage(t, "no name given", status, refused, 422, "Enter the name of the class")
	action := regexp.MustCompile(`name="action" value="([^"]+)"`).FindStringSubmatch(page)
	if action == nil {
		t.Fatal("the class form carries no action id")
	}
	// The same form sent eight times at once (one action id), and eight new forms naming the same
	// class at once: one Kingfishers class, every copy answered with Leo in it.
	tabs := make([]*testenv.Browser, 16)
	for i := range tabs {
		tabs[i] = testenv.NewBrowser(t, j.api.base)
		tabs[i].SetCookies(river.Cookies())
	}
	answers, _ := j.burst(len(tabs), func(i int) reply {
		form := url.Values{"action": {action[1]}, "className": {"Kingfishers"}, "teachers": {j.userID(kingfisherTeacher)}}
		if i >= 8 {
			form.Set("action", fmt.Sprintf("6c1a5500-0000-4000-8000-%012d", i))
		}
		status, page := tabs[i].Post("/pupils/"+leo+"/class", form)
		return reply{status: status, body: map[string]any{"page": page}}
	})
	// The tabs share one session, whose one-time "Done" message only one of them shows: every
	// copy lands on Leo's page with no problem reported.
	for i, a := range answers {
		page := fmt.Sprint(a.body["page"])
		if a.status != 200 || strings.Contains(page, "There is a problem") || !strings.Contains(page, "Kingfishers") {
			t.Errorf("copy %d of the class form = %d, want 200 and Leo's page showing the Kingfishers class", i, a.status)
		}
	}
	if n := j.scalar(`SELECT count(*) FROM classes WHERE school_id = $1 AND name = 'Kingfishers'`, seed.OtherSchoolID); n != 1 {
		t.Errorf("%d Kingfishers classes, want 1", n)
	}
	if n := j.scalar(`SELECT count(*) FROM pupils p JOIN classes c ON c.id = p.class_id WHERE p.id = $1 AND c.name = 'Kingfishers'`, leo); n != 1 {
		t.Error("Leo is not in the Kingfishers class")
	}
	if r := j.call("GET", "/v1/pupils/"+leo+"/pathway", kingfisherTeacher, "", ""); r.status != 200 {
		t.Errorf("the Kingfishers' teacher reads Leo's pathway: %d, want 200", r.status)
	}
	if n := j.scalar(`SELECT count(*) FROM audit_log WHERE pupil_id = $1 AND action = 'class:create' AND outcome = 'ok'`, leo); n < 1 {
		t.Error("adding the class is not audited")
	}
}
