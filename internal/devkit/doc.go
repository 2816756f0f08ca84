// Package devkit holds what sendflow needs for `sendflow dev`, `sendflow bench` and the tests,
// and nothing a school's deployment runs: the embedded Temporal server (devtemporal), a
// PostgreSQL for development (devpg), the mailbox that catches mail (mailcapture), free ports for
// side-by-side stacks (freeport), the test stack (testenv) and the demo data (seed).
//
// Only the dev and bench commands and tests import these packages; devkit_test.go keeps it so.
package devkit
