package devpg

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func randomName(t *testing.T) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "sendflow_test_" + hex.EncodeToString(b)
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func mustConnect(t *testing.T, ctx context.Context, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect %s: %v", url, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestWithDatabase(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "postgres://postgres@127.0.0.1:5432/app?sslmode=disable"},
		{"postgresql://u:p@db:6543", "postgresql://u:p@db:6543/app?sslmode=disable"},
		{"postgres://u@db/x?sslmode=require&dbname=y", "postgres://u@db/app?sslmode=require"},
	} {
		got, err := withDatabase(c.in, "app")
		if err != nil || got != c.want {
			t.Errorf("withDatabase(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	if _, err := withDatabase("host=x dbname=y", "app"); err == nil {
		t.Error("withDatabase accepted a key=value DSN")
	}
}

func TestEnsureUsesLocalServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if c, err := connect(ctx, DefaultProbeURL, probeTimeout); err != nil {
		t.Skipf("no PostgreSQL with trust auth at 127.0.0.1:5432: %v", err)
	} else {
		c.Close(ctx)
	}

	name := randomName(t)
	t.Cleanup(func() {
		ctx := context.Background()
		c, err := pgx.Connect(ctx, DefaultProbeURL)
		if err != nil {
			t.Errorf("cleanup connect: %v", err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database: %v", err)
		}
	})

	o := Options{DataDir: t.TempDir(), Database: name, Logger: testLogger(t)}
	db, err := Ensure(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if db.Source != SourceLocal {
		t.Fatalf("Source = %q, want %q", db.Source, SourceLocal)
	}
	want := "postgres://postgres@127.0.0.1:5432/" + name + "?sslmode=disable"
	if db.URL != want {
		t.Fatalf("URL = %q, want %q", db.URL, want)
	}
	var one int
	if err := mustConnect(t, ctx, db.URL).QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1 = %d, %v", one, err)
	}
	if _, err := os.Stat(filepath.Join(o.DataDir, "postgres")); !os.IsNotExist(err) {
		t.Errorf("a private cluster directory was created although the local server answered")
	}

	// Again: the database exists now, which must be fine.
	db2, err := Ensure(ctx, o)
	if err != nil {
		t.Fatalf("second Ensure: %v", err)
	}
	if db2.URL != db.URL {
		t.Errorf("second URL = %q, want %q", db2.URL, db.URL)
	}
	if err := db2.Stop(ctx); err != nil {
		t.Errorf("Stop of a local server: %v", err)
	}
}

func skipWithoutBinaries(t *testing.T) {
	if len(findBinaries(context.Background())) == 0 {
		t.Skip("no PostgreSQL binaries (initdb, pg_ctl) found")
	}
}

// closedProbe is a URL where nothing listens, so Ensure always falls back to a private cluster.
const closedProbe = "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable"

func TestEnsureStartsPrivateCluster(t *testing.T) {
	skipWithoutBinaries(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	dataDir := t.TempDir()
	if os.Geteuid() == 0 {
		// t.TempDir's parent is 0700; open it so the cluster lives in DataDir itself (the
		// fallback for unreachable directories is tested separately).
		if err := os.Chmod(filepath.Dir(dataDir), 0o711); err != nil {
			t.Fatal(err)
		}
	}
	o := Options{DataDir: dataDir, Port: freePort(t), Database: "app", ProbeURL: closedProbe, Logger: testLogger(t)}

	db, err := Ensure(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Stop(context.Background()) })
	if db.Source != SourcePrivate {
		t.Fatalf("Source = %q, want %q", db.Source, SourcePrivate)
	}
	if want := filepath.Join(dataDir, "postgres"); db.dir != want {
		t.Fatalf("cluster dir = %q, want %q", db.dir, want)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "postgres", "PG_VERSION")); err != nil {
		t.Fatalf("no cluster in DataDir: %v", err)
	}
	conn := mustConnect(t, ctx, db.URL)
	for _, q := range []string{
		"CREATE TABLE notes (id int PRIMARY KEY, body text)",
		"INSERT INTO notes VALUES (1, 'survives restarts')",
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	conn.Close(ctx)

	check := func(db *DB) {
		t.Helper()
		var body string
		if err := mustConnect(t, ctx, db.URL).QueryRow(ctx, "SELECT body FROM notes WHERE id = 1").Scan(&body); err != nil ||
			body != "survives restarts" {
			t.Fatalf("select = %q, %v", body, err)
		}
	}

	// A run that ends without Stop (a crash) leaves the server up; the next run adopts it.
	adopted, err := Ensure(ctx, o)
	if err != nil {
		t.Fatalf("Ensure with the cluster still running: %v", err)
	}
	check(adopted)
	if err := adopted.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.Stop(ctx); err != nil {
		t.Fatalf("second Stop of a stopped cluster: %v", err)
	}
	if c, err := connect(ctx, db.URL, time.Second); err == nil {
		c.Close(ctx)
		t.Fatal("cluster still answers after Stop")
	}

	// A cold start finds the data on disk.
	restarted, err := Ensure(ctx, o)
	if err != nil {
		t.Fatalf("Ensure after Stop: %v", err)
	}
	t.Cleanup(func() { _ = restarted.Stop(context.Background()) })
	check(restarted)
	if err := restarted.Stop(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestEnsurePrivateClusterOutsideUnreachableDataDir(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root hands the cluster to another user")
	}
	skipWithoutBinaries(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	// t.TempDir's parent is 0700 root, like /root for `sudo sendflow dev` in a home project.
	dataDir := filepath.Join(t.TempDir(), ".sendflow")
	o := Options{DataDir: dataDir, Port: freePort(t), ProbeURL: closedProbe, Logger: testLogger(t)}
	db, err := Ensure(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = db.Stop(context.Background())
		os.RemoveAll(db.dir)
	})
	if filepath.Dir(db.dir) != filepath.Clean(os.TempDir()) || strings.HasPrefix(db.dir, dataDir) {
		t.Fatalf("cluster dir = %q, want one directly under %s", db.dir, os.TempDir())
	}
	if !strings.HasSuffix(db.URL, "/sendflow?sslmode=disable") {
		t.Errorf("URL = %q, want the default database", db.URL)
	}
	var one int
	if err := mustConnect(t, ctx, db.URL).QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1 = %d, %v", one, err)
	}
}
