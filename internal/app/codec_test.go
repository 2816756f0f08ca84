package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
	"github.com/sendflow/sendflow/internal/payloadcrypt"
	"github.com/sendflow/sendflow/workflows"
)

const (
	sysadmin = "sysadmin@sendflow.example"
	uiOrigin = "http://localhost:8233"
)

// codecCall posts payloads to the codec server as someone (no one: "") and returns the status,
// the headers and the body.
func (j *journey) codecCall(
	action, who string,
	headers map[string]string,
	payloads []*commonpb.Payload,
) (int, http.Header, []byte) {
	j.t.Helper()
	body, err := protojson.Marshal(&commonpb.Payloads{Payloads: payloads})
	if err != nil {
		j.t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", j.api.base+"/codec/"+action, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+j.token[who])
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		j.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// codecAudits counts the codec server's audit records.
func (j *journey) codecAudits(action, actorEmail, outcome string) int {
	j.t.Helper()
	var n int
	if err := j.d.DB.QueryRow(context.Background(), `SELECT count(*) FROM audit_log a JOIN users u ON u.id = a.actor_id
		WHERE a.action = $1 AND u.email = $2 AND a.outcome = $3`, action, actorEmail, outcome).Scan(&n); err != nil {
		j.t.Fatal(err)
	}
	return n
}

// TestCodecServer: the Temporal UI and CLI, pointed at <sendflow>/codec, read the encrypted
// payloads of a real pupil's workflow through sendflow — for a system administrator only. The
// decode is audited (who, which workflow, when) before anything is decrypted and shows in the
// pupil's audit trail; any other role is refused 403 (and audited), no sign-in 401; only the
// configured Temporal UI origin may call it from a browser.
func TestCodecServer(t *testing.T) {
	t.Parallel()
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t), "SENDFLOW_CODEC_CORS_ORIGIN", uiOrigin))
	amara := seed.PupilAmaraID
	j.post(
		teacher,
		"/v1/pupils/"+amara+"/concerns",
		`{"areas":["communication_and_interaction"],"observed":"Finds it hard to follow spoken instructions."}`,
		201,
	)

	// The pathway's first event, as Temporal stores it: encrypted.
	wid := workflows.PathwayWorkflowID(amara)
	it := j.d.Temporal.GetWorkflowHistory(
		context.Background(),
		wid,
		"",
		false,
		enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT,
	)
	first, err := it.Next()
	if err != nil {
		t.Fatal(err)
	}
	stored := first.GetWorkflowExecutionStartedEventAttributes().GetInput().GetPayloads()
	if len(stored) == 0 || string(stored[0].Metadata[payloadcrypt.MetadataEncoding]) != payloadcrypt.Encoding {
		t.Fatalf("the pathway's input is not encrypted in Temporal: %v", stored)
	}
	if bytes.Contains(stored[0].Data, []byte(amara)) {
		t.Fatal("the stored input shows the pupil's id in clear")
	}

	// A system administrator decodes it, through the SDK's own remote codec client (what the
	// CLI's --codec-endpoint and the UI use).
	remote := converter.NewRemotePayloadCodec(converter.RemotePayloadCodecOptions{
		Endpoint: j.api.base + "/codec",
		ModifyRequest: func(r *http.Request) error {
			r.Header.Set("Authorization", "Bearer "+j.token[sysadmin])
			r.Header.Set("X-Namespace", "default")
			r.Header.Set("X-Workflow-Id", wid)
			return nil
		},
	})
	plain, err := remote.Decode(stored)
	if err != nil {
		t.Fatalf("system admin decode: %v", err)
	}
	if len(plain) != len(stored) || string(plain[0].Metadata["encoding"]) != "json/plain" ||
		!bytes.Contains(plain[0].Data, []byte(amara)) {
		t.Fatalf("decoded input = %v, want the pathway's JSON input naming the pupil", plain)
	}
	var input map[string]any
	if err := json.Unmarshal(plain[0].Data, &input); err != nil {
		t.Fatalf("decoded input is not JSON: %v", err)
	}
	// Audited before it was decrypted: who, which workflow, and the pupil it is about.
	var workflowID, pupilID, role string
	if err := j.d.DB.QueryRow(context.Background(), `SELECT a.workflow_id, coalesce(a.pupil_id::text, ''), a.actor_role FROM audit_log a
		JOIN users u ON u.id = a.actor_id WHERE a.action = 'workflow_payloads:decode' AND u.email = $1 AND a.outcome = 'ok'
		AND a.at > now() - interval '5 minutes'`, sysadmin).Scan(&workflowID, &pupilID, &role); err != nil {
		t.Fatalf("no audit record of the decode: %v", err)
	}
	if workflowID != wid || pupilID != amara || role != "system_admin" {
		t.Errorf(
			"audit record = workflow %q pupil %q role %q, want %q %q system_admin",
			workflowID,
			pupilID,
			role,
			wid,
			amara,
		)
	}
	// The SENDCo sees, in the pupil's audit trail, that their workflow was read.
	_, trail := j.api.do("GET", "/v1/pupils/"+amara+"/audit", j.token[sendco], nil, "")
	if !strings.Contains(mustJSON(t, trail), "workflow_payloads:decode") {
		t.Errorf("the pupil's audit trail does not show the decode: %v", trail)
	}

	// Encoding goes the other way (the UI and CLI encode what an operator sends a workflow).
	sealed, err := remote.Encode(plain)
	if err != nil || string(sealed[0].Metadata[payloadcrypt.MetadataEncoding]) != payloadcrypt.Encoding {
		t.Fatalf("encode = %v, %v", sealed, err)
	}
	if again, err := remote.Decode(sealed); err != nil || !bytes.Equal(again[0].Data, plain[0].Data) {
		t.Fatalf("decode(encode(x)) = %v, %v", again, err)
	}

	// Every other role is refused, and each refusal is audited; no sign-in is 401.
	for _, p := range seed.People {
		if p.Role == "system_admin" {
			continue
		}
		who := p.Email
		before := j.codecAudits("workflow_payloads:decode", who, "denied")
		status, _, body := j.codecCall("decode", who, map[string]string{"X-Workflow-Id": wid}, stored)
		if status != 403 || bytes.Contains(body, []byte(amara)) {
			t.Errorf("decode as %s = %d %s, want 403", who, status, body)
		}
		if after := j.codecAudits("workflow_payloads:decode", who, "denied"); after != before+1 {
			t.Errorf("refused decode as %s: %d audit records, want %d", who, after, before+1)
		}
	}
	if status, _, _ := j.codecCall("decode", "", nil, stored); status != 401 {
		t.Errorf("decode without sign-in = %d, want 401", status)
	}
	if status, _, _ := j.codecCall("decode", sysadmin, map[string]string{"X-Namespace": "another"}, stored); status != 400 {
		t.Errorf("decode for another namespace = %d, want 400", status)
	}

	// CORS: the configured Temporal UI may call from the browser; no other origin.
	preflight := func(origin string) *http.Response {
		req, _ := http.NewRequest("OPTIONS", j.api.base+"/codec/decode", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization,content-type,x-namespace")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := preflight(uiOrigin); resp.StatusCode != 204 ||
		resp.Header.Get("Access-Control-Allow-Origin") != uiOrigin ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Errorf("preflight from the Temporal UI = %d %v", resp.StatusCode, resp.Header)
	}
	if resp := preflight("https://elsewhere.example"); resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from another origin allowed: %v", resp.Header)
	}
	for origin, want := range map[string]string{uiOrigin: uiOrigin, "https://elsewhere.example": ""} {
		for _, who := range []string{sysadmin, ""} { // the answer and the refusal alike
			_, h, _ := j.codecCall("decode", who, map[string]string{"Origin": origin}, stored)
			if got := h.Get("Access-Control-Allow-Origin"); got != want {
				t.Errorf("decode from %s as %q: Access-Control-Allow-Origin %q, want %q", origin, who, got, want)
			}
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
