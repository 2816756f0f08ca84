package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sendflow/sendflow/internal/app"
	"github.com/sendflow/sendflow/internal/auth"
	"github.com/sendflow/sendflow/internal/config"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
	"github.com/sendflow/sendflow/internal/store"
)

// sendflow runs the command in-process with the given environment, as an operator would.
func sendflow(env map[string]string, args ...string) (string, error) {
	var out bytes.Buffer
	err := run(args, func(k string) string { return env[k] }, &out)
	return out.String(), err
}

// TestBootstrapAFreshDatabase: on a migrated database with nobody in it, `sendflow token` has no
// one to sign for; `sendflow admin` creates the first system administrator, a local authority
// (from its directory file), a trust and a school. Run again, it changes nothing and says so.
// A school for a local authority that is not there is refused with what to do, on the command
// line and through the API.
func TestBootstrapAFreshDatabase(t *testing.T) {
	env := map[string]string{
		"DATABASE_URL":         testenv.DatabaseURL(t),
		"SENDFLOW_SIGNING_KEY": strings.Repeat("k", 40),
		"SENDFLOW_PAYLOAD_KEY": strings.Repeat("ab", 32),
		"SENDFLOW_DATA_DIR":    t.TempDir(),
		"SENDFLOW_LOG_LEVEL":   "error",
	}
	if _, err := sendflow(env, "migrate"); err != nil {
		t.Fatal(err)
	}
	if _, err := sendflow(env, "token", "--email", "ops@council.example"); err == nil ||
		!strings.Contains(err.Error(), "no user") {
		t.Fatalf("token on a fresh database: %v; want 'no user has the email'", err)
	}

	// A school before any local authority exists: the command says how to add one.
	out, err := sendflow(env, "admin", "--school", "Oakfield Primary", "--la-code", "999")
	if err == nil || !strings.Contains(err.Error(), "--directory-files") ||
		!strings.Contains(err.Error(), "--la-name") {
		t.Fatalf(
			"a school for an unknown local authority: %v %s; want it refused, naming --directory-files and --la-name",
			err,
			out,
		)
	}
	if _, err := sendflow(env, "admin", "--school", "Oakfield Primary"); err == nil ||
		!strings.Contains(err.Error(), "--la-code") {
		t.Fatalf("a school with no local authority: %v; want it refused, naming --la-code", err)
	}

	dir := filepath.Join("..", "..", "catalogue", "directory-demo.yaml")
	args := []string{"admin", "--admin-email", "ops@council.example", "--admin-name", "Olu Ops",
		"--directory-files", dir, "--trust", "Oak Learning Trust", "--school", "Oakfield Primary", "--school-ages", "4-11"}
	first, err := sendflow(env, args...)
	if err != nil {
		t.Fatalf("first bootstrap: %v\n%s", err, first)
	}
	for _, want := range []string{"ops@council.example", "999", "Oak Learning Trust", "Oakfield Primary", "created", "sendflow token --email ops@council.example"} {
		if !strings.Contains(first, want) {
			t.Errorf("first bootstrap's report does not mention %q:\n%s", want, first)
		}
	}
	second, err := sendflow(env, args...)
	if err != nil {
		t.Fatalf("second bootstrap: %v\n%s", err, second)
	}
	if strings.Contains(second, "created") || strings.Count(second, "already") < 4 {
		t.Errorf("the same bootstrap again should create nothing and say each thing was already there:\n%s", second)
	}
	pool, err := store.Connect(context.Background(), env["DATABASE_URL"], 2)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	count := func(q string) int {
		var n int
		if err := pool.QueryRow(context.Background(), q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for q, want := range map[string]int{
		`SELECT count(*) FROM users WHERE system_admin`: 1,
		`SELECT count(*) FROM local_authorities`:        1,
		`SELECT count(*) FROM trusts`:                   1,
		`SELECT count(*) FROM schools WHERE la_code = '999' AND trust_id IS NOT NULL AND statutory_high_age = 11`: 1,
		`SELECT count(*) FROM schools`:                               1,
		`SELECT count(*) FROM agency_services WHERE la_code = '999'`: 7,
	} {
		if got := count(q); got != want {
			t.Errorf("%s = %d, want %d", q, got, want)
		}
	}

	// The first administrator can now sign in.
	tok, err := sendflow(env, "token", "--email", "ops@council.example")
	if err != nil {
		t.Fatalf("token after bootstrap: %v", err)
	}
	if _, err := auth.Verify([]byte(env["SENDFLOW_SIGNING_KEY"]), strings.TrimSpace(tok)); err != nil {
		t.Fatalf("the token does not verify with serve's key: %v", err)
	}

	// Through the API: a school for an authority that is not loaded is refused with what to do.
	cfg, err := config.Parse(
		"serve",
		[]string{"--http-addr", fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t))},
		func(k string) string { return env[k] },
		nil,
	)
	if err != nil {
		t.Fatal(err)
	}
	h, err := app.StartHTTP(cfg, pool, nil, []byte(cfg.SigningKey), slog.New(slog.DiscardHandler), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Stop(context.Background())
	req, _ := http.NewRequest(
		"POST",
		"http://"+h.Addr.String()+"/v1/schools",
		strings.NewReader(`{"name":"Riverside Primary","laCode":"998"}`),
	)
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(tok))
	req.Header.Set("Content-Type", "application/json")
	c := &http.Client{Timeout: 30 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 422 || !bytes.Contains(body, []byte("sendflow admin")) ||
		!bytes.Contains(body, []byte("999")) {
		t.Errorf(
			"API school for unknown authority 998: %d %s; want 422 saying how to add it (sendflow admin) and which authorities exist (999)",
			resp.StatusCode,
			body,
		)
	}
}

// TestTokenRefusesAnInventedKey: outside dev, with no SENDFLOW_SIGNING_KEY, `sendflow token`
// would sign with a key `serve` does not have; it refuses, naming the setting, and leaves no key
// behind. Beside a dev data dir it uses the key dev keeps there.
func TestTokenRefusesAnInventedKey(t *testing.T) {
	dataDir := t.TempDir()
	env := map[string]string{
		"DATABASE_URL":       testenv.DatabaseURL(t),
		"SENDFLOW_DATA_DIR":  dataDir,
		"SENDFLOW_LOG_LEVEL": "error",
	}
	if _, err := sendflow(env, "migrate"); err != nil {
		t.Fatal(err)
	}
	if _, err := sendflow(env, "admin", "--admin-email", "ops@council.example", "--admin-name", "Olu Ops"); err != nil {
		t.Fatal(err)
	}
	_, err := sendflow(env, "token", "--email", "ops@council.example")
	if err == nil || !strings.Contains(err.Error(), "SENDFLOW_SIGNING_KEY") {
		t.Fatalf("token with no signing key and no dev data dir: %v; want it refused naming SENDFLOW_SIGNING_KEY", err)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "signing.key")); !os.IsNotExist(err) {
		t.Errorf("a refused token left a key behind: %v", err)
	}
	key, err := auth.LoadOrCreateKey(dataDir) // as `sendflow dev` does on its first start
	if err != nil {
		t.Fatal(err)
	}
	tok, err := sendflow(env, "token", "--email", "ops@council.example")
	if err != nil {
		t.Fatalf("token beside a dev data dir: %v", err)
	}
	if _, err := auth.Verify(key, strings.TrimSpace(tok)); err != nil {
		t.Errorf("the token is not signed with the dev key: %v", err)
	}
}

// TestHelpShowsPlaceholders: `-h` names what each flag takes, not a stray word of its help text.
func TestHelpShowsPlaceholders(t *testing.T) {
	for cmd, wants := range map[string][]string{
		"token": {"-email EMAIL", "-ttl DURATION", "-data-dir DIR", "-database-url URL", "-signing-key KEY"},
		"admin": {"-admin-email EMAIL", "-admin-name NAME", "-la-code CODE", "-school NAME", "-school-ages LOW-HIGH", "-directory-files FILES"},
		"serve": {"-http-addr HOST:PORT", "-trusted-proxies CIDRS", "-payload-key HEX"},
	} {
		help := helpOf(t, cmd)
		for _, w := range wants {
			if !strings.Contains(help, "  "+w+"\n") {
				t.Errorf("sendflow %s -h does not show %q", cmd, w)
			}
		}
		for _, line := range strings.Split(help, "\n") {
			f := strings.Fields(line)
			if !strings.HasPrefix(line, "  -") || len(f) < 2 {
				continue
			}
			if p := f[1]; p != strings.ToUpper(p) {
				t.Errorf("sendflow %s -h: %s shows the placeholder %q, not what it takes", cmd, f[0], p)
			}
		}
	}
}

// helpOf runs `sendflow CMD -h` and returns what it prints.
func helpOf(t *testing.T, cmd string) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = w
	var out bytes.Buffer
	runErr := run([]string{cmd, "-h"}, func(string) string { return "" }, &out)
	os.Stderr = saved
	w.Close()
	b, _ := io.ReadAll(r)
	if runErr != nil && !strings.Contains(runErr.Error(), "help requested") {
		t.Fatalf("sendflow %s -h: %v", cmd, runErr)
	}
	return out.String() + string(b)
}
