package app

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/sendflow/sendflow/internal/devkit/testenv"
)

// `sendflow bench` measures on a stack of its own, reports what it was asked to measure, and
// leaves nothing behind: no database on the local server, no data dir, no worker process.
func TestBenchLeavesNothingBehind(t *testing.T) {
	t.Parallel()
	testenv.DatabaseURL(t) // the local server must answer, as it does for dev
	worker := buildSendflow(t)
	o := BenchOptions{
		Concerns:     9,
		Clients:      2,
		Rounds:       2,
		Updates:      7,
		Reads:        30,
		ReadClients:  3,
		OpenPathways: 5,
		Worker:       []string{worker, "worker"},
	}
	r, err := Bench(context.Background(), o, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	// Every kind of write ran in every round, the counts asked for (the API has the odd one).
	for _, c := range []struct {
		s    *Series
		want int
	}{{&r.API, 5}, {&r.SDK, 4}, {&r.NoopUpdateWithStart, 4}, {&r.NoopStart, 4}, {&r.Pathway, 30}, {&r.Caseload, 4}} {
		if c.s.Count != c.want || len(c.s.Latencies) != c.want || c.s.PerSecond() <= 0 || c.s.Quantile(0.5) <= 0 ||
			c.s.Quantile(0.5) > c.s.Quantile(0.99) {
			t.Errorf(
				"%s: %d measured (want %d), %.1f/s, p50 %v, p99 %v",
				c.s.Name,
				c.s.Count,
				c.want,
				c.s.PerSecond(),
				c.s.Quantile(0.5),
				c.s.Quantile(0.99),
			)
		}
	}
	if len(r.API.Batches) != 2 || len(r.NoopStart.Batches) != 2 || len(r.Pathway.Batches) != 3 {
		t.Errorf(
			"batches: API %d, no-op start %d, pathway reads %d; want 2, 2, 3",
			len(r.API.Batches),
			len(r.NoopStart.Batches),
			len(r.Pathway.Batches),
		)
	}
	if r.MailDelivered <= 0 {
		t.Errorf("mail delivered after %v", r.MailDelivered)
	}
	// Staff updates at 1, 4 and 16 clients, no more than asked.
	sent := 0
	for i, s := range r.Updates {
		if s.Clients != []int{1, 4, 16}[i] || s.Count < 1 {
			t.Errorf("staff updates %d: %d clients, %d sent", i, s.Clients, s.Count)
		}
		sent += s.Count
	}
	if len(r.Updates) != 3 || sent > 7 {
		t.Errorf("%d levels of staff updates, %d sent; want 3 levels and at most 7", len(r.Updates), sent)
	}
	// The caseload is of every pupil given a pathway: 9 and the warm-up's 2 × 2 clients.
	if r.CaseloadPupils != 13 {
		t.Errorf("caseload of %d pupils, want 13", r.CaseloadPupils)
	}
	if m := r.Worker; m == nil || m.Pathways != 5 || m.Started <= 0 || m.RSSIdle <= 0 || m.RSS <= 0 ||
		m.PeakRSS < m.RSS ||
		m.CacheSize <= 0 {
		t.Errorf("worker memory does not add up: %+v", m)
	}
	// What the rows took: every concern (13, and the worker's 5) and triage was one commit.
	if c := r.Database; c.Commits != 13+sent+5 || c.ReadModelBytes <= 0 || c.AuditRows < int64(5+sent) ||
		c.AuditBytes <= 0 ||
		c.Emails < 18 ||
		c.EmailBytes <= 0 {
		t.Errorf("database cost does not add up: %+v (want %d commits)", c, 13+sent+5)
	}
	var out bytes.Buffer
	r.Write(&out)
	for _, want := range []string{"API ÷ SDK", "no-op workflow: start", "16 clients", "caseload of 13 pupils", "5 open pathways", "load average", "bytes a commit"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report does not say %q:\n%s", want, out.String())
		}
	}

	// Only what this run made is checked: other test runs on the machine make and drop their own.
	if r.DatabaseName == "" || r.DataDir == "" {
		t.Fatalf("bench does not say what it made: %+v", r)
	}
	conn, err := pgx.Connect(context.Background(), testenv.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var left bool
	if err := conn.QueryRow(context.Background(),
		`SELECT exists(SELECT 1 FROM pg_database WHERE datname = $1)`, r.DatabaseName).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left {
		t.Errorf("bench left its database %s behind", r.DatabaseName)
	}
	if _, err := os.Stat(r.DataDir); !os.IsNotExist(err) {
		t.Errorf("bench left its data dir %s behind (%v)", r.DataDir, err)
	}
}

// buildSendflow builds the sendflow binary, for tests that run its commands as processes.
func buildSendflow(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "sendflow")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/sendflow/sendflow/cmd/sendflow")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build sendflow: %v\n%s", err, out)
	}
	return bin
}
