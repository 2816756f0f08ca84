package httpmw

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The middleware and the locale helpers sit under the surfaces: neither may import one (nor the
// assembly in internal/app), or a surface could not use them without a cycle.
func TestLowerLayersImportNoSurface(t *testing.T) {
	const mod = "github.com/sendflow/sendflow/"
	surfaces := []string{mod + "api", mod + "internal/web", mod + "internal/staffweb", mod + "internal/app"}
	read := 0
	for _, dir := range []string{".", filepath.Join("..", "locale")} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			read++
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				for _, s := range surfaces {
					if p == s || strings.HasPrefix(p, s+"/") {
						t.Errorf("%s imports %s", path, p)
					}
				}
			}
		}
	}
	if read < 5 {
		t.Fatalf("read %d files: the test did not find the packages", read)
	}
}
