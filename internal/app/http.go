package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/sendflow/sendflow/actions"
	"github.com/sendflow/sendflow/activities/email"
	"github.com/sendflow/sendflow/api"
	"github.com/sendflow/sendflow/internal/auth"
	"github.com/sendflow/sendflow/internal/config"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/internal/telemetry"
	"github.com/sendflow/sendflow/internal/web"
	"github.com/sendflow/sendflow/policies"
	"github.com/sendflow/sendflow/workflows"
)

// HTTP is the running API server.
type HTTP struct {
	srv  *http.Server
	Addr net.Addr
}

// StartHTTP serves the API on cfg.HTTPAddr; extra mounts more routes (the dev mailbox); tel (nil
// for none) measures and traces each request.
func StartHTTP(cfg *config.Config, pool *pgxpool.Pool, c client.Client, key []byte, logger *slog.Logger, extra func(*http.ServeMux), tel *telemetry.Telemetry) (*HTTP, error) {
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
	acts := &actions.Service{Store: st, Authz: authz, Temporal: c, TaskQueue: cfg.TaskQueue, Timings: timings, TimeScale: cfg.TimeScale,
		Wait: cfg.ActionTimeout, Logger: logger}
	api.New(mux, api.Deps{Store: st, Authz: authz, Temporal: c, TemporalNamespace: cfg.TemporalNamespace, SigningKey: key, Logger: logger, OIDC: verifier, Outbox: &email.Outbox{DB: pool}, PublicURL: cfg.PublicURL, Actions: acts,
		PayloadCodec: codec, CodecCORSOrigin: cfg.CodecCORSOrigin})
	parents := web.New(web.Deps{Store: st, Actions: acts, SigningKey: key, PublicURL: cfg.PublicURL, Logger: logger, Outbox: &email.Outbox{DB: pool}})
	mux.Handle("/parent/", parents)
	mux.Handle("/parent", parents) // the parents' home page, without a redirect to /parent/
	if extra != nil {
		extra(mux)
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return nil, &config.Error{Env: "SENDFLOW_HTTP_ADDR", Flag: "http-addr", Problem: err.Error()}
	}
	srv := &http.Server{
		Handler:           tel.HTTP(api.Handler(mux, cfg.RateLimit, cfg.TrustedProxies...)),
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
	return &HTTP{srv: srv, Addr: ln.Addr()}, nil
}

// Stop lets in-flight requests finish.
func (h *HTTP) Stop(ctx context.Context) error {
	if err := h.srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("stop http server: %w", err)
	}
	return nil
}
