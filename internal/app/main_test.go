package app

import (
	"flag"
	"os"
	"runtime"
	"testing"
)

// TestMain runs at least three of the package's tests at once unless -parallel says otherwise.
// Each test starts its own stack and database and spends most of its time waiting (timers on a
// compressed calendar, outages, a browser), so on two cores the default of two left the package
// near go test's 10-minute limit; three stacks stay well inside PostgreSQL's 100 connections.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set && runtime.GOMAXPROCS(0) < 3 {
		_ = flag.Set("test.parallel", "3")
	}
	os.Exit(m.Run())
}
