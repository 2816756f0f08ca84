package register

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Provision
		ok   bool
	}{{"K", "K", true}, {" e ", "E", true}, {"n", "N", true}, {"S", "", false}, {"", "", false}, {"KK", "", false}} {
		got, err := ParseProvision(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseProvision(%q) = %q, %v", tc.in, got, err)
		}
	}
	for _, tc := range []struct {
		in   string
		want Need
		ok   bool
	}{{"SpLD", NeedSPLD, true}, {"asd", NeedASD, true}, {"NSA", NeedNSA, true}, {"DS", NeedDS, true}, {"", "", true},
		{"ADHD", "", false}, {"=1+1", "", false}, {"PLD", "", false}} {
		got, err := ParseNeed(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseNeed(%q) = %q, %v", tc.in, got, err)
		}
	}
	// Every code has words, and every area of need in the Code of Practice has codes.
	areas := map[string]int{}
	for _, n := range Needs() {
		if n.Describe() == string(n) {
			t.Errorf("%s has no words", n)
		}
		areas[n.Area()]++
	}
	for _, a := range []string{"communication_and_interaction", "cognition_and_learning", "social_emotional_mental_health", "sensory_physical"} {
		if areas[a] == 0 {
			t.Errorf("no census code maps to the area %s", a)
		}
	}
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name               string
		p                  Provision
		primary, secondary Need
		want               string // the fields with problems, joined
	}{
		{"no SEN, no needs", ProvisionNone, "", "", ""},
		{"no SEN with a need", ProvisionNone, NeedASD, "", "primaryNeed"},
		{"SEN support, ranked", ProvisionSENSupport, NeedSLCN, NeedSEMH, ""},
		{"SEN support without a need", ProvisionSENSupport, "", "", "primaryNeed"},
		{"SEN support not yet assessed", ProvisionSENSupport, NeedNSA, "", ""},
		{"NSA with a plan", ProvisionEHCPlan, NeedNSA, "", "primaryNeed"},
		{"NSA second", ProvisionSENSupport, NeedMLD, NeedNSA, "secondaryNeed"},
		{"a second need after NSA", ProvisionSENSupport, NeedNSA, NeedMLD, "secondaryNeed"},
		{"the same need twice", ProvisionEHCPlan, NeedASD, NeedASD, "secondaryNeed"},
		{"a plan, ranked", ProvisionEHCPlan, NeedASD, NeedSLCN, ""},
		{"an unknown provision", "S", NeedASD, "", "provision"},
	} {
		var fields []string
		for _, p := range Check(tc.p, tc.primary, tc.secondary) {
			fields = append(fields, p.Field)
		}
		if got := strings.Join(fields, ","); got != tc.want {
			t.Errorf("%s: problems in %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestDerive(t *testing.T) {
	for _, tc := range []struct {
		pw   Pathway
		want Provision
	}{
		{Pathway{}, ProvisionNone},
		{Pathway{Stage: "monitoring"}, ProvisionNone},
		{Pathway{Stage: "awaiting_triage"}, ProvisionNone},
		{Pathway{Stage: "sen_support"}, ProvisionNone}, // decided, no plan open yet
		{Pathway{Stage: "sen_support", OpenCycle: true}, ProvisionSENSupport},
		{Pathway{Stage: "ehc_assessment", OpenCycle: true}, ProvisionSENSupport}, // support goes on while assessed
		{Pathway{Stage: "ehc_assessment"}, ProvisionNone},
		{Pathway{Stage: "ehc_plan"}, ProvisionEHCPlan},
		{Pathway{Stage: "ehc_plan", OpenCycle: true}, ProvisionEHCPlan},
		{Pathway{Stage: "closed"}, ProvisionNone},
	} {
		got, why := Derive(tc.pw)
		if got != tc.want || why == "" {
			t.Errorf("Derive(%+v) = %s (%s), want %s", tc.pw, got, why, tc.want)
		}
	}
}

func TestEntryFollowsTheSENDCoAndSaysWhereThePathwayDiffers(t *testing.T) {
	k, e := ProvisionSENSupport, ProvisionEHCPlan
	for _, tc := range []struct {
		name     string
		entry    Entry
		want     Provision
		disagree bool
	}{
		{"nothing recorded: the pathway's", Entry{Derived: ProvisionSENSupport, Why: "a SEN support plan is open"}, "K", false},
		{"needs only: the pathway's provision", Entry{Derived: ProvisionEHCPlan, Rec: &Recorded{Primary: NeedASD}}, "E", false},
		{"the SENDCo agrees", Entry{Derived: ProvisionSENSupport, Rec: &Recorded{Provision: &k, Primary: NeedMLD}}, "K", false},
		{"a plan from before sendflow", Entry{Derived: ProvisionNone, Why: "no concern has been raised", Rec: &Recorded{Provision: &e, Primary: NeedASD}}, "E", true},
		{"kept on K after the plan", Entry{Derived: ProvisionEHCPlan, Why: "an EHC plan has been issued", Rec: &Recorded{Provision: &k, Primary: NeedASD}}, "K", true},
	} {
		if got := tc.entry.Provision(); got != tc.want {
			t.Errorf("%s: provision %s, want %s", tc.name, got, tc.want)
		}
		d := tc.entry.Disagreement()
		if (d != "") != tc.disagree {
			t.Errorf("%s: disagreement %q", tc.name, d)
		}
		if tc.disagree && !strings.Contains(d, "the pathway says "+string(tc.entry.Derived)) {
			t.Errorf("%s: %q does not say what the pathway says", tc.name, d)
		}
	}
}

func TestCSVHasCensusFieldsAndNoFormulas(t *testing.T) {
	k := ProvisionSENSupport
	var b bytes.Buffer
	err := WriteCSV(&b, []Line{
		{UPN: "A123456789012", Surname: "Okafor", Forename: "Amara", Entry: Entry{Derived: ProvisionSENSupport}},
		{UPN: "B123456789012", Surname: "@Fischer", Forename: "Leo", Entry: Entry{Derived: ProvisionNone,
			Rec: &Recorded{Provision: &k, Primary: NeedSLCN, Secondary: NeedSEMH, Note: `=HYPERLINK("http://x","see")`}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0][3] != "SENprovision" || !strings.Contains(rows[0][4], "SENtypeRank 1") || !strings.Contains(rows[0][5], "SENtypeRank 2") {
		t.Fatalf("header = %q", rows[0])
	}
	if got := rows[1][3:6]; got[0] != "K" || got[1] != "" {
		t.Errorf("Amara = %q", rows[1])
	}
	leo := rows[2]
	if leo[3] != "K" || leo[4] != "SLCN" || leo[5] != "SEMH" || leo[6] != "N" || leo[7] != "yes" {
		t.Errorf("Leo = %q", leo)
	}
	if leo[1] != "'@Fischer" || !strings.HasPrefix(leo[8], "'=") {
		t.Errorf("cells a spreadsheet would run: %q", leo)
	}
}

func day(s string) *time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return &t
}

func TestFigures(t *testing.T) {
	req := func(school, at string) Request {
		return Request{School: school, SchoolName: school, RequestedAt: *day(at)}
	}
	with := func(r Request, f func(*Request)) Request { f(&r); return r }
	rs := []Request{
		// Not yet decided.
		req("a", "2026-10-01"),
		// Being assessed.
		with(req("a", "2026-06-01"), func(r *Request) { r.DecidedAt = day("2026-07-01") }),
		// Refused to assess: no plan, so not in the 20-week figure.
		with(req("a", "2026-01-05"), func(r *Request) {
			r.DecidedAt, r.FinishedAt, r.Outcome = day("2026-02-16"), day("2026-02-16"), OutcomeRefusedToAssess
		}),
		// Withdrawn: counted as a request, nowhere else.
		with(req("b", "2026-01-05"), func(r *Request) { r.FinishedAt, r.Outcome = day("2026-01-20"), OutcomeWithdrawn }),
		// Assessed, not issuing.
		with(req("b", "2026-01-05"), func(r *Request) {
			r.DecidedAt, r.FinishedAt, r.Outcome = day("2026-02-02"), day("2026-04-27"), OutcomeNotIssuing
		}),
		// Plans: on time; late; late by the limit itself after a pause (an exception).
		with(req("a", "2026-01-05"), func(r *Request) {
			r.DecidedAt, r.DraftAt, r.FinishedAt, r.Outcome, r.Within20Weeks = day("2026-02-02"), day("2026-04-06"), day("2026-05-18"), OutcomePlanIssued, true
		}),
		with(req("b", "2026-01-05"), func(r *Request) {
			r.DecidedAt, r.DraftAt, r.FinishedAt, r.Outcome = day("2026-02-16"), day("2026-06-01"), day("2026-07-06"), OutcomePlanIssued
		}),
		with(req("b", "2026-01-05"), func(r *Request) {
			r.DecidedAt, r.DraftAt, r.FinishedAt, r.Outcome, r.Exception = day("2026-02-16"), day("2026-05-04"), day("2026-06-01"), OutcomePlanIssued, true
		}),
	}
	f := Figures(rs)
	if f.Requests != 8 || f.AwaitingDecision != 1 || f.Assessing != 1 || f.Refused != 1 || f.Withdrawn != 1 || f.NotIssuing != 1 || f.PlansIssued != 3 {
		t.Errorf("counts = %+v", f)
	}
	if f.Within20Weeks != (Share{1, 3}) || f.Within20Weeks.Percent() != 33.3 {
		t.Errorf("within 20 weeks including exceptions = %+v (%v%%)", f.Within20Weeks, f.Within20Weeks.Percent())
	}
	if f.Within20WeeksExcl != (Share{1, 2}) || f.Within20WeeksExcl.Percent() != 50 {
		t.Errorf("within 20 weeks excluding exceptions = %+v", f.Within20WeeksExcl)
	}
	stage := map[string]Stage{}
	for _, s := range f.Stages {
		stage[s.Name] = s
	}
	// To the decision: 30, 42, 28, 28, 42, 42 days over the six decided (the withdrawn one never was).
	if s := stage[StageToDecision]; s.Counted != 6 || s.Days != 212.0/6 {
		t.Errorf("to the decision = %+v", s)
	}
	// Request to final plan: 133, 182, 147 days: 22 weeks on average.
	if s := stage[StageWhole]; s.Counted != 3 || s.Weeks() != 22 {
		t.Errorf("request to final plan = %+v (%v weeks)", s, s.Weeks())
	}
	if s := stage[StageToFinal]; s.Counted != 3 {
		t.Errorf("draft to final = %+v", s)
	}

	// Nothing issued: no share, not 0%.
	if empty := Figures(nil); empty.Within20Weeks.D != 0 || empty.Within20Weeks.Percent() != 0 || len(empty.Stages) != 4 {
		t.Errorf("no requests = %+v", empty)
	}

	schools, all := BySchool(map[string]string{"a": "Ash", "b": "Birch", "c": "Cedar"}, rs, map[string]int{"b": 2},
		[]Review{{"a", true}, {"a", false}, {"b", true}}, map[string]int{"a": 6, "b": 3}, map[string]int{"a": 2, "b": 1}, 1)
	if len(schools) != 3 || schools[0].SchoolName != "Ash" || schools[2].SchoolName != "Cedar" || schools[2].Requests != 0 {
		t.Fatalf("schools = %+v", schools)
	}
	if schools[0].Requests != 4 || schools[1].Requests != 4 || schools[1].ReviewsOverdue != 2 || all.ReviewsOverdue != 2 {
		t.Errorf("by school = %+v / %+v", schools[0], schools[1])
	}
	if schools[0].Reviews != (Share{1, 2}) || all.Reviews != (Share{2, 3}) || schools[0].MeetingsPerPupilYear() != 3 || all.MeetingsPerPupilYear() != 3 {
		t.Errorf("co-production = %+v / %+v", schools[0].CoProduction, all.CoProduction)
	}
	if all.Within20Weeks != f.Within20Weeks {
		t.Errorf("all schools = %+v", all.EHCFigures)
	}
}

func TestFiguresCSV(t *testing.T) {
	schools, all := BySchool(map[string]string{"a": "=Ash Primary"}, []Request{{School: "a", RequestedAt: *day("2026-01-05"),
		DecidedAt: day("2026-02-02"), DraftAt: day("2026-04-06"), FinishedAt: day("2026-05-18"), Outcome: OutcomePlanIssued, Within20Weeks: true}},
		nil, nil, nil, nil, 1)
	var b bytes.Buffer
	if err := WriteFiguresCSV(&b, schools, all); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[1][0] != "'=Ash Primary" || rows[1][9] != "100" || rows[1][14] != "19" || rows[2][0] != "All schools" {
		t.Errorf("figures CSV = %q", rows)
	}
}
