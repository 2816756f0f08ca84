// Package catalogue holds the data files sendflow ships: the example OAG catalogue and the demo
// agency directory. They are embedded so the binary works without them on disk; a local authority
// loads its own files instead (see README.md in this folder).
package catalogue

import "embed"

// Files holds every *.yaml file in this folder.
//
//go:embed *.yaml
var Files embed.FS
