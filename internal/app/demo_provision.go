package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/provision"
)

// DemoProvision gives the demo's Zain a costed plan from Oakfield's provision catalogue with
// three school weeks of sessions logged from the teaching assistant's paper record: precision
// teaching given as promised, the language group given once a week of the three promised for
// the last two school weeks (on the demo's term dates), so the provision map, the caseload and Zain's page show delivery behind. It goes
// through the API like any user, once: when Zain already has a pathway it does nothing.
func DemoProvision(ctx context.Context, d *Dev) error {
	var started bool
	if err := d.DB.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pathways WHERE pupil_id = $1)`, seed.PupilZainID).Scan(&started); err != nil {
		return fmt.Errorf("demo provision: %w", err)
	}
	if started {
		return nil
	}
	tokens, err := d.Tokens()
	if err != nil {
		return err
	}
	tok := map[string]string{}
	for _, t := range tokens {
		tok[t.Email] = t.Token
	}
	base := "http://" + d.HTTP.Addr.String() + "/v1/pupils/" + seed.PupilZainID
	send := func(who, path, key, body string) (int, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, bytes.NewReader([]byte(body)))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Authorization", "Bearer "+tok[who])
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", "demo-provision-"+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, nil
	}
	const teacher, sendco = "teacher.beech@oakfield.example", "sendco@oakfield.example"
	today := time.Now().UTC()
	monday := provision.Monday(today)
	steps := []struct{ who, path, key, body string }{
		{
			teacher,
			"/concerns",
			"concern",
			`{"areas":["cognition_and_learning","communication_and_interaction"],"observed":"Reading and spelling are well behind the class; struggles to follow spoken instructions."}`,
		},
		{sendco, "/pathway/triage", "triage", `{"decision":"sen_support"}`},
		{
			sendco,
			"/cycles",
			"plan",
			fmt.Sprintf(`{"reviewDate":%q,"outcomes":[{"text":"Reads and spells the first 100 high-frequency words."}],
			"provision":[{"itemId":"precision-teaching"},{"itemId":"talk-boost"}],"parentViews":"Happy with the plan; will read with him at home."}`,
				monday.AddDate(0, 0, 7*8).Format(time.DateOnly)),
		},
	}
	for _, s := range steps {
		status, err := send(s.who, s.path, s.key, s.body)
		if err != nil {
			return fmt.Errorf("demo provision: %s: %w", s.key, err)
		}
		if status >= 300 {
			d.logger.Info(
				"demo provision skipped: the demo pupil's pathway has moved on",
				"step",
				s.key,
				"status",
				status,
			)
			return nil
		}
	}
	// The last three school weeks before this one, on the demo's term dates: a holiday between
	// them is not judged.
	weeks := seed.SchoolWeeks(today, 3)
	log := func(item, weeksAgo, day int) error {
		on := weeks[weeksAgo-1].AddDate(0, 0, day).Format(time.DateOnly)
		status, err := send(teacher, "/cycles/1/provision", fmt.Sprintf("log-%d-%d-%d", item, weeksAgo, day),
			fmt.Sprintf(`{"description":"Session given","givenOn":%q,"planItem":%d}`, on, item))
		if err == nil && status >= 300 {
			err = fmt.Errorf("logging a session answered %d", status)
		}
		return err
	}
	for w := 1; w <= 3; w++ {
		for day := range 5 {
			if err := log(0, w, day); err != nil {
				return err
			}
		}
	}
	for _, s := range [][2]int{{3, 0}, {3, 2}, {3, 4}, {2, 1}, {1, 3}} {
		if err := log(1, s[0], s[1]); err != nil {
			return err
		}
	}
	return nil
}
