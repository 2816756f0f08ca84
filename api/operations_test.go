package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/humatest"

	"github.com/sendflow/sendflow/internal/store"
)

// sendflowAPI is the real API with no database behind it: enough for what is answered before a
// handler needs one (the description, sign-in refusals, input checks).
func sendflowAPI(t *testing.T) humatest.TestAPI {
	t.Helper()
	return humatest.Wrap(t, New(http.NewServeMux(), Deps{Logger: slog.New(slog.DiscardHandler)}))
}

// signIn is who may call an operation without signing in: the sign-in link operations only.
var signIn = map[string]bool{"request-magic-link": true, "exchange-magic-link": true}

// Every /v1 operation but signing in is described as needing a bearer token, says it may answer
// 401, and declares what it asks of the policies; an operation added without its access fails
// here (and at start-up).
func TestEveryV1OperationNeedsSignInAndDeclaresItsAccess(t *testing.T) {
	api := sendflowAPI(t)
	n := 0
	for path, item := range api.OpenAPI().Paths {
		for _, op := range []*huma.Operation{item.Get, item.Put, item.Post, item.Delete, item.Patch} {
			if op == nil || !strings.HasPrefix(path, "/v1/") {
				continue
			}
			if signIn[op.OperationID] {
				if len(op.Security) != 0 {
					t.Errorf("%s: signing in must not need a sign-in, security %v", op.OperationID, op.Security)
				}
				continue
			}
			n++
			if len(op.Security) != 1 || op.Security[0]["bearer"] == nil {
				t.Errorf("%s %s: security %v, want bearer", op.Method, path, op.Security)
			}
			if op.Responses[strconv.Itoa(http.StatusUnauthorized)] == nil {
				t.Errorf("%s: no 401 response described", op.OperationID)
			}
			a, ok := accessOf(op)
			if !ok {
				t.Errorf("%s: declares no access (Metadata: needs(...))", op.OperationID)
				continue
			}
			// Only an operation open to anyone signed in may leave the policies out.
			if a.Check != anyone && (a.Obj == "" || a.Act == "") {
				t.Errorf("%s: access %+v names no Casbin object and verb", op.OperationID, a)
			}
		}
	}
	if n < 35 {
		t.Errorf("only %d signed-in /v1 operations found; the group is not describing them", n)
	}
}

// Outside /v1, health checks answer without a sign-in.
func TestHealthNeedsNoSignIn(t *testing.T) {
	api := sendflowAPI(t)
	for _, p := range []string{"/healthz", "/readyz"} {
		if op := api.OpenAPI().Paths[p].Get; op == nil || len(op.Security) != 0 {
			t.Errorf("%s: %+v, want no security", p, op)
		}
	}
	if resp := api.Get("/healthz"); resp.Code != http.StatusOK {
		t.Errorf("/healthz: %d %s", resp.Code, resp.Body)
	}
}

// Calling a signed-in operation without a token is 401 with problem details that say what to
// do, and the WWW-Authenticate challenge; nothing of the operation runs.
func TestNoSignInIs401ProblemDetails(t *testing.T) {
	api := sendflowAPI(t)
	for _, c := range []struct{ method, path, auth string }{
		{http.MethodGet, "/v1/me", ""},
		{http.MethodGet, "/v1/pupils/7d1d2f0e-6b8a-4a8e-9a59-1f3f3c1b2a10/pathway", ""},
		{http.MethodPost, "/v1/pupils/7d1d2f0e-6b8a-4a8e-9a59-1f3f3c1b2a10/concerns", "Basic dXNlcjpwYXNz"},
		{http.MethodGet, "/v1/schools/7d1d2f0e-6b8a-4a8e-9a59-1f3f3c1b2a10/caseload", "Bearer "},
	} {
		var args []any
		if c.auth != "" {
			args = append(args, "Authorization: "+c.auth)
		}
		if c.method == http.MethodPost {
			args = append(args, map[string]any{})
		}
		resp := api.Do(c.method, c.path, args...)
		if resp.Code != http.StatusUnauthorized {
			t.Errorf("%s %s: %d, want 401", c.method, c.path, resp.Code)
			continue
		}
		if ct := resp.Header().Get("Content-Type"); ct != "application/problem+json" {
			t.Errorf("%s %s: Content-Type %q, want problem details", c.method, c.path, ct)
		}
		if !strings.HasPrefix(resp.Header().Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s %s: WWW-Authenticate %q", c.method, c.path, resp.Header().Get("WWW-Authenticate"))
		}
		var p huma.ErrorModel
		if err := json.Unmarshal(resp.Body.Bytes(), &p); err != nil || p.Status != http.StatusUnauthorized ||
			!strings.Contains(p.Detail, "Sign in") {
			t.Errorf("%s %s: %s (%v)", c.method, c.path, resp.Body, err)
		}
	}
}

// Input the operation cannot take is 422 naming the field, before anything is done.
func TestBadInputIs422(t *testing.T) {
	api := sendflowAPI(t)
	resp := api.Post("/v1/auth/magic-link", map[string]any{"email": "not an address"})
	if resp.Code != http.StatusUnprocessableEntity {
		t.Fatalf("%d %s, want 422", resp.Code, resp.Body)
	}
	var p huma.ErrorModel
	if err := json.Unmarshal(resp.Body.Bytes(), &p); err != nil || len(p.Errors) == 0 ||
		p.Errors[0].Location != "body.email" {
		t.Errorf("%s (%v), want an error at body.email", resp.Body, err)
	}
}

// testGroup is a /v1 group on a test API whose requests are signed in as a teacher, so what
// the group adds can be seen without a database.
func testGroup(t *testing.T) (humatest.TestAPI, *huma.Group) {
	t.Helper()
	_, api := humatest.New(t)
	s := &Server{Deps: Deps{Logger: slog.New(slog.DiscardHandler)}}
	api.UseMiddleware(func(ctx huma.Context, next func(huma.Context)) {
		next(huma.WithValue(ctx, userKey, &store.Principal{User: store.User{ID: "u1"}}))
	})
	v1 := newV1(api)
	v1.UseMiddleware(s.authorize(api))
	return api, v1
}

// The handler is given the access its operation declares, so the object and verb are written
// once, in the operation's metadata.
func TestHandlersGetTheirOperationsAccess(t *testing.T) {
	api, v1 := testGroup(t)
	type out struct{ Body access }
	register(v1, huma.Operation{
		Metadata:    needs("readiness", "read", readsPupil),
		OperationID: "probe", Method: http.MethodGet, Path: "/probe/{pupilId}",
	}, func(ctx context.Context, in *PupilPath) (*out, error) {
		return &out{Body: currentAccess(ctx)}, nil
	})
	resp := api.Get("/v1/probe/7d1d2f0e-6b8a-4a8e-9a59-1f3f3c1b2a10")
	if resp.Code != http.StatusOK {
		t.Fatalf("%d %s", resp.Code, resp.Body)
	}
	var got access
	if err := json.Unmarshal(resp.Body.Bytes(), &got); err != nil || got.action() != "readiness:read" ||
		got.Check != readsPupil {
		t.Errorf("handler saw %+v (%v), want readiness:read", got, err)
	}
	// The group's path checks still apply: a pupil id that is not one is 422.
	if resp := api.Get("/v1/probe/42"); resp.Code != http.StatusUnprocessableEntity {
		t.Errorf("bad pupil id: %d %s, want 422", resp.Code, resp.Body)
	}
	op := api.OpenAPI().Paths["/v1/probe/{pupilId}"].Get
	if op.OperationID != "probe" || len(op.Security) != 1 || op.Responses["401"] == nil {
		t.Errorf("described as %s, security %v, responses %v", op.OperationID, op.Security, op.Responses)
	}
}

// An operation that declares no access is refused at registration, and served by nothing
// that would skip the check: if one is registered on the group around register, the
// middleware answers 500 and the handler does not run.
func TestOperationsWithoutAccessAreRefused(t *testing.T) {
	api, v1 := testGroup(t)
	type out struct{ Body struct{ Ran bool } }
	handler := func(ctx context.Context, _ *struct{}) (*out, error) {
		o := &out{}
		o.Body.Ran = true
		return o, nil
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("register took an operation with no access")
			}
		}()
		register(v1, huma.Operation{OperationID: "bare", Method: http.MethodGet, Path: "/bare"}, handler)
	}()
	huma.Register(v1, huma.Operation{OperationID: "around", Method: http.MethodGet, Path: "/around"}, handler)
	if resp := api.Get("/v1/around"); resp.Code != http.StatusInternalServerError ||
		strings.Contains(resp.Body.String(), "Ran") {
		t.Errorf("operation without access: %d %s, want 500 without running", resp.Code, resp.Body)
	}
}

// An operation carried out by actions declares the object and verb actions checks and audits
// (actions is shared with the staff and parents' pages, so it keeps its own); a declaration that
// names something actions never checks is caught here.
func TestActionOperationsNameWhatActionsChecks(t *testing.T) {
	files, err := filepath.Glob("../actions/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("actions sources: %v", err)
	}
	var src strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src.Write(b)
	}
	for _, item := range sendflowAPI(t).OpenAPI().Paths {
		for _, op := range []*huma.Operation{item.Get, item.Put, item.Post, item.Delete, item.Patch} {
			a, ok := accessOf(op)
			if !ok || a.Check != byAction {
				continue
			}
			// Written as the audit name ("concern:create"), as the check's arguments ("concern",
			// "create"), or as an object picked in the action (obj := "…" with ":create").
			named := strings.Contains(src.String(), `"`+a.action()+`"`) ||
				strings.Contains(src.String(), `"`+a.Obj+`", "`+a.Act+`"`) ||
				strings.Contains(src.String(), `obj := "`+a.Obj+`"`) && strings.Contains(src.String(), `":`+a.Act+`"`)
			if !named {
				t.Errorf("%s declares %s, which actions never checks", op.OperationID, a.action())
			}
		}
	}
}
