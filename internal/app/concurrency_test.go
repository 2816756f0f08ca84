package app

import (
	"context"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
	"github.com/sendflow/sendflow/workflows"
)

// quickReviews is a timings file in which a plan's review can be recorded as soon as the plan is
// agreed (and planned a day ahead), so tests in real time can go round whole cycles. Everything
// else keeps its default.
func quickReviews(t testing.TB) string {
	return timingsFile(t, "cycle:\n  review_reminder_before: 60d\n  parent_invite_before: 1d\n")
}

// newFamily adds a pupil with one parent to the demo school's Oak class and returns the pupil's
// id and the parent's email.
func (j *journey) newFamily(name string) (pupil, parentEmail string) {
	j.t.Helper()
	parentEmail = fmt.Sprintf("parent.%s.%d@example.org", name, time.Now().UnixNano())
	out := j.post(
		sendco,
		"/v1/schools/"+seed.DemoSchoolID+"/pupils",
		fmt.Sprintf(`{"upn":%q,"firstName":%q,"lastName":"Example",
		"dateOfBirth":"2018-05-01","class":"Oak","parents":[{"name":"Sam Example","email":%q}]}`, newUPN(), name, parentEmail),
		201,
	)
	return out["id"].(string), parentEmail
}

// burst sends n copies of one request at once, each with its own Idempotency-Key (a double
// click, a retry that does not know the first got through), and while they land times a read of
// another pupil's pathway.
func (j *journey) burst(n int, send func(i int) reply) (answers []reply, unrelated time.Duration) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		time.Sleep(50 * time.Millisecond)
		unrelated = j.call("GET", "/v1/pupils/"+seed.PupilZainID+"/pathway", sendco, "", "").took
	}()
	answers = parallel(n, send)
	wg.Wait()
	return answers, unrelated
}

// exactlyOne checks that one answer of a burst succeeded and every other was a clear answer
// (a conflict, or a link already used) within a few seconds.
func exactlyOne(t *testing.T, what string, answers []reply, unrelated time.Duration, others ...int) {
	t.Helper()
	ok := 0
	for i, a := range answers {
		switch {
		case a.err != nil:
			t.Errorf("%s %d: %v", what, i, a.err)
		case a.status == 200 || a.status == 201:
			ok++
		case !contains(others, a.status):
			t.Errorf("%s %d answered %d %v; want one success and %v for the rest", what, i, a.status, a.body, others)
		}
		if a.took > 15*time.Second {
			t.Errorf("%s %d took %s", what, i, a.took)
		}
	}
	if ok != 1 {
		t.Errorf("%s: %d of %d succeeded, want exactly 1", what, ok, len(answers))
	}
	if unrelated > 5*time.Second {
		t.Errorf("%s: an unrelated read took %s meanwhile", what, unrelated)
	}
}

func contains(xs []int, x int) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// agrees checks that the read model shows the stage the pupil's workflow holds.
func (j *journey) agrees(pupil string) {
	j.t.Helper()
	testenv.Eventually(j.t, 20*time.Second, "the read model to agree with the workflow for "+pupil, func() bool {
		return j.stage(pupil) == j.workflowStage(pupil)
	})
}

var viewsLinkRE = regexp.MustCompile(`href="([^"]*/parent/views\?t=[^"]*)"`)

// TestParallelActionsTakeEffectOnce: for N = 2, 4, 8, 16 and 32 copies sent at once of every
// one-tap link (a meeting answer, views before a review, consent) and of the staff actions on one
// meeting, one referral and one cycle, exactly one takes effect; the rest are told clearly, in
// seconds; reads of other pupils stay fast; the record holds one of each and agrees everywhere.
func TestParallelActionsTakeEffectOnce(t *testing.T) {
	// Not in parallel with other tests: it opens up to 32 requests at once, and beside another
	// stack they would meet PostgreSQL's connection limit rather than each other.
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t), "SENDFLOW_TIMINGS_FILE", quickReviews(t)))
	for _, n := range []int{2, 4, 8, 16, 32} {
		pupil, parentEmail := j.newFamily(fmt.Sprintf("N%d", n))
		p := "/v1/pupils/" + pupil
		j.post(
			teacher,
			p+"/concerns",
			`{"areas":["communication_and_interaction"],"observed":"Struggles to follow instructions."}`,
			201,
		)
		j.post(sendco, p+"/pathway/triage", `{"decision":"sen_support"}`, 201)
		review := time.Now().UTC().AddDate(0, 0, 10)
		plan := j.post(
			sendco,
			p+"/cycles",
			fmt.Sprintf(
				`{"reviewDate":%q,"outcomes":[{"text":"Follows instructions"}],"provision":[]}`,
				review.Format(time.DateOnly),
			),
			201,
		)
		outcome := plan["outcomes"].([]any)[0].(map[string]any)["id"]
		starts := time.Now().UTC().AddDate(0, 0, 9).Truncate(time.Hour)
		meeting := j.post(
			sendco,
			p+"/meetings",
			fmt.Sprintf(`{"kind":"review","startsAt":%q,"location":"The library"}`, starts.Format(time.RFC3339)),
			201,
		)
		meetingID := meeting["meeting"].(map[string]any)["meetingId"].(string)
		ref := j.post(sendco, p+"/referrals", `{"service":"educational_psychology","reason":"Advice on language"}`, 201)
		refID := ref["referralId"].(string)

		// The parent taps each link n times at once.
		meetingLink := linkIn(t, j.sent("review_meeting_invitation", parentEmail), "meeting")
		_, body := page(t, "GET", meetingLink, nil)
		m := viewsLinkRE.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("N=%d: no views link on the meeting page:\n%s", n, body)
		}
		viewsLink := html.UnescapeString(m[1])
		taps, slow := j.burst(n, func(int) reply { return tap(meetingLink, url.Values{"response": {"accepted"}}) })
		exactlyOne(t, fmt.Sprintf("N=%d meeting answer", n), taps, slow, 410, 409)
		taps, slow = j.burst(n, func(i int) reply {
			return tap(viewsLink, url.Values{"going_well": {fmt.Sprintf("Reading at home %d", i)}})
		})
		exactlyOne(t, fmt.Sprintf("N=%d views", n), taps, slow, 410, 409)
		consentLink := linkIn(t, j.sent("consent_request", parentEmail), "consent")
		taps, slow = j.burst(
			n,
			func(int) reply { return tap(consentLink, url.Values{"action": {"give"}, "version": {"consent-v1"}}) },
		)
		exactlyOne(t, fmt.Sprintf("N=%d consent", n), taps, slow, 410, 409)

		// Staff send each action n times at once, each copy with its own key.
		key := func(what string, i int) string { return fmt.Sprintf("%s-%d-%d", what, n, i) }
		answers, slow := j.burst(n, func(i int) reply {
			return j.call(
				"POST",
				"/v1/referrals/"+refID+"/decision",
				sendco,
				key("decide", i),
				`{"approve":true,"overrideReason":"Urgent"}`,
			)
		})
		exactlyOne(t, fmt.Sprintf("N=%d referral decision", n), answers, slow, 409)
		answers, slow = j.burst(n, func(i int) reply {
			return j.call("POST", p+"/cycles/1/review", teacher, key("review", i),
				fmt.Sprintf(`{"ratings":[{"outcomeId":%q,"rating":"achieved"}],"nextStep":"continue"}`, outcome))
		})
		exactlyOne(t, fmt.Sprintf("N=%d review", n), answers, slow, 409)
		moved := starts.Add(48 * time.Hour).Format(time.RFC3339)
		answers, slow = j.burst(n, func(i int) reply {
			return j.call(
				"POST",
				"/v1/meetings/"+meetingID+"/reschedule",
				sendco,
				key("move", i),
				fmt.Sprintf(`{"startsAt":%q}`, moved),
			)
		})
		exactlyOne(t, fmt.Sprintf("N=%d reschedule", n), answers, slow, 409)
		answers, slow = j.burst(n, func(i int) reply {
			return j.call("POST", "/v1/meetings/"+meetingID+"/cancel", sendco, key("cancel", i), "")
		})
		exactlyOne(t, fmt.Sprintf("N=%d cancel", n), answers, slow, 409)

		// One of each is recorded, and every reader agrees.
		for what, sql := range map[string]string{
			"meeting answers": `SELECT count(*) FROM meeting_responses WHERE meeting_id = $1 AND accepted_at IS NOT NULL`,
			"meeting changes": `SELECT count(*) - 2 FROM meeting_changes WHERE meeting_id = $1 AND accepted_at IS NOT NULL`,
		} {
			if got := j.scalar(sql, meetingID); got != 1 {
				t.Errorf("N=%d: %d %s, want 1 (besides the first)", n, got, what)
				rows, _ := j.d.DB.Query(
					context.Background(),
					`SELECT id::text, kind, sequence, starts_at, accepted_at, created_at FROM meeting_changes WHERE meeting_id = $1 ORDER BY created_at`,
					meetingID,
				)
				for rows.Next() {
					var id, kind string
					var seq *int
					var at, acc, cr *time.Time
					_ = rows.Scan(&id, &kind, &seq, &at, &acc, &cr)
					t.Logf("change %s %s seq=%v at=%v accepted=%v created=%v", id, kind, seq, at, acc, cr)
				}
				rows.Close()
			}
		}
		if got := j.scalar(`SELECT sequence FROM meetings WHERE id = $1`, meetingID); got != 2 {
			t.Errorf("N=%d: the meeting's calendar SEQUENCE is %d, want 2 (one move, one cancellation)", n, got)
		}
		if got := j.scalar(`SELECT count(*) FROM parent_views WHERE pupil_id = $1 AND accepted_at IS NOT NULL`, pupil); got != 1 {
			t.Errorf("N=%d: %d sets of views, want 1", n, got)
		}
		if got := j.scalar(`SELECT count(*) FROM consent_records WHERE referral_id = $1`, refID); got != 1 {
			t.Errorf("N=%d: %d consent rows, want 1", n, got)
		}
		if got := j.scalar(`SELECT count(*) FROM cycle_reviews WHERE pupil_id = $1`, pupil); got != 1 {
			t.Errorf("N=%d: %d review rows, want 1", n, got)
		}
		st := queryState[workflows.ReferralState](t, j, workflows.ReferralWorkflowID(pupil, refID))
		if st.Status != workflows.ReferralSubmitted || !st.ConsentGiven {
			t.Errorf(
				"N=%d: the referral is %s (consent %v), want submitted with consent",
				n,
				st.Status,
				st.ConsentGiven,
			)
		}
		if item := j.item(pupil, "referral/"); item["status"] != string(st.Status) {
			t.Errorf("N=%d: the read model says the referral is %v, the workflow %s", n, item["status"], st.Status)
		}
		j.agrees(pupil)
		if got := j.scalar(`SELECT count(*) FROM email_outbox WHERE template = 'referral_submitted' AND pupil_id = $1`, pupil); got != 1 {
			t.Errorf("N=%d: the referral was sent %d times, want once", n, got)
		}
	}
}

// queryState asks a workflow for its state.
func queryState[T any](t *testing.T, j *journey, workflowID string) T {
	t.Helper()
	var st T
	v, err := j.d.Temporal.QueryWorkflow(context.Background(), workflowID, "", workflows.QueryState)
	if err == nil {
		err = v.Get(&st)
	}
	if err != nil {
		t.Fatalf("query %s: %v", workflowID, err)
	}
	return st
}
