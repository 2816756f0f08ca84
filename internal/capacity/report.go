package capacity

import (
	"fmt"
	"io"
	"strings"
)

// WriteTable prints the plans as a Markdown table, one column per scenario.
func WriteTable(w io.Writer, plans []Plan) {
	row := func(name string, cell func(Plan) string) {
		cells := make([]string, len(plans))
		for i, p := range plans {
			cells[i] = cell(p)
		}
		fmt.Fprintf(w, "| %s | %s |\n", name, strings.Join(cells, " | "))
	}
	row("", func(p Plan) string { return p.Name })
	row("---", func(Plan) string { return "---:" })
	row(
		"pupils on SEN support / with an EHC plan",
		func(p Plan) string { return count(float64(p.SENSupport)) + " / " + count(float64(p.EHCPlans)) },
	)
	row(
		"open workflows (pathways and their open cycle or review)",
		func(p Plan) string { return count(float64(p.OpenWorkflows)) },
	)
	row(
		"actions a pupil's workflows accept a term",
		func(p Plan) string { return fmt.Sprintf("%.1f", p.ActionsPerPupilTerm) },
	)
	row("Temporal history events a year", func(p Plan) string { return count(p.EventsPerYear) })
	row("Temporal history written a year", func(p Plan) string { return size(p.HistoryBytesPerYear) })
	row("Temporal persistence writes/s, school hours / term-start peak", func(p Plan) string {
		return rate(p.WritesPerSecond) + " / " + rate(p.PeakWritesPerSecond)
	})
	row("Temporal history shards", func(p Plan) string { return fmt.Sprint(p.Shards) })
	row("PostgreSQL growth a year (read model, audit, outbox)", func(p Plan) string { return size(p.PGBytesPerYear) })
	row("PostgreSQL writes/s at the peak", func(p Plan) string { return rate(p.PGWritesPerSecond) })
	row("worker replicas", func(p Plan) string { return fmt.Sprint(p.WorkerReplicas) })
	row("API replicas", func(p Plan) string { return fmt.Sprint(p.APIReplicas) })
	row("emails a year", func(p Plan) string { return count(p.EmailsPerYear) })
	row("emails in the busiest hour at the start of a term", func(p Plan) string { return count(p.EmailsPerHour) })
}

// WriteInputs prints what the plans were computed from.
func WriteInputs(w io.Writer, j Journey, r Rates, m Measured, l Limits) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format+"\n", a...) }
	p("Measured from the recorded journey (per run of each workflow; the pathway over the whole journey):")
	for _, k := range []struct {
		name string
		c    Cost
	}{{"pathway", j.Pathway}, {"plan-do-review cycle", j.Cycle}, {"referral", j.Referral}, {"EHC needs assessment", j.EHC}, {"annual review", j.AnnualReview}} {
		p(
			"  %-22s %4d events, %s, %3d writes, %2d workflow tasks, %2d activities, %d timers, %d actions, %d emails' audiences",
			k.name,
			k.c.Events,
			size(float64(k.c.Bytes)),
			k.c.Writes,
			k.c.WorkflowTasks,
			k.c.Activities,
			k.c.TimersStarted,
			k.c.Updates,
			k.c.Audiences,
		)
	}
	sen, ehc := PupilYears(j, r)
	p(
		"  a pupil-year on SEN support: %.0f events, %s; with an EHC plan: %.0f events, %s",
		sen.events,
		size(sen.bytes),
		ehc.events,
		size(ehc.bytes),
	)
	p(
		"Measured by sendflow bench: %.0f bytes a commit, %.0f an audit row, %.0f an email in PostgreSQL; a worker %.0f tasks/s and %.0f KiB a pathway; an API replica %.0f reads/s",
		m.BytesPerCommit,
		m.BytesPerAuditRow,
		m.BytesPerEmail,
		m.WorkerTasksPerSecond,
		m.WorkerBytesPerPathway/1024,
		m.APIRequestsPerSecond,
	)
	p(
		"Assumed: %.1f cycles, %.2f referrals and %.2f EHC requests a year per pupil on SEN support; %.0f annual review a year per plan; %.0f reads per action; %.1f people per audience;",
		r.CyclesPerYear,
		r.ReferralsPerYear,
		r.EHCRequestsPerYear,
		r.AnnualReviewsPerYear,
		r.ReadsPerAction,
		r.RecipientsPerAudience,
	)
	p(
		"  the peak: %.0f%% of a term's work in its first %.0f school hours, the busiest hour %.0f× their average; %.0f school hours a year",
		100*r.TermStartShare,
		r.TermStartHours,
		r.BusyHourFactor,
		r.SchoolHoursPerYear,
	)
	p(
		"Limits: a persistence write %v, shards %.0f%% busy at the peak, %d open workflows a shard (at least %d shards); a worker %s; replicas %.0f%% busy, at least %d",
		l.WriteLatency,
		100*l.ShardUtilisation,
		l.WorkflowsPerShard,
		l.MinShards,
		size(l.WorkerMemory),
		100*l.Utilisation,
		l.MinReplicas,
	)
}

func count(v float64) string {
	switch {
	case v >= 10e6:
		return fmt.Sprintf("%.0f million", v/1e6)
	case v >= 1e6:
		return fmt.Sprintf("%.1f million", v/1e6)
	case v >= 100:
		return groupThousands(int64(v + 0.5))
	case v >= 10:
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

func groupThousands(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func rate(v float64) string {
	if v >= 100 {
		return groupThousands(int64(v + 0.5))
	}
	if v >= 1 {
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

func size(b float64) string {
	switch {
	case b >= 1<<40:
		return fmt.Sprintf("%.1f TiB", b/(1<<40))
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GiB", b/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.0f MiB", b/(1<<20))
	}
	return fmt.Sprintf("%.0f KiB", b/(1<<10))
}
