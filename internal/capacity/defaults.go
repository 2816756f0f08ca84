package capacity

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// RecordedJourney is Journey as measured from the whole-journey test's recorded histories,
// workflows/testdata/histories/journey5-* (TestRecordedJourneyIsCurrent measures them again).
var RecordedJourney = Journey{
	Pathway: Cost{
		Runs:          3,
		Events:        202,
		Bytes:         93626,
		WorkflowTasks: 36,
		Activities:    14,
		TimersStarted: 3,
		TimersFired:   3,
		Updates:       6,
		Children:      5,
		Commits:       14,
		Notices:       5,
		Audiences:     5,
		Writes:        121,
	},
	Cycle: Cost{
		Runs:          1,
		Events:        73,
		Bytes:         26987,
		WorkflowTasks: 12,
		Activities:    6,
		TimersStarted: 4,
		TimersFired:   3,
		Updates:       2,
		Commits:       6,
		Notices:       4,
		Audiences:     5,
		Writes:        41,
	},
	Referral: Cost{
		Runs:          1,
		Events:        83,
		Bytes:         34700,
		WorkflowTasks: 14,
		Activities:    5,
		TimersStarted: 2,
		TimersFired:   1,
		Updates:       4,
		Commits:       5,
		Notices:       5,
		Audiences:     5,
		Writes:        44,
	},
	EHC: Cost{
		Runs:          1,
		Events:        88,
		Bytes:         38321,
		WorkflowTasks: 15,
		Activities:    6,
		TimersStarted: 5,
		TimersFired:   2,
		Updates:       5,
		Commits:       6,
		Notices:       4,
		Audiences:     4,
		Writes:        46,
	},
	AnnualReview: Cost{
		Runs:          1,
		Events:        88,
		Bytes:         38473,
		WorkflowTasks: 14,
		Activities:    7,
		TimersStarted: 5,
		TimersFired:   1,
		Updates:       5,
		Commits:       7,
		Notices:       4,
		Audiences:     5,
		Writes:        45,
	},
}

// DefaultRates are the model's assumptions; docs/capacity.md gives the reason for each.
var DefaultRates = Rates{
	CyclesPerYear:         3,    // reviewed termly; the Code asks for parents to be met three times a year
	ReferralsPerYear:      0.25, // one pupil in four on SEN support referred to an agency in a year
	EHCRequestsPerYear:    0.12, // 154,000 requests in 2024 ÷ 1.28 million pupils on SEN support
	AnnualReviewsPerYear:  1,    // the law's own rate
	ReadsPerAction:        10,
	RecipientsPerAudience: 1.5,
	TermStartShare:        0.3,
	TermStartHours:        80, // the first two weeks: 10 school days of 8 hours
	BusyHourFactor:        2,
	SchoolHoursPerYear:    190 * 8,
}

// BenchMeasured is what `sendflow bench --open-pathways 10000` measured on the 2-core machine,
// shared with other work (README, Performance): 2,777 bytes of read model a commit (11,156
// commits), 247 an audit row (502,590), 6,445 an outbox email (11,156); the separate worker
// opened 11.1 pathways a second (3 tasks each) and grew 52.5 KiB a pathway (127 → 639 MiB with
// 10,000); the API answered 816 pathway reads a second.
var BenchMeasured = Measured{
	BytesPerCommit:        2777,
	BytesPerAuditRow:      247,
	BytesPerEmail:         6445,
	WorkerTasksPerSecond:  3 * 11.1,
	WorkerBytesPerPathway: 52.5 * 1024,
	APIRequestsPerSecond:  816,
}

// DefaultLimits are a deployment's choices; docs/capacity.md gives the reason for each.
var DefaultLimits = Limits{
	WriteLatency:      5 * time.Millisecond,
	ShardUtilisation:  0.5,
	WorkflowsPerShard: 20000,
	MinShards:         4,
	WorkerMemory:      1 << 30,
	Utilisation:       0.5,
	MinReplicas:       2,
}

// Scenarios are the three sizes docs/capacity.md works through, at England's rates of SEN
// (January 2026: 1.32 million pupils on SEN support, 539 thousand with EHC plans in school, of
// 9.0 million).
var Scenarios = []Scenario{
	{Name: "one school (1,000 pupils)", SENSupport: 147, EHCPlans: 60},
	{Name: "a large local authority (20,000 open pathways)", SENSupport: 14200, EHCPlans: 5800},
	{Name: "England (1.9 million pupils)", SENSupport: 1320000, EHCPlans: 539000},
}

// MeasureJourney measures a recorded journey: the files in dir named prefix-<part>-runNN.json,
// where part is pathway, cycle-N, referral-<id>, ehc-<id> or annual-review-N. Only the first
// cycle and annual review count (the journey opens the second review and stops).
func MeasureJourney(dir, prefix string) (Journey, error) {
	files, err := filepath.Glob(filepath.Join(dir, prefix+"-*.json"))
	if err != nil {
		return Journey{}, err
	}
	sort.Strings(files)
	var j Journey
	found := map[string]bool{}
	for _, f := range files {
		part := strings.TrimPrefix(filepath.Base(f), prefix+"-")
		var into *Cost
		switch {
		case strings.HasPrefix(part, "pathway-run"):
			into = &j.Pathway
		case strings.HasPrefix(part, "cycle-1-"):
			into = &j.Cycle
		case strings.HasPrefix(part, "referral-"):
			into = &j.Referral
		case strings.HasPrefix(part, "ehc-"):
			into = &j.EHC
		case strings.HasPrefix(part, "annual-review-1-"):
			into = &j.AnnualReview
		default:
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return Journey{}, fmt.Errorf("measure %s: %w", f, err)
		}
		c, err := MeasureHistory(b)
		if err != nil {
			return Journey{}, fmt.Errorf("measure %s: %w", f, err)
		}
		*into = into.Add(c)
		found[strings.SplitN(part, "-", 2)[0]] = true
	}
	for _, want := range []string{"pathway", "cycle", "referral", "ehc", "annual"} {
		if !found[want] {
			return Journey{}, fmt.Errorf("measure %s/%s-*: no %s history", dir, prefix, want)
		}
	}
	return j, nil
}
