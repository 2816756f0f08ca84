package actions

import (
	"context"
	"sync"
)

// lanes lets one update at a time reach each workflow from this process. Many updates sent to
// one workflow at once (a double click, eight taps on a link) otherwise race each other through
// the Temporal server's speculative workflow tasks: a task lost among them aborts every update in
// flight, the clients retry together, and none may finish in time (temporalio/temporal#7741).
// One at a time, each copy is answered in milliseconds — the workflow refuses what the first
// made out of turn — and other workflows are not held up.
type lanes struct {
	mu sync.Mutex
	m  map[string]*lane
}

type lane struct {
	turn  chan struct{}
	users int
}

// enter waits for the workflow's lane (or for ctx to end) and returns how to leave it.
func (l *lanes) enter(ctx context.Context, workflowID string) (leave func(), err error) {
	l.mu.Lock()
	if l.m == nil {
		l.m = map[string]*lane{}
	}
	ln := l.m[workflowID]
	if ln == nil {
		ln = &lane{turn: make(chan struct{}, 1)}
		l.m[workflowID] = ln
	}
	ln.users++
	l.mu.Unlock()
	done := func() {
		l.mu.Lock()
		if ln.users--; ln.users == 0 {
			delete(l.m, workflowID)
		}
		l.mu.Unlock()
	}
	select {
	case ln.turn <- struct{}{}:
		return func() { <-ln.turn; done() }, nil
	case <-ctx.Done():
		done()
		return nil, ctx.Err()
	}
}
