package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sendflow/sendflow/internal/provision"
)

// DemoClosures are Oakfield's term dates for 2026/27, as the days it is closed: invented, but
// shaped like an English school's year (half-terms, Christmas, Easter, bank holidays, training
// days).
var DemoClosures = provision.Calendar{
	{First: d("2026-07-23"), Last: d("2026-08-31"), Name: "Summer holiday"},
	{First: d("2026-09-01"), Last: d("2026-09-02"), Name: "Training days"},
	{First: d("2026-10-26"), Last: d("2026-10-30"), Name: "October half-term"},
	{First: d("2026-12-21"), Last: d("2027-01-01"), Name: "Christmas holiday"},
	{First: d("2027-01-04"), Last: d("2027-01-04"), Name: "Training day"},
	{First: d("2027-02-15"), Last: d("2027-02-19"), Name: "February half-term"},
	{First: d("2027-03-26"), Last: d("2027-04-09"), Name: "Easter holiday"},
	{First: d("2027-05-03"), Last: d("2027-05-03"), Name: "Early May bank holiday"},
	{First: d("2027-05-31"), Last: d("2027-06-04"), Name: "May half-term"},
	{First: d("2027-06-28"), Last: d("2027-06-28"), Name: "Training day"},
	{First: d("2027-07-22"), Last: d("2027-08-31"), Name: "Summer holiday"},
}

func d(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// demoTerms gives Oakfield its term dates unless it has some: a SENDCo's own are kept.
func demoTerms(ctx context.Context, db *pgxpool.Pool) error {
	var has bool
	if err := db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM school_closures WHERE school_id = $1)`, DemoSchoolID).
		Scan(&has); err != nil {
		return fmt.Errorf("seed: term dates: %w", err)
	}
	if has {
		return nil
	}
	for _, c := range DemoClosures {
		if _, err := db.Exec(ctx, `INSERT INTO school_closures (school_id, first_day, last_day, name) VALUES ($1, $2, $3, $4)
			ON CONFLICT DO NOTHING`, DemoSchoolID, c.First, c.Last, c.Name); err != nil {
			return fmt.Errorf("seed: term dates: %w", err)
		}
	}
	return nil
}

// SchoolWeeks lists the Mondays of the last n school weeks on DemoClosures (weeks open at least
// one day: the weeks the delivery rule judges) before the week holding day, the latest first:
// where the demo and the tests log sessions, so that the rule judges them, two running, whatever
// the date the demo starts or a test runs.
func SchoolWeeks(day time.Time, n int) []time.Time {
	var out []time.Time
	for w := provision.Monday(day).AddDate(0, 0, -7); len(out) < n; w = w.AddDate(0, 0, -7) {
		if DemoClosures.SchoolDays(w) > 0 {
			out = append(out, w)
		}
	}
	return out
}
