package app

import (
	"bytes"
	"context"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sendflow/sendflow/internal/config"
	"github.com/sendflow/sendflow/internal/devkit/seed"
)

// logBuffer keeps everything a stack logs, at every level, so a test can read it afterwards.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(b)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// startDevLogged starts a stack whose warnings and errors show in the test's output and whose
// every line, debug included, also goes to w (when w is not nil).
func startDevLogged(t testing.TB, cfg *config.Config, w *logBuffer) *Dev {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var h slog.Handler = slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn})
	if w != nil {
		h = slog.NewMultiHandler(h, slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	d, err := StartDev(ctx, cfg, slog.New(h))
	if err != nil {
		t.Fatalf("start dev stack: %v", err)
	}
	return d
}

// personal is what no log line may hold: the demo people's names and addresses and the demo
// pupils' names (logs carry ids).
func personal() *regexp.Regexp {
	var words []string
	for _, p := range seed.People {
		words = append(words, regexp.QuoteMeta(p.Email), regexp.QuoteMeta(p.Name))
	}
	words = append(words, "Amara", "Okafor", "Leo", "Fischer", "Zain", "Hussain", "Ruby", "Moss",
		`[a-z0-9.]+@(example\.org|[a-z]+\.example)`)
	return regexp.MustCompile(`\b(` + strings.Join(words, "|") + `)\b`)
}

// checkLogs fails the test for each log line that holds a demo name or address.
func (j *journey) checkLogs() {
	if j.logs == nil {
		return
	}
	re := personal()
	n := 0
	for _, line := range strings.Split(j.logs.String(), "\n") {
		if m := re.FindString(line); m != "" {
			if n++; n <= 10 {
				j.t.Errorf("a log line holds %q: %.400s", m, line)
			}
		}
	}
	if n > 10 {
		j.t.Errorf("and %d more log lines hold names or addresses", n-10)
	}
}
