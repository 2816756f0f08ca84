package seed

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sendflow/sendflow/internal/upn"
	"github.com/sendflow/sendflow/workflows"
)

// History gives the demo authority a past to show in its figures and the demo school a register
// to show: two more Demoshire schools in the Oak Learning Trust whose invented pupils' EHC needs
// assessments finished before the demo begins, and the SENDCo's register lines for Leo (SEN
// support, from before the school used sendflow) and Zain (an EHC plan the council issued before
// he joined). The finished assessments are read-model rows only, written the way their workflows
// would have projected them (their states made by the workflows' own rules); nothing runs for
// them. `sendflow dev` loads it; running it again changes nothing.
func History(ctx context.Context, db *pgxpool.Pool) error {
	tx, err := db.Begin(ctx)
	if err != nil {
		return fmt.Errorf("seed history: begin: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // no-op after commit
	exec := func(sql string, args ...any) {
		if err == nil {
			_, err = tx.Exec(ctx, sql, args...)
		}
	}
	sendco := "5c0f0000-0000-4000-8000-000000000101"
	for _, sc := range historySchools {
		exec(
			`INSERT INTO schools (id, name, la_code, trust_id, statutory_low_age, statutory_high_age) VALUES ($1, $2, '999', $3, 4, 11)
			ON CONFLICT DO NOTHING`,
			sc.id,
			sc.name,
			TrustID,
		)
	}
	timings := workflows.DefaultTimings()
	for i, h := range historyPupils {
		u, uerr := upn.Make(fmt.Sprintf("99912350%04d", i+1))
		if uerr != nil {
			return fmt.Errorf("seed history: upn: %w", uerr)
		}
		exec(
			`INSERT INTO pupils (id, school_id, upn, first_name, last_name, date_of_birth) VALUES ($1, $2, $3, $4, $5, '2016-09-01')
			ON CONFLICT DO NOTHING`,
			h.pupil,
			h.school,
			u,
			h.first,
			h.last,
		)
		requested := day(h.requested)
		st := workflows.NewEHCState(
			workflows.EHCInput{
				RequestEHCNA: workflows.RequestEHCNA{RequestID: h.request, RequestedBy: "school", By: sendco},
				PupilID:      h.pupil,
				SchoolID:     h.school,
				Timings:      timings,
			},
			requested,
		)
		for _, ev := range h.events {
			e := workflows.EHCEvent{
				ID:     h.request + ev.typ,
				Type:   workflows.EHCEventType(ev.typ),
				Reason: workflows.ExceptionReason(ev.reason),
				By:     sendco,
			}
			st.ApplyEvent(e, day(h.requested).AddDate(0, 0, ev.day))
		}
		state, jerr := json.Marshal(st)
		if jerr != nil {
			return fmt.Errorf("seed history: %w", jerr)
		}
		exec(`INSERT INTO ehc_requests (id, pupil_id, requested_by, created_by, created_at, accepted_at, la_code)
			VALUES ($1, $2, 'school', $3, $4, $4, '999') ON CONFLICT DO NOTHING`, h.request, h.pupil, sendco, requested)
		exec(
			`INSERT INTO pathway_items (pupil_id, item_id, kind, school_id, status, version, state, updated_at)
			VALUES ($1, 'ehc/' || $2, 'ehc', $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
			h.pupil,
			h.request,
			h.school,
			string(st.Status),
			st.Version,
			state,
			requested.AddDate(0, 0, h.events[len(h.events)-1].day),
		)
		stage := "sen_support"
		if st.Outcome == workflows.EHCPlanIssued {
			stage = "ehc_plan"
		}
		if h.reviewOverdue {
			// The plan's first annual review opened and its meeting was never held: overdue.
			ar := workflows.NewAnnualReviewState(
				workflows.AnnualReviewInput{PupilID: h.pupil, SchoolID: h.school, Number: 1,
					Previous: st.Met[workflows.MilestoneFinalPlan].At, Timings: timings},
			)
			arState, jerr := json.Marshal(ar)
			if jerr != nil {
				return fmt.Errorf("seed history: %w", jerr)
			}
			exec(`INSERT INTO pathway_items (pupil_id, item_id, kind, school_id, status, version, state, updated_at)
				VALUES ($1, 'annual-review/1', 'annual_review', $2, $3, 1, $4, now()) ON CONFLICT DO NOTHING`, h.pupil, h.school, ar.Status(), arState)
			exec(`INSERT INTO deadlines (pupil_id, item_id, kind, ref, school_id, due, label)
				VALUES ($1, 'annual-review/1', 'annual_review_due', '', $2, $3, 'The annual review meeting') ON CONFLICT DO NOTHING`,
				h.pupil, h.school, ar.Due())
		}
		exec(`INSERT INTO pathways (pupil_id, school_id, workflow_id, stage, version, state, updated_at)
			VALUES ($1, $2, '', $3, 1, jsonb_build_object('Stage', $3::text), now()) ON CONFLICT DO NOTHING`, h.pupil, h.school, stage)
	}
	// Co-production at Elm Park over the last year: two support plans reviewed (one with the
	// parents' views), three meetings with Isla's family.
	now := time.Now()
	isla := "5c0f0000-0000-4000-8000-0000000006a1"
	for i, views := range []string{"", "She is happier at school and reads at home every night."} {
		exec(
			`INSERT INTO cycle_reviews (id, pupil_id, cycle_number, ratings, parent_views, next_step, recorded_by, created_at, accepted_at)
			VALUES ($1, $2, $3, '[]', $4, 'continue', $5, $6, $6) ON CONFLICT DO NOTHING`,
			fmt.Sprintf(
				"5c0f0000-0000-4000-8000-0000000008a%d",
				i+1,
			),
			isla,
			i+1,
			views,
			sendco,
			now.AddDate(0, -4*(2-i), 0),
		)
	}
	for i := range 3 {
		exec(
			`INSERT INTO meetings (id, pupil_id, kind, starts_at, duration_minutes, location, created_by, created_at, accepted_at)
			VALUES ($1, $2, 'review', $3, 45, 'Elm Park Primary, the SENCo''s room', $4, $3, $3) ON CONFLICT DO NOTHING`,
			fmt.Sprintf("5c0f0000-0000-4000-8000-0000000009a%d", i+1),
			isla,
			now.AddDate(0, -3*(i+1), 0),
			sendco,
		)
	}
	// The demo school's register: what the SENDCo recorded where the pathway cannot say it.
	for _, r := range []struct{ change, pupil, provision, primary, secondary, note string }{
		{"5c0f0000-0000-4000-8000-0000000005a2", PupilLeoID, "K", "SLCN", "SEMH", "SEN support since Reception; the plans before sendflow are in the paper file."},
		{"5c0f0000-0000-4000-8000-0000000005a3", PupilZainID, "E", "ASD", "SLCN", "EHC plan issued by Demoshire before Zain joined; the plan is in the paper file."},
	} {
		exec(
			`INSERT INTO sen_register_changes (id, pupil_id, provision, primary_need, secondary_need, note, recorded_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
			r.change,
			r.pupil,
			r.provision,
			r.primary,
			r.secondary,
			r.note,
			sendco,
		)
		exec(
			`INSERT INTO sen_register (pupil_id, provision, primary_need, secondary_need, note, recorded_by, recorded_at, change_id)
			SELECT pupil_id, provision, primary_need, secondary_need, note, recorded_by, recorded_at, id FROM sen_register_changes WHERE id = $1
			ON CONFLICT DO NOTHING`,
			r.change,
		)
	}
	if err != nil {
		return fmt.Errorf("seed history: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("seed history: commit: %w", err)
	}
	return nil
}

// More schools of the demo authority and the Oak Learning Trust.
const (
	ElmParkSchoolID   = "5c0f0000-0000-4000-8000-000000000003"
	HazelBankSchoolID = "5c0f0000-0000-4000-8000-000000000004"
)

var historySchools = []struct{ id, name string }{
	{ElmParkSchoolID, "Elm Park Primary (demo)"},
	{HazelBankSchoolID, "Hazel Bank Primary (demo)"},
}

type historyEvent struct {
	day         int // days after the request
	typ, reason string
}

// Finished assessments: plans on time, late, and late by the limit itself after a pause (an
// exception); a refusal to assess; a decision not to issue. Two plans' first annual reviews are
// overdue.
var historyPupils = []struct {
	pupil, request, school, first, last, requested string
	events                                         []historyEvent
	reviewOverdue                                  bool
}{
	{
		"5c0f0000-0000-4000-8000-0000000006a1",
		"5c0f0000-0000-4000-8000-0000000007a1",
		ElmParkSchoolID,
		"Isla",
		"Brennan",
		"2025-01-13",
		[]historyEvent{
			{35, "decision_to_assess", ""},
			{40, "advice_requested", ""},
			{80, "advice_received", ""},
			{100, "draft_issued", ""},
			{130, "final_plan_issued", ""},
		},
		false,
	},
	{
		"5c0f0000-0000-4000-8000-0000000006a2",
		"5c0f0000-0000-4000-8000-0000000007a2",
		ElmParkSchoolID,
		"Theo",
		"Marsh",
		"2025-02-03",
		[]historyEvent{
			{42, "decision_to_assess", ""},
			{120, "draft_issued", ""},
			{170, "final_plan_issued", ""},
		},
		true,
	},
	{
		"5c0f0000-0000-4000-8000-0000000006a3",
		"5c0f0000-0000-4000-8000-0000000007a3",
		ElmParkSchoolID,
		"Maya",
		"Cole",
		"2025-03-03",
		[]historyEvent{
			{30, "decision_to_assess", ""},
			{50, "exception_started", "absent_from_area_4_weeks"},
			{85, "exception_ended", ""},
			{130, "draft_issued", ""},
			{160, "final_plan_issued", ""},
		},
		false,
	},
	{
		"5c0f0000-0000-4000-8000-0000000006a4",
		"5c0f0000-0000-4000-8000-0000000007a4",
		HazelBankSchoolID,
		"Ethan",
		"Ward",
		"2025-01-20",
		[]historyEvent{
			{28, "decision_to_assess", ""},
			{90, "draft_issued", ""},
			{126, "final_plan_issued", ""},
		},
		false,
	},
	{
		"5c0f0000-0000-4000-8000-0000000006a5",
		"5c0f0000-0000-4000-8000-0000000007a5",
		HazelBankSchoolID,
		"Poppy",
		"Shaw",
		"2025-04-07",
		[]historyEvent{{41, "refuse_to_assess", ""}},
		false,
	},
	{
		"5c0f0000-0000-4000-8000-0000000006a6",
		"5c0f0000-0000-4000-8000-0000000007a6",
		HazelBankSchoolID,
		"Noah",
		"Price",
		"2025-05-12",
		[]historyEvent{{40, "decision_to_assess", ""}, {105, "decision_not_to_issue", ""}},
		false,
	},
	{
		"5c0f0000-0000-4000-8000-0000000006a7",
		"5c0f0000-0000-4000-8000-0000000007a7",
		HazelBankSchoolID,
		"Ava",
		"Lloyd",
		"2025-06-02",
		[]historyEvent{{35, "decision_to_assess", ""}, {80, "draft_issued", ""}, {180, "final_plan_issued", ""}},
		true,
	},
}

func day(s string) time.Time {
	t, err := time.ParseInLocation(time.DateOnly, s, workflows.London)
	if err != nil {
		panic(err)
	}
	return t.Add(10 * time.Hour)
}
