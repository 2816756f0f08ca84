package app

import (
	"context"
	"testing"

	"github.com/sendflow/sendflow/internal/devkit/testenv"
)

// BenchmarkRaiseConcern measures the thin journey's write path on the real dev stack: HTTP,
// authorization, the concern row, update-with-start of a new pupil's pathway workflow, the read
// model projection and the queued email, each pupil a new workflow.
//
//	go test ./internal/app -run '^$' -bench RaiseConcern -benchtime 200x
func BenchmarkRaiseConcern(b *testing.B) {
	d := startDev(b, devConfig(b, b.TempDir(), testenv.DatabaseURL(b)))
	defer d.Stop(context.Background())
	ctx := context.Background()
	pupils, err := benchPupils(ctx, d, b.N, "8", false)
	if err != nil {
		b.Fatal(err)
	}
	bc, err := benchClient(d)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := bc.concernAPI(ctx, pupils[i]); err != nil {
			b.Fatalf("concern %d: %v", i, err)
		}
	}
}

// A worker measured with fewer pathways than the target is extrapolated from its idle memory and
// each pathway's share, for as many as its cache keeps and for all of them.
func TestWorkerMemoryExtrapolates(t *testing.T) {
	t.Parallel()
	const mib = 1 << 20
	for _, c := range []struct {
		name           string
		m              WorkerMemory
		n              int
		cached, allMiB int64
	}{
		{"the cache holds them all", WorkerMemory{Pathways: 100, RSSIdle: 100 * mib, RSS: 200 * mib, CacheSize: 1000}, 400, 500, 500},
		{"the cache holds half", WorkerMemory{Pathways: 100, RSSIdle: 100 * mib, RSS: 200 * mib, CacheSize: 200}, 400, 300, 500},
		{"no pathways measured", WorkerMemory{RSSIdle: 100 * mib, CacheSize: 200}, 400, 100, 100},
	} {
		cached, all := c.m.Extrapolate(c.n)
		if cached != c.cached*mib || all != c.allMiB*mib {
			t.Errorf("%s: %d and %d MiB, want %d and %d", c.name, cached/mib, all/mib, c.cached, c.allMiB)
		}
	}
}
