package main

import (
	"strings"
	"testing"

	"github.com/sendflow/sendflow/internal/devkit/testenv"
)

// TestProvisionLoadCommand: `sendflow provision load` says how to call it, and reaches the
// database for the school it names (the loading itself is internal/app's
// TestSchoolUploadsProvisionCatalogue).
func TestProvisionLoadCommand(t *testing.T) {
	env := map[string]string{"DATABASE_URL": testenv.DatabaseURL(t), "SENDFLOW_LOG_LEVEL": "error"}
	for _, args := range [][]string{{"provision"}, {"provision", "load", "catalogue.yaml"}, {"provision", "load", "--school", "x"}} {
		if _, err := sendflow(env, args...); err == nil || !strings.Contains(err.Error(), "sendflow provision load --school ID FILE") {
			t.Errorf("sendflow %s: %v, want the usage", strings.Join(args, " "), err)
		}
	}
	if _, err := sendflow(env, "migrate"); err != nil {
		t.Fatal(err)
	}
	_, err := sendflow(env, "provision", "load", "--school", "5c0f0000-0000-4000-8000-00000000dead", "../../catalogue/provision-oakfield.yaml")
	if err == nil || !strings.Contains(err.Error(), "no such school") {
		t.Errorf("loading for a school that is not there: %v", err)
	}
}
