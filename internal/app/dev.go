package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/sendflow/sendflow/internal/auth"
	"github.com/sendflow/sendflow/internal/bundle"
	"github.com/sendflow/sendflow/internal/config"
	"github.com/sendflow/sendflow/internal/devkit/devpg"
	"github.com/sendflow/sendflow/internal/devkit/devtemporal"
	"github.com/sendflow/sendflow/internal/devkit/mailcapture"
	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/email"
	"github.com/sendflow/sendflow/internal/payloadcrypt"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/internal/telemetry"
)

// Dev is the whole stack in one process: what `sendflow dev` runs and what end-to-end tests start.
type Dev struct {
	Config *config.Config
	// DB is the API's pool; WorkerDB the worker's, so neither waits for the other's connections.
	DB       *pgxpool.Pool
	WorkerDB *pgxpool.Pool
	DBURL    string
	DBSource string
	Temporal client.Client
	// TemporalAddr is the frontend Temporal is dialled at: TEMPORAL_ADDRESS or the embedded server.
	TemporalAddr   string
	temporalServer *devtemporal.Server
	Mailbox        *mailcapture.Box // nil when SMTP_URL points at a real server
	HTTP           *HTTP
	// Worker runs the workflows and sends the mail; Stop stops whichever worker is here then.
	Worker *Worker
	Sender email.Sender
	Key    []byte
	stops  []func(context.Context) error
	logger *slog.Logger

	// Telemetry is the stack's metrics and tracing (served on SENDFLOW_METRICS_ADDR when set).
	Telemetry *telemetry.Telemetry
}

// DevToken is a demo user's bearer token.
type DevToken struct {
	seed.Person
	Token string
}

// StartDev starts PostgreSQL, the embedded Temporal server, the capture mailbox, the worker and
// the API, runs migrations and seeds the demo school. On error, whatever started is stopped.
func StartDev(ctx context.Context, cfg *config.Config, logger *slog.Logger) (_ *Dev, err error) {
	d := &Dev{Config: cfg, logger: logger}
	defer func() {
		if err != nil {
			d.Stop(context.Background())
		}
	}()
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, &config.Error{Env: "SENDFLOW_DATA_DIR", Flag: "data-dir", Problem: err.Error()}
	}
	if d.Key, err = devKey(cfg); err != nil {
		return nil, err
	}
	if cfg.PayloadKey == "" {
		if cfg.PayloadKey, err = payloadcrypt.LoadOrCreateKeyFile(filepath.Join(cfg.DataDir, "payload.key")); err != nil {
			return nil, &config.Error{Env: "SENDFLOW_PAYLOAD_KEY", Flag: "payload-key", Problem: err.Error()}
		}
	}

	if cfg.BundleKeyFile == "" {
		path := filepath.Join(cfg.DataDir, "bundle.key")
		if _, err := bundle.LoadOrCreateKeyFile(path); err != nil {
			return nil, &config.Error{Env: "SENDFLOW_BUNDLE_KEY_FILE", Flag: "bundle-key-file", Problem: err.Error()}
		}
		cfg.BundleKeyFile = path
	}

	d.DBURL, err = d.database(ctx)
	if err != nil {
		return nil, err
	}
	if d.DB, err = OpenDatabase(ctx, cfg, d.DBURL, true, cfg.DBPool, logger); err != nil {
		return nil, err
	}
	d.stops = append(d.stops, func(context.Context) error { d.DB.Close(); return nil })
	if d.WorkerDB, err = store.Connect(ctx, d.DBURL, cfg.WorkerDBPool); err != nil {
		return nil, err
	}
	d.stops = append(d.stops, func(context.Context) error { d.WorkerDB.Close(); return nil })
	if err := seed.Demo(ctx, d.DB); err != nil {
		return nil, err
	}

	d.TemporalAddr = cfg.TemporalAddress
	if d.TemporalAddr == "" {
		if err := d.StartTemporal(ctx); err != nil {
			return nil, err
		}
		d.stops = append(d.stops, func(context.Context) error { return d.StopTemporal() })
	}
	if d.Telemetry, err = StartTelemetry(ctx, cfg, "dev", logger); err != nil {
		return nil, err
	}
	d.stops = append(d.stops, d.Telemetry.Shutdown)
	WatchOutbox(d.Telemetry, d.WorkerDB)
	if d.Temporal, err = DialTemporal(ctx, cfg, d.TemporalAddr, logger, d.Telemetry); err != nil {
		return nil, err
	}
	d.stops = append(d.stops, func(context.Context) error { d.Temporal.Close(); return nil })

	sender, err := d.mail()
	if err != nil {
		return nil, err
	}
	d.Sender = sender
	if d.Worker, err = StartWorker(d.Temporal, d.WorkerDB, cfg, d.Key, sender, logger); err != nil {
		return nil, err
	}
	d.stops = append(d.stops, func(context.Context) error {
		if d.Worker != nil {
			d.Worker.Stop()
		}
		return nil
	})

	extra := &DevExtras{SignIn: true}
	if d.Mailbox != nil {
		extra.Mount = func(mux *http.ServeMux) { mux.Handle("/dev/", d.Mailbox.Handler()) }
	}
	if d.HTTP, err = StartHTTP(cfg, d.DB, d.Temporal, d.Key, logger, extra, d.Telemetry); err != nil {
		return nil, err
	}
	d.stops = append(d.stops, d.HTTP.Stop)
	return d, nil
}

// StartTemporal starts the embedded Temporal server on its SQLite file (again, after
// StopTemporal: its state is kept).
func (d *Dev) StartTemporal(ctx context.Context) error {
	ts, err := devtemporal.Start(ctx, devtemporal.Options{
		DatabaseFile: filepath.Join(d.Config.DataDir, "temporal.db"),
		Port:         d.Config.TemporalPort, Namespace: d.Config.TemporalNamespace, Logger: d.logger,
	})
	if err != nil {
		return &config.Error{Env: "SENDFLOW_TEMPORAL_PORT", Flag: "temporal-port", Problem: err.Error()}
	}
	d.temporalServer, d.TemporalAddr = ts, ts.HostPort
	return nil
}

// StopTemporal stops the embedded Temporal server, as an outage would.
func (d *Dev) StopTemporal() error {
	if d.temporalServer == nil {
		return nil
	}
	ts := d.temporalServer
	d.temporalServer = nil
	return ts.Stop()
}

// database picks DATABASE_URL, else a local server, else a private cluster in the data dir.
func (d *Dev) database(ctx context.Context) (string, error) {
	if d.Config.DatabaseURL != "" {
		d.DBSource = "DATABASE_URL"
		return d.Config.DatabaseURL, nil
	}
	pg, err := devpg.Ensure(
		ctx,
		devpg.Options{
			DataDir:  d.Config.DataDir,
			Port:     d.Config.PGPort,
			Database: DevDatabaseName(d.Config.DataDir),
			Logger:   d.logger,
		},
	)
	if err != nil {
		return "", fmt.Errorf("find or start PostgreSQL (or set DATABASE_URL): %w", err)
	}
	d.DBSource = pg.Source
	d.stops = append(d.stops, pg.Stop)
	return pg.URL, nil
}

// mail starts the capture mailbox unless SMTP_URL names a real server.
func (d *Dev) mail() (email.Sender, error) {
	if d.Config.SMTPURL != "" {
		return NewSender(d.Config.SMTPURL, d.logger)
	}
	box, err := mailcapture.Open(filepath.Join(d.Config.DataDir, "mail"), d.logger)
	if err != nil {
		return nil, err
	}
	if _, err := box.Start(fmt.Sprintf("127.0.0.1:%d", d.Config.SMTPPort)); err != nil {
		return nil, &config.Error{Env: "SENDFLOW_SMTP_PORT", Flag: "smtp-port", Problem: err.Error()}
	}
	d.Mailbox = box
	d.stops = append(d.stops, func(context.Context) error { return box.Close() })
	return NewSender(fmt.Sprintf("smtp://127.0.0.1:%d?tls=none", d.Config.SMTPPort), d.logger)
}

// Tokens signs a token for each demo user, valid for 30 days.
func (d *Dev) Tokens() ([]DevToken, error) {
	var out []DevToken
	for _, p := range seed.People {
		t, err := auth.Issue(d.Key, p.ID, p.Email, 30*24*time.Hour, time.Now())
		if err != nil {
			return nil, err
		}
		out = append(out, DevToken{Person: p, Token: t})
	}
	return out, nil
}

// Stop stops everything in reverse order of starting.
func (d *Dev) Stop(ctx context.Context) error {
	var errs []error
	for i := len(d.stops) - 1; i >= 0; i-- {
		if err := d.stops[i](ctx); err != nil {
			errs = append(errs, err)
		}
	}
	d.stops = nil
	return errors.Join(errs...)
}

// devKey is SENDFLOW_SIGNING_KEY if set, else the key kept in the data dir.
func devKey(cfg *config.Config) ([]byte, error) {
	if cfg.SigningKey != "" {
		return []byte(cfg.SigningKey), nil
	}
	return auth.LoadOrCreateKey(cfg.DataDir)
}

// DevDatabaseName is the database `dev` uses on a shared local server: one per data dir, so the
// read model always matches the embedded Temporal server's file beside it, and two instances
// with their own data dirs never share a database.
func DevDatabaseName(dataDir string) string {
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		abs = dataDir
	}
	sum := sha256.Sum256([]byte(abs))
	return "sendflow_" + hex.EncodeToString(sum[:4])
}
