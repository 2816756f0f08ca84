package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestReadmeIsTrue keeps README's configuration table and set-up commands in step with the code
// and with CI.
func TestReadmeIsTrue(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var table bytes.Buffer
	printConfig(&table)
	if !bytes.Contains(readme, table.Bytes()) {
		t.Error("README's configuration table differs from `sendflow config`; paste its output into README")
	}
	ci, err := os.ReadFile("../../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"go run ./cmd/sendflow dev", "go test -timeout 30m ./..."} {
		if !bytes.Contains(readme, []byte("```sh\n"+cmd+"\n```")) {
			t.Errorf("README does not give %q as a set-up command", cmd)
		}
	}
	if !strings.Contains(string(ci), "\ngo test -timeout 30m ./...\n") {
		t.Error(".ci/run does not run README's test command")
	}
}

// TestStartupRefusesBadSettings: a wrong setting stops the command before anything starts, naming it.
func TestStartupRefusesBadSettings(t *testing.T) {
	cases := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"serve"}, nil, "DATABASE_URL"},
		{[]string{"serve"}, map[string]string{"DATABASE_URL": "postgres://x/y"}, "TEMPORAL_ADDRESS"},
		{
			[]string{"worker"},
			map[string]string{"DATABASE_URL": "postgres://x/y", "TEMPORAL_ADDRESS": "t:7233"},
			"SMTP_URL",
		},
		{[]string{"migrate"}, nil, "DATABASE_URL"},
		{[]string{"dev", "--temporal-port", "nope"}, nil, "SENDFLOW_TEMPORAL_PORT"},
		{[]string{"token"}, nil, "--email"},
		{[]string{"token", "--email", "sendco@oakfield.example", "--ttl", "2000h"}, nil, "--ttl"},
		{[]string{"launch"}, nil, "unknown command"},
		{
			[]string{"repair", "--reset"},
			map[string]string{"TEMPORAL_ADDRESS": "127.0.0.1:1", "SENDFLOW_DATA_DIR": t.TempDir()},
			"TEMPORAL_ADDRESS",
		},
	}
	for _, tc := range cases {
		var out bytes.Buffer
		err := run(tc.args, func(k string) string { return tc.env[k] }, &out)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want it to name %s", tc.args, err, tc.want)
		}
	}
}
