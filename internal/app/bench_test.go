package app

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/sendflow/sendflow/internal/seed"
	"github.com/sendflow/sendflow/internal/testenv"
	"github.com/sendflow/sendflow/internal/upn"
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
	pupils := make([]string, b.N)
	for i := range pupils {
		pupils[i] = uuid.NewString()
		u, _ := upn.Make(fmt.Sprintf("8%011d", i))
		if _, err := d.DB.Exec(ctx, `INSERT INTO pupils (id, school_id, class_id, upn, first_name, last_name, date_of_birth)
			VALUES ($1, $2, $3, $4, 'Bench', 'Pupil', '2018-01-01')`, pupils[i], seed.DemoSchoolID, seed.ClassOakID, u); err != nil {
			b.Fatal(err)
		}
	}
	teacher := tokenFor(b, d, "teacher.oak@oakfield.example")
	base := "http://" + d.HTTP.Addr.String()
	body := `{"areas":["cognition_and_learning"],"observed":"Benchmark concern."}`
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req, _ := http.NewRequest("POST", base+"/v1/pupils/"+pupils[i]+"/concerns", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+teacher)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusCreated {
			b.Fatalf("concern %d: %v %v", i, resp, err)
		}
		resp.Body.Close()
	}
}
