// Command sendflow is the one binary: dev, serve, worker, migrate and token.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/sendflow/sendflow/api"
	"github.com/sendflow/sendflow/internal/app"
	"github.com/sendflow/sendflow/internal/auth"
	"github.com/sendflow/sendflow/internal/capacity"
	"github.com/sendflow/sendflow/internal/config"
	"github.com/sendflow/sendflow/internal/devkit/devpg"
	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/internal/telemetry"
)

const usage = `sendflow: the SEND graduated approach and referral pathway, as durable workflows.

Usage: sendflow <command> [flags]

Commands:
  dev       everything in one process on embedded defaults, with a demo school
  serve     the API, against external PostgreSQL and Temporal
  worker    the Temporal worker and email sender, against external services
  migrate   apply database migrations and exit
  token     print a bearer token for a user: sendflow token --email EMAIL
  admin     set up a fresh installation: the first system administrator, a local authority,
            a trust and a school (sendflow admin -h); running it again changes nothing
  namespace register the Temporal namespace (SENDFLOW_TEMPORAL_NAMESPACE) if it is missing,
            waiting for Temporal to answer: sendflow namespace [--retention 720h] [--wait 2m]
  config    print every setting as a Markdown table
  openapi   print the API's OpenAPI document (--version 3.0 for generators that need it)
  bench     measure writes, reads and a worker's memory on a fresh stack of its own (-h: counts)
  capacity  size a deployment for a school, a large authority and England from measured costs
            (docs/capacity.md; -h: the inputs)
  provision load a school's provision catalogue file: sendflow provision load --school ID FILE
  repair    list pupils' workflows that stopped on a fault (--stuck: also those held by a failing
            task or a retrying activity); --reset restarts each stopped one with its history kept

Every setting is a flag or an environment variable: sendflow <command> -h lists them.
`

const tokenUsage = `Usage: sendflow token --email EMAIL [--ttl DURATION]

Prints a bearer token for an existing user, signed with SENDFLOW_SIGNING_KEY (the key serve
uses); beside sendflow dev, with the key dev keeps in its data dir.

  sendflow token --email ops@council.example --ttl 1h

`

const provisionUsage = `Usage: sendflow provision load --school ID FILE

Loads a new version of a school's provision catalogue (catalogue/README.md) against
DATABASE_URL, with the checks the SENDCo's upload makes: every problem is printed with its line
and a file with any problem loads nothing; the same file again changes nothing.

  sendflow provision load --school 5c0f0000-0000-4000-8000-000000000001 provision-2027.yaml

`

const adminUsage = `Usage: sendflow admin [--admin-email EMAIL --admin-name NAME]
                      [--directory-files FILE | --la-code CODE --la-name NAME --la-sendiass CONTACT --la-mediation CONTACT]
                      [--trust NAME] [--school NAME [--la-code CODE] [--school-ages LOW-HIGH]]

Sets up a fresh installation against DATABASE_URL (after sendflow migrate): the first system
administrator, a local authority (from its agency directory file, or by name and contacts), a
trust and a school. Whatever is already there is left as it is, so running it again changes
nothing; each line it prints says what it found or made. For example:

  sendflow admin --admin-email ops@council.example --admin-name "Olu Adeyemi" \
    --directory-files catalogue/directory-demo.yaml \
    --trust "Oak Learning Trust" --school "Oakfield Primary" --school-ages 4-11

`

// synopsis shows a command's own usage before the flags.
func synopsis(fs *flag.FlagSet, text string) func() {
	return func() {
		fmt.Fprint(fs.Output(), text)
		fmt.Fprintln(fs.Output(), "Flags (a setting can also be given by the environment variable shown):")
		fs.PrintDefaults()
	}
}

func main() {
	if err := run(os.Args[1:], os.Getenv, os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return // -h printed what was asked for
		}
		fmt.Fprintln(os.Stderr, "sendflow:", err)
		os.Exit(1)
	}
}

func run(args []string, getenv func(string) string, out io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(out, usage)
		return errors.New("name a command")
	}
	cmd, rest := args[0], args[1:]
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch cmd {
	case "dev":
		cfg, logger, err := setup(cmd, rest, getenv, nil)
		if err != nil {
			return err
		}
		return dev(ctx, cfg, logger, out)
	case "serve":
		cfg, logger, err := setup(cmd, rest, getenv, nil)
		if err != nil {
			return err
		}
		return serve(ctx, cfg, logger)
	case "worker":
		cfg, logger, err := setup(cmd, rest, getenv, nil)
		if err != nil {
			return err
		}
		return runWorker(ctx, cfg, logger)
	case "migrate":
		cfg, logger, err := setup(cmd, rest, getenv, nil)
		if err != nil {
			return err
		}
		if err := cfg.Require("DATABASE_URL"); err != nil {
			return err
		}
		pool, err := app.OpenDatabase(ctx, cfg, cfg.DatabaseURL, true, 2, logger)
		if err != nil {
			return err
		}
		pool.Close()
		logger.Info("database is up to date")
		return nil
	case "token":
		var email string
		var ttl time.Duration
		cfg, logger, err := setup(cmd, rest, getenv, func(fs *flag.FlagSet) {
			fs.Usage = synopsis(fs, tokenUsage)
			fs.StringVar(&email, "email", "", "the `EMAIL` of an existing user (sendflow admin makes the first)")
			fs.DurationVar(
				&ttl,
				"ttl",
				12*time.Hour,
				"how long the token is valid, a `DURATION` such as 12h (at most 720h)",
			)
		})
		if err != nil {
			return err
		}
		return token(ctx, cfg, logger, email, ttl, out)
	case "admin":
		var o app.BootstrapOptions
		var ages string
		cfg, logger, err := setup(cmd, rest, getenv, func(fs *flag.FlagSet) {
			fs.Usage = synopsis(fs, adminUsage)
			fs.StringVar(
				&o.AdminEmail,
				"admin-email",
				"",
				"the first system administrator's `EMAIL` (the address their sign-in uses)",
			)
			fs.StringVar(&o.AdminName, "admin-name", "", "the system administrator's `NAME`, as people see it")
			fs.StringVar(
				&o.LACode,
				"la-code",
				"",
				"the school's local authority `CODE` (e.g. 999): one already loaded, one from --directory-files, or a new one with --la-name, --la-sendiass and --la-mediation",
			)
			fs.StringVar(
				&o.LAName,
				"la-name",
				"",
				"a new local authority's `NAME`, e.g. \"Demoshire Council\" (better: load its directory file with --directory-files)",
			)
			fs.StringVar(
				&o.LASENDIASS,
				"la-sendiass",
				"",
				"a new local authority's SENDIASS `CONTACT`, quoted in every decision letter",
			)
			fs.StringVar(
				&o.LAMediation,
				"la-mediation",
				"",
				"a new local authority's mediation `CONTACT`, quoted in every decision letter",
			)
			fs.StringVar(&o.Trust, "trust", "", "a multi-academy trust's `NAME`; with --school, the school joins it")
			fs.StringVar(
				&o.School,
				"school",
				"",
				"a school's `NAME`, in the local authority of --la-code or --directory-files",
			)
			fs.StringVar(
				&ages,
				"school-ages",
				"",
				"the school's statutory age range `LOW-HIGH`, e.g. 4-11 for a primary school",
			)
		})
		if err != nil {
			return err
		}
		return admin(ctx, cfg, logger, o, ages, out)
	case "namespace":
		var retention, wait time.Duration
		cfg, logger, err := setup(cmd, rest, getenv, func(fs *flag.FlagSet) {
			fs.DurationVar(
				&retention,
				"retention",
				720*time.Hour,
				"how long Temporal keeps a closed workflow's history, a `DURATION` (720h is 30 days)",
			)
			fs.DurationVar(
				&wait,
				"wait",
				2*time.Minute,
				"how long to keep trying while Temporal does not answer, a `DURATION`",
			)
		})
		if err != nil {
			return err
		}
		wctx, cancel := context.WithTimeout(ctx, wait)
		defer cancel()
		return app.EnsureNamespace(wctx, cfg, retention, logger, out)
	case "config":
		printConfig(out)
		return nil
	case "openapi":
		fs := flag.NewFlagSet("sendflow openapi", flag.ContinueOnError)
		version := fs.String("version", "3.1", "OpenAPI version: 3.1 or 3.0")
		if err := fs.Parse(rest); err != nil {
			return err
		}
		return printOpenAPI(out, *version)
	case "bench":
		fs := flag.NewFlagSet("sendflow bench", flag.ContinueOnError)
		var o app.BenchOptions
		o.BindFlags(fs)
		if err := fs.Parse(rest); err != nil {
			return err
		}
		logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		o.Progress = func(format string, a ...any) { fmt.Fprintf(os.Stderr, "bench: "+format+"\n", a...) }
		r, err := app.Bench(ctx, o, logger)
		if err != nil {
			return err
		}
		r.Write(out)
		return nil
	case "capacity":
		return capacityPlan(rest, out)
	case "repair":
		var o app.RepairOptions
		cfg, logger, err := setup(cmd, rest, getenv, func(fs *flag.FlagSet) {
			fs.BoolVar(
				&o.Reset,
				"reset",
				false,
				"restart each stopped workflow from its last completed task, keeping its history",
			)
			fs.BoolVar(
				&o.Stuck,
				"stuck",
				false,
				"also list running workflows whose task keeps failing or whose activity keeps retrying",
			)
		})
		if err != nil {
			return err
		}
		return repair(ctx, cfg, logger, o, out)
	case "provision":
		if len(rest) == 0 || rest[0] != "load" {
			return errors.New("usage: sendflow provision load --school ID FILE")
		}
		args, file := rest[1:], ""
		if n := len(args); n > 0 && !strings.HasPrefix(args[n-1], "-") &&
			(n == 1 || strings.TrimLeft(args[n-2], "-") != "school") {
			args, file = args[:n-1], args[n-1]
		}
		var school string
		cfg, logger, err := setup("provision load", args, getenv, func(fs *flag.FlagSet) {
			fs.Usage = synopsis(fs, provisionUsage)
			fs.StringVar(&school, "school", "", "the school's `ID`")
		})
		if err != nil {
			return err
		}
		if school == "" || file == "" {
			return errors.New("usage: sendflow provision load --school ID FILE")
		}
		if err := cfg.Require("DATABASE_URL"); err != nil {
			return err
		}
		pool, err := store.Connect(ctx, cfg.DatabaseURL, 2)
		if err != nil {
			return err
		}
		defer pool.Close()
		logger.Debug("loading provision catalogue", "school", school)
		return app.LoadProvisionCatalogue(ctx, pool, school, file, out)
	case "help", "-h", "--help":
		fmt.Fprint(out, usage)
		return nil
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func setup(
	cmd string,
	args []string,
	getenv func(string) string,
	extra func(*flag.FlagSet),
) (*config.Config, *slog.Logger, error) {
	cfg, err := config.Parse(cmd, args, getenv, extra)
	if err != nil {
		return nil, nil, err
	}
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(logger)
	return cfg, logger, nil
}

func dev(ctx context.Context, cfg *config.Config, logger *slog.Logger, out io.Writer) error {
	d, err := app.StartDev(ctx, cfg, logger)
	if err != nil {
		return err
	}
	// The demo authority's past (finished assessments for its figures) and the demo school's
	// register; tests start without it.
	if err := seed.History(ctx, d.DB); err != nil {
		_ = d.Stop(context.Background())
		return err
	}
	tokens, err := d.Tokens()
	if err != nil {
		_ = d.Stop(context.Background())
		return err
	}
	if err := app.DemoProvision(ctx, d); err != nil {
		logger.Warn("the demo's costed plan was not set up", "error", err)
	}
	base := "http://" + d.HTTP.Addr.String()
	fmt.Fprintf(
		out,
		"\nsendflow dev is running.\n\n  Staff      %s/   (open in a browser; sign in as any demo member of staff)\n  API        %s   (docs: %s/docs)\n",
		base,
		base,
		base,
	)
	if d.Mailbox != nil {
		fmt.Fprintf(out, "  Mailbox    %s/dev/mail   (SMTP on 127.0.0.1:%d)\n", base, cfg.SMTPPort)
	}
	if cfg.MetricsAddr != "" {
		fmt.Fprintf(out, "  Metrics    http://%s/metrics\n", cfg.MetricsAddr)
	}
	fmt.Fprintf(
		out,
		"  PostgreSQL %s\n  Data       %s\n\nDemo users (bearer tokens, valid 30 days):\n",
		d.DBSource,
		cfg.DataDir,
	)
	for _, t := range tokens {
		fmt.Fprintf(out, "\n  %-18s %-32s %s\n  %s\n", t.Role, t.Email, t.Name, t.Token)
	}
	fmt.Fprintf(
		out,
		"\nTry it:\n  curl -s -X POST %s/v1/pupils/%s/concerns \\\n    -H \"Authorization: Bearer $TEACHER_TOKEN\" -H 'Content-Type: application/json' \\\n    -d '{\"areas\":[\"communication_and_interaction\"],\"observed\":\"Finds it hard to follow spoken instructions.\"}'\n",
		base,
		"5c0f0000-0000-4000-8000-0000000000a1",
	)
	fmt.Fprintf(out, "\nPress Ctrl-C to stop.\n")
	<-ctx.Done()
	logger.Info("stopping")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return d.Stop(sctx)
}

func serve(ctx context.Context, cfg *config.Config, logger *slog.Logger) error {
	if err := cfg.Require("DATABASE_URL", "TEMPORAL_ADDRESS", "SENDFLOW_SIGNING_KEY", "SENDFLOW_PAYLOAD_KEY"); err != nil {
		return err
	}
	pool, err := app.OpenDatabase(ctx, cfg, cfg.DatabaseURL, false, cfg.DBPool, logger)
	if err != nil {
		return err
	}
	defer pool.Close()
	tel, err := app.StartTelemetry(ctx, cfg, "serve", logger)
	if err != nil {
		return err
	}
	defer stopTelemetry(tel)
	c, err := app.DialTemporal(ctx, cfg, cfg.TemporalAddress, logger, tel)
	if err != nil {
		return err
	}
	defer c.Close()
	h, err := app.StartHTTP(cfg, pool, c, []byte(cfg.SigningKey), logger, nil, tel)
	if err != nil {
		return err
	}
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return h.Stop(sctx)
}

func runWorker(ctx context.Context, cfg *config.Config, logger *slog.Logger) error {
	if err := cfg.Require("DATABASE_URL", "TEMPORAL_ADDRESS", "SMTP_URL", "SENDFLOW_SIGNING_KEY", "SENDFLOW_PAYLOAD_KEY", "SENDFLOW_MAIL_FROM"); err != nil {
		return err
	}
	sender, err := app.NewSender(cfg.SMTPURL, logger)
	if err != nil {
		return err
	}
	pool, err := app.OpenDatabase(ctx, cfg, cfg.DatabaseURL, false, cfg.WorkerDBPool, logger)
	if err != nil {
		return err
	}
	defer pool.Close()
	tel, err := app.StartTelemetry(ctx, cfg, "worker", logger)
	if err != nil {
		return err
	}
	defer stopTelemetry(tel)
	app.WatchOutbox(tel, pool)
	c, err := app.DialTemporal(ctx, cfg, cfg.TemporalAddress, logger, tel)
	if err != nil {
		return err
	}
	defer c.Close()
	w, err := app.StartWorker(c, pool, cfg, []byte(cfg.SigningKey), sender, logger)
	if err != nil {
		return err
	}
	<-ctx.Done()
	w.Stop()
	return nil
}

// stopTelemetry flushes traces not yet sent and closes the metrics listener.
func stopTelemetry(tel *telemetry.Telemetry) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = tel.Shutdown(ctx)
}

// token prints a bearer token for an existing user. Without DATABASE_URL it looks where `dev`
// does, so it works beside a running `sendflow dev`.
func token(
	ctx context.Context,
	cfg *config.Config,
	logger *slog.Logger,
	email string,
	ttl time.Duration,
	out io.Writer,
) error {
	if email == "" {
		return errors.New("--email is required: the email of an existing user")
	}
	if ttl <= 0 || ttl > auth.MaxLifetime {
		return fmt.Errorf("--ttl %s: a token lives at most %s (720h)", ttl, auth.MaxLifetime)
	}
	key := []byte(cfg.SigningKey)
	if cfg.SigningKey == "" {
		// Only a key `dev` already keeps: one made up here would sign tokens no `serve` accepts.
		k, err := auth.LoadKey(cfg.DataDir)
		if errors.Is(err, os.ErrNotExist) {
			return &config.Error{Env: "SENDFLOW_SIGNING_KEY", Flag: "signing-key", Problem: fmt.Sprintf(
				"is required: give the key serve signs with (no sendflow dev keeps one in %s)", cfg.DataDir)}
		}
		if err != nil {
			return err
		}
		key = k
	}
	url := cfg.DatabaseURL
	if url == "" {
		pg, err := devpg.Ensure(
			ctx,
			devpg.Options{
				DataDir:  cfg.DataDir,
				Port:     cfg.PGPort,
				Database: app.DevDatabaseName(cfg.DataDir),
				Logger:   logger,
			},
		)
		if err != nil {
			return fmt.Errorf("find the dev database (or set DATABASE_URL): %w", err)
		}
		url = pg.URL
	}
	pool, err := store.Connect(ctx, url, 2)
	if err != nil {
		return err
	}
	defer pool.Close()
	u, err := (&store.Store{DB: pool}).UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no user has the email %q", email)
	}
	if err != nil {
		return err
	}
	t, err := auth.Issue(key, u.ID, u.Email, ttl, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintln(out, t)
	return nil
}

// admin runs the bootstrap against DATABASE_URL.
func admin(
	ctx context.Context,
	cfg *config.Config,
	logger *slog.Logger,
	o app.BootstrapOptions,
	ages string,
	out io.Writer,
) error {
	if err := cfg.Require("DATABASE_URL"); err != nil {
		return err
	}
	if ages != "" {
		var lo, hi int
		if n, err := fmt.Sscanf(ages, "%d-%d", &lo, &hi); err != nil || n != 2 || lo < 2 || hi > 25 || lo > hi {
			return fmt.Errorf("--school-ages %q: give the youngest and oldest age, e.g. 4-11", ages)
		}
		o.SchoolLowAge, o.SchoolHighAge = &lo, &hi
	}
	for _, f := range strings.Split(cfg.DirectoryFiles, ",") {
		if f = strings.TrimSpace(f); f != "" {
			o.DirectoryFiles = append(o.DirectoryFiles, f)
		}
	}
	pool, err := store.Connect(ctx, cfg.DatabaseURL, 2)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := app.Bootstrap(ctx, pool, o, out); err != nil {
		return err
	}
	o.Next(out)
	logger.Debug("bootstrap done")
	return nil
}

// repair lists (and with --reset restarts) stopped workflows. Without TEMPORAL_ADDRESS it talks
// to the server a running `sendflow dev` embeds, as token finds dev's database.
func repair(ctx context.Context, cfg *config.Config, logger *slog.Logger, o app.RepairOptions, out io.Writer) error {
	addr := cfg.TemporalAddress
	if addr == "" {
		addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(cfg.TemporalPort))
	}
	c, err := app.DialTemporal(ctx, cfg, addr, logger, nil)
	if err != nil {
		return fmt.Errorf("reach Temporal at %s (set TEMPORAL_ADDRESS): %w", addr, err)
	}
	defer c.Close()
	return app.Repair(ctx, c, cfg.TemporalNamespace, o, out)
}

func printConfig(out io.Writer) {
	fmt.Fprintln(out, "| Environment variable | Flag | Default | Used by | Meaning |")
	fmt.Fprintln(out, "|---|---|---|---|---|")
	for _, s := range config.Settings {
		def := s.Default
		if def == "" {
			def = "—"
		} else {
			def = "`" + def + "`"
		}
		fmt.Fprintf(
			out,
			"| `%s` | `--%s` | %s | %s | %s |\n",
			s.Env,
			s.Flag,
			def,
			s.Roles,
			strings.ReplaceAll(s.Usage, "|", "\\|"),
		)
	}
}

// printOpenAPI writes the API description without starting anything: operations are registered
// on a throwaway mux with no dependencies.
func printOpenAPI(out io.Writer, version string) error {
	doc := api.New(http.NewServeMux(), api.Deps{}).OpenAPI()
	var b []byte
	var err error
	switch version {
	case "3.1":
		b, err = json.MarshalIndent(doc, "", "  ")
	case "3.0":
		b, err = doc.Downgrade()
	default:
		return fmt.Errorf("--version must be 3.1 or 3.0, not %q", version)
	}
	if err != nil {
		return fmt.Errorf("encode OpenAPI document: %w", err)
	}
	_, err = fmt.Fprintln(out, string(b))
	return err
}

// capacityPlan prints the capacity model's plans: the three sizes of docs/capacity.md, or one of
// the caller's own, from the measured costs and assumptions, any of which a flag replaces.
func capacityPlan(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("sendflow capacity", flag.ContinueOnError)
	j, r, m, l := capacity.RecordedJourney, capacity.DefaultRates, capacity.BenchMeasured, capacity.DefaultLimits
	var s capacity.Scenario
	histories := fs.String(
		"histories",
		"",
		"measure the journey again from recorded histories: DIR/PREFIX (e.g. workflows/testdata/histories/journey5)",
	)
	fs.IntVar(
		&s.SENSupport,
		"sen-support",
		0,
		"size for this many pupils on SEN support (with --ehc-plans) instead of the three sizes",
	)
	fs.IntVar(&s.EHCPlans, "ehc-plans", 0, "pupils with an EHC plan, with --sen-support")
	fs.Float64Var(&r.CyclesPerYear, "cycles", r.CyclesPerYear, "plan-do-review cycles a year per pupil on SEN support")
	fs.Float64Var(&r.ReferralsPerYear, "referrals", r.ReferralsPerYear, "referrals a year per pupil on SEN support")
	fs.Float64Var(
		&r.EHCRequestsPerYear,
		"ehc-requests",
		r.EHCRequestsPerYear,
		"EHC needs assessments requested a year per pupil on SEN support",
	)
	fs.Float64Var(&r.ReadsPerAction, "reads-per-action", r.ReadsPerAction, "reads of a pupil's record per action on it")
	fs.Float64Var(
		&r.RecipientsPerAudience,
		"recipients",
		r.RecipientsPerAudience,
		"people an email to one audience reaches",
	)
	fs.Float64Var(&r.TermStartShare, "term-start-share", r.TermStartShare, "share of a term's work in its first weeks")
	fs.Float64Var(&r.TermStartHours, "term-start-hours", r.TermStartHours, "school hours those first weeks have")
	fs.Float64Var(
		&r.BusyHourFactor,
		"busy-hour",
		r.BusyHourFactor,
		"the busiest hour over the average hour of those weeks",
	)
	fs.Float64Var(
		&m.BytesPerCommit,
		"bytes-per-commit",
		m.BytesPerCommit,
		"PostgreSQL bytes of the read model per change (sendflow bench)",
	)
	fs.Float64Var(
		&m.BytesPerAuditRow,
		"bytes-per-audit-row",
		m.BytesPerAuditRow,
		"PostgreSQL bytes per audit row (sendflow bench)",
	)
	fs.Float64Var(
		&m.BytesPerEmail,
		"bytes-per-email",
		m.BytesPerEmail,
		"PostgreSQL bytes per outbox email (sendflow bench)",
	)
	fs.Float64Var(
		&m.WorkerTasksPerSecond,
		"worker-tasks",
		m.WorkerTasksPerSecond,
		"tasks a second one worker completes (sendflow bench)",
	)
	fs.Float64Var(
		&m.WorkerBytesPerPathway,
		"worker-bytes-per-pathway",
		m.WorkerBytesPerPathway,
		"worker memory per open pathway (sendflow bench)",
	)
	fs.Float64Var(
		&m.APIRequestsPerSecond,
		"api-reads",
		m.APIRequestsPerSecond,
		"reads a second one API replica answers (sendflow bench)",
	)
	fs.DurationVar(&l.WriteLatency, "write-latency", l.WriteLatency, "one persistence write on the Temporal database")
	fs.IntVar(
		&l.WorkflowsPerShard,
		"workflows-per-shard",
		l.WorkflowsPerShard,
		"open workflows a history shard should hold",
	)
	fs.Float64Var(&l.WorkerMemory, "worker-memory", l.WorkerMemory, "bytes of memory one worker replica may hold")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *histories != "" {
		var err error
		if j, err = capacity.MeasureJourney(filepath.Dir(*histories), filepath.Base(*histories)); err != nil {
			return err
		}
	}
	scenarios := capacity.Scenarios
	if s.SENSupport+s.EHCPlans > 0 {
		s.Name = fmt.Sprintf("%d on SEN support, %d with a plan", s.SENSupport, s.EHCPlans)
		scenarios = []capacity.Scenario{s}
	}
	plans := make([]capacity.Plan, len(scenarios))
	for i, sc := range scenarios {
		plans[i] = capacity.Size(sc, j, r, m, l)
	}
	capacity.WriteTable(out, plans)
	fmt.Fprintln(out)
	capacity.WriteInputs(out, j, r, m, l)
	return nil
}
