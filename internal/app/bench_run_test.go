package app

import (
	"context"
	"log/slog"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/sendflow/sendflow/internal/testenv"
)

// `sendflow bench` measures on a stack of its own and leaves nothing behind: no database on the
// local server, no data dir.
func TestBenchLeavesNothingBehind(t *testing.T) {
	testenv.DatabaseURL(t) // the local server must answer, as it does for dev
	r, err := Bench(context.Background(), BenchOptions{Concerns: 6, Clients: 2}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if r.Concerns != 6 || r.P50 <= 0 || r.P50 > r.Max || r.MailDelivered < r.Elapsed || r.PerSecond() <= 0 {
		t.Errorf("bench result does not add up: %+v", r)
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
