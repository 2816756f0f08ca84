package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/sendflow/sendflow/internal/auth"
	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/internal/upn"
	"github.com/sendflow/sendflow/workflows"
)

// The people the bench acts as: the Oak class teacher raises concerns and reads pathways; the
// SENDCo triages and reads the caseload.
const (
	benchTeacher = "teacher.oak@oakfield.example"
	benchSENDCo  = "sendco@oakfield.example"
)

// The no-op workflow the engine's ceilings are measured with: it starts, takes an update that
// does nothing, and stays open like a pathway.
const (
	benchNoopQueue    = "sendflow-bench-noop"
	benchNoopWorkflow = "BenchNoop"
	benchNoopUpdate   = "noop"
)

func benchNoop(ctx workflow.Context) error {
	if err := workflow.SetUpdateHandler(ctx, benchNoopUpdate, func(workflow.Context) error { return nil }); err != nil {
		return err
	}
	return workflow.Await(ctx, func() bool { return false })
}

// bencher holds what every phase uses.
type bencher struct {
	d               *Dev
	o               BenchOptions
	http            *http.Client
	base            string
	teacher, sendco string // bearer tokens
	teacherID       string
	pupils          []string // the write rounds' pupils, in the order their concerns were raised
	next            atomic.Int64
	noop            worker.Worker
	timings         workflows.Timings
	firstWrite      time.Time
}

func newBencher(ctx context.Context, d *Dev, o BenchOptions) (*bencher, error) {
	b, err := benchClient(d)
	if err != nil {
		return nil, err
	}
	b.o = o
	if b.timings, err = workflows.LoadTimings(d.Config.TimingsFile); err != nil {
		return nil, err
	}
	// Pupils for the write rounds (and their warm-up), each with a parent to be told when SEN
	// support starts.
	if b.pupils, err = benchPupils(ctx, d, o.Concerns+2*o.Clients, "9", true); err != nil {
		return nil, err
	}
	b.noop = worker.New(d.Temporal, benchNoopQueue, worker.Options{})
	b.noop.RegisterWorkflowWithOptions(benchNoop, workflow.RegisterOptions{Name: benchNoopWorkflow})
	if err := b.noop.Start(); err != nil {
		return nil, fmt.Errorf("bench: start the no-op worker: %w", err)
	}
	return b, nil
}

// benchClient is a bencher that sends requests only: no pupils, no no-op worker.
func benchClient(d *Dev) (*bencher, error) {
	b := &bencher{d: d, base: "http://" + d.HTTP.Addr.String(),
		// As many idle connections as clients: the default two would open a new connection for
		// most requests and measure TCP set-up instead of sendflow.
		http: &http.Client{
			Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256},
			Timeout:   time.Minute,
		}}
	var err error
	if b.teacher, b.teacherID, err = benchToken(d, benchTeacher); err != nil {
		return nil, err
	}
	if b.sendco, _, err = benchToken(d, benchSENDCo); err != nil {
		return nil, err
	}
	return b, nil
}

func (b *bencher) close() { b.noop.Stop() }

// pupil hands out the next pupil without a pathway.
func (b *bencher) pupil() string { return b.pupils[b.next.Add(1)-1] }

// batch runs n operations with the given clients at once, adding each one's latency to s.
func batch(ctx context.Context, s *Series, n, clients int, op func(ctx context.Context, i int) error) error {
	lat := make([]time.Duration, n)
	var (
		wg    sync.WaitGroup
		next  atomic.Int64
		mu    sync.Mutex
		first error
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var retries atomic.Int64
	ctx = context.WithValue(ctx, retriesKey{}, &retries)
	start := time.Now()
	for range min(clients, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				t0 := time.Now()
				if err := op(ctx, i); err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("%s %d of %d: %w", s.Name, i+1, n, err)
					}
					mu.Unlock()
					cancel()
					return
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if first != nil {
		return first
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.Clients, s.Count, s.Elapsed, s.Retries = clients, s.Count+n, s.Elapsed+elapsed, s.Retries+int(retries.Load())
	s.Batches = append(s.Batches, float64(n)/elapsed.Seconds())
	s.Latencies = append(s.Latencies, lat...)
	slices.Sort(s.Latencies)
	return nil
}

// writes raises concerns through the API and through the SDK, and runs the no-op workflow's
// update-with-start and plain starts, in turns: one batch of each per round, the order turning
// each round, so a machine that gets busier (or quieter) part-way weighs on all four alike.
func (b *bencher) writes(ctx context.Context, res *BenchResult) error {
	o := b.o
	res.API = Series{Name: "concern through the API"}
	res.SDK = Series{Name: "the same update-with-start through the SDK"}
	res.NoopUpdateWithStart = Series{Name: "no-op workflow: update-with-start"}
	res.NoopStart = Series{Name: "no-op workflow: start"}
	kinds := []struct {
		s  *Series
		op func(ctx context.Context, i int) error
	}{
		{&res.API, func(ctx context.Context, _ int) error { return b.concernAPI(ctx, b.pupil()) }},
		{&res.SDK, func(ctx context.Context, _ int) error { return b.concernSDK(ctx, b.pupil()) }},
		{&res.NoopUpdateWithStart, func(ctx context.Context, _ int) error { return b.noopUpdateWithStart(ctx) }},
		{&res.NoopStart, func(ctx context.Context, _ int) error { return b.noopStart(ctx) }},
	}
	// Warm up (connections, caches, the first workflows of each kind): not counted.
	b.firstWrite = time.Now()
	for _, k := range kinds {
		warm := Series{Name: k.s.Name + " (warm-up)"}
		if err := batch(ctx, &warm, o.Clients, o.Clients, k.op); err != nil {
			return err
		}
	}
	api := (o.Concerns + 1) / 2
	for r := range o.Rounds {
		o.Progress("writes: round %d of %d", r+1, o.Rounds)
		// Batch sizes add up to the counts asked for: the API gets the odd concern.
		n := api/o.Rounds + boolInt(r < api%o.Rounds)
		sdk := (o.Concerns-api)/o.Rounds + boolInt(r < (o.Concerns-api)%o.Rounds)
		sizes := []int{n, sdk, sdk, sdk}
		for j := range kinds {
			k := (j + r) % len(kinds)
			if err := batch(ctx, kinds[k].s, sizes[k], o.Clients, kinds[k].op); err != nil {
				return err
			}
		}
	}
	// Every concern's email to the SENDCo has gone out over SMTP.
	want := int(b.next.Load())
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var sent int
		if err := b.d.DB.QueryRow(ctx, `SELECT count(*) FROM email_outbox WHERE template = 'concern_raised' AND status = 'sent'`).Scan(&sent); err != nil {
			return fmt.Errorf("bench: count sent mail: %w", err)
		}
		if sent >= want {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("bench: only %d of %d emails sent after 2 minutes", sent, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
	res.MailDelivered = time.Since(b.firstWrite)
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// updates sends the SENDCo's triage of raised concerns through the API at 1, 4 and 16 clients,
// each to a different pupil (a staff update on an open pathway): half keep monitoring, half start
// SEN support (which tells the parents), so the caseload read next has both.
func (b *bencher) updates(ctx context.Context, res *BenchResult) error {
	levels := []int{1, 4, 16}
	// Fewer at one client, where each takes longest.
	shares := []int{1, 2, 4}
	total := 0
	for _, s := range shares {
		total += s
	}
	var i atomic.Int64 // pupils were raised in order; triage from the first
	for j, c := range levels {
		n := max(1, b.o.Updates*shares[j]/total)
		s := Series{Name: fmt.Sprintf("staff update (triage) at %d", c)}
		b.o.Progress("staff updates at %d clients", c)
		err := batch(ctx, &s, n, c, func(ctx context.Context, _ int) error {
			k := i.Add(1) - 1
			decision := "monitor"
			if k%2 == 1 {
				decision = "sen_support"
			}
			return b.triage(ctx, b.pupils[k], decision)
		})
		if err != nil {
			return err
		}
		res.Updates = append(res.Updates, s)
	}
	return nil
}

// reads reads pupils' pathways (as their class teacher) and the school's caseload (as the
// SENDCo), in alternating batches.
func (b *bencher) reads(ctx context.Context, res *BenchResult) error {
	if err := b.d.DB.QueryRow(ctx, `SELECT count(*) FROM pathways WHERE school_id = $1`, seed.DemoSchoolID).Scan(&res.CaseloadPupils); err != nil {
		return fmt.Errorf("bench: count pathways: %w", err)
	}
	res.Pathway = Series{Name: "read a pathway"}
	res.Caseload = Series{Name: fmt.Sprintf("read the caseload of %d pupils", res.CaseloadPupils)}
	started := int(b.next.Load())
	const rounds = 3
	caseloads := max(caseloadClients, b.o.Reads/10)
	// Warm up each (plans, connections): not counted.
	warm := Series{Name: "warm-up"}
	if err := batch(ctx, &warm, 2*b.o.ReadClients, b.o.ReadClients, func(ctx context.Context, i int) error {
		return b.get(ctx, b.teacher, "/v1/pupils/"+b.pupils[i%started]+"/pathway")
	}); err != nil {
		return err
	}
	if err := batch(ctx, &warm, caseloadClients, caseloadClients, func(ctx context.Context, i int) error {
		return b.get(ctx, b.sendco, "/v1/schools/"+seed.DemoSchoolID+"/caseload")
	}); err != nil {
		return err
	}
	var k atomic.Int64
	for r := range rounds {
		b.o.Progress("reads: round %d of %d", r+1, rounds)
		n := b.o.Reads/rounds + boolInt(r < b.o.Reads%rounds)
		if err := batch(ctx, &res.Pathway, n, b.o.ReadClients, func(ctx context.Context, _ int) error {
			return b.get(ctx, b.teacher, "/v1/pupils/"+b.pupils[int(k.Add(1)-1)%started]+"/pathway")
		}); err != nil {
			return err
		}
		n = caseloads/rounds + boolInt(r < caseloads%rounds)
		if err := batch(ctx, &res.Caseload, n, caseloadClients, func(ctx context.Context, _ int) error {
			return b.get(ctx, b.sendco, "/v1/schools/"+seed.DemoSchoolID+"/caseload")
		}); err != nil {
			return err
		}
	}
	return nil
}

// concernAPI raises a concern for a pupil through the API, as a teacher would.
func (b *bencher) concernAPI(ctx context.Context, pupilID string) error {
	return b.do(ctx, http.MethodPost, b.teacher, "/v1/pupils/"+pupilID+"/concerns",
		`{"areas":["cognition_and_learning"],"observed":"Benchmark concern."}`, http.StatusCreated)
}

// concernSDK is what the API does for a concern without HTTP, authorization and the audit: the
// proposed concern row, then the pathway's update-with-start straight through the SDK.
func (b *bencher) concernSDK(ctx context.Context, pupilID string) error {
	return raiseConcernSDK(ctx, b.d, b.d.Config.TaskQueue, b.timings, b.teacherID, pupilID)
}

func raiseConcernSDK(
	ctx context.Context,
	d *Dev,
	taskQueue string,
	timings workflows.Timings,
	teacherID, pupilID string,
) error {
	id := uuid.NewString()
	if _, err := (&store.Store{DB: d.DB}).ProposeConcern(ctx, store.Concern{ID: id, PupilID: pupilID, RaisedBy: teacherID,
		Areas: []string{"cognition_and_learning"}, Observed: "Benchmark concern."}); err != nil {
		return err
	}
	// Sent again with the same update id after a failure, as the service layer would.
	return retrying(ctx, func() (bool, error) {
		_, err := workflows.UpdateWithStart(
			ctx,
			d.Temporal,
			taskQueue,
			workflows.PathwayInput{
				PupilID:  pupilID,
				SchoolID: seed.DemoSchoolID,
				Timings:  timings,
				Scale:    d.Config.TimeScale,
			},
			workflows.UpdateRaiseConcern,
			workflows.UpdateRaiseConcern+"/"+id,
			workflows.ConcernRaised{ConcernID: id, RaisedBy: teacherID},
		)
		var refused *workflows.Refusal
		return !errors.As(err, &refused), err
	})
}

func (b *bencher) noopUpdateWithStart(ctx context.Context) error {
	id, update := "bench-noop/"+uuid.NewString(), uuid.NewString()
	return retrying(ctx, func() (bool, error) {
		op := b.d.Temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
			ID: id, TaskQueue: benchNoopQueue, WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		}, benchNoopWorkflow)
		h, err := b.d.Temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
			StartWorkflowOperation: op,
			UpdateOptions: client.UpdateWorkflowOptions{UpdateID: update, UpdateName: benchNoopUpdate,
				WaitForStage: client.WorkflowUpdateStageCompleted},
		})
		if err == nil {
			err = h.Get(ctx, nil)
		}
		return true, err
	})
}

func (b *bencher) noopStart(ctx context.Context) error {
	id := "bench-noop/" + uuid.NewString()
	return retrying(ctx, func() (bool, error) {
		_, err := b.d.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: benchNoopQueue,
			WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING}, benchNoopWorkflow)
		return true, err
	})
}

func (b *bencher) triage(ctx context.Context, pupilID, decision string) error {
	return b.do(
		ctx,
		http.MethodPost,
		b.sendco,
		"/v1/pupils/"+pupilID+"/pathway/triage",
		`{"decision":"`+decision+`"}`,
		http.StatusCreated,
	)
}

func (b *bencher) get(ctx context.Context, token, path string) error {
	return b.do(ctx, http.MethodGet, token, path, "", http.StatusOK)
}

// do sends one request as a client would and checks the status. An answer that the action is
// still being recorded (503) is retried with the same Idempotency-Key, as README tells clients to.
func (b *bencher) do(ctx context.Context, method, token, path, body string, want int) error {
	key := uuid.NewString()
	return retrying(ctx, func() (bool, error) {
		var r io.Reader
		if body != "" {
			r = strings.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, b.base+path, r)
		if err != nil {
			return false, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", key)
		}
		resp, err := b.http.Do(req)
		if err != nil {
			return false, err
		}
		// Read the answer as a client does: a body left unread closes the connection instead of
		// returning it for the next request.
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			err := fmt.Errorf("%s %s answered %s: %.300s", method, path, resp.Status, got)
			return resp.StatusCode == http.StatusServiceUnavailable, err
		}
		return false, nil
	})
}

// retryPause is how long the bench waits before sending again what could not be finished (a 503
// from the API, an update the server gave up waiting for). It is the same for every kind of
// request, so a stall of the server weighs on each kind alike; a real client waits Retry-After.
const retryPause = time.Second

type retriesKey struct{}

// retrying runs try until it succeeds, fails for good, or has been tried 10 times; a retry is
// counted in the context's counter, if any.
func retrying(ctx context.Context, try func() (again bool, err error)) error {
	for n := 1; ; n++ {
		again, err := try()
		if err == nil || !again || n == 10 {
			return err
		}
		if c, ok := ctx.Value(retriesKey{}).(*atomic.Int64); ok {
			c.Add(1)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(retryPause):
		}
	}
}

// benchPupils adds n synthetic pupils to the demo school's Oak class, UPNs starting with prefix
// (so two runs on one database do not clash), each with a parent when asked, and returns their
// ids.
func benchPupils(ctx context.Context, d *Dev, n int, prefix string, parents bool) ([]string, error) {
	ids := make([]string, n)
	rows := make([][]any, n)
	dob := time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range ids {
		ids[i] = uuid.NewString()
		u, err := upn.Make(fmt.Sprintf("%s%011d", prefix, i))
		if err != nil {
			return nil, err
		}
		rows[i] = []any{ids[i], seed.DemoSchoolID, seed.ClassOakID, u, "Bench", "Pupil", dob}
	}
	if _, err := d.DB.CopyFrom(ctx, pgx.Identifier{"pupils"}, []string{"id", "school_id", "class_id", "upn", "first_name", "last_name", "date_of_birth"},
		pgx.CopyFromRows(rows)); err != nil {
		return nil, fmt.Errorf("bench: add pupils: %w", err)
	}
	if parents {
		// One parent each, with an address of their own (synthetic, like everything here).
		if _, err := d.DB.Exec(ctx, `WITH p AS (SELECT id, gen_random_uuid() AS parent FROM pupils WHERE id = ANY($1::uuid[])),
			u AS (INSERT INTO users (id, email, name) SELECT parent, 'parent.' || id || '@bench.invalid', 'Bench Parent' FROM p)
			INSERT INTO pupil_parents (pupil_id, user_id) SELECT id, parent FROM p`, ids); err != nil {
			return nil, fmt.Errorf("bench: add parents: %w", err)
		}
	}
	return ids, nil
}

// benchToken is a bearer token for one of the demo school's people, and their id.
func benchToken(d *Dev, email string) (token, id string, err error) {
	i := slices.IndexFunc(seed.People, func(p seed.Person) bool { return p.Email == email })
	if i < 0 {
		return "", "", fmt.Errorf("bench: the demo school has no %s", email)
	}
	t, err := auth.Issue(d.Key, seed.People[i].ID, email, time.Hour, time.Now())
	return t, seed.People[i].ID, err
}

// database measures what the run's rows take in PostgreSQL. Every concern raised (each on a new
// pupil) and every triage was one Commit of a pathway.
func (b *bencher) database(ctx context.Context, res *BenchResult) (DatabaseCost, error) {
	c := DatabaseCost{Commits: int(b.next.Load())}
	for _, u := range res.Updates {
		c.Commits += u.Count
	}
	if res.Worker != nil {
		c.Commits += res.Worker.Pathways
	}
	size := func(tables ...string) (int64, error) {
		var n int64
		err := b.d.DB.QueryRow(ctx, `SELECT coalesce(sum(pg_total_relation_size(t::regclass)), 0)::bigint FROM unnest($1::text[]) AS t`, tables).
			Scan(&n)
		if err != nil {
			return 0, fmt.Errorf("bench: size of %v: %w", tables, err)
		}
		return n, nil
	}
	var err error
	if c.ReadModelBytes, err = size("pathways", "pathway_items", "pathway_events", "deadlines", "concerns"); err != nil {
		return c, err
	}
	if c.AuditBytes, err = size("audit_log"); err != nil {
		return c, err
	}
	if c.EmailBytes, err = size("email_outbox"); err != nil {
		return c, err
	}
	if err := b.d.DB.QueryRow(ctx, `SELECT (SELECT count(*) FROM audit_log), (SELECT count(*) FROM email_outbox)`).Scan(&c.AuditRows, &c.Emails); err != nil {
		return c, fmt.Errorf("bench: count audit and outbox rows: %w", err)
	}
	return c, nil
}
