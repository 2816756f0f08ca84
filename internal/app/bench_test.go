package app

import (
	"context"
	"testing"

	"github.com/sendflow/sendflow/internal/testenv"
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
