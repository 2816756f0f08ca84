package devkit_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// mayImport are the files outside devkit, other than tests, that start the dev and bench stacks.
var mayImport = map[string]bool{
	"cmd/sendflow/main.go":           true,
	"internal/app/dev.go":            true,
	"internal/app/demo_provision.go": true, // the dev demo's costed plan
	"internal/app/bench.go":          true,
	"internal/app/bench_load.go":     true,
}

// TestOnlyDevAndTestsImportDevkit fails when code a deployment runs starts depending on the
// development harness (an embedded server or a catch-all mailbox in production would be a fault).
func TestOnlyDevAndTestsImportDevkit(t *testing.T) {
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	var found int
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && rel != "." || rel == "internal/devkit" || rel == "tests" ||
				d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if !strings.HasPrefix(p, "github.com/sendflow/sendflow/internal/devkit/") {
				continue
			}
			found++
			if !mayImport[rel] {
				t.Errorf("%s imports %s: only the dev and bench commands and tests may use the dev harness", rel, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found == 0 {
		t.Fatal("no file imports the dev harness: the walk did not see the repository")
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("the repository root is not where the test expects it: %v", err)
	}
}
