package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/sendflow/sendflow/internal/config"
	"github.com/sendflow/sendflow/internal/devkit/devpg"
	"github.com/sendflow/sendflow/internal/devkit/freeport"
)

// BenchOptions say how hard `sendflow bench` pushes. Zero values take the defaults below.
type BenchOptions struct {
	// Concerns are raised for new pupils in the write rounds, half through the API and half
	// straight through the SDK; each starts a pathway. The caseload read is over these pupils.
	Concerns int
	// Clients send at once in the write rounds.
	Clients int
	// Rounds is how many times the four kinds of write take turns (API, SDK, no-op
	// update-with-start, no-op start), so a machine that gets busier part-way hurts all alike.
	Rounds int
	// Updates is how many staff updates (triage through the API) are sent at each of 1, 4 and 16
	// clients; 0 means Concerns/4 in all, spread over the three.
	Updates int
	// Reads is how many pathway reads are made; caseload reads are a tenth of it.
	Reads int
	// ReadClients read the pathway at once; the caseload is read by 4.
	ReadClients int
	// OpenPathways are started on a `sendflow worker` process of their own, whose memory is then
	// measured; negative skips it.
	OpenPathways int
	// Worker is the command line of that worker (the sendflow binary and "worker"); nil runs this
	// executable's `worker`.
	Worker []string
	// Profile, when set, is a directory where a CPU profile of each phase (writes, updates,
	// reads, open-pathways) and a heap profile after the reads are written, for `go tool pprof`.
	Profile string
	// Progress, when set, is told what the bench is doing.
	Progress func(format string, args ...any)
}

// Defaults: 900 pupils (a large primary school's worth of concerns on the caseload) and a large
// local authority's 20,000 open pathways on one worker.
const (
	benchConcerns     = 900
	benchClients      = 16
	benchRounds       = 5
	benchReads        = 6000
	benchReadClients  = 8
	benchOpenPathways = 20000
	caseloadClients   = 4
)

// BindFlags declares the options as `sendflow bench` flags.
func (o *BenchOptions) BindFlags(fs *flag.FlagSet) {
	fs.IntVar(
		&o.Concerns,
		"concerns",
		benchConcerns,
		"concerns raised for new pupils in the write rounds (half through the API, half through the SDK); the caseload read is over them",
	)
	fs.IntVar(&o.Clients, "clients", benchClients, "clients sending writes at once")
	fs.IntVar(&o.Rounds, "rounds", benchRounds, "rounds of alternating write batches")
	fs.IntVar(
		&o.Updates,
		"updates",
		0,
		"staff updates (triage) over 1, 4 and 16 clients (default a quarter of --concerns)",
	)
	fs.IntVar(&o.Reads, "reads", benchReads, "pathway reads (caseload reads are a tenth)")
	fs.IntVar(&o.ReadClients, "read-clients", benchReadClients, "clients reading pathways at once")
	fs.IntVar(
		&o.OpenPathways,
		"open-pathways",
		benchOpenPathways,
		"pathways opened on a separate `sendflow worker` process whose memory is measured (-1 skips it; fewer for a quick run)",
	)
	fs.StringVar(
		&o.Profile,
		"profile",
		"",
		"directory to write CPU profiles of each phase and a heap profile into (go tool pprof)",
	)
}

func (o *BenchOptions) defaults() error {
	if o.Concerns < 0 || o.Clients < 0 || o.Rounds < 0 || o.Updates < 0 || o.Reads < 0 || o.ReadClients < 0 {
		return errors.New("bench: counts cannot be negative")
	}
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&o.Concerns, benchConcerns)
	def(&o.Clients, benchClients)
	def(&o.Rounds, benchRounds)
	def(&o.Updates, o.Concerns/4)
	def(&o.Reads, benchReads)
	def(&o.ReadClients, benchReadClients)
	def(&o.OpenPathways, benchOpenPathways)
	if o.Concerns < 2*o.Rounds {
		return fmt.Errorf("bench: --concerns %d is too few for %d rounds of API and SDK batches", o.Concerns, o.Rounds)
	}
	if o.Updates > o.Concerns {
		return fmt.Errorf(
			"bench: --updates %d needs as many pupils awaiting triage, but only %d concerns are raised",
			o.Updates,
			o.Concerns,
		)
	}
	if o.Progress == nil {
		o.Progress = func(string, ...any) {}
	}
	return nil
}

// BenchResult is what a bench run measured, all on one stack.
type BenchResult struct {
	Options        BenchOptions
	Machine        string // CPUs, OS, Go
	LoadBefore     string // load average when the run started and ended (the machine may be shared)
	LoadAfter      string
	DatabaseSource string // where the throwaway database lived
	DatabaseName   string // the throwaway database itself, dropped afterwards
	DataDir        string // the throwaway data dir, removed afterwards
	Started        time.Time
	Took           time.Duration

	// Writes, in alternating batches at Options.Clients.
	API, SDK, NoopUpdateWithStart, NoopStart Series
	// MailDelivered is from the first write until every concern's email to the SENDCo was sent.
	MailDelivered time.Duration
	// Updates are staff updates (the SENDCo's triage through the API) at 1, 4 and 16 clients.
	Updates []Series
	// Reads: the pathway at Options.ReadClients, the caseload at 4 clients.
	Pathway, Caseload Series
	CaseloadPupils    int // pupils with a pathway in the school whose caseload was read
	// Worker is the separate worker process with the open pathways; nil when skipped.
	Worker *WorkerMemory
	// Database is what the run's rows take in PostgreSQL, for the capacity model.
	Database DatabaseCost
}

// DatabaseCost is what a run's rows take in PostgreSQL, tables with their indexes and TOAST.
// docs/capacity.md sizes a deployment's database from it.
type DatabaseCost struct {
	Commits        int   // changes the workflows saved, each one Commit transaction
	ReadModelBytes int64 // pathways, pathway_items, pathway_events, deadlines and the concerns they accepted
	AuditRows      int64
	AuditBytes     int64
	Emails         int64 // rows in the outbox
	EmailBytes     int64
}

// Series is one kind of request measured over one or more batches.
type Series struct {
	Name      string
	Clients   int
	Count     int
	Elapsed   time.Duration   // the batches' time added up
	Latencies []time.Duration // sorted
	Batches   []float64       // each batch's rate, per second
	Retries   int             // requests sent again after the server could not finish them in time
}

// PerSecond is the rate over all batches.
func (s *Series) PerSecond() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Count) / s.Elapsed.Seconds()
}

// Quantile is the latency below which q of the requests answered.
func (s *Series) Quantile(q float64) time.Duration {
	if len(s.Latencies) == 0 {
		return 0
	}
	i := int(q*float64(len(s.Latencies))+0.5) - 1
	return s.Latencies[max(0, min(i, len(s.Latencies)-1))]
}

// WorkerMemory is the memory of one `sendflow worker` process holding open pathways.
type WorkerMemory struct {
	Pathways  int
	Started   time.Duration // to start them all (each a concern's update-with-start)
	RSSIdle   int64         // bytes, polling with no pathways
	RSS       int64         // bytes, with them all open, after they settled
	PeakRSS   int64         // the most it held meanwhile
	CacheSize int           // workflows the worker keeps in memory (SENDFLOW_WORKER_CACHE)
}

// Extrapolate is the memory the worker would hold with n pathways open, from this run's idle
// memory and each pathway's share: with its cache (which keeps at most CacheSize), and with all
// n cached. An estimate, not a measurement.
func (m *WorkerMemory) Extrapolate(n int) (cached, all int64) {
	if m.Pathways == 0 {
		return m.RSSIdle, m.RSSIdle
	}
	per := float64(m.RSS-m.RSSIdle) / float64(m.Pathways)
	cached = m.RSSIdle + int64(per*float64(min(n, max(m.CacheSize, m.Pathways))))
	all = m.RSSIdle + int64(per*float64(n))
	return cached, all
}

// Ratio is a/b, or 0 when b is 0.
func Ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// Bench measures, on one fresh dev stack of its own (embedded Temporal, the capture mailbox, a
// throwaway database and data dir, all removed afterwards): raising concerns through the API and
// the same update-with-start straight through the SDK, beside a no-op workflow's update-with-start
// and plain starts (what the engine itself manages), in alternating batches; staff updates at 1, 4
// and 16 clients; reads of the pathway and the caseload; and the memory of a `sendflow worker`
// process holding many open pathways. Nothing of the user's own dev data is touched.
func Bench(ctx context.Context, o BenchOptions, logger *slog.Logger) (*BenchResult, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	res := &BenchResult{Options: o, Started: time.Now(), LoadBefore: loadAverage(),
		Machine: fmt.Sprintf("%d CPUs, %s/%s, %s", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())}
	dir, err := os.MkdirTemp("", "sendflow-bench-")
	if err != nil {
		return nil, fmt.Errorf("bench: make a data dir: %w", err)
	}
	defer os.RemoveAll(dir)
	cfg, err := benchConfig(dir)
	if err != nil {
		return nil, err
	}
	o.Progress("starting a dev stack of its own in %s", dir)
	d, err := StartDev(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	res.DatabaseSource, res.DataDir = d.DBSource, dir
	if u, err := url.Parse(d.DBURL); err == nil {
		res.DatabaseName = strings.TrimPrefix(u.Path, "/")
	}
	runErr := runBench(ctx, d, o, res)
	stopErr := d.Stop(context.Background())
	if d.DBSource == devpg.SourceLocal { // a private cluster goes with the data dir
		if err := devpg.Drop(context.Background(), d.DBURL); err != nil {
			logger.Warn("bench: could not drop its database", "error", err)
		}
	}
	if runErr != nil {
		return nil, runErr
	}
	res.Took, res.LoadAfter = time.Since(res.Started), loadAverage()
	return res, stopErr
}

// benchConfig is a dev configuration with every port, key and store its own.
func benchConfig(dir string) (*config.Config, error) {
	smtp, err := freeport.One()
	if err != nil {
		return nil, err
	}
	temporal, err := freeport.Run(4)
	if err != nil {
		return nil, err
	}
	pg, err := freeport.One()
	if err != nil {
		return nil, err
	}
	env := map[string]string{
		"SENDFLOW_DATA_DIR": dir, "SENDFLOW_HTTP_ADDR": "127.0.0.1:0", "SENDFLOW_LOG_LEVEL": "warn",
		"SENDFLOW_SMTP_PORT": fmt.Sprint(
			smtp,
		), "SENDFLOW_TEMPORAL_PORT": fmt.Sprint(temporal), "SENDFLOW_PG_PORT": fmt.Sprint(pg),
		"SENDFLOW_TASK_QUEUE": "sendflow-bench", "SENDFLOW_RATE_LIMIT": "1000000",
	}
	return config.Parse("bench", nil, func(k string) string { return env[k] }, nil)
}

func runBench(ctx context.Context, d *Dev, o BenchOptions, res *BenchResult) error {
	b, err := newBencher(ctx, d, o)
	if err != nil {
		return err
	}
	defer b.close()
	phases := []struct {
		name string
		run  func() error
	}{
		{"writes", func() error { return b.writes(ctx, res) }},
		{"updates", func() error { return b.updates(ctx, res) }},
		{"reads", func() error { return b.reads(ctx, res) }},
		{"open-pathways", func() (err error) {
			if o.OpenPathways > 0 {
				res.Worker, err = b.openPathways(ctx)
			}
			return err
		}},
		{"database", func() (err error) {
			res.Database, err = b.database(ctx, res)
			return err
		}},
	}
	for _, ph := range phases {
		if err := profiled(o.Profile, ph.name, ph.run); err != nil {
			return err
		}
	}
	return nil
}

// profiled runs a phase, with a CPU profile of it (and a heap profile after it) in dir if set.
func profiled(dir, name string, run func() error) error {
	if dir == "" {
		return run()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("bench: profile dir: %w", err)
	}
	f, err := os.Create(filepath.Join(dir, "cpu-"+name+".pprof"))
	if err != nil {
		return fmt.Errorf("bench: profile: %w", err)
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return fmt.Errorf("bench: profile: %w", err)
	}
	err = run()
	pprof.StopCPUProfile()
	if err != nil {
		return err
	}
	h, err := os.Create(filepath.Join(dir, "heap-"+name+".pprof"))
	if err != nil {
		return fmt.Errorf("bench: profile: %w", err)
	}
	defer h.Close()
	runtime.GC()
	return pprof.WriteHeapProfile(h)
}

// loadAverage is the machine's load average over 1, 5 and 15 minutes, where the system says.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
