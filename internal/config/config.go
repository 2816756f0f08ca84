// Package config reads sendflow's settings from flags and environment variables. Every setting is
// declared once in Settings, which drives parsing, validation, `sendflow help config` and the
// README table, so the documentation cannot drift from the code.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/sendflow/sendflow/internal/bundle"
	"github.com/sendflow/sendflow/internal/payloadcrypt"
	"github.com/sendflow/sendflow/workflows"
)

// Setting describes one configuration value.
type Setting struct {
	Env     string // environment variable
	Flag    string // command-line flag (without dashes)
	Default string // "" means none
	Usage   string
	Roles   string // which subcommands read it
}

// Settings is the single list of everything sendflow can be configured with.
var Settings = []Setting{
	{
		"DATABASE_URL",
		"database-url",
		"",
		"PostgreSQL URL. `dev`: if unset, uses a server on 127.0.0.1:5432 if one answers (database `sendflow`), else starts a private cluster in the data dir.",
		"all",
	},
	{
		"SMTP_URL",
		"smtp-url",
		"",
		"Outgoing mail server, e.g. `smtp://user:pass@mail:587?tls=starttls`, `smtps://…:465`, `smtp://mailpit:1025?tls=none`. `dev`: if unset, mail goes to the built-in capture mailbox.",
		"dev, worker",
	},
	{
		"TEMPORAL_ADDRESS",
		"temporal-address",
		"",
		"Temporal frontend host:port. `dev`: if unset, an embedded server is started.",
		"dev, serve, worker, namespace",
	},
	{
		"SENDFLOW_TEMPORAL_NAMESPACE",
		"temporal-namespace",
		"default",
		"Temporal namespace.",
		"dev, serve, worker, namespace",
	},
	{
		"SENDFLOW_TEMPORAL_TLS",
		"temporal-tls",
		"false",
		"Dial Temporal over TLS (true for Temporal Cloud).",
		"serve, worker, namespace",
	},
	{
		"SENDFLOW_TEMPORAL_TLS_CERT",
		"temporal-tls-cert",
		"",
		"Client certificate file for mTLS to Temporal (with SENDFLOW_TEMPORAL_TLS_KEY).",
		"serve, worker, namespace",
	},
	{
		"SENDFLOW_TEMPORAL_TLS_KEY",
		"temporal-tls-key",
		"",
		"Client key file for mTLS to Temporal.",
		"serve, worker, namespace",
	},
	{
		"SENDFLOW_TEMPORAL_TLS_CA",
		"temporal-tls-ca",
		"",
		"CA bundle to verify the Temporal server (system roots if unset).",
		"serve, worker, namespace",
	},
	{
		"SENDFLOW_TASK_QUEUE",
		"task-queue",
		"sendflow",
		"Temporal task queue shared by serve and worker.",
		"dev, serve, worker",
	},
	{"SENDFLOW_HTTP_ADDR", "http-addr", "127.0.0.1:8080", "Address the API listens on.", "dev, serve"},
	{
		"SENDFLOW_PUBLIC_URL",
		"public-url",
		"",
		"Base URL people reach sendflow at, used in email links (default http://<http-addr>).",
		"dev, serve, worker",
	},
	{
		"SENDFLOW_DATA_DIR",
		"data-dir",
		".sendflow",
		"`dev`: where the embedded Temporal database, private PostgreSQL, captured mail and signing key live.",
		"dev, token",
	},
	{
		"SENDFLOW_TEMPORAL_PORT",
		"temporal-port",
		"7233",
		"`dev`: frontend port of the embedded Temporal server; it also uses the next three ports.",
		"dev",
	},
	{"SENDFLOW_SMTP_PORT", "smtp-port", "1025", "`dev`: port of the capture mailbox's SMTP server.", "dev"},
	{
		"SENDFLOW_PG_PORT",
		"pg-port",
		"5499",
		"`dev`: port of the private PostgreSQL cluster, when one is started.",
		"dev",
	},
	{
		"SENDFLOW_SIGNING_KEY",
		"signing-key",
		"",
		"Key (32+ characters) that signs local bearer tokens and the links in parents' emails. Required by `serve` and `worker`, which must share it; `dev` and `token` use the key kept in the data dir (made on first use) when unset.",
		"dev, serve, worker, token",
	},
	{
		"SENDFLOW_PAYLOAD_KEY",
		"payload-key",
		"",
		"Key that encrypts every workflow payload before it reaches Temporal: 64 hexadecimal characters (`openssl rand -hex 32`). Required by `serve` and `worker`, which must share it; `dev` uses the key kept in the data dir (made on first use) when unset. Keep it safe: without it running pathways cannot be read.",
		"dev, serve, worker",
	},
	{
		"SENDFLOW_PAYLOAD_OLD_KEYS",
		"payload-old-keys",
		"",
		"Earlier payload keys, comma-separated, still used to decrypt after SENDFLOW_PAYLOAD_KEY is rotated.",
		"dev, serve, worker",
	},
	{
		"SENDFLOW_BUNDLE_KEY_FILE",
		"bundle-key-file",
		"",
		"File holding the Ed25519 private key that signs portable records (bundles) of pupils exported to another sendflow: PEM (`openssl genpkey -algorithm ed25519`) or base64 of the 32-byte seed. Its public half is served at /.well-known/sendflow-bundle-key. Unset: `serve` exports no bundles; `dev` uses the key kept in the data dir (made on first use).",
		"dev, serve",
	},
	{
		"SENDFLOW_MAIL_FROM",
		"mail-from",
		"",
		"The address every email is sent from, on a domain your mail relay may send for (e.g. `no-reply@sendflow.yourcouncil.gov.uk`). Mail about a pupil goes out under the school's name at this address, with replies to the school's contact email; mail about no one school keeps this setting's name. Required by `worker`; `dev` uses `sendflow <no-reply@sendflow.localhost>` (its mail stays in the capture mailbox).",
		"dev, worker",
	},
	{
		"SENDFLOW_OIDC_ISSUER",
		"oidc-issuer",
		"",
		"Staff sign-in: the school's identity provider, e.g. `https://login.microsoftonline.com/<tenant>/v2.0` (Entra ID) or `https://accounts.google.com`. Staff sign in to the pages with it (authorization code flow with PKCE) and API tokens from it are accepted; both are mapped to users by email. `dev`: if unset, the pages use a built-in provider with the demo staff.",
		"dev, serve",
	},
	{
		"SENDFLOW_OIDC_AUDIENCE",
		"oidc-audience",
		"",
		"The client (application) id sendflow is registered under at the identity provider: staff tokens must be issued for it. Required with SENDFLOW_OIDC_ISSUER. Register `<public url>/sign-in/callback` as its redirect URI.",
		"dev, serve",
	},
	{
		"SENDFLOW_OIDC_CLIENT_SECRET",
		"oidc-client-secret",
		"",
		"The client secret the identity provider gave sendflow, for staff sign-in to the pages (unset for a public client, which then relies on PKCE alone).",
		"dev, serve",
	},
	{
		"SENDFLOW_OIDC_JWKS_URL",
		"oidc-jwks-url",
		"",
		"Where the identity provider publishes its signing keys; unset uses the issuer's discovery document.",
		"dev, serve",
	},
	{
		"SENDFLOW_SESSION_IDLE",
		"session-idle",
		"1h",
		"Staff pages: a session unused this long ends, and the next page asks to sign in again (what a form held is kept for after).",
		"dev, serve",
	},
	{
		"SENDFLOW_SESSION_MAX",
		"session-max",
		"12h",
		"Staff pages: the longest a session lasts however busy, before signing in again.",
		"dev, serve",
	},
	{
		"SENDFLOW_DB_POOL",
		"db-pool",
		"16",
		"Most PostgreSQL connections the API holds (serve; in `dev`, the API's own pool).",
		"dev, serve",
	},
	{
		"SENDFLOW_WORKER_DB_POOL",
		"worker-db-pool",
		"8",
		"Most PostgreSQL connections the worker holds for its activities and the email sender (worker; in `dev`, the worker's own pool, so the API and the worker never wait for each other's connections).",
		"dev, worker",
	},
	{
		"SENDFLOW_WORKER_CACHE",
		"worker-cache",
		"10000",
		"Most pupils' workflows the worker keeps in memory between their steps (each about 50 KiB of resident memory: 10000 is about 500 MiB). A workflow not kept is rebuilt from its history the next time it acts; most pathways sleep for weeks, so a smaller cache costs little.",
		"dev, worker",
	},
	{
		"SENDFLOW_ACTION_TIMEOUT",
		"action-timeout",
		"10s",
		"How long an action waits for the pupil's workflow before the API answers 503 with Retry-After (the action is then finished by sending it again with the same Idempotency-Key).",
		"dev, serve",
	},
	{
		"SENDFLOW_RATE_LIMIT",
		"rate-limit",
		"300",
		"Requests per minute each client (IP address) may make; more get 429 with Retry-After. Sign-in requests are limited to a tenth of it.",
		"dev, serve",
	},
	{
		"SENDFLOW_TRUSTED_PROXIES",
		"trusted-proxies",
		"",
		"Comma-separated addresses or CIDR ranges of the reverse proxies in front of the API, e.g. `10.0.0.0/8,192.0.2.7`. A request from one of them is counted against the client its X-Forwarded-For names (the nearest address that is not a trusted proxy); from anywhere else, X-Forwarded-For is ignored. Unset: every request counts against the address it comes from, so behind a proxy all clients share one allowance.",
		"dev, serve",
	},
	{
		"SENDFLOW_OAG_FILES",
		"oag-files",
		"",
		"Comma-separated OAG catalogue files (YAML, see catalogue/README.md) to load; each version is kept. With none loaded ever, the example catalogue is used.",
		"dev, serve, worker, migrate",
	},
	{
		"SENDFLOW_DIRECTORY_FILES",
		"directory-files",
		"",
		"Comma-separated agency directory files (YAML, one per local authority: contacts, services, readiness rules). `dev` loads the demo directory; `admin` creates each authority from its file.",
		"dev, serve, worker, migrate, admin",
	},
	{
		"SENDFLOW_TIMINGS_FILE",
		"timings-file",
		"",
		"YAML file of the local authority's timings (trial window, review reminders, statutory limits); unset uses the defaults in workflows/timings.default.yaml. Statutory limits may be tightened, never loosened: a file that loosens one stops start-up, naming the key and the law. Read by new pathways.",
		"dev, serve",
	},
	{
		"SENDFLOW_TIME_SCALE",
		"time-scale",
		"1",
		"Divides every workflow timer, for demos and end-to-end tests (10080 makes a week pass in a minute); dates shown stay calendar dates. Read by new pathways. Never set it in production.",
		"dev, serve",
	},
	{"SENDFLOW_LOG_LEVEL", "log-level", "info", "debug, info, warn or error.", "all"},
	{
		"SENDFLOW_METRICS_ADDR",
		"metrics-addr",
		"",
		"Address that serves Prometheus metrics at `/metrics`, e.g. `127.0.0.1:9464` (see README, Observability); unset, no metrics are collected. It needs no sign-in: keep it off the public network. Never the API's address.",
		"dev, serve, worker",
	},
	{
		"SENDFLOW_OTLP_ENDPOINT",
		"otlp-endpoint",
		"",
		"OpenTelemetry collector that traces are sent to over OTLP/gRPC, e.g. `http://127.0.0.1:4317` (`https://` for TLS); unset, tracing is off. Spans carry operation names, workflow and activity types and ids, never names or what people typed.",
		"dev, serve, worker",
	},
	{
		"SENDFLOW_TRACE_SAMPLE",
		"trace-sample",
		"1",
		"Share of new traces recorded, from 0 to 1, when SENDFLOW_OTLP_ENDPOINT is set (a request inside a sampled trace is always recorded).",
		"dev, serve, worker",
	},
	{
		"SENDFLOW_CODEC_CORS_ORIGIN",
		"codec-cors-origin",
		"",
		"Origin of the Temporal UI, e.g. `http://localhost:8233`, allowed to call the codec server (`/codec/decode`, `/codec/encode`) from the browser; unset, no other origin may (the `temporal` CLI needs none).",
		"dev, serve",
	},
}

// Config holds parsed settings.
type Config struct {
	DatabaseURL       string
	SMTPURL           string
	TemporalAddress   string
	TemporalNamespace string
	TemporalTLS       bool
	TemporalTLSCert   string
	TemporalTLSKey    string
	TemporalTLSCA     string
	TaskQueue         string
	HTTPAddr          string
	PublicURL         string
	DataDir           string
	TemporalPort      int
	SMTPPort          int
	PGPort            int
	SigningKey        string
	PayloadKey        string
	PayloadOldKeys    string
	// BundleKeyFile holds the Ed25519 key that signs exported portable records.
	BundleKeyFile    string
	TimingsFile      string
	OAGFiles         string
	DirectoryFiles   string
	OIDCIssuer       string
	OIDCAudience     string
	OIDCJWKSURL      string
	OIDCClientSecret string
	SessionIdle      time.Duration
	SessionMax       time.Duration
	RateLimit        int
	TrustedProxies   []netip.Prefix
	DBPool           int
	WorkerDBPool     int
	WorkerCache      int
	ActionTimeout    time.Duration
	TimeScale        float64
	MailFrom         string
	LogLevel         string
	MetricsAddr      string
	OTLPEndpoint     string
	TraceSample      float64
	CodecCORSOrigin  string
}

// DevMailFrom is the sending address of commands other than worker when SENDFLOW_MAIL_FROM is
// unset: dev's mail stays in its capture mailbox.
const DevMailFrom = "sendflow <no-reply@sendflow.localhost>"

// Error names the setting that is wrong, so start-up messages point at what to fix.
type Error struct {
	Env, Flag, Problem string
}

func (e *Error) Error() string {
	return fmt.Sprintf("setting %s (--%s): %s", e.Env, e.Flag, e.Problem)
}

// Parse reads flags from args, falling back to the environment and then to defaults. extra, if
// not nil, adds a subcommand's own flags.
func Parse(cmd string, args []string, getenv func(string) string, extra func(*flag.FlagSet)) (*Config, error) {
	fs := flag.NewFlagSet("sendflow "+cmd, flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	if extra != nil {
		extra(fs)
	}
	vals := map[string]*string{}
	for _, s := range Settings {
		v := s.Default
		if e := getenv(s.Env); e != "" {
			v = e
		}
		// The flag package shows a usage's first `quoted` word as the flag's placeholder: the
		// help text's own quotes are dropped and the placeholder given at the end.
		vals[s.Env] = fs.String(
			s.Flag,
			v,
			strings.ReplaceAll(s.Usage, "`", "")+" (env "+s.Env+"=`"+Placeholder(s.Env)+"`)",
		)
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf(
			"unexpected argument %q; settings are flags like --http-addr or environment variables",
			fs.Arg(0),
		)
	}
	get := func(env string) string { return strings.TrimSpace(*vals[env]) }
	c := &Config{
		DatabaseURL:       get("DATABASE_URL"),
		SMTPURL:           get("SMTP_URL"),
		TemporalAddress:   get("TEMPORAL_ADDRESS"),
		TemporalNamespace: get("SENDFLOW_TEMPORAL_NAMESPACE"),
		TemporalTLSCert:   get("SENDFLOW_TEMPORAL_TLS_CERT"),
		TemporalTLSKey:    get("SENDFLOW_TEMPORAL_TLS_KEY"),
		TemporalTLSCA:     get("SENDFLOW_TEMPORAL_TLS_CA"),
		TaskQueue:         get("SENDFLOW_TASK_QUEUE"),
		HTTPAddr:          get("SENDFLOW_HTTP_ADDR"),
		PublicURL:         strings.TrimRight(get("SENDFLOW_PUBLIC_URL"), "/"),
		DataDir:           get("SENDFLOW_DATA_DIR"),
		SigningKey:        get("SENDFLOW_SIGNING_KEY"),
		PayloadKey:        get("SENDFLOW_PAYLOAD_KEY"),
		PayloadOldKeys:    get("SENDFLOW_PAYLOAD_OLD_KEYS"),
		BundleKeyFile:     get("SENDFLOW_BUNDLE_KEY_FILE"),
		TimingsFile:       get("SENDFLOW_TIMINGS_FILE"),
		OAGFiles:          get("SENDFLOW_OAG_FILES"),
		DirectoryFiles:    get("SENDFLOW_DIRECTORY_FILES"),
		OIDCIssuer:        get("SENDFLOW_OIDC_ISSUER"),
		OIDCAudience:      get("SENDFLOW_OIDC_AUDIENCE"),
		OIDCJWKSURL:       get("SENDFLOW_OIDC_JWKS_URL"),
		OIDCClientSecret:  get("SENDFLOW_OIDC_CLIENT_SECRET"),
		MailFrom:          get("SENDFLOW_MAIL_FROM"),
		LogLevel:          get("SENDFLOW_LOG_LEVEL"),
		MetricsAddr:       get("SENDFLOW_METRICS_ADDR"),
		OTLPEndpoint:      get("SENDFLOW_OTLP_ENDPOINT"),
		CodecCORSOrigin:   strings.TrimRight(get("SENDFLOW_CODEC_CORS_ORIGIN"), "/"),
	}
	var errs []error
	bad := func(env, problem string) {
		for _, s := range Settings {
			if s.Env == env {
				errs = append(errs, &Error{Env: env, Flag: s.Flag, Problem: problem})
			}
		}
	}
	var err error
	if c.TemporalTLS, err = strconv.ParseBool(get("SENDFLOW_TEMPORAL_TLS")); err != nil {
		bad("SENDFLOW_TEMPORAL_TLS", "must be true or false")
	}
	port := func(env string) int {
		p, err := strconv.Atoi(get(env))
		if err != nil || p < 1 || p > 65535 {
			bad(env, fmt.Sprintf("%q is not a port number (1-65535)", get(env)))
		}
		return p
	}
	if c.TimeScale, err = strconv.ParseFloat(get("SENDFLOW_TIME_SCALE"), 64); err != nil || c.TimeScale < 1 ||
		c.TimeScale > 1e7 {
		bad("SENDFLOW_TIME_SCALE", "must be a number from 1 (real time) to 10000000")
	}
	pool := func(env string) int {
		n, err := strconv.Atoi(get(env))
		if err != nil || n < 2 || n > 1000 {
			bad(env, fmt.Sprintf("%q must be a whole number of connections from 2 to 1000", get(env)))
		}
		return n
	}
	c.DBPool, c.WorkerDBPool = pool("SENDFLOW_DB_POOL"), pool("SENDFLOW_WORKER_DB_POOL")
	if c.WorkerCache, err = strconv.Atoi(get("SENDFLOW_WORKER_CACHE")); err != nil || c.WorkerCache < 1 ||
		c.WorkerCache > 1000000 {
		bad(
			"SENDFLOW_WORKER_CACHE",
			fmt.Sprintf("%q must be a whole number of workflows from 1 to 1000000", get("SENDFLOW_WORKER_CACHE")),
		)
	}
	if c.ActionTimeout, err = time.ParseDuration(get("SENDFLOW_ACTION_TIMEOUT")); err != nil ||
		c.ActionTimeout < time.Second ||
		c.ActionTimeout > 5*time.Minute {
		bad(
			"SENDFLOW_ACTION_TIMEOUT",
			fmt.Sprintf("%q must be a duration from 1s to 5m, such as 10s", get("SENDFLOW_ACTION_TIMEOUT")),
		)
	}
	if c.SessionIdle, err = time.ParseDuration(get("SENDFLOW_SESSION_IDLE")); err != nil ||
		c.SessionIdle < time.Minute ||
		c.SessionIdle > 24*time.Hour {
		bad(
			"SENDFLOW_SESSION_IDLE",
			fmt.Sprintf("%q must be a duration from 1m to 24h, such as 1h", get("SENDFLOW_SESSION_IDLE")),
		)
	}
	if c.SessionMax, err = time.ParseDuration(get("SENDFLOW_SESSION_MAX")); err != nil || c.SessionMax < time.Minute ||
		c.SessionMax > 7*24*time.Hour {
		bad(
			"SENDFLOW_SESSION_MAX",
			fmt.Sprintf("%q must be a duration from 1m to 168h, such as 12h", get("SENDFLOW_SESSION_MAX")),
		)
	} else if c.SessionIdle > c.SessionMax {
		bad("SENDFLOW_SESSION_IDLE", "must not be longer than SENDFLOW_SESSION_MAX")
	}
	if c.RateLimit, err = strconv.Atoi(get("SENDFLOW_RATE_LIMIT")); err != nil || c.RateLimit < 10 {
		bad("SENDFLOW_RATE_LIMIT", "must be a whole number of requests per minute, at least 10")
	}
	for _, p := range strings.Split(get("SENDFLOW_TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			addr, aerr := netip.ParseAddr(p)
			if aerr != nil {
				bad(
					"SENDFLOW_TRUSTED_PROXIES",
					fmt.Sprintf("%q is not an IP address or CIDR range such as 10.0.0.0/8", p),
				)
				continue
			}
			prefix = netip.PrefixFrom(addr, addr.BitLen())
		}
		c.TrustedProxies = append(c.TrustedProxies, prefix.Masked())
	}
	if c.OIDCIssuer != "" {
		if u, err := url.Parse(c.OIDCIssuer); err != nil ||
			u.Scheme != "https" && u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost" {
			bad("SENDFLOW_OIDC_ISSUER", "must be an https:// URL")
		}
		if c.OIDCAudience == "" {
			bad("SENDFLOW_OIDC_AUDIENCE", "is required with SENDFLOW_OIDC_ISSUER")
		}
	}
	for env, list := range map[string]string{"SENDFLOW_OAG_FILES": c.OAGFiles, "SENDFLOW_DIRECTORY_FILES": c.DirectoryFiles} {
		for _, f := range strings.Split(list, ",") {
			if f = strings.TrimSpace(f); f != "" {
				if _, err := os.Stat(f); err != nil {
					bad(env, fmt.Sprintf("cannot read %s", f))
				}
			}
		}
	}
	if c.TimingsFile != "" {
		if _, err := os.Stat(c.TimingsFile); err != nil {
			bad("SENDFLOW_TIMINGS_FILE", fmt.Sprintf("cannot read %s", c.TimingsFile))
		} else if _, err := workflows.LoadTimings(c.TimingsFile); err != nil {
			// Checked here, before anything starts: a file that loosens the law names the key
			// and the legal limit.
			bad("SENDFLOW_TIMINGS_FILE", err.Error())
		}
	}
	c.TemporalPort = port("SENDFLOW_TEMPORAL_PORT")
	c.SMTPPort = port("SENDFLOW_SMTP_PORT")
	c.PGPort = port("SENDFLOW_PG_PORT")
	if c.TemporalPort > 65532 {
		bad("SENDFLOW_TEMPORAL_PORT", "needs the three ports after it free too; choose 65532 or lower")
	}
	if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		bad("SENDFLOW_HTTP_ADDR", fmt.Sprintf("%q is not host:port", c.HTTPAddr))
	}
	if c.TemporalAddress != "" {
		if _, _, err := net.SplitHostPort(c.TemporalAddress); err != nil {
			bad("TEMPORAL_ADDRESS", fmt.Sprintf("%q is not host:port", c.TemporalAddress))
		}
	}
	if c.DatabaseURL != "" {
		if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			bad("DATABASE_URL", "must be a postgres:// URL")
		}
	}
	if c.SMTPURL != "" {
		if _, err := ParseSMTPURL(c.SMTPURL); err != nil {
			bad("SMTP_URL", err.Error())
		}
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("SENDFLOW_PUBLIC_URL", "must be an http:// or https:// URL")
		}
	}
	if c.SigningKey != "" && len(c.SigningKey) < 32 {
		bad("SENDFLOW_SIGNING_KEY", "must be at least 32 characters")
	}
	if c.PayloadKey != "" {
		if _, err := payloadcrypt.ParseKey(c.PayloadKey); err != nil {
			bad("SENDFLOW_PAYLOAD_KEY", err.Error())
		}
	}
	for i, k := range c.OldPayloadKeys() {
		if _, err := payloadcrypt.ParseKey(k); err != nil {
			bad("SENDFLOW_PAYLOAD_OLD_KEYS", fmt.Sprintf("key %d %s", i+1, err))
		}
	}
	if c.BundleKeyFile != "" {
		if data, err := os.ReadFile(c.BundleKeyFile); err != nil {
			bad("SENDFLOW_BUNDLE_KEY_FILE", fmt.Sprintf("cannot read %s", c.BundleKeyFile))
		} else if _, err := bundle.ParsePrivateKey(data); err != nil {
			bad("SENDFLOW_BUNDLE_KEY_FILE", err.Error())
		}
	}
	if (c.TemporalTLSCert == "") != (c.TemporalTLSKey == "") {
		bad("SENDFLOW_TEMPORAL_TLS_CERT", "certificate and key (SENDFLOW_TEMPORAL_TLS_KEY) must be set together")
	}
	for _, f := range []struct{ env, path string }{
		{"SENDFLOW_TEMPORAL_TLS_CERT", c.TemporalTLSCert}, {"SENDFLOW_TEMPORAL_TLS_KEY", c.TemporalTLSKey}, {"SENDFLOW_TEMPORAL_TLS_CA", c.TemporalTLSCA},
	} {
		if f.path != "" {
			if _, err := os.Stat(f.path); err != nil {
				bad(f.env, fmt.Sprintf("cannot read %s", f.path))
			}
		}
	}
	if c.MailFrom == "" && cmd != "worker" {
		c.MailFrom = DevMailFrom
	}
	if c.MailFrom != "" {
		if _, err := mail.ParseAddress(c.MailFrom); err != nil {
			bad("SENDFLOW_MAIL_FROM", fmt.Sprintf("%q is not an email address: %v", c.MailFrom, err))
		}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("SENDFLOW_LOG_LEVEL", "must be debug, info, warn or error")
	}
	if c.TaskQueue == "" {
		bad("SENDFLOW_TASK_QUEUE", "must not be empty")
	}
	if c.TemporalNamespace == "" {
		bad("SENDFLOW_TEMPORAL_NAMESPACE", "must not be empty")
	}
	if c.DataDir == "" {
		bad("SENDFLOW_DATA_DIR", "must not be empty")
	}
	checkTelemetry(c, cmd, get("SENDFLOW_TRACE_SAMPLE"), bad)
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.HTTPAddr
	}
	return c, errors.Join(errs...)
}

// placeholders name what each setting takes, for `-h`.
var placeholders = map[string]string{
	"DATABASE_URL": "URL", "SMTP_URL": "URL", "TEMPORAL_ADDRESS": "HOST:PORT", "SENDFLOW_TEMPORAL_NAMESPACE": "NAME",
	"SENDFLOW_TEMPORAL_TLS": "BOOL", "SENDFLOW_TEMPORAL_TLS_CERT": "FILE", "SENDFLOW_TEMPORAL_TLS_KEY": "FILE",
	"SENDFLOW_TEMPORAL_TLS_CA": "FILE", "SENDFLOW_TASK_QUEUE": "NAME", "SENDFLOW_HTTP_ADDR": "HOST:PORT", "SENDFLOW_PUBLIC_URL": "URL",
	"SENDFLOW_DATA_DIR": "DIR", "SENDFLOW_TEMPORAL_PORT": "PORT", "SENDFLOW_SMTP_PORT": "PORT", "SENDFLOW_PG_PORT": "PORT",
	"SENDFLOW_SIGNING_KEY": "KEY", "SENDFLOW_PAYLOAD_KEY": "HEX", "SENDFLOW_PAYLOAD_OLD_KEYS": "HEX,...", "SENDFLOW_BUNDLE_KEY_FILE": "FILE", "SENDFLOW_MAIL_FROM": "ADDRESS",
	"SENDFLOW_OIDC_ISSUER": "URL", "SENDFLOW_OIDC_AUDIENCE": "ID", "SENDFLOW_OIDC_JWKS_URL": "URL", "SENDFLOW_DB_POOL": "N",
	"SENDFLOW_WORKER_DB_POOL": "N", "SENDFLOW_ACTION_TIMEOUT": "DURATION", "SENDFLOW_RATE_LIMIT": "N", "SENDFLOW_TRUSTED_PROXIES": "CIDRS",
	"SENDFLOW_OAG_FILES": "FILES", "SENDFLOW_DIRECTORY_FILES": "FILES", "SENDFLOW_TIMINGS_FILE": "FILE", "SENDFLOW_TIME_SCALE": "N",
	"SENDFLOW_LOG_LEVEL": "LEVEL", "SENDFLOW_WORKER_CACHE": "N", "SENDFLOW_METRICS_ADDR": "HOST:PORT",
	"SENDFLOW_OTLP_ENDPOINT": "URL", "SENDFLOW_TRACE_SAMPLE": "FRACTION", "SENDFLOW_CODEC_CORS_ORIGIN": "ORIGIN",
}

// Placeholder is what a setting's flag takes, as `-h` shows it (VALUE for one not listed).
func Placeholder(env string) string {
	if p, ok := placeholders[env]; ok {
		return p
	}
	return "VALUE"
}

// checkTelemetry reads the observability settings: the metrics address, the trace exporter and
// the origin the codec server answers.
func checkTelemetry(c *Config, cmd, sample string, bad func(env, problem string)) {
	var err error
	if c.TraceSample, err = strconv.ParseFloat(sample, 64); err != nil || c.TraceSample < 0 || c.TraceSample > 1 {
		bad("SENDFLOW_TRACE_SAMPLE", fmt.Sprintf("%q must be a number from 0 to 1", sample))
	}
	if c.MetricsAddr != "" {
		host, port, err := net.SplitHostPort(c.MetricsAddr)
		if err != nil {
			bad("SENDFLOW_METRICS_ADDR", fmt.Sprintf("%q is not host:port", c.MetricsAddr))
		} else if apiHost, apiPort, err := net.SplitHostPort(c.HTTPAddr); err == nil && cmd != "worker" && port == apiPort && port != "0" &&
			(host == apiHost || host == "" || apiHost == "" || host == "0.0.0.0" || apiHost == "0.0.0.0" || host == "::" || apiHost == "::") {
			// Metrics need no sign-in: they must never share the public API's listener.
			bad("SENDFLOW_METRICS_ADDR", fmt.Sprintf("%q is the API's address (SENDFLOW_HTTP_ADDR): metrics need an address of their own", c.MetricsAddr))
		}
	}
	if c.OTLPEndpoint != "" {
		if u, err := url.Parse(c.OTLPEndpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") ||
			u.Host == "" {
			bad(
				"SENDFLOW_OTLP_ENDPOINT",
				"must be an http:// or https:// URL of an OTLP/gRPC collector, e.g. http://127.0.0.1:4317",
			)
		}
	}
	if c.CodecCORSOrigin != "" {
		if u, err := url.Parse(c.CodecCORSOrigin); err != nil || (u.Scheme != "http" && u.Scheme != "https") ||
			u.Host == "" ||
			u.Path != "" ||
			u.RawQuery != "" {
			bad(
				"SENDFLOW_CODEC_CORS_ORIGIN",
				"must be an origin: http:// or https://, a host and an optional port, nothing after, e.g. http://localhost:8233",
			)
		}
	}
}

// OldPayloadKeys lists SENDFLOW_PAYLOAD_OLD_KEYS.
func (c *Config) OldPayloadKeys() []string {
	var out []string
	for _, k := range strings.Split(c.PayloadOldKeys, ",") {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, k)
		}
	}
	return out
}

// Require reports the settings a production subcommand cannot start without.
func (c *Config) Require(envs ...string) error {
	var errs []error
	for _, env := range envs {
		var v string
		switch env {
		case "DATABASE_URL":
			v = c.DatabaseURL
		case "SMTP_URL":
			v = c.SMTPURL
		case "TEMPORAL_ADDRESS":
			v = c.TemporalAddress
		case "SENDFLOW_SIGNING_KEY":
			v = c.SigningKey
		case "SENDFLOW_PAYLOAD_KEY":
			v = c.PayloadKey
		case "SENDFLOW_MAIL_FROM":
			v = c.MailFrom
		}
		if v == "" {
			for _, s := range Settings {
				if s.Env == env {
					errs = append(errs, &Error{Env: env, Flag: s.Flag, Problem: "is required for this command"})
				}
			}
		}
	}
	return errors.Join(errs...)
}

// SMTP is a parsed SMTP_URL.
type SMTP struct {
	Host     string
	Port     int
	TLS      string // "starttls", "implicit" or "none"
	Username string
	Password string
	Timeout  time.Duration
}

// ParseSMTPURL understands smtp:// (STARTTLS by default) and smtps:// (implicit TLS).
func ParseSMTPURL(raw string) (SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return SMTP{}, fmt.Errorf("not a URL: %w", err)
	}
	s := SMTP{Host: u.Hostname(), Timeout: 30 * time.Second}
	switch u.Scheme {
	case "smtp":
		s.TLS, s.Port = "starttls", 587
	case "smtps":
		s.TLS, s.Port = "implicit", 465
	default:
		return SMTP{}, fmt.Errorf("scheme must be smtp or smtps, not %q", u.Scheme)
	}
	if s.Host == "" {
		return SMTP{}, errors.New("has no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return SMTP{}, fmt.Errorf("port %q is not valid", p)
		}
		s.Port = n
	}
	if t := u.Query().Get("tls"); t != "" {
		switch t {
		case "starttls", "implicit", "none":
			s.TLS = t
		default:
			return SMTP{}, fmt.Errorf("tls=%q must be starttls, implicit or none", t)
		}
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	return s, nil
}
