// Package api is sendflow's HTTP surface: Huma v2 operations that validate input, authorize the
// caller, call the workflow or the read model, and answer with RFC 9457 problem details on error.
//
// An operation for signed-in people is one typed input, one typed output, one handler and its
// description, registered on the /v1 group with register; its Metadata line, needs(obj, act,
// check), says what it asks of the Casbin policies (operations.go). The group adds the bearer
// security and the 401 answer; the authorize middleware hands the access to the handler's
// helpers (read, schoolFor, note) and the audit entries they note are written in one place.
package api

import (
	"context"
	"crypto/ed25519"
	"log/slog"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/sendflow/sendflow/actions"
	"github.com/sendflow/sendflow/internal/auth"
	"github.com/sendflow/sendflow/internal/email"
	"github.com/sendflow/sendflow/internal/httpmw"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/policies"
)

// Deps are what the handlers need.
type Deps struct {
	Store *store.Store
	Authz *policies.Authorizer
	// Temporal is asked only whether it answers, in the namespace sendflow uses (/readyz);
	// actions reach it through Actions.
	Temporal          client.Client
	TemporalNamespace string
	SigningKey        []byte
	Logger            *slog.Logger
	// OIDC verifies staff tokens from the school's identity provider; nil when not configured.
	OIDC *auth.OIDC
	// Outbox queues mail the API sends itself (sign-in links).
	Outbox *email.Outbox
	// PublicURL is where people reach sendflow, for links in emails.
	PublicURL string
	// Actions carries out every action on a pupil's record (the API only turns requests into calls).
	Actions *actions.Service
	// PayloadCodec is the workflow payload encryption the codec server (/codec/…) applies for
	// operators; CodecCORSOrigin is the Temporal UI's origin allowed to call it from a browser.
	PayloadCodec    converter.PayloadCodec
	CodecCORSOrigin string
	// BundleKey signs the pupils' portable records (internal/bundle); nil: none are exported.
	BundleKey ed25519.PrivateKey
}

// Server holds the dependencies the operations use.
type Server struct {
	Deps
}

// New builds the API on mux: operations, /openapi.json and /docs.
func New(mux *http.ServeMux, d Deps) huma.API {
	// A required list must be a list: "areas": null is refused with 422 like any other bad input.
	huma.DefaultArrayNullable = false
	cfg := huma.DefaultConfig("sendflow API", "0.1.0")
	cfg.Info.Description = "The SEND graduated approach and referral pathway for schools, parents, agencies and local authorities."
	// The reference at /docs is the staff pages' (internal/staffweb): Huma's renderers load
	// their scripts from a CDN, so it would be blank offline.
	cfg.DocsPath = ""
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", BearerFormat: "JWT"},
	}
	api := humago.New(mux, cfg)
	s := &Server{Deps: d}
	api.UseMiddleware(nameOperation, requestID, s.codecCORS, s.authenticate(api))
	s.registerHealth(api)
	s.registerBundleKey(api)
	s.registerMagicLinks(api)
	// Everything else under /v1 is for signed-in people: the group describes each operation
	// with bearer security, and authorize gives each handler its operation's declared access.
	v1 := newV1(api)
	v1.UseMiddleware(s.authorize(api))
	s.registerMe(v1)
	s.registerSchools(v1)
	s.registerPupils(v1)
	s.registerCaseload(v1)
	s.registerOAG(v1)
	s.registerEvidence(v1)
	s.registerBundles(v1)
	s.registerBundleImport(v1)
	s.registerConcerns(v1)
	s.registerPathway(v1)
	s.registerTriage(v1)
	s.registerCycles(v1)
	s.registerReferrals(v1)
	s.registerEHC(v1)
	s.registerAnnualReviews(v1)
	s.registerStatutory(v1)
	s.registerMeetings(v1)
	s.registerMessages(v1)
	s.registerParents(v1)
	s.registerTransfers(v1)
	s.registerPassports(v1)
	s.registerRegister(v1)
	s.registerProvision(v1)
	s.registerTermDates(v1)
	s.registerCodec(api, mux)
	return api
}

type ctxKey int

const (
	userKey ctxKey = iota
)

// currentUser is the signed-in principal.
func currentUser(ctx context.Context) *store.Principal {
	u, _ := ctx.Value(userKey).(*store.Principal)
	return u
}

// currentRequestID is the request's id (internal/httpmw), for the audit trail.
func currentRequestID(ctx context.Context) string { return httpmw.RequestID(ctx) }

var bearer = []map[string][]string{{"bearer": {}}}
