package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"

	"github.com/danielgtaylor/huma/v2"
)

// Every operation under /v1 except signing in needs a signed-in person. The v1 group sets the
// path prefix and the bearer security once; register adds the errors every one of them may
// answer and refuses an operation that does not say what it asks of the policies.

// commonErrors are the answers every signed-in operation may give besides its own: 401 when
// the sign-in is missing or not valid. They are added before huma.Register describes the
// responses, which a group's modifier runs too late for.
var commonErrors = []int{http.StatusUnauthorized}

// actionErrors are what a change to a record may answer besides 401: 404 when it is out of the
// caller's reach, 409 when the pathway refuses it (with the reason), 422 for input that cannot
// be recorded.
var actionErrors = []int{http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity}

// check says where an operation's access is decided.
type check int

const (
	// readsPupil: the handler reads one pupil's record through read(); the pupil's reach is
	// checked in actions (it needs the pupil) and the read audited as Obj:Act.
	readsPupil check = iota + 1
	// inSchool: the school in the path is loaded and the caller's role in it checked with
	// Casbin (schoolFor); the check is audited either way.
	inSchool
	// byAction: actions.* authorizes and audits, the same for every surface (the staff and
	// parents' pages too); Obj and Act here name what it checks.
	byAction
	// ownRule: a rule of the operation's own, in its handler (a school's creator, a council's
	// officers).
	ownRule
	// anyone: any signed-in person; what they see is their own (who they are, their children,
	// the OAG catalogue).
	anyone
)

// access is what an operation asks of the policies (policies/): the Casbin object and verb,
// and where the answer is decided. It is the operation's metadata under accessKey.
type access struct {
	Obj, Act string
	Check    check
}

// action is how the audit trail names the operation's access.
func (a access) action() string { return a.Obj + ":" + a.Act }

const accessKey = "sendflow.access"

// needs is an operation's metadata: what it asks of the policies.
func needs(obj, act string, c check) map[string]any {
	return map[string]any{accessKey: access{Obj: obj, Act: act, Check: c}}
}

// accessOf is the access an operation declared, if it did.
func accessOf(op *huma.Operation) (access, bool) {
	if op == nil {
		return access{}, false
	}
	a, ok := op.Metadata[accessKey].(access)
	return a, ok && a.Check != 0
}

// newV1 is the group of signed-in operations under /v1: each is described with bearer security.
func newV1(api huma.API) *huma.Group {
	v1 := huma.NewGroup(api, "/v1")
	v1.UseSimpleModifier(func(op *huma.Operation) {
		op.Security = bearer
	})
	return v1
}

// register adds a signed-in /v1 operation: the common errors are added to its own, and an
// operation that does not declare its access (needs) is a programming error found at start-up.
func register[I, O any](v1 *huma.Group, op huma.Operation, handler func(context.Context, *I) (*O, error)) {
	if _, ok := accessOf(&op); !ok {
		panic(fmt.Sprintf("api: operation %s declares no access (Metadata: needs(...))", op.OperationID))
	}
	errs := slices.Clone(commonErrors)
	for _, e := range op.Errors {
		if !slices.Contains(errs, e) {
			errs = append(errs, e)
		}
	}
	op.Errors = errs
	huma.Register(v1, op, func(ctx context.Context, in *I) (*O, error) {
		// The entries the handler noted are written before Huma sends the answer: whoever
		// holds the answer finds the read in the trail.
		defer trailOf(ctx).write(ctx)
		return handler(ctx, in)
	})
}

// accessCtxKey holds the current operation's access in a request's context.
type accessCtxKey struct{}

// authorize reads the operation's declared access and gives it to the handler, so the object
// and verb are written once, in the operation's metadata. An operation without one is refused:
// nothing is served that does not say what it asks of the policies. The checks themselves stay
// after Huma has checked the input (in schoolFor, read, actions): made here, before it, a
// request with bad input would be answered 404 and audited instead of 422 and not.
func (s *Server) authorize(api huma.API) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		a, ok := accessOf(ctx.Operation())
		if !ok {
			s.Logger.Error("operation declares no access", "operation", ctx.Operation().OperationID)
			_ = huma.WriteErr(
				api,
				ctx,
				http.StatusInternalServerError,
				"This operation is not set up correctly; nothing was done.",
			)
			return
		}
		t := &trail{s: s}
		ctx = huma.WithValue(huma.WithValue(ctx, accessCtxKey{}, a), trailCtxKey{}, t)
		next(ctx)
		t.write(ctx.Context()) // anything noted after the handler returned; normally nothing
	}
}

// currentAccess is the access of the operation a request is for.
func currentAccess(ctx context.Context) access {
	a, _ := ctx.Value(accessCtxKey{}).(access)
	return a
}

// entry is one audit entry an operation noted: one pupil or school, or (batch) one for each of
// the pupils a read showed.
type entry struct {
	role, action, pupilID, schoolID, outcome string
	batch                                    bool
	pupils                                   []string
}

// trail is what one request's handler noted for the audit trail; register writes it when the
// handler returns, so handlers say what to audit and one place writes it.
type trail struct {
	s       *Server
	mu      sync.Mutex
	entries []entry
}

type trailCtxKey struct{}

// trailOf is the request's trail, nil outside a /v1 operation.
func trailOf(ctx context.Context) *trail {
	t, _ := ctx.Value(trailCtxKey{}).(*trail)
	return t
}

func (t *trail) note(e entry) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.entries = append(t.entries, e)
}

// write appends the noted entries to the audit trail, in the order they were noted, once.
func (t *trail) write(ctx context.Context) {
	if t == nil {
		return
	}
	t.mu.Lock()
	entries := t.entries
	t.entries = nil
	t.mu.Unlock()
	// Written even if the caller has gone: what was read was read.
	ctx = context.WithoutCancel(ctx)
	for _, e := range entries {
		if e.batch {
			t.s.Actions.AuditPupils(ctx, actor(ctx), e.role, e.action, e.schoolID, e.pupils, e.outcome)
			continue
		}
		t.s.Actions.Audit(ctx, actor(ctx), e.role, e.action, e.pupilID, e.schoolID, e.outcome)
	}
}

// notePupils audits a read of many pupils of a school under the operation's access, written in
// one statement (a school's caseload may show hundreds).
func (s *Server) notePupils(ctx context.Context, role, schoolID string, pupilIDs []string) {
	if t := trailOf(ctx); t != nil {
		t.note(
			entry{
				role:     role,
				action:   currentAccess(ctx).action(),
				schoolID: schoolID,
				batch:    true,
				pupils:   pupilIDs,
				outcome:  "ok",
			},
		)
		return
	}
	s.Actions.AuditPupils(ctx, actor(ctx), role, currentAccess(ctx).action(), schoolID, pupilIDs, "ok")
}
