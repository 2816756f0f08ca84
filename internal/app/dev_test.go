package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/proxy"
	"google.golang.org/protobuf/proto"

	"github.com/sendflow/sendflow/internal/config"
	"github.com/sendflow/sendflow/internal/devkit/mailcapture"
	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
	"github.com/sendflow/sendflow/internal/payloadcrypt"
	"github.com/sendflow/sendflow/workflows"
)

// devConfig is the configuration a second developer would use to run beside the first: every
// port chosen, the data dir and database their own.
func devConfig(t testing.TB, dataDir, dbURL string, extra ...string) *config.Config {
	t.Helper()
	env := map[string]string{
		"DATABASE_URL":           dbURL,
		"SENDFLOW_DATA_DIR":      dataDir,
		"SENDFLOW_HTTP_ADDR":     fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t)),
		"SENDFLOW_SMTP_PORT":     fmt.Sprint(testenv.FreePort(t)),
		"SENDFLOW_TEMPORAL_PORT": fmt.Sprint(testenv.FreePortRun(t, 4)),
		"SENDFLOW_TASK_QUEUE":    "sendflow-test",
		"SENDFLOW_RATE_LIMIT":    "100000", // tests poll hard; TestRateLimit checks the limit itself
	}
	for i := 0; i+1 < len(extra); i += 2 {
		env[extra[i]] = extra[i+1]
	}
	cfg, err := config.Parse("dev", nil, func(k string) string { return env[k] }, nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func startDev(t testing.TB, cfg *config.Config) *Dev {
	t.Helper()
	return startDevLogged(t, cfg, nil)
}

type apiClient struct {
	t    *testing.T
	base string
}

func (c apiClient) do(method, path, token string, headers map[string]string, body string) (int, map[string]any) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(resp.Body)
	if len(b) > 0 {
		if err := json.Unmarshal(b, &out); err != nil {
			c.t.Fatalf("%s %s: body is not JSON: %s", method, path, b)
		}
	}
	return resp.StatusCode, out
}

func tokenFor(t testing.TB, d *Dev, email string) string {
	t.Helper()
	tokens, err := d.Tokens()
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range tokens {
		if tk.Email == email {
			return tk.Token
		}
	}
	t.Fatalf("no demo user %s", email)
	return ""
}

func concernCount(t *testing.T, d *Dev, pupilID string) int {
	t.Helper()
	var n int
	if err := d.DB.QueryRow(context.Background(), `SELECT count(*) FROM concerns WHERE pupil_id = $1`, pupilID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestDevJourney is issue 2's thin journey on the real stack: a teacher raises a concern, the
// pathway workflow starts, the SENDCo is emailed, the pathway shows awaiting_triage, a retry with
// the same Idempotency-Key changes nothing, and it all survives a restart of the dev stack.
func TestDevJourney(t *testing.T) {
	t.Parallel()
	cfg := devConfig(t, t.TempDir(), testenv.DatabaseURL(t))
	d := startDev(t, cfg)
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			d.Stop(context.Background())
		}
	})
	api := apiClient{t: t, base: "http://" + d.HTTP.Addr.String()}
	teacher := tokenFor(t, d, "teacher.oak@oakfield.example")
	amara := seed.PupilAmaraID
	concern := `{"areas":["communication_and_interaction"],"observed":"Finds it hard to follow spoken instructions in class."}`
	key := map[string]string{"Idempotency-Key": "first-concern"}

	if status, body := api.do("GET", "/readyz", "", nil, ""); status != 200 || body["status"] != "ready" {
		t.Fatalf("readyz = %d %v", status, body)
	}
	status, first := api.do("POST", "/v1/pupils/"+amara+"/concerns", teacher, key, concern)
	if status != http.StatusCreated {
		t.Fatalf("raise concern = %d %v", status, first)
	}
	if stage := first["pathway"].(map[string]any)["stage"]; stage != "awaiting_triage" {
		t.Errorf("stage after concern = %v, want awaiting_triage", stage)
	}
	status, again := api.do("POST", "/v1/pupils/"+amara+"/concerns", teacher, key, concern)
	if status != http.StatusCreated || again["concernId"] != first["concernId"] {
		t.Errorf(
			"retry with the same key = %d %v, want the first answer %v",
			status,
			again["concernId"],
			first["concernId"],
		)
	}
	if n := concernCount(t, d, amara); n != 1 {
		t.Errorf("concerns stored = %d, want 1", n)
	}
	status, reused := api.do("POST", "/v1/pupils/"+amara+"/concerns", teacher, key,
		`{"areas":["sensory_physical"],"observed":"Something else"}`)
	if status != http.StatusUnprocessableEntity {
		t.Errorf("same key, different request = %d %v, want 422", status, reused)
	}

	// The SENDCo is emailed, and the email names the pupil but not what was seen.
	var mail []mailcapture.Message
	testenv.Eventually(t, 20*time.Second, "the SENDCo's email", func() bool {
		mail, _ = d.Mailbox.Messages()
		return len(mail) == 1
	})
	m := mail[0]
	if len(m.To) != 1 || m.To[0] != "sendco@oakfield.example" || !strings.Contains(m.Subject, "Amara") {
		t.Errorf("email to %v subject %q", m.To, m.Subject)
	}
	if strings.Contains(m.Text, "spoken instructions") || strings.Contains(m.HTML, "spoken instructions") ||
		strings.Contains(m.Text, "communication") {
		t.Error("the email carries the concern's details; they must stay behind sign-in")
	}
	if !strings.Contains(m.Text, "/pupils/"+amara) || strings.Contains(m.Text, "/v1/") {
		t.Errorf("email has no link to the pupil's page:\n%s", m.Text)
	}

	status, pw := api.do("GET", "/v1/pupils/"+amara+"/pathway", teacher, nil, "")
	if status != 200 || pw["stage"] != "awaiting_triage" || len(pw["timeline"].([]any)) != 1 {
		t.Fatalf("pathway = %d %v", status, pw)
	}

	// Restart the whole stack on the same data dir: state is still there, the workflow still runs.
	if err := d.Stop(context.Background()); err != nil {
		t.Fatalf("stop: %v", err)
	}
	stopped = true
	d = startDev(t, cfg)
	stopped = false
	api.base = "http://" + d.HTTP.Addr.String()
	status, pw = api.do("GET", "/v1/pupils/"+amara+"/pathway", teacher, nil, "")
	if status != 200 || pw["stage"] != "awaiting_triage" {
		t.Fatalf("pathway after restart = %d %v", status, pw)
	}
	desc, err := d.Temporal.DescribeWorkflowExecution(context.Background(), workflows.PathwayWorkflowID(amara), "")
	if err != nil || desc.WorkflowExecutionInfo.Status.String() != "Running" {
		t.Fatalf("pathway workflow after restart: %v %v", desc, err)
	}
	status, second := api.do(
		"POST",
		"/v1/pupils/"+amara+"/concerns",
		teacher,
		map[string]string{"Idempotency-Key": "second"},
		`{"areas":["cognition_and_learning"],"observed":"Reading has not moved on this term."}`,
	)
	if status != http.StatusCreated || second["pathway"].(map[string]any)["concerns"] != float64(2) {
		t.Errorf("second concern after restart = %d %v", status, second)
	}
	testenv.Eventually(t, 20*time.Second, "the second email", func() bool {
		mail, _ = d.Mailbox.Messages()
		return len(mail) == 2
	})

	// What the Temporal server holds is ciphertext: every payload in the pathway's history is
	// encrypted, so the teacher's id (in the concern's payload) does not appear in it. Update ids
	// (raise-concern/<id>/<attempt>) stay readable: ids, never a person.
	teacherID := "5c0f0000-0000-4000-8000-000000000103"
	var raw []byte
	payloads := 0
	it := d.Temporal.GetWorkflowHistory(
		context.Background(),
		workflows.PathwayWorkflowID(amara),
		"",
		false,
		enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT,
	)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if sa := e.GetUpsertWorkflowSearchAttributesEventAttributes(); sa != nil {
			// Temporal indexes which code changes a run has taken (workflow.GetVersion) as a
			// search attribute, in the clear so it can be searched: change names, never a person.
			for k, v := range sa.GetSearchAttributes().GetIndexedFields() {
				if k != "TemporalChangeVersion" || bytes.Contains(v.Data, []byte(teacherID)) {
					t.Errorf("event %d sets search attribute %s = %s", e.EventId, k, v.Data)
				}
			}
			continue
		}
		err = proxy.VisitPayloads(context.Background(), e, proxy.VisitPayloadsOptions{
			Visitor: func(_ *proxy.VisitPayloadsContext, ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
				for _, p := range ps {
					payloads++
					if string(p.Metadata[payloadcrypt.MetadataEncoding]) != payloadcrypt.Encoding {
						t.Errorf("event %d (%s) has a payload in the clear: %s", e.EventId, e.EventType, p.Metadata)
					}
				}
				return ps, nil
			}})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := proto.Marshal(e)
		raw = append(raw, b...)
	}
	if payloads < 4 {
		t.Errorf("only %d payloads in the pathway's history", payloads)
	}
	if bytes.Contains(raw, []byte(teacherID)) || bytes.Contains(raw, []byte("awaiting_triage")) {
		t.Errorf("the Temporal history shows the concern's payload or the pathway's state in the clear")
	}
}

// TestBadRequestsChangeNothing covers the refusals a user can meet on the journey.
func TestBadRequestsChangeNothing(t *testing.T) {
	t.Parallel()
	cfg := devConfig(t, t.TempDir(), testenv.DatabaseURL(t))
	d := startDev(t, cfg)
	t.Cleanup(func() { d.Stop(context.Background()) })
	api := apiClient{t: t, base: "http://" + d.HTTP.Addr.String()}
	oak := tokenFor(t, d, "teacher.oak@oakfield.example")
	beech := tokenFor(t, d, "teacher.beech@oakfield.example")
	parent := tokenFor(t, d, "parent.amara@example.org")
	amara, zain := seed.PupilAmaraID, seed.PupilZainID
	good := `{"areas":["communication_and_interaction"],"observed":"Seen in class."}`

	cases := []struct {
		name, path, token, body string
		want                    int
	}{
		{"no token", "/v1/pupils/" + amara + "/concerns", "", good, 401},
		{"bad token", "/v1/pupils/" + amara + "/concerns", "not-a-token", good, 401},
		{"teacher of another class", "/v1/pupils/" + zain + "/concerns", oak, good, 404},
		{"other class teacher on Amara", "/v1/pupils/" + amara + "/concerns", beech, good, 404},
		{"parent cannot raise a concern", "/v1/pupils/" + amara + "/concerns", parent, good, 404},
		{"unknown pupil", "/v1/pupils/5c0f0000-0000-4000-8000-00000000ffff/concerns", oak, good, 404},
		{"pupil id not a uuid", "/v1/pupils/amara/concerns", oak, good, 422},
		{
			"unknown field",
			"/v1/pupils/" + amara + "/concerns",
			oak,
			`{"areas":["sensory_physical"],"observed":"x","stage":"ehc_plan"}`,
			422,
		},
		{"unknown area", "/v1/pupils/" + amara + "/concerns", oak, `{"areas":["reading"],"observed":"x"}`, 422},
		{"no areas", "/v1/pupils/" + amara + "/concerns", oak, `{"areas":[],"observed":"x"}`, 422},
		{
			"empty observation",
			"/v1/pupils/" + amara + "/concerns",
			oak,
			`{"areas":["sensory_physical"],"observed":""}`,
			422,
		},
		{"not JSON", "/v1/pupils/" + amara + "/concerns", oak, `{"areas":`, 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := api.do("POST", tc.path, tc.token, nil, tc.body)
			if status != tc.want {
				t.Fatalf("status = %d, want %d: %v", status, tc.want, body)
			}
			if body["detail"] == nil && body["title"] == nil {
				t.Errorf("no problem details in %v", body)
			}
		})
	}
	if n := concernCount(t, d, amara) + concernCount(t, d, zain); n != 0 {
		t.Errorf("refused requests stored %d concerns", n)
	}
	// A parent may read their own child's pathway but not another's.
	if status, _ := api.do("GET", "/v1/pupils/"+amara+"/pathway", parent, nil, ""); status != 200 {
		t.Errorf("parent reading own child = %d", status)
	}
	if status, _ := api.do("GET", "/v1/pupils/"+zain+"/pathway", parent, nil, ""); status != 404 {
		t.Errorf("parent reading another child = %d, want 404", status)
	}
	var audits int
	if err := d.DB.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE pupil_id = $1`, amara).Scan(&audits); err != nil ||
		audits == 0 {
		t.Errorf("reads and refusals were not audited: %d %v", audits, err)
	}
}

// testLog shows the stack's warnings and errors in the test's output.
type testLog struct{ t testing.TB }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}
