package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sendflow/sendflow/internal/auth"
	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
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
	"agency (SLT, referred)":  "slt@demoshire.example",
	"other school's head":     "head@riverside.example",
	"other trust's admin":     "admin@rivertrust.example",
	// A teacher of Zain's class who is also Amara's parent (set up by matrixFixtures): signed in
	// by the school's identity provider they are both; by the parents' emailed link, a parent only.
	"teacher-parent (staff sign-in)": teacherParent,
	"teacher-parent (emailed link)":  teacherParent + " (session)",
}

// teacherParent is the matrix's member of staff who is also a parent.
const teacherParent = "teacher.parent@oakfield.example"

// operation is one API call, made against an in-scope target (Amara, Oakfield) and an
// out-of-scope one (Ruby at Riverside, in another trust and authority, with an occupational
// therapy referral no persona's service takes).
type operation struct {
	name    string
	method  string
	path    func(t target) string
	body    func(t target) string
	allowed []string // personas that may, for the in-scope target
}

// outAllowed are, for operations where that is not simply the counterparts of allowed, the
// personas that may on the out-of-scope target (Ruby stands in for Zain, and her council reaches
// her).
var outAllowed = map[string][]string{
	"read pathway (another class's pupil)": {
		"other school's sendco",
		"other school's head",
		"other trust's admin",
		"LA officer (elsewhere)",
	},
}

type target struct {
	pupil, school, referral, ehc, concern, meeting, parent string
	// Beside the target: another service's referral of the same pupil (Amara's speech and
	// language referral) and another pupil of the school with a meeting (Zain, in another class).
	// Out of scope these are Ruby's own.
	otherReferral, otherPupil, otherMeeting string
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
	ops := []operation{
		{
			"read pathway",
			"GET",
			pupil("/pathway"),
			none,
			[]string{
				"teacher (Amara's class)",
				"teaching assistant",
				"sendco",
				"head",
				"parent of Amara",
				"agency (EP, referred)",
				"agency (SLT, referred)",
				"LA officer (Demoshire)",
				"trust admin",
			},
		},
		{
			"read pupil",
			"GET",
			pupil(""),
			none,
			[]string{
				"teacher (Amara's class)",
				"teaching assistant",
				"sendco",
				"head",
				"parent of Amara",
				"agency (EP, referred)",
				"agency (SLT, referred)",
				"LA officer (Demoshire)",
				"trust admin",
			},
		},
		{"read audit trail", "GET", pupil("/audit"), none, []string{"sendco", "head"}},
		{"read messages", "GET", pupil("/messages"), none, []string{"sendco", "head"}},
		{
			"raise concern",
			"POST",
			pupil("/concerns"),
			body(`{"areas":["cognition_and_learning"],"observed":"Matrix check."}`),
			[]string{"teacher (Amara's class)", "sendco", "head"},
		},
		{
			"record impact",
			"POST",
			func(t target) string { return "/v1/pupils/" + t.pupil + "/concerns/" + t.concern + "/impact" },
			body(`{"impacts":[{"strategyId":"ci.s.visual-timetable","impact":"helping"}]}`),
			[]string{"teacher (Amara's class)", "sendco"},
		},
		{"triage", "POST", pupil("/pathway/triage"), body(`{"decision":"monitor"}`), []string{"sendco"}},
		{
			"plan cycle",
			"POST",
			pupil("/cycles"),
			body(`{"reviewDate":"2031-01-15","outcomes":[{"text":"x"}],"provision":[]}`),
			[]string{"teacher (Amara's class)", "sendco"},
		},
		{
			"review cycle",
			"POST",
			pupil("/cycles/1/review"),
			body(
				`{"ratings":[{"outcomeId":"00000000-0000-4000-8000-000000000000","rating":"achieved"}],"nextStep":"continue"}`,
			),
			[]string{"teacher (Amara's class)", "sendco"},
		},
		{
			"log provision",
			"POST",
			pupil("/cycles/1/provision"),
			body(`{"description":"Group work","givenOn":"2026-11-20"}`),
			[]string{"teacher (Amara's class)", "teaching assistant", "sendco"},
		},
		{
			"readiness",
			"GET",
			pupil("/referral-readiness?service=educational_psychology"),
			none,
			[]string{"sendco", "head"},
		},
		{
			"open referral",
			"POST",
			pupil("/referrals"),
			body(`{"service":"educational_psychology","reason":"Matrix"}`),
			[]string{"sendco"},
		},
		{
			"decide referral",
			"POST",
			func(t target) string { return "/v1/referrals/" + t.referral + "/decision" },
			body(`{"approve":true}`),
			[]string{"sendco"},
		},
		{
			"consent",
			"POST",
			func(t target) string { return "/v1/referrals/" + t.referral + "/consent" },
			body(`{"action":"give"}`),
			[]string{"parent of Amara"},
		},
		{
			"agency response",
			"POST",
			func(t target) string { return "/v1/referrals/" + t.referral + "/response" },
			body(`{"kind":"acknowledged"}`),
			[]string{"sendco", "agency (EP, referred)"},
		},
		{"request EHC assessment", "POST", pupil("/ehc-requests"), body(`{}`), []string{"sendco", "parent of Amara"}},
		{
			"EHC event",
			"POST",
			func(t target) string { return "/v1/ehc-requests/" + t.ehc + "/events" },
			body(`{"type":"draft_issued"}`),
			[]string{"sendco", "LA officer (Demoshire)"},
		},
		{
			"annual review event",
			"POST",
			pupil("/annual-reviews/1/events"),
			body(`{"type":"meeting_held"}`),
			[]string{"sendco"},
		},
		{
			"assign EHC officer",
			"PUT",
			pupil("/ehc-officer"),
			body(`{"officerId":"5c0f0000-0000-4000-8000-000000000303"}`),
			[]string{"sendco", "LA officer (Demoshire)"},
		},
		{
			"annual review council decision",
			"POST",
			pupil("/annual-reviews/1/events"),
			body(`{"type":"la_decision","decision":"keep"}`),
			[]string{"sendco", "LA officer (Demoshire)"},
		},
		// Referral per service: each practitioner reaches their own service's referral only.
		{
			"agency response (another service's referral)",
			"POST",
			func(t target) string { return "/v1/referrals/" + t.otherReferral + "/response" },
			body(`{"kind":"acknowledged"}`),
			[]string{"sendco", "agency (SLT, referred)"},
		},
		// Meeting per pupil: a meeting is reached through its own pupil, not the caller's.
		{
			"read pathway (another class's pupil)",
			"GET",
			func(t target) string { return "/v1/pupils/" + t.otherPupil + "/pathway" },
			none,
			[]string{"teacher (other class)", "sendco", "head", "trust admin"},
		},
		{
			"move meeting (another class's pupil)",
			"POST",
			func(t target) string { return "/v1/meetings/" + t.otherMeeting + "/reschedule" },
			body(`{"startsAt":"2031-03-06T10:00:00Z"}`),
			[]string{"teacher (other class)", "sendco"},
		},
		{
			"cancel meeting (another class's pupil)",
			"POST",
			func(t target) string { return "/v1/meetings/" + t.otherMeeting + "/cancel" },
			none,
			[]string{"teacher (other class)", "sendco"},
		},
		{
			"arrange meeting",
			"POST",
			pupil("/meetings"),
			body(`{"kind":"expectation","startsAt":"2031-03-04T10:00:00Z","location":"The school library"}`),
			[]string{"teacher (Amara's class)", "sendco"},
		},
		{
			"move meeting",
			"POST",
			func(t target) string { return "/v1/meetings/" + t.meeting + "/reschedule" },
			body(`{"startsAt":"2031-03-05T10:00:00Z"}`),
			[]string{"teacher (Amara's class)", "sendco"},
		},
		{
			"cancel meeting",
			"POST",
			func(t target) string { return "/v1/meetings/" + t.meeting + "/cancel" },
			none,
			[]string{"teacher (Amara's class)", "sendco"},
		},
		{
			"read school",
			"GET",
			school(""),
			none,
			append([]string{"system admin", "teacher (other class)"}, staffRoles...),
		},
		{"list pupils", "GET", school("/pupils"), none, append([]string{"teacher (other class)"}, staffRoles...)},
		{"caseload", "GET", school("/caseload"), none, []string{"sendco", "head", "trust admin"}},
		{"add staff", "POST", school("/staff"), func(target) string {
			return fmt.Sprintf(
				`{"email":"new%d@oakfield.example","name":"New Teacher","role":"teacher"}`,
				serial.Add(1),
			)
		}, []string{"sendco", "head", "trust admin", "system admin"}},
		{"add class", "POST", school("/classes"), func(target) string {
			return fmt.Sprintf(`{"name":"Class %d","teachers":[]}`, serial.Add(1))
		}, []string{"sendco", "head", "trust admin", "system admin"}},
		{
			"read cycle",
			"GET",
			pupil("/cycles/1"),
			none,
			[]string{
				"teacher (Amara's class)",
				"teaching assistant",
				"sendco",
				"head",
				"parent of Amara",
				"trust admin",
			},
		},
		{
			"set parent language",
			"PUT",
			func(t target) string { return "/v1/pupils/" + t.pupil + "/parents/" + t.parent + "/language" },
			body(`{"language":"en"}`),
			[]string{"sendco", "head", "parent of Amara"},
		},
		{
			"set school contact",
			"PUT",
			school("/contact"),
			body(`{"name":"The school office","email":"office@school.example","phone":"01632 960 999"}`),
			[]string{"sendco", "head", "trust admin", "system admin"},
		},
		{"read provision catalogue", "GET", school("/provision-catalogue"), none,
			append([]string{"teacher (other class)"}, staffRoles...)},
		// Amara has no EHC plan: those who may record its provision are told so (409).
		{"record EHC plan provision", "POST", pupil("/ehc-provision"), body(`{"text":"Speech and language therapy","sessionsPerWeek":1}`),
			[]string{"sendco", "head"}},
		{"read term dates", "GET", school("/term-dates"), none, []string{"sendco", "head", "trust admin"}},
		{
			"set term dates",
			"PUT",
			school("/term-dates"),
			body(`{"closures":[{"first":"2026-12-21","last":"2027-01-01","name":"Christmas holiday"}]}`),
			[]string{"sendco", "head"},
		},
		{"add pupil", "POST", school("/pupils"), func(target) string {
			return fmt.Sprintf(
				`{"upn":%q,"firstName":"New","lastName":"Pupil","dateOfBirth":"2018-02-02","parents":[{"name":"A Parent","email":"p%d@example.org"}]}`,
				newUPN(),
				serial.Add(1),
			)
		}, []string{"sendco", "head", "trust admin", "system admin"}},
	}
	// The teacher-parent may do what Amara's parent may, signed in either way, except choose the
	// other parent's language (a parent sets only their own); what Zain's class teacher may only
	// with the school's sign-in (parent-session scope).
	for i, op := range ops {
		if slices.Contains(op.allowed, "parent of Amara") && op.name != "set parent language" {
			ops[i].allowed = append(ops[i].allowed, "teacher-parent (staff sign-in)", "teacher-parent (emailed link)")
		}
		if slices.Contains(op.allowed, "teacher (other class)") {
			ops[i].allowed = append(ops[i].allowed, "teacher-parent (staff sign-in)")
		}
	}
	return ops
}

// TestAuthorizationMatrix checks every persona against every operation, on a pupil and school
// in their reach and on ones outside it, through the real HTTP stack. In reach, the allowed get
// past authorization (any answer but 401, 403 or 404) and the others get 404; out of reach,
// everyone gets 404 and the answer never names the pupil.
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel() // its own stack and database; most of its time is spent waiting
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t)))
	in, out := j.matrixFixtures()

	// Two personas belong to Ruby's side (her school's SENDCo, her LA's officer): for them Ruby
	// is in reach as Amara is for their counterparts, and Amara is out of reach.
	// The system admin sets up every school, so both sides are theirs.
	counterpart := map[string]string{
		"other school's sendco":  "sendco",
		"other school's head":    "head",
		"other trust's admin":    "trust admin",
		"LA officer (elsewhere)": "LA officer (Demoshire)",
		"system admin":           "system admin",
	}
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
					t.Errorf(
						"in reach: %s %s = %d, want 404 (not theirs): %s",
						op.method,
						op.path(in),
						status,
						short(body),
					)
				}
				if strings.Contains(fmt.Sprint(body), "Amara") && !allowed {
					t.Errorf("the refusal names the pupil: %s", short(body))
				}
				status, body = j.api.do(op.method, op.path(out), j.token[email], nil, op.body(out))
				ownSide := slices.Contains(op.allowed, counterpart[persona])
				if out, ok := outAllowed[op.name]; ok {
					ownSide = slices.Contains(out, persona)
				}
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
		if status, _ := j.api.do("POST", "/v1/schools", j.token["admin@rivertrust.example"], nil,
			fmt.Sprintf(`{"name":"River School %d","laCode":"998","trustId":%q}`, serial.Add(1), seed.OtherTrustID)); status != 201 {
			t.Errorf("the other trust's admin creating a school in their own trust = %d, want 201", status)
		}
	})
}

// matrixFixtures sets up Amara (in reach: concern, SEN support, consented EP and speech and
// language referrals, an EHC request, a meeting), Zain beside her (another class, with a
// meeting), the teacher-parent, and Ruby at Riverside (out of reach: the same, with an
// occupational therapy referral).
func (j *journey) matrixFixtures() (in, out target) {
	j.t.Helper()
	setup := func(pupil, school, sendco, teacher, parent, service string) target {
		p := "/v1/pupils/" + pupil
		c := j.post(teacher, p+"/concerns", `{"areas":["communication_and_interaction"],"observed":"Fixture."}`, 201)
		j.post(sendco, p+"/pathway/triage", `{"decision":"sen_support"}`, 201)
		j.post(sendco, p+"/cycles", `{"reviewDate":"2031-01-15","outcomes":[{"text":"Fixture"}],"provision":[]}`, 201)
		ref := j.post(sendco, p+"/referrals", fmt.Sprintf(`{"service":%q,"reason":"Fixture"}`, service), 201)["referralId"].(string)
		j.referralStarted(pupil, ref)
		j.post(sendco, "/v1/referrals/"+ref+"/decision", `{"approve":true,"overrideReason":"Fixture"}`, 201)
		j.post(parent, "/v1/referrals/"+ref+"/consent", `{"action":"give"}`, 201)
		ehc := j.post(sendco, p+"/ehc-requests", `{}`, 201)["requestId"].(string)
		m := j.post(
			sendco,
			p+"/meetings",
			`{"kind":"expectation","startsAt":"2031-03-03T10:00:00Z","location":"The school hall"}`,
			201,
		)
		var parentID string
		for _, person := range seed.People {
			if person.Email == parent {
				parentID = person.ID
			}
		}
		return target{pupil: pupil, school: school, referral: ref, ehc: ehc, concern: c["concernId"].(string),
			meeting: m["meeting"].(map[string]any)["meetingId"].(string), parent: parentID}
	}
	in = setup(
		seed.PupilAmaraID,
		seed.DemoSchoolID,
		"sendco@oakfield.example",
		"teacher.oak@oakfield.example",
		"parent.amara@example.org",
		"educational_psychology",
	)
	slt := j.post("sendco@oakfield.example", "/v1/pupils/"+seed.PupilAmaraID+"/referrals", `{"service":"speech_and_language","reason":"Fixture"}`, 201)["referralId"].(string)
	j.referralStarted(seed.PupilAmaraID, slt)
	j.post(
		"sendco@oakfield.example",
		"/v1/referrals/"+slt+"/decision",
		`{"approve":true,"overrideReason":"Fixture"}`,
		201,
	)
	j.post("parent.amara@example.org", "/v1/referrals/"+slt+"/consent", `{"action":"give"}`, 201)
	zain := "/v1/pupils/" + seed.PupilZainID
	j.post(
		"teacher.beech@oakfield.example",
		zain+"/concerns",
		`{"areas":["sensory_physical"],"observed":"Fixture."}`,
		201,
	)
	zm := j.post(
		"sendco@oakfield.example",
		zain+"/meetings",
		`{"kind":"expectation","startsAt":"2031-03-03T11:00:00Z","location":"The school hall"}`,
		201,
	)
	in.otherReferral, in.otherPupil, in.otherMeeting = slt, seed.PupilZainID, zm["meeting"].(map[string]any)["meetingId"].(string)

	out = setup(
		seed.PupilRubyID,
		seed.OtherSchoolID,
		"sendco@riverside.example",
		"sendco@riverside.example",
		"parent.ruby@example.org",
		"occupational_therapy",
	)
	out.otherReferral, out.otherPupil, out.otherMeeting = out.referral, out.pupil, out.meeting

	// The teacher-parent: teaches Zain's class (Beech) and is Amara's parent.
	const id = "5c0f0000-0000-4000-8000-000000000199"
	j.exec(`INSERT INTO users (id, email, name) VALUES ($1, $2, 'Tess Parent')`, id, teacherParent)
	j.exec(
		`INSERT INTO memberships (user_id, school_id, role) VALUES ($1, $2, 'teacher'), ($1, $2, 'parent')`,
		id,
		seed.DemoSchoolID,
	)
	j.exec(`INSERT INTO class_teachers (class_id, user_id) VALUES ($1, $2)`, seed.ClassBeechID, id)
	j.exec(`INSERT INTO pupil_parents (pupil_id, user_id) VALUES ($1, $2)`, seed.PupilAmaraID, id)
	tok, err := auth.Issue(j.d.Key, id, teacherParent, time.Hour, time.Now())
	if err != nil {
		j.t.Fatal(err)
	}
	j.token[teacherParent] = tok
	j.token[teacherParent+" (session)"] = j.parentSession(teacherParent)

	var statuses []string
	_ = j.d.DB.QueryRow(context.Background(), `SELECT coalesce(array_agg(status ORDER BY status), '{}') FROM pathway_items WHERE kind = 'referral'`).
		Scan(&statuses)
	if fmt.Sprint(statuses) != "[submitted submitted submitted]" {
		j.t.Fatalf("fixtures: referrals %v, want three submitted", statuses)
	}
	return in, out
}
