package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/sendflow/sendflow/internal/auth"
	"github.com/sendflow/sendflow/internal/config"
	"github.com/sendflow/sendflow/internal/devpg"
	"github.com/sendflow/sendflow/internal/freeport"
	"github.com/sendflow/sendflow/internal/seed"
	"github.com/sendflow/sendflow/internal/upn"
)

// BenchOptions say how hard `sendflow bench` pushes.
type BenchOptions struct {
	Concerns int // concerns raised, each for a new pupil (so each starts a pathway workflow)
	Clients  int // clients sending at once
}

// BenchResult is what a bench run measured.
type BenchResult struct {
	Concerns, Clients int
	Database          string        // where the throwaway database lived
	DatabaseName      string        // the throwaway database itself, dropped afterwards
	DataDir           string        // the throwaway data dir, removed afterwards
	Elapsed           time.Duration // from the first request to the last answer
	P50, P95, Max     time.Duration // time to answer one concern
	MailDelivered     time.Duration // from the first request until every SENDCo email was sent over SMTP
}

// PerSecond is the throughput.
func (r *BenchResult) PerSecond() float64 { return float64(r.Concerns) / r.Elapsed.Seconds() }

// Bench measures the write path a teacher uses most — raising a concern: HTTP, authorization,
// the concern row, update-with-start of the pupil's pathway workflow, the read-model projection
// and the queued email — on a fresh dev stack of its own (embedded Temporal, the capture
// mailbox, a throwaway database and data dir), which it removes afterwards. Nothing of the
// user's own dev data is touched.
func Bench(ctx context.Context, o BenchOptions, logger *slog.Logger) (*BenchResult, error) {
	if o.Concerns < 1 || o.Clients < 1 {
		return nil, errors.New("bench: --concerns and --clients must be at least 1")
	}
	dir, err := os.MkdirTemp("", "sendflow-bench-")
	if err != nil {
		return nil, fmt.Errorf("bench: make a data dir: %w", err)
	}
	defer os.RemoveAll(dir)
	cfg, err := benchConfig(dir)
	if err != nil {
		return nil, err
	}
	d, err := StartDev(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	res, runErr := runBench(ctx, d, o)
	if res != nil {
		res.DataDir = dir
		if u, err := url.Parse(d.DBURL); err == nil {
			res.DatabaseName = strings.TrimPrefix(u.Path, "/")
		}
	}
	stopErr := d.Stop(context.Background())
	if d.DBSource == devpg.SourceLocal { // a private cluster goes with the data dir
		if err := devpg.Drop(context.Background(), d.DBURL); err != nil {
			logger.Warn("bench: could not drop its database", "error", err)
		}
	}
	if runErr != nil {
		return nil, runErr
	}
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
		"SENDFLOW_SMTP_PORT": fmt.Sprint(smtp), "SENDFLOW_TEMPORAL_PORT": fmt.Sprint(temporal), "SENDFLOW_PG_PORT": fmt.Sprint(pg),
		"SENDFLOW_TASK_QUEUE": "sendflow-bench", "SENDFLOW_RATE_LIMIT": "1000000",
	}
	return config.Parse("bench", nil, func(k string) string { return env[k] }, nil)
}

// benchTeacher raises the concerns: the class teacher of the demo school's Oak class.
const benchTeacher = "teacher.oak@oakfield.example"

func runBench(ctx context.Context, d *Dev, o BenchOptions) (*BenchResult, error) {
	res := &BenchResult{Concerns: o.Concerns, Clients: o.Clients, Database: d.DBSource}
	pupils, err := benchPupils(ctx, d, o.Concerns, "9")
	if err != nil {
		return nil, err
	}
	teacher, err := benchToken(d)
	if err != nil {
		return nil, err
	}
	latencies := make([]time.Duration, o.Concerns)
	next := make(chan int)
	errs := make(chan error, o.Clients)
	var wg sync.WaitGroup
	start := time.Now()
	for range o.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				t0 := time.Now()
				if err := benchConcern(ctx, d, teacher, pupils[i]); err != nil {
					errs <- fmt.Errorf("bench: concern %d: %w", i, err)
					return
				}
				latencies[i] = time.Since(t0)
			}
		}()
	}
feed:
	for i := range pupils {
		select {
		case next <- i:
		case err := <-errs:
			close(next)
			wg.Wait()
			return nil, err
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	select {
	case err := <-errs:
		return nil, err
	default:
	}
	res.Elapsed = time.Since(start)
	slices.Sort(latencies)
	res.P50, res.P95, res.Max = latencies[len(latencies)/2], latencies[len(latencies)*95/100], latencies[len(latencies)-1]

	// Every concern's email to the SENDCo has gone out over SMTP.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var sent int
		if err := d.DB.QueryRow(ctx, `SELECT count(*) FROM email_outbox WHERE template = 'concern_raised' AND status = 'sent'`).Scan(&sent); err != nil {
			return nil, fmt.Errorf("bench: count sent mail: %w", err)
		}
		if sent >= o.Concerns {
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("bench: only %d of %d emails sent after 2 minutes", sent, o.Concerns)
		}
		time.Sleep(20 * time.Millisecond)
	}
	res.MailDelivered = time.Since(start)
	return res, nil
}

// benchPupils adds n synthetic pupils to the demo school's Oak class, UPNs starting with prefix
// (so two runs on one database do not clash), and returns their ids.
func benchPupils(ctx context.Context, d *Dev, n int, prefix string) ([]string, error) {
	pupils := make([]string, n)
	for i := range pupils {
		pupils[i] = uuid.NewString()
		u, err := upn.Make(fmt.Sprintf("%s%011d", prefix, i))
		if err != nil {
			return nil, err
		}
		if _, err := d.DB.Exec(ctx, `INSERT INTO pupils (id, school_id, class_id, upn, first_name, last_name, date_of_birth)
			VALUES ($1, $2, $3, $4, 'Bench', 'Pupil', '2018-01-01')`, pupils[i], seed.DemoSchoolID, seed.ClassOakID, u); err != nil {
			return nil, fmt.Errorf("bench: add pupil %d: %w", i, err)
		}
	}
	return pupils, nil
}

// benchToken is a bearer token for the teacher who raises the concerns.
func benchToken(d *Dev) (string, error) {
	i := slices.IndexFunc(seed.People, func(p seed.Person) bool { return p.Email == benchTeacher })
	if i < 0 {
		return "", fmt.Errorf("bench: the demo school has no %s", benchTeacher)
	}
	return auth.Issue(d.Key, seed.People[i].ID, benchTeacher, time.Hour, time.Now())
}

// benchConcern raises one concern for a pupil through the API, as a teacher would.
func benchConcern(ctx context.Context, d *Dev, token, pupilID string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+d.HTTP.Addr.String()+"/v1/pupils/"+pupilID+"/concerns",
		strings.NewReader(`{"areas":["cognition_and_learning"],"observed":"Benchmark concern."}`))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	// Read the answer as a client does: a body left unread closes the connection instead of
	// returning it for the next request.
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("answered %s", resp.Status)
	}
	return nil
}
