package app

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/sendflow/sendflow/internal/config"
)

// benchWorkerQueue is served only by the separate worker process, so every pathway started on it
// is held by that process alone.
const benchWorkerQueue = "sendflow-bench-worker"

// openPathways starts a `sendflow worker` process against the bench's server and database, on a
// task queue of its own, raises a concern for each of o.OpenPathways new pupils there (each
// starts a pathway that then sleeps, as most do), and measures the process's memory.
func (b *bencher) openPathways(ctx context.Context) (*WorkerMemory, error) {
	o := b.o
	m := &WorkerMemory{Pathways: o.OpenPathways}
	args := o.Worker
	if len(args) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("bench: find the sendflow binary to run a worker: %w", err)
		}
		args = []string{exe, "worker"}
	}
	pupils, err := benchPupils(ctx, b.d, o.OpenPathways, "7", false)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(args[0], args[1:]...)
	cfg := b.d.Config
	cmd.Env = append(os.Environ(),
		"DATABASE_URL="+b.d.DBURL,
		"TEMPORAL_ADDRESS="+b.d.TemporalAddr,
		"SENDFLOW_TEMPORAL_NAMESPACE="+cfg.TemporalNamespace,
		fmt.Sprintf("SMTP_URL=smtp://127.0.0.1:%d?tls=none", cfg.SMTPPort),
		"SENDFLOW_SIGNING_KEY="+string(b.d.Key),
		"SENDFLOW_PAYLOAD_KEY="+cfg.PayloadKey,
		"SENDFLOW_PAYLOAD_OLD_KEYS=",
		"SENDFLOW_TASK_QUEUE="+benchWorkerQueue,
		"SENDFLOW_PUBLIC_URL="+cfg.PublicURL,
		"SENDFLOW_MAIL_FROM="+config.DevMailFrom, // the worker requires one; the mail stays in the capture mailbox
		"SENDFLOW_LOG_LEVEL=warn",
	)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("bench: start %s: %w", strings.Join(args, " "), err)
	}
	// exited is closed when the worker has stopped, waitErr then says how: a channel every
	// waiter can read, so the clean-up below does not wait for ever on an exit already seen.
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}()
	failed := func(err error) error {
		return fmt.Errorf("%w\nworker output:\n%s", err, stderr.String())
	}
	// Ready when it polls its task queue.
	o.Progress("worker: waiting for `%s` to poll", strings.Join(args, " "))
	for {
		tq, err := b.d.Temporal.DescribeTaskQueue(ctx, benchWorkerQueue, enumspb.TASK_QUEUE_TYPE_WORKFLOW)
		if err == nil && len(tq.Pollers) > 0 {
			break
		}
		select {
		case <-exited:
			return nil, failed(fmt.Errorf("bench: the worker stopped before it polled: %v", waitErr))
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	time.Sleep(time.Second) // let start-up garbage go
	if m.RSSIdle, _, err = processMemory(cmd.Process.Pid); err != nil {
		return nil, err
	}
	if m.CacheSize, err = workerCacheOf(cmd.Env); err != nil {
		return nil, err
	}

	// Start them, sampling the worker's memory meanwhile.
	var peak atomic.Int64
	sampled := make(chan struct{})
	sctx, stopSampling := context.WithCancel(ctx)
	go func() {
		defer close(sampled)
		for {
			if rss, _, err := processMemory(cmd.Process.Pid); err == nil && rss > peak.Load() {
				peak.Store(rss)
			}
			select {
			case <-sctx.Done():
				return
			case <-time.After(500 * time.Millisecond):
			}
		}
	}()
	var done atomic.Int64
	start := time.Now()
	s := Series{Name: "open pathways"}
	progress := time.Now()
	err = batch(ctx, &s, len(pupils), 4*o.Clients, func(ctx context.Context, i int) error {
		if err := raiseConcernSDK(ctx, b.d, benchWorkerQueue, b.timings, b.teacherID, pupils[i]); err != nil {
			return err
		}
		if n := done.Add(1); n%1000 == 0 && time.Since(progress) > 0 {
			o.Progress(
				"worker: %d of %d pathways open (%.0f/s)",
				n,
				len(pupils),
				float64(n)/time.Since(start).Seconds(),
			)
		}
		return nil
	})
	m.Started = time.Since(start)
	stopSampling()
	<-sampled
	if err != nil {
		select {
		case <-exited:
			return nil, failed(fmt.Errorf("bench: the worker stopped (%v) while pathways started: %w", waitErr, err))
		default:
		}
		return nil, failed(err)
	}
	// Let the last commits and emails finish and the collector run, as a worker between bursts.
	time.Sleep(5 * time.Second)
	rss, hwm, err := processMemory(cmd.Process.Pid)
	if err != nil {
		return nil, err
	}
	m.RSS, m.PeakRSS = rss, max(peak.Load(), hwm)
	select {
	case <-exited:
		return nil, failed(fmt.Errorf("bench: the worker stopped: %v", waitErr))
	default:
	}
	return m, nil
}

// processMemory is a process's resident memory now and at its highest, in bytes (Linux).
func processMemory(pid int) (rss, peak int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("bench: read the worker's memory (Linux only): %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("bench: read %s of the worker: %w", k, err)
		}
		if k == "VmRSS" {
			rss = kb << 10
		} else {
			peak = kb << 10
		}
	}
	if rss == 0 {
		return 0, 0, errors.New("bench: the worker's memory is not shown in /proc")
	}
	return rss, peak, sc.Err()
}

// workerCacheOf is the workflow cache the worker was started with: the last
// SENDFLOW_WORKER_CACHE in its environment, or the default.
func workerCacheOf(env []string) (int, error) {
	v := ""
	for _, s := range config.Settings {
		if s.Env == "SENDFLOW_WORKER_CACHE" {
			v = s.Default
		}
	}
	for _, kv := range env {
		if e, ok := strings.CutPrefix(kv, "SENDFLOW_WORKER_CACHE="); ok && e != "" {
			v = e
		}
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("bench: SENDFLOW_WORKER_CACHE %q is not a number", v)
	}
	return n, nil
}
