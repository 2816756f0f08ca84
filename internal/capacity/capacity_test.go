package capacity

import (
	"math"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// The model's arithmetic, on a journey small enough to follow by hand: every child workflow
// costs 10 events, and the pathway's share of it 10 more (20 events over 2 children).
func TestSizeArithmetic(t *testing.T) {
	child := Cost{
		Runs:          1,
		Events:        10,
		Bytes:         1000,
		WorkflowTasks: 2,
		Activities:    1,
		Updates:       1,
		Commits:       1,
		Audiences:     1,
		Writes:        5,
	}
	j := Journey{
		Pathway: Cost{
			Runs:          1,
			Events:        20,
			Bytes:         2000,
			WorkflowTasks: 4,
			Activities:    2,
			Updates:       2,
			Children:      2,
			Commits:       2,
			Audiences:     2,
			Writes:        10,
		},
		Cycle: child, Referral: child, EHC: child, AnnualReview: child,
	}
	// A pupil on SEN support takes 3 cycles a year, one with a plan 1 annual review: 3 and 1
	// children, each 20 events, 2 actions, 2 commits, 2 emails' audiences, 10 writes, 6 tasks.
	r := Rates{CyclesPerYear: 3, AnnualReviewsPerYear: 1, ReadsPerAction: 1, RecipientsPerAudience: 1,
		TermStartShare: 0.3, TermStartHours: 5, BusyHourFactor: 1, SchoolHoursPerYear: 100}
	m := Measured{BytesPerCommit: 100, BytesPerAuditRow: 10, BytesPerEmail: 50, WorkerTasksPerSecond: 0.01,
		WorkerBytesPerPathway: 1000, APIRequestsPerSecond: 0.001}
	l := Limits{WriteLatency: time.Second, ShardUtilisation: 0.5, WorkflowsPerShard: 100, MinShards: 1,
		WorkerMemory: 100000, Utilisation: 0.5, MinReplicas: 1}
	// The peak hour carries a year's amount × 1/3 × 0.3 / 5 = 2%.
	for _, c := range []struct {
		name string
		s    Scenario
		set  func(*Limits, *Measured)
		want Plan
	}{
		{
			// 100 × 3 + 50 × 1 = 350 children: 7,000 events, 700 actions, 3,500 writes.
			name: "shards by open workflows, workers by tasks",
			s:    Scenario{SENSupport: 100, EHCPlans: 50},
			want: Plan{OpenWorkflows: 300, ActionsPerPupilTerm: 700.0 / 150 / 3, EventsPerYear: 7000, HistoryBytesPerYear: 700000,
				WritesPerSecond: 3500.0 / 360000, PeakWritesPerSecond: 70.0 / 3600,
				Shards: 4, // 300 open ÷ 100 a shard = 3, up to a power of two
				// 700 commits × 100 + (700 actions + 700 reads) × 10 + 700 emails × 50
				PGBytesPerYear: 119000, PGWritesPerSecond: (700 + 1400 + 1400) * 0.02 / 3600,
				WorkerReplicas: 3,  // 2,100 tasks × 2% an hour = 0.0117/s ÷ (0.01 × 0.5) = 2.3
				APIReplicas:    16, // 1,400 requests × 2% an hour = 0.0078/s ÷ (0.001 × 0.5) = 15.6
				EmailsPerYear:  700, EmailsPerHour: 14},
		},
		{
			// 100,000 × 3 children: 3 million writes, 60,000 in the peak hour = 16.7/s; a shard
			// manages 1/s at half its capacity: 33.3 shards → 64.
			name: "shards by writes, workers by memory",
			s:    Scenario{SENSupport: 100000},
			set: func(l *Limits, m *Measured) {
				l.WorkflowsPerShard = 1 << 30
				l.WorkerMemory = 1000 * 10000 // 10,000 pathways a worker: 10
				m.WorkerTasksPerSecond = 1e6
			},
			want: Plan{OpenWorkflows: 200000, ActionsPerPupilTerm: 2, EventsPerYear: 6e6, HistoryBytesPerYear: 6e8,
				WritesPerSecond: 3e6 / 360000, PeakWritesPerSecond: 6e4 / 3600, Shards: 64,
				PGBytesPerYear: 6e5*100 + 1.2e6*10 + 6e5*50, PGWritesPerSecond: (6e5 + 1.2e6 + 1.2e6) * 0.02 / 3600,
				WorkerReplicas: 10, APIReplicas: 13334, EmailsPerYear: 6e5, EmailsPerHour: 12000},
		},
		{
			name: "no pupils: the floors",
			s:    Scenario{},
			set:  func(l *Limits, _ *Measured) { l.MinShards, l.MinReplicas = 4, 2 },
			want: Plan{Shards: 4, WorkerReplicas: 2, APIReplicas: 2},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			l, m := l, m
			if c.set != nil {
				c.set(&l, &m)
			}
			got := Size(c.s, j, r, m, l)
			for _, f := range []struct {
				name      string
				got, want float64
			}{
				{"open workflows", float64(got.OpenWorkflows), float64(c.want.OpenWorkflows)},
				{"actions a pupil a term", got.ActionsPerPupilTerm, c.want.ActionsPerPupilTerm},
				{"events a year", got.EventsPerYear, c.want.EventsPerYear},
				{"history bytes a year", got.HistoryBytesPerYear, c.want.HistoryBytesPerYear},
				{"writes/s", got.WritesPerSecond, c.want.WritesPerSecond},
				{"peak writes/s", got.PeakWritesPerSecond, c.want.PeakWritesPerSecond},
				{"shards", float64(got.Shards), float64(c.want.Shards)},
				{"PostgreSQL bytes a year", got.PGBytesPerYear, c.want.PGBytesPerYear},
				{"PostgreSQL writes/s", got.PGWritesPerSecond, c.want.PGWritesPerSecond},
				{"worker replicas", float64(got.WorkerReplicas), float64(c.want.WorkerReplicas)},
				{"API replicas", float64(got.APIReplicas), float64(c.want.APIReplicas)},
				{"emails a year", got.EmailsPerYear, c.want.EmailsPerYear},
				{"emails in the busiest hour", got.EmailsPerHour, c.want.EmailsPerHour},
			} {
				if math.Abs(f.got-f.want) > 1e-9*math.Max(1, math.Abs(f.want)) {
					t.Errorf("%s = %g, want %g", f.name, f.got, f.want)
				}
			}
		})
	}
}

// The costs the model ships with are those of the recorded journey: re-recording the histories
// after a change to the workflows (internal/app/histories_test.go) shows here what to update.
func TestRecordedJourneyIsCurrent(t *testing.T) {
	got, err := MeasureJourney("../../workflows/testdata/histories", "journey5")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []struct {
		name      string
		got, want Cost
	}{{"pathway", got.Pathway, RecordedJourney.Pathway}, {"cycle", got.Cycle, RecordedJourney.Cycle},
		{"referral", got.Referral, RecordedJourney.Referral}, {"EHC", got.EHC, RecordedJourney.EHC},
		{"annual review", got.AnnualReview, RecordedJourney.AnnualReview}} {
		if k.got != k.want {
			t.Errorf("%s measures %+v\nRecordedJourney has %+v", k.name, k.got, k.want)
		}
	}
}

// A history is weighed as the server stores it: its payloads encrypted. Emails are counted from
// the Commit activities' notices, one per audience.
func TestMeasureHistory(t *testing.T) {
	payload := func(json string) *commonpb.Payloads {
		return &commonpb.Payloads{
			Payloads: []*commonpb.Payload{
				{Metadata: map[string][]byte{"encoding": []byte("json/plain")}, Data: []byte(json)},
			},
		}
	}
	commit := `{"Notices":[{"Template":"a","To":["parents","sendco"]},{"Template":"b","To":["teachers"]}],"Meetings":[{"MeetingID":"m"}]}`
	h := &historypb.History{Events: []*historypb.HistoryEvent{
		{EventId: 1, EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED},
		{EventId: 2, EventType: enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED},
		{EventId: 3, EventType: enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED},
		{EventId: 4, EventType: enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED},
		{
			EventId:   5,
			EventType: enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
			Attributes: &historypb.HistoryEvent_ActivityTaskScheduledEventAttributes{
				ActivityTaskScheduledEventAttributes: &historypb.ActivityTaskScheduledEventAttributes{
					ActivityType: &commonpb.ActivityType{Name: "Commit"}, Input: payload(commit)}},
		},
		{EventId: 6, EventType: enumspb.EVENT_TYPE_TIMER_STARTED},
		{EventId: 7, EventType: enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED},
		{EventId: 8, EventType: enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED},
		{EventId: 9, EventType: enumspb.EVENT_TYPE_TIMER_FIRED},
	}}
	plain, err := protojson.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	c, err := MeasureHistory(plain)
	if err != nil {
		t.Fatal(err)
	}
	// Writes: started 1, task started 1, completed 1, activity 2, timer fired 1.
	want := Cost{
		Runs:          1,
		Events:        9,
		WorkflowTasks: 1,
		Activities:    1,
		TimersStarted: 1,
		TimersFired:   1,
		Commits:       1,
		Notices:       2,
		Audiences:     3,
		Meetings:      1,
		Writes:        6,
	}
	bytes := c.Bytes
	c.Bytes = 0
	if c != want {
		t.Errorf("measured %+v\nwant     %+v", c, want)
	}
	if bytes <= int64(len(commit)) {
		t.Errorf("%d bytes: less than the commit's own payload; encrypted it is larger", bytes)
	}
}

func TestWriteTable(t *testing.T) {
	var b strings.Builder
	plans := make([]Plan, len(Scenarios))
	for i, s := range Scenarios {
		plans[i] = Size(s, RecordedJourney, DefaultRates, BenchMeasured, DefaultLimits)
	}
	WriteTable(&b, plans)
	for _, want := range []string{"| one school", "Temporal history shards", "emails in the busiest hour"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table does not say %q:\n%s", want, b.String())
		}
	}
}
