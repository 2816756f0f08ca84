package app

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
	"github.com/sendflow/sendflow/workflows"
)

const (
	officer     = "ehc.officer@demoshire.example"
	officerID   = "5c0f0000-0000-4000-8000-000000000303"
	councilTeam = "ehc.team@demoshire.example"
)

// statutoryEntry finds a statutory step of a pupil's pathway by item prefix and step.
func (j *journey) statutoryEntry(pupil, item, step string) map[string]any {
	j.t.Helper()
	for _, s := range j.pathway(pupil)["statutory"].([]any) {
		m := s.(map[string]any)
		if strings.HasPrefix(m["item"].(string), item) && m["step"] == step {
			return m
		}
	}
	j.t.Fatalf("no statutory step %s %s on the pathway: %v", item, step, j.pathway(pupil)["statutory"])
	return nil
}

func (j *journey) deadline(pupil, kind string) map[string]any {
	for _, d := range j.pathway(pupil)["deadlines"].([]any) {
		if m := d.(map[string]any); m["kind"] == kind {
			return m
		}
	}
	return nil
}

// sentText waits for an email of a template to an address whose text contains want.
func (j *journey) sentContaining(template, to, want string) string {
	j.t.Helper()
	var text string
	testenv.Eventually(j.t, 60*time.Second, template+" to "+to+" saying "+want, func() bool {
		rows, err := j.d.DB.Query(context.Background(), `SELECT text_body FROM email_outbox
			WHERE template = $1 AND to_address = $2 AND status = 'sent'`, template, to)
		if err != nil {
			return false
		}
		defer rows.Close()
		for rows.Next() {
			if rows.Scan(&text) == nil && strings.Contains(text, want) {
				return true
			}
		}
		return false
	})
	return text
}

// TestStatutoryClocksJourney is issue 17's journey on compressed time (a day each tenth of a
// second): an EHC request with a pause of several days, its advice late — the council's officer
// and team warned before and told after —, the plan issued, and the first annual review: a Year 6
// transfer review worked out from the date of birth, its late steps warned before and flagged
// after; timeliness in words on the pathway, the caseload and the council's view.
func TestStatutoryClocksJourney(t *testing.T) {
	t.Parallel() // its own stack and database; most of its time is spent waiting
	j := newJourney(t)
	// A pupil in Year 5 now (born in 2016/17): Year 6, the last year of Oakfield Primary, from
	// September 2027.
	created := j.post(
		sendco,
		"/v1/schools/"+seed.DemoSchoolID+"/pupils",
		fmt.Sprintf(`{"upn":%q,"firstName":"Nia","lastName":"Adeyemi",
		"dateOfBirth":"2017-01-20","parents":[{"name":"Bola Adeyemi","email":"parent.nia@example.org"}]}`, newUPN()),
		201,
	)
	nia := created["id"].(string)
	p := "/v1/pupils/" + nia

	// The request starts the clock; the council's officer takes the case.
	req := j.post(sendco, p+"/ehc-requests", `{"requestedBy":"school"}`, 201)["requestId"].(string)
	j.put(
		officer,
		p+"/ehc-officer",
		fmt.Sprintf(`{"officerId":%q}`, "5c0f0000-0000-4000-8000-000000000304"),
		422,
	) // another council's officer
	j.put(officer, p+"/ehc-officer", fmt.Sprintf(`{"officerId":%q}`, officerID), 200)
	ev := func(who, body string, want int) { j.post(who, "/v1/ehc-requests/"+req+"/events", body, want) }
	ev(officer, `{"type":"decision_to_assess"}`, 201)
	// 20 weeks from the day of the request, in words and dates.
	first := j.statutoryEntry(nia, "ehc/", "final_plan")
	rawFinal, _ := time.Parse(time.DateOnly, first["dueWithoutExceptions"].(string))
	requested := rawFinal.AddDate(0, 0, -140)
	if first["due"] != first["dueWithoutExceptions"] ||
		!strings.Contains(first["words"].(string), "(20 weeks from "+requested.Format("2 January 2006")+")") {
		t.Errorf("final plan before any pause: %v", first)
	}

	// A pause of several days: the deadlines move by the whole days it covered.
	ev(officer, `{"type":"exception_started","reason":"exceptional_personal_circumstances"}`, 201)
	j.waitUntil(nia, j.today(nia).AddDate(0, 0, 6))
	ev(officer, `{"type":"exception_ended"}`, 201)
	letter := j.sent("ehc_clock_resumed", "parent.nia@example.org")
	m := regexp.MustCompile(`Days added to the time limits: (\d+)\.`).FindStringSubmatch(letter)
	if m == nil || !strings.Contains(letter, "We count whole days in UK time") {
		t.Fatalf("the parents' letter does not state the days added and the rule:\n%s", letter)
	}
	pausedDays, _ := strconv.Atoi(m[1])
	if pausedDays < 6 {
		t.Errorf("a pause over %d days counted %d", 6, pausedDays)
	}
	final := j.statutoryEntry(nia, "ehc/", "final_plan")
	if final["due"] != rawFinal.AddDate(0, 0, pausedDays).Format(time.DateOnly) ||
		!strings.Contains(final["words"].(string), fmt.Sprintf("moved %d days by pauses", pausedDays)) {
		t.Errorf("final plan after a %d-day pause: %v", pausedDays, final)
	}

	// Advice asked for and not given: the council's officer and team are warned 2 weeks before
	// and told once the due day is over, as is the SENDCo.
	ev(officer, `{"type":"advice_requested"}`, 201)
	for _, to := range []string{officer, councilTeam, sendco} {
		j.sentContaining("ehc_deadline_at_risk", to, "advice from professionals")
		j.sentContaining("ehc_deadline_missed", to, "advice from professionals")
	}
	if a := j.statutoryEntry(nia, "ehc/", "advice"); a["status"] != "late" ||
		!strings.HasPrefix(a["words"].(string), "Due by ") {
		t.Errorf("late advice on the pathway: %v", a)
	}
	// The council's view lists what is at risk or late in its area, in words.
	status, council := j.api.do("GET", "/v1/local-authorities/999/statutory", j.token[officer], nil, "")
	if status != 200 || !strings.Contains(fmt.Sprint(council["late"]), "Nia Adeyemi") ||
		!strings.Contains(fmt.Sprint(council["late"]), "Late by") {
		t.Errorf("council view = %d %v", status, council)
	}
	if status, _ := j.api.do("GET", "/v1/local-authorities/998/statutory", j.token[officer], nil, ""); status != 404 {
		t.Errorf("another council's view = %d, want 404", status)
	}
	if status, _ := j.api.do("GET", "/v1/local-authorities/999/statutory", j.token[sendco], nil, ""); status != 404 {
		t.Errorf("a SENDCo reading the council's view = %d, want 404", status)
	}

	// Draft, comments, the final plan.
	ev(officer, `{"type":"advice_received"}`, 201)
	ev(officer, `{"type":"draft_issued"}`, 201)
	j.waitUntil(nia, j.today(nia).AddDate(0, 0, 61))
	ev(officer, `{"type":"final_plan_issued"}`, 201)
	issued := j.today(nia)
	testenv.Eventually(
		t,
		10*time.Second,
		"annual review 1",
		func() bool { return j.deadline(nia, "phase_transfer") != nil },
	)

	// Annual review 1 is due in 2027/28, Year 6: the move to secondary school is worked out from
	// the date of birth, with the 15 February 2028 deadline, without anyone ticking a box.
	if d := j.deadline(nia, "phase_transfer"); d["due"] != "2028-02-15" {
		t.Errorf("transfer deadline %v", d)
	}
	opened := fmt.Sprint(j.pathway(nia)["timeline"])
	if !strings.Contains(opened, "Year 6, the last year group of a school that teaches Reception to Year 6") {
		t.Errorf("the timeline does not say why this is a transfer review: %s", opened)
	}
	ar := func(body string, want int) map[string]any {
		return j.post(sendco, p+"/annual-reviews/1/events", body, want)
	}
	// Booked for 10 September 2027 (Year 6); a flag naming another move is refused.
	meeting := time.Date(2027, 9, 10, 0, 0, 0, 0, time.UTC)
	if meeting.Before(issued.AddDate(0, 0, 20)) {
		t.Fatalf("the calendar ran too far: the plan was issued on %s", issued.Format(time.DateOnly))
	}
	if out := ar(fmt.Sprintf(`{"type":"meeting_scheduled","meetingOn":%q,"transfer":"secondary_to_post16"}`, meeting.Format(time.DateOnly)), 409); !strings.Contains(
		fmt.Sprint(out["detail"]),
		"secondary school in September 2028",
	) {
		t.Errorf("a wrong transfer flag refused with %v", out["detail"])
	}
	ar(fmt.Sprintf(`{"type":"meeting_scheduled","meetingOn":%q}`, meeting.Format(time.DateOnly)), 201)
	j.waitUntil(nia, meeting)
	ar(`{"type":"meeting_held"}`, 201)
	// Warned before, told after: the report (the school's), the decision (the council's).
	j.sentContaining("annual_review_step_due", sendco, "the review report to the council")
	j.sentContaining("annual_review_step_due", officer, "the council's decision after the review")
	j.sentContaining("annual_review_step_late", sendco, "the review report to the council")
	j.sentContaining("annual_review_step_late", councilTeam, "the council's decision after the review")
	if r := j.statutoryEntry(nia, "annual-review/1", "report_due"); r["status"] != "late" {
		t.Errorf("late report on the pathway: %v", r)
	}
	status, caseload := j.api.do("GET", "/v1/schools/"+seed.DemoSchoolID+"/caseload", j.token[sendco], nil, "")
	if status != 200 || !strings.Contains(fmt.Sprint(caseload["statutory"]), "The review report to the council") ||
		!strings.Contains(fmt.Sprint(caseload["statutory"]), "Late by") {
		t.Errorf("caseload statutory = %d %v", status, caseload["statutory"])
	}
	// The EHC assessment's timeliness, counting the pause and without it, stays on the record.
	f := j.statutoryEntry(nia, "ehc/", "final_plan")
	if !strings.HasPrefix(f["words"].(string), "Done on ") || f["onTimeWithExceptions"] == nil ||
		f["onTimeWithoutExceptions"] == nil {
		t.Errorf("final plan's timeliness: %v", f)
	}
	_, council = j.api.do("GET", "/v1/local-authorities/999/statutory", j.token[officer], nil, "")
	if s := council["summary"].(map[string]any); s["plansIssued"] != float64(1) {
		t.Errorf("council summary %v", s)
	}
	// A pause, warnings and breaches and a worked-out transfer, for the replay tests (statutory-*).
	recordHistories(t, j.d, "statutory", workflows.EHCWorkflowID(nia, req), workflows.AnnualReviewWorkflowID(nia, 1))
}
