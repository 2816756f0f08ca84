package app

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/sendflow/sendflow/internal/testenv"
)

// `sendflow bench` measures on a stack of its own and leaves nothing behind: no database on the
// local server, no data dir.
func TestBenchLeavesNothingBehind(t *testing.T) {
	testenv.DatabaseURL(t) // the local server must answer, as it does for dev
	count := func() (dbs, dirs int) {
		t.Helper()
		conn, err := pgx.Connect(context.Background(), testenv.AdminURL())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		if err := conn.QueryRow(context.Background(),
			`SELECT count(*) FROM pg_database WHERE datname ~ '^sendflow_[0-9a-f]{8}$'`).Scan(&dbs); err != nil {
			t.Fatal(err)
		}
		m, _ := filepath.Glob(filepath.Join(os.TempDir(), "sendflow-bench-*"))
		return dbs, len(m)
	}
	dbs, dirs := count()
	r, err := Bench(context.Background(), BenchOptions{Concerns: 6, Clients: 2}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if r.Concerns != 6 || r.P50 <= 0 || r.P50 > r.Max || r.MailDelivered < r.Elapsed || r.PerSecond() <= 0 {
		t.Errorf("bench result does not add up: %+v", r)
	}
	if d2, dir2 := count(); d2 != dbs || dir2 != dirs {
		t.Errorf("bench left %d databases and %d data dirs behind", d2-dbs, dir2-dirs)
	}
}
