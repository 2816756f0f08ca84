package provision

import (
	"fmt"
	"time"

	"github.com/sendflow/sendflow/internal/evidence"
)

// PDF renders a school's provision map with the evidence pack's PDF machinery.
func PDF(school string, m Map, effects []Effect, generated time.Time) ([]byte, error) {
	var lines, behind, totals, eff [][]string
	for _, l := range m.Lines {
		cost := "not costed"
		if l.Costed {
			cost = l.Cost.Week.String() + " / " + l.Cost.Term.String() + " / " + l.Cost.Year.String()
		}
		lines = append(lines, []string{l.Pupil, l.Class, l.Name, l.Delivery, l.Frequency, cost, l.Delivered()})
	}
	for _, l := range m.Behind {
		behind = append(behind, []string{l.Pupil, l.Name, l.Shortfall.Reason})
	}
	row := func(what string, t Total) []string {
		return []string{
			what,
			t.Label,
			fmt.Sprint(t.Pupils),
			t.Cost.Week.String(),
			t.Cost.Term.String(),
			t.Cost.Year.String(),
		}
	}
	totals = append(totals, row("School", Total{Label: school, Pupils: m.School.Pupils, Cost: m.School.Cost}))
	for _, t := range m.Classes {
		totals = append(totals, row("Class", t))
	}
	for _, t := range m.Areas {
		totals = append(totals, row("Area of need", t))
	}
	for _, e := range effects {
		eff = append(
			eff,
			[]string{
				e.Name,
				fmt.Sprint(e.Reviews),
				fmt.Sprint(e.Achieved),
				fmt.Sprint(e.Partly),
				fmt.Sprint(e.NotAchieved),
			},
		)
	}
	return evidence.TablesPDF("Provision map", "The SENDCo and head teacher", school,
		"Confidential: pupils' special educational needs. Keep to those who need it.", generated, []evidence.Table{
			{Heading: "Totals", Intro: fmt.Sprintf("A term is %d weeks; a year %d.", WeeksPerTerm, WeeksPerYear),
				Headers: []string{
					"",
					"Name",
					"Pupils",
					"A week",
					"A term",
					"A year",
				}, Widths: []float64{2, 4, 1, 2, 2, 2}, Rows: totals},
			{
				Heading: "Delivery behind",
				Headers: []string{"Pupil", "Provision", "What was promised and logged"},
				Widths:  []float64{2, 3, 6},
				Rows:    behind,
			},
			{
				Heading: "Who gets what",
				Headers: []string{
					"Pupil",
					"Class",
					"Provision",
					"Delivery",
					"How often",
					"Cost a week / term / year",
					"Delivery",
				},
				Widths: []float64{2, 1, 3, 1.5, 2.5, 3, 3},
				Rows:   lines,
			},
			{
				Heading: "Effectiveness",
				Intro:   "Outcome ratings at the reviews of plans that gave each intervention: what happened alongside it, not proof that it caused it.",
				Headers: []string{
					"Intervention",
					"Reviews",
					"Achieved",
					"Partly",
					"Not achieved",
				},
				Widths: []float64{5, 1, 1, 1, 1},
				Rows:   eff,
			},
		})
}
