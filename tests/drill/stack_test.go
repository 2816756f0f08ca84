package drill

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sendflow/sendflow/internal/devkit/devpg"
	"github.com/sendflow/sendflow/internal/devkit/mailcapture"
)

// stack is the production shape, built and started as README's "Without Docker" says: a Temporal
// server and its schema tool built from the pinned module, Temporal's two databases on the
// machine's PostgreSQL, sendflow's own database on a private cluster (so it can be stopped),
// an SMTP server, and sendflow's migrate, namespace, admin, serve and two workers as processes.
type stack struct {
	t   *testing.T
	dir string // logs, the cluster, the mailbox
	bin string // built binaries

	suffix         string // names this run's Temporal databases
	temporalPorts  []int  // frontend gRPC, frontend membership, frontend HTTP, history ×2, matching ×2, worker ×2
	temporalAddr   string
	temporalConfig string
	temporalEnv    []string
	temporalRole   string

	pgOpts devpg.Options
	pg     *devpg.DB
	db     *pgxpool.Pool // the test's own connection to sendflow's database

	mailDir, smtpAddr string
	box               *mailcapture.Box

	env     []string // sendflow's settings, shared by every sendflow process
	apiAddr string
	key     []byte

	mu    sync.Mutex
	procs map[string]*proc
}

type proc struct {
	name string
	env  []string
	args []string
	cmd  *exec.Cmd
	done chan struct{}
}

// moduleRoot is where go.mod is: the binaries are built from this checkout.
func moduleRoot(t *testing.T) string {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil || len(bytes.TrimSpace(out)) == 0 {
		t.Fatalf("go env GOMOD: %v", err)
	}
	return filepath.Dir(string(bytes.TrimSpace(out)))
}

// build compiles sendflow, the Temporal server and Temporal's SQL schema tool. The server comes
// from the module version go.mod pins, so Go's build cache (warm from the embedded dev server)
// makes this cheap after the first time.
func (s *stack) build() {
	root := moduleRoot(s.t)
	for name, pkg := range map[string]string{
		"sendflow":          "./cmd/sendflow",
		"temporal-server":   "go.temporal.io/server/cmd/server",
		"temporal-sql-tool": "go.temporal.io/server/cmd/tools/sql",
	} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(s.bin, name), pkg)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			s.t.Fatalf("go build %s: %v\n%s", pkg, err, out)
		}
	}
}

// lowPorts finds n free ports below 32768: Temporal stores membership ports as smallint, and a
// higher one crashes the server at start.
func lowPorts(t *testing.T, n int) []int {
	var ports []int
	var held []net.Listener
	defer func() {
		for _, l := range held {
			l.Close()
		}
	}()
	for tries := 0; len(ports) < n && tries < 2000; tries++ {
		p := 10000 + rand.IntN(22000)
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			continue
		}
		held = append(held, l)
		ports = append(ports, p)
	}
	if len(ports) < n {
		t.Fatalf("found only %d free ports below 32768", len(ports))
	}
	return ports
}

// sharedPG is the machine's PostgreSQL, where Temporal keeps its databases in this drill.
func sharedPG() (host, port, user string) {
	return "127.0.0.1", "5432", "postgres"
}

// temporalSchema follows README's steps 3 and 4: a role of Temporal's own (not a superuser)
// owning its two databases, btree_gin created by the superuser beforehand, then the schema tool
// as that role (it defaults to MySQL: SQL_PLUGIN=postgres12).
func (s *stack) temporalSchema() {
	host, port, super := sharedPG()
	admin := func() *pgx.Conn {
		c, err := pgx.Connect(
			context.Background(),
			fmt.Sprintf("postgres://%s@%s:%s/postgres?sslmode=disable", super, host, port),
		)
		if err != nil {
			s.t.Fatalf("PostgreSQL for Temporal: %v", err)
		}
		return c
	}
	role, dbs := s.suffix+"_role", []string{s.suffix + "_temporal", s.suffix + "_visibility"}
	c := admin()
	defer c.Close(context.Background())
	s.t.Cleanup(func() {
		c := admin()
		defer c.Close(context.Background())
		for _, db := range dbs {
			_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)")
		}
		_, _ = c.Exec(context.Background(), "DROP ROLE IF EXISTS "+role)
	})
	for _, sql := range []string{
		"CREATE ROLE " + role + " LOGIN PASSWORD 'temporal'",
		"CREATE DATABASE " + dbs[0] + " OWNER " + role,
		"CREATE DATABASE " + dbs[1] + " OWNER " + role,
	} {
		if _, err := c.Exec(context.Background(), sql); err != nil {
			s.t.Fatalf("%s: %v", sql, err)
		}
	}
	v, err := pgx.Connect(
		context.Background(),
		fmt.Sprintf("postgres://%s@%s:%s/%s?sslmode=disable", super, host, port, dbs[1]),
	)
	if err != nil {
		s.t.Fatal(err)
	}
	defer v.Close(context.Background())
	if _, err := v.Exec(context.Background(), "CREATE EXTENSION IF NOT EXISTS btree_gin"); err != nil {
		s.t.Fatalf("btree_gin: %v", err)
	}
	s.temporalRole = role
	env := []string{
		"SQL_PLUGIN=postgres12",
		"SQL_HOST=" + host,
		"SQL_PORT=" + port,
		"SQL_USER=" + role,
		"SQL_PASSWORD=temporal",
	}
	for _, db := range dbs {
		schema := "postgresql/v12/temporal"
		if strings.HasSuffix(db, "_visibility") {
			schema = "postgresql/v12/visibility"
		}
		s.runOnce("temporal-sql-tool", []string{"--db", db, "setup-schema", "-v", "0.0"}, env)
		s.runOnce("temporal-sql-tool", []string{"--db", db, "update-schema", "--schema-name", schema}, env)
	}
}

// startTemporal starts the server with the configuration README's no-Docker path uses
// (deploy/temporal/temporal.yaml), its databases and ports given by environment variables.
func (s *stack) startTemporal() {
	if s.temporalPorts == nil {
		s.temporalPorts = lowPorts(s.t, 9)
		host, port, _ := sharedPG()
		root := moduleRoot(s.t)
		s.temporalConfig = filepath.Join(root, "deploy", "temporal", "temporal.yaml")
		s.temporalEnv = []string{
			"TEMPORAL_DB=" + s.suffix + "_temporal", "TEMPORAL_VISIBILITY_DB=" + s.suffix + "_visibility",
			"TEMPORAL_DB_HOST=" + host, "TEMPORAL_DB_PORT=" + port, "TEMPORAL_DB_USER=" + s.temporalRole, "TEMPORAL_DB_PASSWORD=temporal",
			"TEMPORAL_DYNAMIC_CONFIG=" + filepath.Join(root, "deploy", "temporal", "dynamicconfig.yaml"),
		}
		for i, name := range []string{"FRONTEND", "FRONTEND_MEMBERSHIP", "FRONTEND_HTTP", "HISTORY", "HISTORY_MEMBERSHIP",
			"MATCHING", "MATCHING_MEMBERSHIP", "WORKER", "WORKER_MEMBERSHIP"} {
			s.temporalEnv = append(s.temporalEnv, fmt.Sprintf("TEMPORAL_%s_PORT=%d", name, s.temporalPorts[i]))
		}
		s.temporalAddr = fmt.Sprintf("127.0.0.1:%d", s.temporalPorts[0])
	}
	s.start("temporal", "temporal-server", s.temporalEnv, "--config-file", s.temporalConfig, "--allow-no-auth", "start")
}

// startPostgres starts (the first time, creates) sendflow's private cluster with initdb and
// pg_ctl from the machine's PostgreSQL binaries.
func (s *stack) startPostgres() {
	db, err := devpg.Ensure(context.Background(), s.pgOpts)
	if err != nil {
		s.t.Fatalf("private PostgreSQL cluster: %v", err)
	}
	if db.Source != devpg.SourcePrivate {
		s.t.Fatalf("sendflow's database is on %s, want a private cluster the drill can stop", db.Source)
	}
	s.pg = db
}

func (s *stack) stopPostgres() {
	if err := s.pg.Stop(context.Background()); err != nil {
		s.t.Fatalf("stop the private cluster: %v", err)
	}
}

// startSMTP opens the mailbox (kept across restarts) and listens on the same address each time.
func (s *stack) startSMTP() {
	box, err := mailcapture.Open(s.mailDir, slog.New(slog.DiscardHandler))
	if err != nil {
		s.t.Fatal(err)
	}
	addr := s.smtpAddr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	a, err := box.Start(addr)
	if err != nil {
		s.t.Fatalf("SMTP server: %v", err)
	}
	s.smtpAddr, s.box = a.String(), box
}

func (s *stack) stopSMTP() {
	if err := s.box.Close(); err != nil {
		s.t.Fatalf("stop SMTP: %v", err)
	}
}

// runOnce runs a command to completion and fails the test if it fails.
func (s *stack) runOnce(bin string, args []string, env []string) string {
	s.t.Helper()
	cmd := exec.Command(filepath.Join(s.bin, bin), args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		s.t.Fatalf("%s %s: %v\n%s", bin, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// start starts a long-running process, its output appended to <name>.log.
func (s *stack) start(name, bin string, env []string, args ...string) {
	s.t.Helper()
	log, err := os.OpenFile(filepath.Join(s.dir, name+".log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		s.t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(s.bin, bin), args...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.Env = append(os.Environ(), env...)
	// A test process that dies (a timeout, ^C) takes its stack with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("start %s: %v", name, err)
	}
	p := &proc{name: name, env: env, args: args, cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); log.Close(); close(p.done) }()
	s.mu.Lock()
	s.procs[name] = p
	s.mu.Unlock()
}

// kill sends SIGKILL: no shutdown code runs, as when a machine dies.
func (s *stack) kill(name string) {
	s.mu.Lock()
	p := s.procs[name]
	s.mu.Unlock()
	_ = p.cmd.Process.Kill()
	<-p.done
	s.t.Logf("killed %s", name)
}

// restart starts a killed process again with its arguments.
func (s *stack) restart(name string) {
	s.mu.Lock()
	p := s.procs[name]
	s.mu.Unlock()
	bin := "sendflow"
	if name == "temporal" {
		bin = "temporal-server"
	}
	s.start(name, bin, p.env, p.args...)
}

// stopAll ends every process politely, then firmly.
func (s *stack) stopAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.procs {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, p := range s.procs {
		select {
		case <-p.done:
		case <-time.After(30 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	}
}

// running reports whether a process is still alive (a process that exits on its own is a finding).
func (s *stack) exited() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for name, p := range s.procs {
		select {
		case <-p.done:
			out = append(out, fmt.Sprintf("%s (%v)", name, p.cmd.ProcessState))
		default:
		}
	}
	return out
}

// logTail is the end of a process's log, for a failure message.
func (s *stack) logTail(name string, lines int) string {
	b, err := os.ReadFile(filepath.Join(s.dir, name+".log"))
	if err != nil {
		return err.Error()
	}
	all := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(all[max(0, len(all)-lines):], "\n")
}

// logLines counts the lines holding every one of want, in the logs of processes whose name
// starts with prefix.
func (s *stack) logLines(prefix string, want ...string) int {
	files, _ := filepath.Glob(filepath.Join(s.dir, prefix+"*.log"))
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
	line:
		for _, l := range strings.Split(string(b), "\n") {
			for _, w := range want {
				if !strings.Contains(l, w) {
					continue line
				}
			}
			n++
		}
	}
	return n
}
