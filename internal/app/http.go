package app

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/sendflow/sendflow/actions"
	"github.com/sendflow/sendflow/api"
	"github.com/sendflow/sendflow/internal/auth"
	"github.com/sendflow/sendflow/internal/bundle"
	"github.com/sendflow/sendflow/internal/config"
	"github.com/sendflow/sendflow/internal/devidp"
	"github.com/sendflow/sendflow/internal/email"
	"github.com/sendflow/sendflow/internal/httpmw"
	"github.com/sendflow/sendflow/internal/staffweb"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/internal/telemetry"
	"github.com/sendflow/sendflow/internal/web"
	"github.com/sendflow/sendflow/policies"
	"github.com/sendflow/sendflow/workflows"
)

// HTTP is the running API server.
type HTTP struct {
	srv   *http.Server
	Addr  net.Addr
	pages *staffweb.Handler
}

// DevExtras are what `dev` adds to the HTTP server.
type DevExtras struct {
	// Mount mounts more routes (the dev mailbox).
	Mount func(*http.ServeMux)
	// SignIn runs the built-in identity provider for staff sign-in when none is configured.
	SignIn bool
}

// StartHTTP serves the API, the parents' pages and the staff pages on cfg.HTTPAddr; dev, if not
// nil, adds what `dev` serves besides; tel (nil for none) measures and traces each request.
func StartHTTP(
	cfg *config.Config,
	pool *pgxpool.Pool,
	c client.Client,
	key []byte,
	logger *slog.Logger,
	dev *DevExtras,
	tel *telemetry.Telemetry,
) (*HTTP, error) {
	st := &store.Store{DB: pool}
	authz, err := policies.New(st)
	if err != nil {
		return nil, err
	}
	timings, err := workflows.LoadTimings(cfg.TimingsFile)
	if err != nil {
		return nil, &config.Error{Env: "SENDFLOW_TIMINGS_FILE", Flag: "timings-file", Problem: err.Error()}
	}
	var verifier *auth.OIDC
	if cfg.OIDCIssuer != "" {
		if verifier, err = auth.NewOIDC(context.Background(), cfg.OIDCIssuer, cfg.OIDCAudience, cfg.OIDCJWKSURL); err != nil {
			return nil, &config.Error{Env: "SENDFLOW_OIDC_ISSUER", Flag: "oidc-issuer", Problem: err.Error()}
		}
	}
	codec, err := PayloadCodec(cfg)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	acts := &actions.Service{
		Store:     st,
		Authz:     authz,
		Temporal:  c,
		TaskQueue: cfg.TaskQueue,
		Timings:   timings,
		TimeScale: cfg.TimeScale,
		Wait:      cfg.ActionTimeout,
		Logger:    logger,
		Mail:      &email.Outbox{DB: pool},
		PublicURL: cfg.PublicURL,
	}
	var bundleKey ed25519.PrivateKey
	if cfg.BundleKeyFile != "" {
		data, err := os.ReadFile(cfg.BundleKeyFile)
		if err == nil {
			bundleKey, err = bundle.ParsePrivateKey(data)
		}
		if err != nil {
			return nil, &config.Error{Env: "SENDFLOW_BUNDLE_KEY_FILE", Flag: "bundle-key-file", Problem: err.Error()}
		}
	}
	acts.BundleKey = bundleKey
	humaAPI := api.New(
		mux,
		api.Deps{
			Store:             st,
			Authz:             authz,
			Temporal:          c,
			TemporalNamespace: cfg.TemporalNamespace,
			SigningKey:        key,
			Logger:            logger,
			OIDC:              verifier,
			Outbox:            &email.Outbox{DB: pool},
			PublicURL:         cfg.PublicURL,
			Actions:           acts,
			PayloadCodec:      codec,
			CodecCORSOrigin:   cfg.CodecCORSOrigin,
			BundleKey:         bundleKey,
		},
	)
	parents := web.New(
		web.Deps{
			Store:      st,
			Actions:    acts,
			SigningKey: key,
			PublicURL:  cfg.PublicURL,
			Logger:     logger,
			Outbox:     &email.Outbox{DB: pool},
		},
	)
	mux.Handle("/parent/", parents)
	mux.Handle("/parent", parents) // the parents' home page, without a redirect to /parent/
	signIn, devSignIn, err := staffSignIn(cfg, st, key, logger, dev, mux)
	if err != nil {
		return nil, err
	}
	pages, err := staffweb.New(
		staffweb.Deps{Store: st, DB: pool, Actions: acts, Authz: authz, SignIn: signIn, DevSignIn: devSignIn,
			PublicURL: cfg.PublicURL, SessionIdle: cfg.SessionIdle, SessionMax: cfg.SessionMax, Logger: logger},
	)
	if err != nil {
		return nil, err
	}
	pages.DocsFrom(humaAPI.OpenAPI())
	// An API address that names no operation is the API's 404, not a staff page.
	mux.Handle("/v1/", http.NotFoundHandler())
	mux.Handle("/", pages)
	if dev != nil && dev.Mount != nil {
		dev.Mount(mux)
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return nil, &config.Error{Env: "SENDFLOW_HTTP_ADDR", Flag: "http-addr", Problem: err.Error()}
	}
	srv := &http.Server{
		Handler:           tel.HTTP(staffweb.OldLinks(protect(mux, cfg))),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("http server stopped", "error", err)
		}
	}()
	logger.Info("API listening", "url", "http://"+ln.Addr().String(), "docs", "http://"+ln.Addr().String()+"/docs")
	return &HTTP{srv: srv, Addr: ln.Addr(), pages: pages}, nil
}

// protect puts every surface on mux behind the same middleware (internal/httpmw): security
// headers, a request id, rate limits, the body limit and deadline, and the API's refusal of
// invisible control characters. Signing in, by API or on the parents' sign-in page, gets a tenth
// of the allowance, so links cannot be used to flood a parent's inbox or guess secrets.
func protect(mux *http.ServeMux, cfg *config.Config) http.Handler {
	return httpmw.Protect(api.RefuseControls(mux), httpmw.Options{PerMinute: cfg.RateLimit,
		SignInPaths: []string{
			"/v1/auth/",
			"/parent/sign-in",
		}, MaxBody: api.MaxBody, TrustedProxies: cfg.TrustedProxies})
}

// staffSignIn is how staff sign in to the pages: the school's identity provider when one is
// configured; in `dev` without one, the built-in provider (mounted on mux) with the demo staff.
func staffSignIn(
	cfg *config.Config,
	st *store.Store,
	key []byte,
	logger *slog.Logger,
	dev *DevExtras,
	mux *http.ServeMux,
) (*auth.CodeFlow, bool, error) {
	callback := cfg.PublicURL + "/sign-in/callback"
	if cfg.OIDCIssuer != "" {
		return &auth.CodeFlow{
			Issuer:       cfg.OIDCIssuer,
			ClientID:     cfg.OIDCAudience,
			ClientSecret: cfg.OIDCClientSecret,
			RedirectURL:  callback,
		}, false, nil
	}
	if dev == nil || !dev.SignIn {
		return nil, false, nil
	}
	idp, err := devidp.New(cfg.PublicURL+"/dev/oidc", callback, key, staffDirectory{st}, logger)
	if err != nil {
		return nil, false, err
	}
	mux.Handle("/dev/oidc/", idp)
	return &auth.CodeFlow{
		Issuer:       idp.Issuer,
		ClientID:     devidp.ClientID,
		ClientSecret: idp.ClientSecret,
		RedirectURL:  callback,
	}, true, nil
}

// staffDirectory gives the dev identity provider the people who may sign in.
type staffDirectory struct{ st *store.Store }

func (d staffDirectory) People(ctx context.Context) ([]devidp.Person, error) {
	people, err := d.st.StaffPeople(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]devidp.Person, len(people))
	for i, p := range people {
		out[i] = devidp.Person{ID: p.ID, Email: p.Email, Name: p.Name, Roles: p.Roles}
	}
	return out, nil
}

func (d staffDirectory) Person(ctx context.Context, id string) (*devidp.Person, error) {
	u, err := d.st.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	return &devidp.Person{ID: u.ID, Email: u.Email, Name: u.Name}, nil
}

// Stop lets in-flight requests finish.
func (h *HTTP) Stop(ctx context.Context) error {
	defer h.pages.Close()
	if err := h.srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("stop http server: %w", err)
	}
	return nil
}
