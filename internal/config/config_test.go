package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := Parse("dev", nil, env(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != "127.0.0.1:8080" || c.TemporalPort != 7233 || c.PublicURL != "http://127.0.0.1:8080" ||
		c.TaskQueue != "sendflow" {
		t.Errorf("defaults = %+v", c)
	}
}

func TestFlagBeatsEnvironment(t *testing.T) {
	c, err := Parse(
		"dev",
		[]string{"--http-addr", "127.0.0.1:9000"},
		env(map[string]string{"SENDFLOW_HTTP_ADDR": "127.0.0.1:9999"}),
		nil,
	)
	if err != nil || c.HTTPAddr != "127.0.0.1:9000" {
		t.Fatalf("addr = %v, err %v", c, err)
	}
}

// TestBadSettingsAreNamed: each wrong value stops start-up with the setting's name.
func TestBadSettingsAreNamed(t *testing.T) {
	cases := map[string]string{
		"SENDFLOW_TEMPORAL_PORT":    "seventy",
		"SENDFLOW_SMTP_PORT":        "70000",
		"SENDFLOW_HTTP_ADDR":        "localhost",
		"DATABASE_URL":              "mysql://x",
		"SMTP_URL":                  "smtp://mail?tls=maybe",
		"SENDFLOW_SIGNING_KEY":      "short",
		"SENDFLOW_PAYLOAD_KEY":      "not-hex-and-too-short",
		"SENDFLOW_PAYLOAD_OLD_KEYS": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef, zz",
		"SENDFLOW_MAIL_FROM":        "not an address",
		"SENDFLOW_LOG_LEVEL":        "loud",
		"SENDFLOW_TEMPORAL_TLS":     "perhaps",
		"SENDFLOW_PUBLIC_URL":       "ftp://x",
		"TEMPORAL_ADDRESS":          "temporal",
		"SENDFLOW_SESSION_IDLE":     "forever",
		"SENDFLOW_SESSION_MAX":      "30s",
		"SENDFLOW_TRUSTED_PROXIES":  "10.0.0.0/8, proxy.internal",
	}
	for name, value := range cases {
		_, err := Parse("serve", nil, env(map[string]string{name: value}), nil)
		var ce *Error
		if !errors.As(err, &ce) || ce.Env != name || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%q: err = %v, want it named", name, value, err)
		}
	}
}

// TestObservabilitySettings: a wrong metrics address, trace endpoint, sample share or codec origin
// is named; metrics need no sign-in, so they may not share the API's listener under any spelling
// of its address (the worker, which serves no API, may use it).
func TestObservabilitySettings(t *testing.T) {
	for name, value := range map[string]string{
		"SENDFLOW_METRICS_ADDR":      "9464",
		"SENDFLOW_OTLP_ENDPOINT":     "collector:4317",
		"SENDFLOW_TRACE_SAMPLE":      "2",
		"SENDFLOW_CODEC_CORS_ORIGIN": "http://localhost:8233/ui",
	} {
		_, err := Parse("serve", nil, env(map[string]string{name: value}), nil)
		var ce *Error
		if !errors.As(err, &ce) || ce.Env != name {
			t.Errorf("%s=%q: err = %v, want it named", name, value, err)
		}
	}
	for _, pair := range [][2]string{{"127.0.0.1:8080", "127.0.0.1:8080"}, {"0.0.0.0:8080", "127.0.0.1:8080"}, {":8080", "127.0.0.1:8080"}} {
		_, err := Parse(
			"serve",
			nil,
			env(map[string]string{"SENDFLOW_METRICS_ADDR": pair[0], "SENDFLOW_HTTP_ADDR": pair[1]}),
			nil,
		)
		var ce *Error
		if !errors.As(err, &ce) || ce.Env != "SENDFLOW_METRICS_ADDR" {
			t.Errorf("metrics %s with API %s: err = %v, want SENDFLOW_METRICS_ADDR named", pair[0], pair[1], err)
		}
	}
	c, err := Parse(
		"serve",
		nil,
		env(
			map[string]string{
				"SENDFLOW_METRICS_ADDR":      "127.0.0.1:9464",
				"SENDFLOW_CODEC_CORS_ORIGIN": "http://localhost:8233/",
			},
		),
		nil,
	)
	if err != nil || c.MetricsAddr != "127.0.0.1:9464" || c.CodecCORSOrigin != "http://localhost:8233" ||
		c.TraceSample != 1 {
		t.Errorf("good settings = %+v, %v", c, err)
	}
	if _, err := Parse("worker", nil, env(map[string]string{"SENDFLOW_METRICS_ADDR": "127.0.0.1:8080"}), nil); err != nil {
		t.Errorf("worker with metrics on 127.0.0.1:8080: %v", err)
	}
}

func TestRequireNamesMissingSettings(t *testing.T) {
	c, _ := Parse("serve", nil, env(nil), nil)
	err := c.Require("DATABASE_URL", "TEMPORAL_ADDRESS", "SENDFLOW_PAYLOAD_KEY")
	if err == nil || !strings.Contains(err.Error(), "DATABASE_URL") ||
		!strings.Contains(err.Error(), "TEMPORAL_ADDRESS") ||
		!strings.Contains(err.Error(), "SENDFLOW_PAYLOAD_KEY") {
		t.Errorf("err = %v", err)
	}
}

func TestParseSMTPURL(t *testing.T) {
	cases := []struct {
		in   string
		want SMTP
		ok   bool
	}{
		{"smtp://mail.example", SMTP{Host: "mail.example", Port: 587, TLS: "starttls"}, true},
		{
			"smtps://u:p@mail.example",
			SMTP{Host: "mail.example", Port: 465, TLS: "implicit", Username: "u", Password: "p"},
			true,
		},
		{"smtp://mailpit:1025?tls=none", SMTP{Host: "mailpit", Port: 1025, TLS: "none"}, true},
		{"http://mail.example", SMTP{}, false},
		{"smtp://:25", SMTP{}, false},
		{"smtp://mail:0", SMTP{}, false},
	}
	for _, tc := range cases {
		got, err := ParseSMTPURL(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err = %v", tc.in, err)
			continue
		}
		got.Timeout = 0
		if tc.ok && got != tc.want {
			t.Errorf("%s = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

// A timings file that loosens a statutory limit stops start-up: the setting, the key and the
// legal limit are named (issue 17, item 2).
func TestTimingsThatLoosenTheLawStopStartUp(t *testing.T) {
	f := filepath.Join(t.TempDir(), "timings.yaml")
	if err := os.WriteFile(f, []byte("ehc:\n  final_plan: 30w\nannual_review:\n  interval: 18mo\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Parse("serve", nil, env(map[string]string{"SENDFLOW_TIMINGS_FILE": f}), nil)
	var ce *Error
	if !errors.As(err, &ce) || ce.Env != "SENDFLOW_TIMINGS_FILE" {
		t.Fatalf("err = %v, want SENDFLOW_TIMINGS_FILE named", err)
	}
	for _, want := range []string{"`ehc.final_plan` is 30w", "20 weeks", "`annual_review.interval` is 18mo", "12 months"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err %q does not mention %q", err, want)
		}
	}
}

// The worker sends mail, so it needs the address to send from; dev keeps its mail in the capture
// mailbox and has one of its own (issue 15: no more "sendflow" at .invalid).
func TestWorkerNeedsAMailFromAddress(t *testing.T) {
	c, err := Parse("worker", nil, env(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Require("SENDFLOW_MAIL_FROM"); err == nil || !strings.Contains(err.Error(), "SENDFLOW_MAIL_FROM") {
		t.Errorf("worker without SENDFLOW_MAIL_FROM: %v", err)
	}
	d, err := Parse("dev", nil, env(nil), nil)
	if err != nil || d.MailFrom != DevMailFrom || strings.Contains(d.MailFrom, ".invalid") {
		t.Errorf("dev's sending address = %q, %v", d.MailFrom, err)
	}
}

// A bundle key file that is not an Ed25519 private key stops start-up, naming the setting.
func TestBadBundleKeyStopsStartUp(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bundle.key")
	if err := os.WriteFile(bad, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{bad, filepath.Join(dir, "missing.key")} {
		_, err := Parse("serve", nil, env(map[string]string{"SENDFLOW_BUNDLE_KEY_FILE": f}), nil)
		var ce *Error
		if !errors.As(err, &ce) || ce.Env != "SENDFLOW_BUNDLE_KEY_FILE" {
			t.Fatalf("%s: err = %v, want SENDFLOW_BUNDLE_KEY_FILE named", f, err)
		}
	}
	good := filepath.Join(dir, "good.key")
	if err := os.WriteFile(good, []byte("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Parse("serve", nil, env(map[string]string{"SENDFLOW_BUNDLE_KEY_FILE": good}), nil); err != nil {
		t.Fatalf("good key refused: %v", err)
	}
}
