package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sendflow/sendflow/internal/seed"
	"github.com/sendflow/sendflow/internal/testenv"
	"github.com/sendflow/sendflow/internal/upn"
)

// The people of the authorization matrix, by the demo account they sign in as.
var personas = map[string]string{
	"teacher (Amara's class)": "teacher.oak@oakfield.example",
	"teacher (other class)":   "teacher.beech@oakfield.example",
	"teaching assistant":      "ta@oakfield.example",
	"sendco":                  "sendco@oakfield.example",
	"head":                    "head@oakfield.example",
	"parent of Amara":         "parent.amara@example.org",
	"parent of Leo":           "parent.leo@example.org",
	"agency (EP, referred)":   "ep@demoshire.example",
	"LA officer (Demoshire)":  "ehc.officer@demoshire.example",
	"LA officer (elsewhere)":  "ehc.officer@otherborough.example",
	"trust admin":             "admin@oaktrust.example",
	"system admin":            "sysadmin@sendflow.example",
	"other school's sendco":   "sendco@riverside.example",
}

// operation is one API call, made against an in-scope target (Amara, Oakfield) and an
// out-of-scope one (Ruby at Riverside, outside the trust, the EP referral and Demoshire).
type operation struct {
	name    string
	method  string
	path    func(t target) string
	body    func(t target) string
	allowed []string // personas that may, for the in-scope target
}

type target struct {
	pupil, school, referral, ehc, concern, meeting, parent string
}

var serial atomic.Int64

// newUPN makes a valid UPN no other test uses.
func newUPN() string {
	u, _ := upn.Make(fmt.Sprintf("7%011d", serial.Add(1)))
	return u
}

var staffRoles = []string{"teacher (Amara's class)", "teaching assistant", "sendco", "head", "trust admin"}

func operations() []operation {
	pupil := func(suffix string) func(t target) string {
		return func(t target) string { return "/v1/pupils/" + t.pupil + suffix }
	}
	school := func(suffix string) func(t target) string {
		return func(t target) string { return "/v1/schools/" + t.school + suffix }
	}
	body := func(s string) func(target) string { return func(target) string { return s } }
	none := body("")
	return []operation{
		{"read pathway", "GET", pupil("/pathway"), none, []string{"teacher (Amara's class)", "teaching assistant", "sendco", "head", "parent of Amara", "agency (EP, referred)", "LA officer (Demoshire)", "trust admin"}},
		{"read pupil", "GET", pupil(""), none, []string{"teacher (Amara's class)", "teaching assistant", "sendco", "head", "parent of Amara", "agency (EP, referred)", "LA officer (Demoshire)", "trust admin"}},
		{"read audit trail", "GET", pupil("/audit"), none, []string{"sendco", "head"}},
		{"read messages", "GET", pupil("/messages"), none, []string{"sendco", "head"}},
		{"raise concern", "POST", pupil("/concerns"), body(`{"areas":["cognition_and_learning"],"observed":"Matrix check."}`), []string{"teacher (Amara's class)", "sendco", "head"}},
		{"record impact", "POST", func(t target) string { return "/v1/pupils/" + t.pupil + "/concerns/" + t.concern + "/impact" }, body(`{"impacts":[{"strategyId":"ci.s.visual-timetable","impact":"helping"}]}`), []string{"teacher (Amara's class)", "sendco"}},
		{"triage", "POST", pupil("/pathway/triage"), body(`{"decision":"monitor"}`), []string{"sendco"}},
		{"plan cycle", "POST", pupil("/cycles"), body(`{"reviewDate":"2031-01-15","outcomes":[{"text":"x"}],"provision":[]}`), []string{"teacher (Amara's class)", "sendco"}},
		{"review cycle", "POST", pupil("/cycles/1/review"), body(`{"ratings":[{"outcomeId":"00000000-0000-4000-8000-000000000000","rating":"achieved"}],"nextStep":"continue"}`), []string{"teacher (Amara's class)", "sendco"}},
		{"log provision", "POST", pupil("/cycles/1/provision"), body(`{"description":"Group work","givenOn":"2026-11-20"}`), []string{"teacher (Amara's class)", "teaching assistant", "sendco"}},
		{"readiness", "GET", pupil("/referral-readiness?service=educational_psychology"), none, []string{"sendco", "head"}},
		{"open referral", "POST", pupil("/referrals"), body(`{"service":"educational_psychology","reason":"Matrix"}`), []string{"sendco"}},
		{"decide referral", "POST", func(t target) string { return "/v1/referrals/" + t.referral + "/decision" }, body(`{"approve":true}`), []string{"sendco"}},
		{"consent", "POST", func(t target) string { return "/v1/referrals/" + t.referral + "/consent" }, body(`{"action":"give"}`), []string{"parent of Amara"}},
		{"agency response", "POST", func(t target) string { return "/v1/referrals/" + t.referral + "/response" }, body(`{"kind":"acknowledged"}`), []string{"sendco", "agency (EP, referred)"}},
		{"request EHC assessment", "POST", pupil("/ehc-requests"), body(`{"requestedBy":"school"}`), []string{"sendco", "parent of Amara"}},
		{"EHC event", "POST", func(t target) string { return "/v1/ehc-requests/" + t.ehc + "/events" }, body(`{"type":"draft_issued"}`), []string{"sendco", "LA officer (Demoshire)"}},
		{"annual review event", "POST", pupil("/annual-reviews/1/events"), body(`{"type":"meeting_held"}`), []string{"sendco"}},
		{"arrange meeting", "POST", pupil("/meetings"), body(`{"kind":"expectation","startsAt":"2031-03-04T10:00:00Z","location":"The school library"}`), []string{"teacher (Amara's class)", "sendco"}},
		{"move meeting", "POST", func(t target) string { return "/v1/meetings/" + t.meeting + "/reschedule" }, body(`{"startsAt":"2031-03-05T10:00:00Z"}`), []string{"teacher (Amara's class)", "sendco"}},
		{"cancel meeting", "POST", func(t target) string { return "/v1/meetings/" + t.meeting + "/cancel" }, none, []string{"teacher (Amara's class)", "sendco"}},
		{"read school", "GET", school(""), none, append([]string{"system admin", "teacher (other class)"}, staffRoles...)},
		{"list pupils", "GET", school("/pupils"), none, append([]string{"teacher (other class)"}, staffRoles...)},
		{"caseload", "GET", school("/caseload"), none, []string{"sendco", "head", "trust admin"}},
		{"add staff", "POST", school("/staff"), func(target) string {
			return fmt.Sprintf(`{"email":"new%d@oakfield.example","name":"New Teacher","role":"teacher"}`, serial.Add(1))
		}, []string{"sendco", "head", "trust admin", "system admin"}},
		{"add class", "POST", school("/classes"), func(target) string {
			return fmt.Sprintf(`{"name":"Class %d","teachers":[]}`, serial.Add(1))
		}, []string{"sendco", "head", "trust admin", "system admin"}},
		{"read cycle", "GET", pupil("/cycles/1"), none, []string{"teacher (Amara's class)", "teaching assistant", "sendco", "head", "parent of Amara", "agency (EP, referred)", "LA officer (Demoshire)", "trust admin"}},
		{"set parent language", "PUT", func(t target) string { return "/v1/pupils/" + t.pupil + "/parents/" + t.parent + "/language" }, body(`{"language":"en"}`), []string{"sendco", "head", "parent of Amara"}},
		{"set school contact", "PUT", school("/contact"), body(`{"name":"The school office","email":"office@school.example","phone":"01632 960 999"}`), []string{"sendco", "head", "trust admin", "system admin"}},
		{"add pupil", "POST", school("/pupils"), func(target) string {
			return fmt.Sprintf(`{"upn":%q,"firstName":"New","lastName":"Pupil","dateOfBirth":"2018-02-02","parents":[{"name":"A Parent","email":"p%d@example.org"}]}`, newUPN(), serial.Add(1))
		}, []string{"sendco", "head", "trust admin", "system admin"}},
	}
}

// TestAuthorizationMatrix checks every persona against every operation, on a pupil and school
// in their reach and on ones outside it, through the real HTTP stack. In reach, the allowed get
// past authorization (any answer but 401, 403 or 404) and the others get 404; out of reach,
// everyone gets 404 and the answer never names the pupil.
func TestAuthorizationMatrix(t *testing.T) {
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t)))
	in, out := j.matrixFixtures()

	// Two personas belong to Ruby's side (her school's SENDCo, her LA's officer): for them Ruby
	// is in reach as Amara is for their counterparts, and Amara is out of reach.
	// The system admin sets up every school, so both sides are theirs.
	counterpart := map[string]string{"other school's sendco": "sendco", "LA officer (elsewhere)": "LA officer (Demoshire)", "system admin": "system admin"}
	short := func(b map[string]any) string { return fmt.Sprintf("%.200v", b) }
	for _, op := range operations() {
		for persona, email := range personas {
			allowed := slices.Contains(op.allowed, persona)
			t.Run(op.name+"/"+persona, func(t *testing.T) {
				status, body := j.api.do(op.method, op.path(in), j.token[email], nil, op.body(in))
				switch {
				case allowed && (status == 401 || status == 403 || status == 404):
					t.Errorf("in reach: %s %s = %d, want it allowed: %s", op.method, op.path(in), status, short(body))
				case !allowed && status != 404:
					t.Errorf("in reach: %s %s = %d, want 404 (not theirs): %s", op.method, op.path(in), status, short(body))
				}
				if strings.Contains(fmt.Sprint(body), "Amara") && !allowed {
					t.Errorf("the refusal names the pupil: %s", short(body))
				}
				status, body = j.api.do(op.method, op.path(out), j.token[email], nil, op.body(out))
				ownSide := slices.Contains(op.allowed, counterpart[persona])
				switch {
				case ownSide && (status == 401 || status == 403 || status == 404):
					t.Errorf("own pupil: %s %s = %d, want it allowed: %s", op.method, op.path(out), status, short(body))
				case !ownSide && status != 404:
					t.Errorf("out of reach: %s %s = %d, want 404: %s", op.method, op.path(out), status, short(body))
				}
				if !ownSide && strings.Contains(fmt.Sprint(body), "Ruby") {
					t.Errorf("out of reach: the answer names the pupil: %s", short(body))
				}
			})
		}
	}
	t.Run("create school", func(t *testing.T) {
		for persona, email := range personas {
			status, _ := j.api.do("POST", "/v1/schools", j.token[email], nil,
				fmt.Sprintf(`{"name":"New School %d","laCode":"999","trustId":%q}`, serial.Add(1), seed.TrustID))
			want := 403
			if persona == "system admin" || persona == "trust admin" {
				want = 201
			}
			if status != want {
				t.Errorf("%s creating a school in the trust = %d, want %d", persona, status, want)
			}
		}
		if status, _ := j.api.do("POST", "/v1/schools", j.token["admin@oaktrust.example"], nil, `{"name":"Outside","laCode":"999"}`); status != 403 {
			t.Errorf("trust admin creating a school outside the trust = %d, want 403", status)
		}
	})
}

// matrixFixtures sets up Amara (in reach: concern, SEN support, a consented EP referral, an EHC
// request, a meeting) and Ruby at Riverside (out of reach: the same, with a speech and language referral).
func (j *journey) matrixFixtures() (in, out target) {
	j.t.Helper()
	setup := func(pupil, school, sendco, teacher, parent, service string) target {
		p := "/v1/pupils/" + pupil
		c := j.post(teacher, p+"/concerns", `{"areas":["communication_and_interaction"],"observed":"Fixture."}`, 201)
		j.post(sendco, p+"/pathway/triage", `{"decision":"sen_support"}`, 201)
		j.post(sendco, p+"/cycles", `{"reviewDate":"2031-01-15","outcomes":[{"text":"Fixture"}],"provision":[]}`, 201)
		ref := j.post(sendco, p+"/referrals", fmt.Sprintf(`{"service":%q,"reason":"Fixture"}`, service), 201)["referralId"].(string)
		j.post(sendco, "/v1/referrals/"+ref+"/decision", `{"approve":true,"overrideReason":"Fixture"}`, 201)
		j.post(parent, "/v1/referrals/"+ref+"/consent", `{"action":"give"}`, 201)
		ehc := j.post(sendco, p+"/ehc-requests", `{"requestedBy":"school"}`, 201)["requestId"].(string)
		m := j.post(sendco, p+"/meetings", `{"kind":"expectation","startsAt":"2031-03-03T10:00:00Z","location":"The school hall"}`, 201)
		var parentID string
		for _, person := range seed.People {
			if person.Email == parent {
				parentID = person.ID
			}
		}
		return target{pupil: pupil, school: school, referral: ref, ehc: ehc, concern: c["concernId"].(string),
			meeting: m["meeting"].(map[string]any)["meetingId"].(string), parent: parentID}
	}
	in = setup(seed.PupilAmaraID, seed.DemoSchoolID, "sendco@oakfield.example", "teacher.oak@oakfield.example", "parent.amara@example.org", "educational_psychology")
	out = setup(seed.PupilRubyID, seed.OtherSchoolID, "sendco@riverside.example", "sendco@riverside.example", "parent.ruby@example.org", "speech_and_language")
	var n int
	_ = j.d.DB.QueryRow(context.Background(), `SELECT count(*) FROM pathway_items WHERE kind = 'referral' AND status = 'submitted'`).Scan(&n)
	if n != 2 {
		j.t.Fatalf("fixtures: %d consented referrals, want 2", n)
	}
	return in, out
}
