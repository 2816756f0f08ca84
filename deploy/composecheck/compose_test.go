// Package composecheck loads docker-compose.yml with Compose's own loader (compose-go, what
// `docker compose` uses), since the machines this project is built on have no Docker. It is a
// module of its own so that the loader's dependencies stay out of sendflow's.
package composecheck

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

const composeFile = "../../docker-compose.yml"

func load(t *testing.T, env map[string]string) (*types.Project, error) {
	t.Helper()
	wd, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	env = maps.Clone(env) // the loader adds to it
	b, err := os.ReadFile(composeFile)
	if err != nil {
		t.Fatal(err)
	}
	return loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  wd,
		ConfigFiles: []types.ConfigFile{{Filename: filepath.Join(wd, "docker-compose.yml"), Content: b}},
		Environment: env,
	}, func(o *loader.Options) { o.SetProjectName("sendflow", true) })
}

var settings = map[string]string{
	"SENDFLOW_SIGNING_KEY": strings.Repeat("k", 64),
	"SENDFLOW_PAYLOAD_KEY": strings.Repeat("ab", 32),
	"SENDFLOW_PUBLIC_URL":  "https://sendflow.school.example",
	"SENDFLOW_ADMIN_EMAIL": "ops@school.example",
}

// TestComposeFileLoads: the file parses, and each setting an operator must give is refused by
// name when missing (a default would send parents' links to localhost, or sign with no key).
func TestComposeFileLoads(t *testing.T) {
	if _, err := load(t, settings); err != nil {
		t.Fatalf("docker-compose.yml does not load: %v", err)
	}
	for name := range settings {
		env := map[string]string{}
		for k, v := range settings {
			if k != name {
				env[k] = v
			}
		}
		if _, err := load(t, env); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("without %s: %v; want it refused naming %s", name, err, name)
		}
	}
}

// TestComposeStack checks what the issue found wrong: the namespace job retries, the UIs that
// show pupils' mail and workflows are on this host only, sendflow's admin bootstrap runs, and
// Temporal's images match the server version go.mod pins.
func TestComposeStack(t *testing.T) {
	p, err := load(t, settings)
	if err != nil {
		t.Fatal(err)
	}
	svc := func(name string) types.ServiceConfig {
		s, err := p.GetService(name)
		if err != nil {
			t.Fatalf("service %s: %v", name, err)
		}
		return s
	}
	for _, name := range []string{"mailpit", "temporal-ui", "temporal", "postgres"} {
		for _, port := range svc(name).Ports {
			if port.Published != "" && port.HostIP != "127.0.0.1" {
				t.Errorf("%s publishes %s on %q: want 127.0.0.1 only", name, port.Published, port.HostIP)
			}
		}
	}
	ns := svc("temporal-namespace")
	if cmd := strings.Join(ns.Command, " "); !strings.Contains(cmd, "namespace") || !strings.Contains(cmd, "--wait") {
		t.Errorf(
			"temporal-namespace runs %q: want `sendflow namespace --wait ...`, which retries until Temporal answers",
			cmd,
		)
	}
	if cmd := strings.Join(svc("sendflow-admin").Command, " "); !strings.Contains(
		cmd,
		"admin --admin-email ops@school.example",
	) {
		t.Errorf("sendflow-admin runs %q: want the bootstrap for SENDFLOW_ADMIN_EMAIL", cmd)
	}
	for _, name := range []string{"sendflow-serve", "sendflow-worker"} {
		s := svc(name)
		if s.Environment["SENDFLOW_PUBLIC_URL"] == nil ||
			*s.Environment["SENDFLOW_PUBLIC_URL"] != settings["SENDFLOW_PUBLIC_URL"] {
			t.Errorf("%s: SENDFLOW_PUBLIC_URL is %v", name, s.Environment["SENDFLOW_PUBLIC_URL"])
		}
		for _, dep := range []string{"sendflow-migrate", "temporal-namespace"} {
			if d, ok := s.DependsOn[dep]; !ok || d.Condition != types.ServiceConditionCompletedSuccessfully {
				t.Errorf("%s does not wait for %s to complete", name, dep)
			}
		}
	}

	gomod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`go\.temporal\.io/server v(\S+)`).FindSubmatch(gomod)
	if m == nil {
		t.Fatal("go.mod pins no go.temporal.io/server")
	}
	for _, name := range []string{"temporal", "temporal-schema"} {
		img := svc(name).Image
		if !strings.HasSuffix(img, ":"+string(m[1])) {
			t.Errorf("%s runs %s; go.mod pins the server at %s", name, img, m[1])
		}
	}
}
