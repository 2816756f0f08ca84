package capacity

import (
	"math"
	"time"
)

// Journey is what each kind of workflow cost in one pupil's recorded journey (the whole-journey
// test: a concern, SEN support, a plan-do-review cycle, a referral, an EHC needs assessment and
// plan, its first annual review).
type Journey struct {
	// Pathway is every run of the pupil's pathway over the journey. Its work grows with the
	// children it starts (each is begun, followed and finished by the pathway), so the model
	// spreads it over them: Pathway ÷ Pathway.Children per child.
	Pathway                            Cost
	Cycle, Referral, EHC, AnnualReview Cost
}

// perChild is the pathway's share of one child workflow.
func (j Journey) perChild() scaled {
	if j.Pathway.Children == 0 {
		return scaled{}
	}
	return scale(j.Pathway, 1/float64(j.Pathway.Children))
}

// Rates say how often pupils' records change: assumptions, stated in docs/capacity.md.
type Rates struct {
	CyclesPerYear         float64 // plan-do-review cycles of a pupil on SEN support a year (reviewed termly)
	ReferralsPerYear      float64 // referrals to an agency a year, per pupil on SEN support
	EHCRequestsPerYear    float64 // EHC needs assessments requested a year, per pupil on SEN support
	AnnualReviewsPerYear  float64 // per pupil with an EHC plan
	ReadsPerAction        float64 // pages and API reads of a pupil's record per action on it (each audited)
	RecipientsPerAudience float64 // people an email to one audience reaches (two parents, a class's teachers)
	// The busiest time is the start of a term: TermStartShare of a term's actions and email fall
	// in its first TermStartHours of school time, and the busiest of those hours carries
	// BusyHourFactor times their average.
	TermStartShare     float64
	TermStartHours     float64
	BusyHourFactor     float64
	SchoolHoursPerYear float64 // when staff act: 190 days × 8 hours
}

// Measured is what `sendflow bench` measured on one machine.
type Measured struct {
	BytesPerCommit   float64 // PostgreSQL: read model per change of a workflow
	BytesPerAuditRow float64
	BytesPerEmail    float64 // one outbox row
	// WorkerTasksPerSecond is workflow and activity tasks one worker replica completes a second
	// (pathways opened a second on the separate worker × the tasks each took).
	WorkerTasksPerSecond float64
	// WorkerBytesPerPathway is the worker's memory per open pathway in its cache.
	WorkerBytesPerPathway float64
	// APIRequestsPerSecond is reads one API replica answers a second.
	APIRequestsPerSecond float64
}

// Limits are the deployment's own choices.
type Limits struct {
	// WriteLatency is one persistence write on the Temporal database; a history shard makes one
	// at a time, so a shard manages at most 1/WriteLatency a second.
	WriteLatency time.Duration
	// ShardUtilisation is how busy a shard may be at the peak.
	ShardUtilisation float64
	// WorkflowsPerShard is the open workflows one shard should hold (Temporal's documentation:
	// shards have held tens of thousands each).
	WorkflowsPerShard int
	MinShards         int
	// WorkerMemory is what one worker replica may hold; its cache keeps the open pathways it
	// serves, so none is replayed from history on its next task.
	WorkerMemory float64
	// Utilisation is how busy a worker or API replica may be at the peak.
	Utilisation float64
	MinReplicas int // for availability
}

// Scenario is a deployment's pupils.
type Scenario struct {
	Name       string
	SENSupport int // pupils on SEN support (census code K)
	EHCPlans   int // pupils with an EHC plan (E)
}

// Plan is the size of a deployment for a scenario.
type Plan struct {
	Scenario
	OpenWorkflows       int     // pathways and the children open most of the time
	ActionsPerPupilTerm float64 // staff and parents' actions a pupil's workflows accept a term
	EventsPerYear       float64 // Temporal history events
	HistoryBytesPerYear float64
	WritesPerSecond     float64 // Temporal persistence writes, averaged over school hours
	PeakWritesPerSecond float64 // at the start of a term
	Shards              int
	PGBytesPerYear      float64 // read model, audit and outbox
	PGWritesPerSecond   float64 // transactions at the peak: commits, audit rows, outbox rows queued and marked sent
	WorkerReplicas      int
	APIReplicas         int
	EmailsPerYear       float64
	EmailsPerHour       float64 // the busiest hour at the start of a term
}

// scaled is a Cost multiplied by a rate: fractions of events.
type scaled struct {
	events, bytes, tasks, activities, updates, commits, audiences, writes float64
}

func scale(c Cost, f float64) scaled {
	return scaled{float64(c.Events) * f, float64(c.Bytes) * f, float64(c.WorkflowTasks) * f, float64(c.Activities) * f,
		float64(c.Updates) * f, float64(c.Commits) * f, float64(c.Audiences) * f, float64(c.Writes) * f}
}

func (a scaled) add(b scaled) scaled {
	return scaled{a.events + b.events, a.bytes + b.bytes, a.tasks + b.tasks, a.activities + b.activities,
		a.updates + b.updates, a.commits + b.commits, a.audiences + b.audiences, a.writes + b.writes}
}

func (a scaled) times(f float64) scaled {
	return scaled{
		a.events * f,
		a.bytes * f,
		a.tasks * f,
		a.activities * f,
		a.updates * f,
		a.commits * f,
		a.audiences * f,
		a.writes * f,
	}
}

// PupilYears is the yearly cost of one pupil on SEN support and of one with an EHC plan: the
// child workflows they take a year, each with the pathway's share.
func PupilYears(j Journey, r Rates) (senSupport, ehcPlan scaled) {
	child := j.perChild()
	senSupport = scale(j.Cycle, r.CyclesPerYear).
		add(scale(j.Referral, r.ReferralsPerYear)).
		add(scale(j.EHC, r.EHCRequestsPerYear)).
		add(child.times(r.CyclesPerYear + r.ReferralsPerYear + r.EHCRequestsPerYear))
	ehcPlan = scale(j.AnnualReview, r.AnnualReviewsPerYear).add(child.times(r.AnnualReviewsPerYear))
	return senSupport, ehcPlan
}

// Size sizes a deployment for a scenario.
func Size(s Scenario, j Journey, r Rates, m Measured, l Limits) Plan {
	k, e := PupilYears(j, r)
	year := k.times(float64(s.SENSupport)).add(e.times(float64(s.EHCPlans)))
	pupils := float64(s.SENSupport + s.EHCPlans)
	p := Plan{Scenario: s,
		// Each pupil's pathway, and most of the time one open child: a cycle under way for SEN
		// support, the next annual review for a plan.
		OpenWorkflows:       2 * (s.SENSupport + s.EHCPlans),
		EventsPerYear:       year.events,
		HistoryBytesPerYear: year.bytes,
		EmailsPerYear:       year.audiences * r.RecipientsPerAudience,
	}
	if pupils > 0 {
		p.ActionsPerPupilTerm = year.updates / pupils / 3
	}
	// The peak: a term's share in its first hours, the busiest hour above their average.
	peak := func(perYear float64) float64 {
		return perYear / 3 * r.TermStartShare / r.TermStartHours * r.BusyHourFactor
	}
	p.WritesPerSecond = year.writes / (r.SchoolHoursPerYear * 3600)
	p.PeakWritesPerSecond = peak(year.writes) / 3600
	p.EmailsPerHour = peak(p.EmailsPerYear)

	// Shards: enough that none is busier than allowed at the peak, and none holds too many
	// open workflows; a power of two, as Temporal's own guidance sizes them.
	byWrites := p.PeakWritesPerSecond * l.WriteLatency.Seconds() / l.ShardUtilisation
	byWorkflows := float64(p.OpenWorkflows) / float64(l.WorkflowsPerShard)
	p.Shards = powerOfTwo(math.Max(float64(l.MinShards), math.Max(byWrites, byWorkflows)))

	// PostgreSQL: each action is audited once and each read of it once; each email is a row,
	// queued and then marked sent.
	actions := year.updates
	audits := actions * (1 + r.ReadsPerAction)
	p.PGBytesPerYear = year.commits*m.BytesPerCommit + audits*m.BytesPerAuditRow + p.EmailsPerYear*m.BytesPerEmail
	p.PGWritesPerSecond = peak(year.commits+audits+2*p.EmailsPerYear) / 3600

	// Workers: enough for the peak's tasks and to keep every open pathway in a cache.
	peakTasks := peak(year.tasks+year.activities) / 3600
	byTasks := peakTasks / (m.WorkerTasksPerSecond * l.Utilisation)
	byMemory := float64(s.SENSupport+s.EHCPlans) * m.WorkerBytesPerPathway / l.WorkerMemory
	p.WorkerReplicas = replicas(math.Max(byTasks, byMemory), l.MinReplicas)

	// API: every action and the reads around it at the peak.
	peakRequests := peak(actions*(1+r.ReadsPerAction)) / 3600
	p.APIReplicas = replicas(peakRequests/(m.APIRequestsPerSecond*l.Utilisation), l.MinReplicas)
	return p
}

// powerOfTwo is the smallest power of two at or above n (at least 1).
func powerOfTwo(n float64) int {
	p := 1
	for float64(p) < n {
		p *= 2
	}
	return p
}

// replicas is n rounded up, at least min.
func replicas(n float64, min int) int {
	return max(min, int(math.Ceil(n-1e-9)))
}
