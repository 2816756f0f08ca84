// Package devpg gives `sendflow dev` a PostgreSQL database with no set-up. It uses the server
// already running on the machine when one answers, and otherwise runs a private cluster, kept in
// the sendflow data directory, from the machine's PostgreSQL binaries. Production always uses an
// explicit DATABASE_URL instead.
package devpg

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Values of DB.Source.
const (
	SourceLocal   = "local server"
	SourcePrivate = "private cluster"
)

// Defaults applied by Ensure to zero Options fields.
const (
	DefaultPort     = 5499
	DefaultDatabase = "sendflow"
	DefaultProbeURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
)

// probeTimeout bounds the attempt to reach an existing server, so that `sendflow dev` starts
// quickly when nothing listens (a firewall that drops packets would otherwise stall it).
const probeTimeout = 2 * time.Second

// Options configure Ensure.
type Options struct {
	// DataDir holds sendflow's local state; a private cluster lives in DataDir/postgres.
	DataDir string
	// Port of the private cluster (default 5499).
	Port int
	// Database to use, created when missing (default "sendflow").
	Database string
	// ProbeURL is the postgres:// URL of a server to try first (default DefaultProbeURL).
	ProbeURL string
	// Logger receives progress messages (default slog.Default()).
	Logger *slog.Logger
}

// DB is a database ready for use.
type DB struct {
	// URL connects to the database (postgres://...).
	URL string
	// Source says where the database lives: SourceLocal or SourcePrivate.
	Source string

	stop func(context.Context) error
	dir  string // data directory of the private cluster, empty for a local server
}

// Stop shuts down the private cluster (fast mode, so open sessions are disconnected). It is a
// no-op for a local server, which belongs to the machine, and after a successful Stop.
func (d *DB) Stop(ctx context.Context) error {
	if d == nil || d.stop == nil {
		return nil
	}
	if err := d.stop(ctx); err != nil {
		return err
	}
	d.stop = nil
	return nil
}

// Ensure returns a database for development: on the server at ProbeURL if it answers, otherwise
// on a private cluster that it initialises (first time) and starts. The database is created if
// it does not exist. Call Stop when done.
func Ensure(ctx context.Context, o Options) (*DB, error) {
	if o.Port == 0 {
		o.Port = DefaultPort
	}
	if o.Database == "" {
		o.Database = DefaultDatabase
	}
	if o.ProbeURL == "" {
		o.ProbeURL = DefaultProbeURL
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Port < 1 || o.Port > 65535 {
		return nil, fmt.Errorf("devpg: port %d is out of range (1-65535)", o.Port)
	}
	// Validate the URL up front so that a typo is reported rather than mistaken for "no server".
	probe, err := url.Parse(o.ProbeURL)
	if err != nil || (probe.Scheme != "postgres" && probe.Scheme != "postgresql") {
		return nil, fmt.Errorf("devpg: probe URL %q is not a postgres:// URL", o.ProbeURL)
	}
	targetURL, err := withDatabase(o.ProbeURL, o.Database)
	if err != nil {
		return nil, err
	}

	conn, probeErr := connect(ctx, o.ProbeURL, probeTimeout)
	if probeErr == nil {
		o.Logger.Info("using the local PostgreSQL server", "server", probe.Redacted(), "database", o.Database)
		err := ensureDatabase(ctx, conn, targetURL, o.Database)
		conn.Close(context.Background())
		if err != nil {
			return nil, fmt.Errorf(
				"devpg: PostgreSQL at %s answered but %w; create the database yourself or set DATABASE_URL",
				probe.Host,
				err,
			)
		}
		return &DB{URL: targetURL, Source: SourceLocal}, nil
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	o.Logger.Info("no PostgreSQL answered; starting a private cluster", "server", probe.Redacted(), "reason", probeErr)
	return startPrivate(ctx, o, probe.Host, probeErr)
}

// withDatabase points a postgres:// URL at another database on the same server as the same user.
func withDatabase(raw, database string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("devpg: %q is not a postgres:// URL", raw)
	}
	u.Path = "/" + database
	u.RawPath = ""
	q := u.Query()
	q.Del("dbname") // would override the path
	if q.Get("sslmode") == "" {
		q.Set("sslmode", "disable")
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func connect(ctx context.Context, connURL string, timeout time.Duration) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(connURL)
	if err != nil {
		return nil, err
	}
	cfg.ConnectTimeout = timeout
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return pgx.ConnectConfig(cctx, cfg)
}

// ensureDatabase creates the database through an admin connection when missing, then checks that
// targetURL really connects (pg_hba.conf may allow one database and not another).
func ensureDatabase(ctx context.Context, admin *pgx.Conn, targetURL, name string) error {
	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("looking up database %q failed: %w", name, err)
	}
	if !exists {
		_, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
		var pgErr *pgconn.PgError
		// 42P04 duplicate_database: someone else created it between the check and now.
		if err != nil && !(errors.As(err, &pgErr) && pgErr.Code == "42P04") {
			return fmt.Errorf("creating database %q failed: %w", name, err)
		}
	}
	conn, err := connect(ctx, targetURL, 5*time.Second)
	if err != nil {
		return fmt.Errorf("connecting to database %q failed: %w", name, err)
	}
	defer conn.Close(context.Background())
	if err := conn.Ping(ctx); err != nil {
		return fmt.Errorf("database %q does not answer: %w", name, err)
	}
	return nil
}

// startPrivate initialises (when needed) and starts the private cluster, then creates the
// database in it.
func startPrivate(ctx context.Context, o Options, probeHost string, probeErr error) (*DB, error) {
	log := o.Logger
	bins := findBinaries(ctx)
	if len(bins) == 0 {
		return nil, fmt.Errorf(
			"devpg: no PostgreSQL answered at %s (%v) and no PostgreSQL binaries (initdb, pg_ctl) were found in PATH or /usr/lib/postgresql/*/bin; install postgresql or set DATABASE_URL",
			probeHost,
			probeErr,
		)
	}
	if o.DataDir == "" {
		return nil, fmt.Errorf(
			"devpg: no PostgreSQL answered at %s (%v) and no data directory was given for a private cluster; start PostgreSQL or set DATABASE_URL",
			probeHost,
			probeErr,
		)
	}
	dataDir, err := filepath.Abs(o.DataDir)
	if err != nil {
		return nil, fmt.Errorf("devpg: resolving data directory %q: %w", o.DataDir, err)
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf(
			"devpg: creating data directory %s failed: %w; choose a writable data directory",
			dataDir,
			err,
		)
	}
	as, err := serverUser()
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(dataDir, "postgres")
	if as != nil {
		if dir, err = reachableClusterDir(dataDir, as, log); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("devpg: creating cluster directory %s failed: %w", dir, err)
	}

	clusterMajor := 0
	if b, err := os.ReadFile(filepath.Join(dir, "PG_VERSION")); err == nil {
		if clusterMajor, err = strconv.Atoi(strings.TrimSpace(string(b))); err != nil {
			return nil, fmt.Errorf(
				"devpg: %s/PG_VERSION is unreadable (%q); delete %s to start over (its data will be lost)",
				dir,
				b,
				dir,
			)
		}
	}
	bin, err := pickBinaries(bins, clusterMajor, dir)
	if err != nil {
		return nil, err
	}
	r := &runner{bin: bin.dir, as: as, dir: dir}
	adminURL := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", o.Port)
	targetURL := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", o.Port, url.PathEscape(o.Database))

	if clusterMajor == 0 {
		if err := r.initdb(ctx, log); err != nil {
			return nil, err
		}
	}

	adopted := false
	if r.running(ctx) {
		// A previous `sendflow dev` ended without stopping it. Keep it if it serves our port,
		// otherwise restart it with the current options.
		if port, _ := pidFilePort(dir); port == o.Port {
			if c, err := connect(ctx, adminURL, probeTimeout); err == nil {
				c.Close(context.Background())
				adopted = true
				log.Info(
					"reusing the private PostgreSQL cluster left running by an earlier run",
					"dir",
					dir,
					"port",
					o.Port,
				)
			}
		}
		if !adopted {
			log.Info("restarting the private PostgreSQL cluster left running by an earlier run", "dir", dir)
			if out, err := r.run(ctx, "pg_ctl", "-D", dir, "-m", "fast", "-w", "stop"); err != nil {
				return nil, fmt.Errorf(
					"devpg: stopping the private cluster in %s left by an earlier run failed: %w: %s; stop it by hand (pg_ctl -D %s stop)",
					dir,
					err,
					out,
					dir,
				)
			}
		}
	}
	if !adopted {
		if err := r.start(ctx, o.Port, log); err != nil {
			return nil, err
		}
	}
	db := &DB{URL: targetURL, Source: SourcePrivate, dir: dir, stop: r.stop}

	admin, err := connect(ctx, adminURL, 10*time.Second)
	if err == nil {
		err = ensureDatabase(ctx, admin, targetURL, o.Database)
		admin.Close(context.Background())
	}
	if err != nil {
		_ = db.Stop(context.Background())
		return nil, fmt.Errorf(
			"devpg: private cluster in %s started but %w; see %s",
			dir,
			err,
			filepath.Join(dir, "server.log"),
		)
	}
	log.Info(
		"private PostgreSQL cluster ready",
		"dir",
		dir,
		"port",
		o.Port,
		"database",
		o.Database,
		"version",
		bin.version,
	)
	return db, nil
}

// osUser is the unprivileged account the cluster runs as when sendflow runs as root.
type osUser struct {
	name     string
	uid, gid uint32
}

// serverUser returns nil when not root. PostgreSQL refuses to run as root, so root runs the
// cluster as the postgres user, or nobody on machines without one.
func serverUser() (*osUser, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 != nil || err2 != nil || uid == 0 {
			continue
		}
		return &osUser{name: name, uid: uint32(uid), gid: uint32(gid)}, nil
	}
	return nil, errors.New(
		"devpg: sendflow runs as root, PostgreSQL refuses to run as root, and neither a postgres nor a nobody user exists; create one (useradd --system postgres), run sendflow as a normal user, or set DATABASE_URL",
	)
}

// reachableClusterDir returns the directory for the cluster when it must be run as another user:
// DataDir/postgres if that user can reach it, else a directory under os.TempDir. Only DataDir
// itself (sendflow's own directory) is opened up; its parents, such as root's home, are left as
// they are.
func reachableClusterDir(dataDir string, as *osUser, log *slog.Logger) (string, error) {
	fi, err := os.Stat(dataDir)
	if err != nil {
		return "", fmt.Errorf("devpg: %w", err)
	}
	if !canTraverse(fi, as) {
		if err := os.Chmod(dataDir, fi.Mode().Perm()|0o001); err != nil {
			return "", fmt.Errorf("devpg: making %s traversable for the %s user failed: %w", dataDir, as.name, err)
		}
	}
	blocked := blockingParent(filepath.Dir(dataDir), as)
	if blocked == "" {
		return filepath.Join(dataDir, "postgres"), nil
	}

	// Keyed by DataDir so that the same project finds its data again on the next run.
	sum := sha256.Sum256([]byte(dataDir))
	dir := filepath.Join(os.TempDir(), "sendflow-postgres-"+hex.EncodeToString(sum[:6]))
	if b := blockingParent(os.TempDir(), as); b != "" {
		return "", fmt.Errorf(
			"devpg: PostgreSQL must run as the %s user (sendflow runs as root), which can reach neither %s (%s is not traversable) nor %s (%s is not traversable); use a data directory outside %s or set DATABASE_URL",
			as.name,
			dataDir,
			blocked,
			os.TempDir(),
			b,
			blocked,
		)
	}
	// The name is predictable, so refuse a directory (or symlink) planted by another user.
	if fi, err := os.Lstat(dir); err == nil {
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !fi.IsDir() || !ok || (st.Uid != 0 && st.Uid != as.uid) {
			return "", fmt.Errorf(
				"devpg: %s exists but is not a directory owned by root or %s; remove it and retry",
				dir,
				as.name,
			)
		}
	}
	log.Warn(
		"the PostgreSQL user cannot reach the data directory, so the private cluster lives in the temp directory instead (it is lost when that is cleaned)",
		"user",
		as.name,
		"not_traversable",
		blocked,
		"data_dir",
		dataDir,
		"cluster_dir",
		dir,
	)
	return dir, nil
}

// blockingParent returns the first directory from / down to dir that the user cannot traverse,
// or "" when the whole path is traversable.
func blockingParent(dir string, as *osUser) string {
	var chain []string
	for p := dir; ; p = filepath.Dir(p) {
		chain = append(chain, p)
		if p == filepath.Dir(p) {
			break
		}
	}
	for i := len(chain) - 1; i >= 0; i-- {
		fi, err := os.Stat(chain[i])
		if err != nil || !canTraverse(fi, as) {
			return chain[i]
		}
	}
	return ""
}

// canTraverse applies the owner/group/other execute bits the way the kernel does for a process
// with no supplementary groups (exec.Cmd with a Credential sets none).
func canTraverse(fi os.FileInfo, as *osUser) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return true
	}
	perm := fi.Mode().Perm()
	switch {
	case st.Uid == as.uid:
		return perm&0o100 != 0
	case st.Gid == as.gid:
		return perm&0o010 != 0
	default:
		return perm&0o001 != 0
	}
}

// chownTree hands the cluster directory to the server user; files may have been created by root
// or by another fallback user on an earlier run.
func chownTree(root string, as *osUser) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		fi, err := d.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid == as.uid && st.Gid == as.gid {
			return nil
		}
		return os.Lchown(p, int(as.uid), int(as.gid))
	})
}

// pgBin is a directory holding initdb, pg_ctl and postgres of one PostgreSQL version.
type pgBin struct {
	dir     string
	major   int
	version string
}

var versionRE = regexp.MustCompile(`\(PostgreSQL\) ((\d+)[^\s]*)`)

// findBinaries lists usable PostgreSQL installations, highest major version first; PATH wins
// ties. Debian and RHEL keep the server binaries out of PATH, hence the globs.
func findBinaries(ctx context.Context) []pgBin {
	var dirs []string
	for _, name := range []string{"initdb", "pg_ctl"} {
		if p, err := exec.LookPath(name); err == nil {
			dirs = append(dirs, filepath.Dir(p))
		}
	}
	for _, pattern := range []string{"/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin"} {
		m, _ := filepath.Glob(pattern)
		dirs = append(dirs, m...)
	}

	var bins []pgBin
	seen := map[string]bool{}
	for _, d := range dirs {
		// Resolve symlinks (e.g. /usr/local/bin/initdb -> /usr/lib/postgresql/15/bin/initdb) so
		// that initdb, pg_ctl and postgres come from the same installation.
		if p, err := filepath.EvalSymlinks(filepath.Join(d, "initdb")); err == nil {
			d = filepath.Dir(p)
		}
		if seen[d] {
			continue
		}
		seen[d] = true
		if !isExecutable(filepath.Join(d, "initdb")) || !isExecutable(filepath.Join(d, "pg_ctl")) ||
			!isExecutable(filepath.Join(d, "postgres")) {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		out, err := exec.CommandContext(cctx, filepath.Join(d, "pg_ctl"), "--version").Output()
		cancel()
		m := versionRE.FindStringSubmatch(string(out))
		if err != nil || m == nil {
			continue
		}
		major, _ := strconv.Atoi(m[2])
		bins = append(bins, pgBin{dir: d, major: major, version: m[1]})
	}
	sort.SliceStable(bins, func(i, j int) bool { return bins[i].major > bins[j].major })
	return bins
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// pickBinaries takes the newest version for a new cluster; an existing cluster can only be run by
// the major version that created it.
func pickBinaries(bins []pgBin, clusterMajor int, dir string) (pgBin, error) {
	if clusterMajor == 0 {
		return bins[0], nil
	}
	var found []string
	for _, b := range bins {
		if b.major == clusterMajor {
			return b, nil
		}
		found = append(found, b.version)
	}
	return pgBin{}, fmt.Errorf(
		"devpg: the private cluster in %s was created by PostgreSQL %d but only PostgreSQL %s binaries were found; install PostgreSQL %d, or delete %s to start over (its data will be lost)",
		dir,
		clusterMajor,
		strings.Join(found, ", "),
		clusterMajor,
		dir,
	)
}

// runner runs the PostgreSQL tools of one installation against one cluster, as the server user
// when sendflow is root.
type runner struct {
	bin string
	as  *osUser // nil: run as ourselves
	dir string  // cluster data directory
}

func (r *runner) run(ctx context.Context, tool string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(r.bin, tool), args...)
	// A directory the server user can enter; the tools complain about an unreadable cwd.
	cmd.Dir = r.dir
	cmd.Env = toolEnv()
	if r.as != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: r.as.uid, Gid: r.as.gid}}
	}
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	// pg_ctl start leaves the server running; never wait on it for the output pipes.
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	return strings.TrimSpace(out.String()), err
}

// toolEnv drops PG* variables (PGDATA, PGPORT, ...) that would point the tools at another
// cluster, and fixes the locale so that messages are predictable.
func toolEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PG") || strings.HasPrefix(kv, "LC_") || strings.HasPrefix(kv, "LANG=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "LC_ALL=C")
}

func (r *runner) initdb(ctx context.Context, log *slog.Logger) error {
	entries, err := os.ReadDir(r.dir)
	if err != nil {
		return fmt.Errorf("devpg: reading %s failed: %w", r.dir, err)
	}
	if len(entries) > 0 {
		return fmt.Errorf(
			"devpg: %s is not empty but holds no PostgreSQL cluster (no PG_VERSION), perhaps from an interrupted first run; delete it and retry",
			r.dir,
		)
	}
	if r.as != nil {
		if err := chownTree(r.dir, r.as); err != nil {
			return fmt.Errorf("devpg: handing %s to the %s user failed: %w", r.dir, r.as.name, err)
		}
	}
	log.Info("initialising a private PostgreSQL cluster", "dir", r.dir, "bin", r.bin)
	out, err := r.run(ctx, "initdb", "-D", r.dir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale")
	if err != nil {
		return fmt.Errorf(
			"devpg: initdb in %s failed: %w\n%s\ndelete %s and retry, or set DATABASE_URL",
			r.dir,
			err,
			out,
			r.dir,
		)
	}
	log.Debug("initdb done", "output", out)
	return nil
}

// running reports whether a server is live on the cluster (pg_ctl status checks postmaster.pid
// and that its process exists).
func (r *runner) running(ctx context.Context) bool {
	_, err := r.run(ctx, "pg_ctl", "-D", r.dir, "status")
	return err == nil
}

func (r *runner) start(ctx context.Context, port int, log *slog.Logger) error {
	if r.as != nil {
		if err := chownTree(r.dir, r.as); err != nil {
			return fmt.Errorf("devpg: handing %s to the %s user failed: %w", r.dir, r.as.name, err)
		}
	}
	// The socket lives in the cluster directory: the system socket directory
	// (/var/run/postgresql) may be missing, unwritable or in use by the machine's server. Socket
	// paths are limited to ~107 bytes; past that, TCP only.
	sockets := "-k " + shellQuote(r.dir)
	if len(filepath.Join(r.dir, fmt.Sprintf(".s.PGSQL.%d", port))) > 100 {
		sockets = "-c unix_socket_directories=''"
	}
	// pg_ctl hands -o to /bin/sh, hence the quoting.
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 %s", port, sockets)
	logFile := filepath.Join(r.dir, "server.log")
	log.Info("starting the private PostgreSQL cluster", "dir", r.dir, "port", port, "log", logFile)
	out, err := r.run(ctx, "pg_ctl", "-D", r.dir, "-l", logFile, "-o", opts, "-w", "-t", "60", "start")
	if err != nil {
		return fmt.Errorf(
			"devpg: starting PostgreSQL in %s on port %d failed: %w\n%s\n%s\nif the port is in use, choose another port; or set DATABASE_URL",
			r.dir,
			port,
			err,
			out,
			tail(logFile, 15),
		)
	}
	return nil
}

func (r *runner) stop(ctx context.Context) error {
	out, err := r.run(ctx, "pg_ctl", "-D", r.dir, "-m", "fast", "-w", "stop")
	if err != nil && r.running(ctx) {
		return fmt.Errorf(
			"devpg: stopping the private cluster in %s failed: %w: %s; stop it by hand (pg_ctl -D %s -m fast stop)",
			r.dir,
			err,
			out,
			r.dir,
		)
	}
	return nil
}

// pidFilePort reads the port a running server listens on (line 4 of postmaster.pid).
func pidFilePort(dir string) (int, error) {
	f, err := os.Open(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for i := 1; s.Scan(); i++ {
		if i == 4 {
			return strconv.Atoi(strings.TrimSpace(s.Text()))
		}
	}
	return 0, errors.New("postmaster.pid has no port line")
}

// tail returns the last n lines of a file, to put the server's own explanation into errors.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return path + ":\n" + strings.Join(lines, "\n")
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Drop removes the database a URL names from its server (for throwaway databases such as
// `sendflow bench` makes), closing anything still connected to it.
func Drop(ctx context.Context, dbURL string) error {
	u, err := url.Parse(dbURL)
	if err != nil {
		return fmt.Errorf("devpg: %q is not a postgres:// URL", dbURL)
	}
	name := strings.TrimPrefix(u.Path, "/")
	admin, err := withDatabase(dbURL, "postgres")
	if err != nil {
		return err
	}
	conn, err := connect(ctx, admin, probeTimeout)
	if err != nil {
		return fmt.Errorf("devpg: connect to drop %s: %w", name, err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("devpg: drop database %s: %w", name, err)
	}
	return nil
}
