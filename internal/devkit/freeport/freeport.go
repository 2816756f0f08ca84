// Package freeport finds free local TCP ports, for servers started side by side with others
// (tests, `sendflow bench`). A port found free may be taken again before it is used; callers
// start at once and report a clash by the setting's name.
package freeport

import (
	"fmt"
	"math/rand/v2"
	"net"
)

// One returns a port that was free a moment ago.
func One() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Run returns the first of n consecutive free ports (the embedded Temporal server uses four).
func Run(n int) (int, error) {
	for try := 0; try < 200; try++ {
		base := 20000 + rand.IntN(30000)
		ok := true
		for p := base; p < base+n && ok; p++ {
			l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
			if err != nil {
				ok = false
				continue
			}
			l.Close()
		}
		if ok {
			return base, nil
		}
	}
	return 0, fmt.Errorf("no run of %d free ports found", n)
}
