package app

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
)

// staffScreenshots is where TestBrowserStaffJourney leaves a screenshot of every page state, for
// CI to keep: $SENDFLOW_SCREENSHOTS/staff, or tests/browser/screenshots/staff in the repository.
func staffScreenshots(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("SENDFLOW_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "tests", "browser", "screenshots")
	}
	out, err := filepath.Abs(filepath.Join(dir, "staff"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBrowserStaffJourney is issue 14's "done when": a class teacher, the SENDCo, an educational
// psychologist and the council's EHC officer each sign in through the dev identity provider (the
// OpenID Connect code flow a school uses) and do their whole part of Amara's journey in headless
// Chromium with JavaScript off, only through the pages; the parent answers the invitation, sends
// views and consents from the links in their emails. axe-core audits every page state at 390 and
// 1280 px (tests/browser/staff.mjs). Time runs faster on the pupil's calendar so the parents' 15
// days to comment on the draft plan pass during the test; the script waits for them however long
// that takes, and the other timers are lengthened so that no step depends on how fast this
// machine is.
func TestBrowserStaffJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("a long run: the whole staff journey in a browser (go test without -short runs it)")
	}
	t.Parallel() // on its own stack and database; most of its time is waiting for dates
	node, dir := browserTools(t)
	timings := timingsFile(
		t,
		"referral:\n  consent_reminder_after: 3650d\n  consent_expiry: 3650d\n  agency_acknowledgement_sla: 3650d\n"+
			"cycle:\n  review_reminder_before: 1d\n  parent_invite_before: 1d\n  overdue_escalation_after: 3650d\n",
	)
	j := journeyOn(
		t,
		devConfig(
			t,
			t.TempDir(),
			testenv.DatabaseURL(t),
			"SENDFLOW_TIME_SCALE",
			"20000",
			"SENDFLOW_TIMINGS_FILE",
			timings,
		),
	)
	out := staffScreenshots(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "staff.mjs", out, j.api.base, seed.PupilAmaraID)
	cmd.Dir = dir
	report, err := cmd.CombinedOutput()
	t.Logf("staff journey (screenshots in %s):\n%s", out, report)
	if err != nil {
		t.Fatalf("staff journey in the browser failed: %v", err)
	}
}
