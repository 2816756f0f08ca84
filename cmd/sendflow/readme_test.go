package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeArchitectureNamesEveryPackage keeps README's architecture block a true map: a package
// added without a line there fails here. A package counts as named when its path, or its last
// element on a line that also names its parent folder, appears in the block.
func TestReadmeArchitectureNamesEveryPackage(t *testing.T) {
	root := filepath.Join("..", "..")
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "## Architecture\n")
	if !ok {
		t.Fatal(`README has no "## Architecture" section`)
	}
	parts := strings.SplitN(after, "```", 3)
	if len(parts) < 3 {
		t.Fatal("README's architecture section has no code block")
	}
	block := parts[1]
	var pkgs []string
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") || name == "drill_test.go" ||
			name == "model_test.go" {
			rel, _ := filepath.Rel(root, filepath.Dir(path))
			rel = filepath.ToSlash(rel)
			if len(pkgs) == 0 || pkgs[len(pkgs)-1] != rel {
				pkgs = append(pkgs, rel)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) < 20 {
		t.Fatalf("found only %d packages: the walk did not see the repository", len(pkgs))
	}
	for _, p := range pkgs {
		if p == "." || strings.HasPrefix(p, "deploy/composecheck") {
			continue // the module root has no package; composecheck is its own module, in the deploy line
		}
		if !named(block, p) {
			t.Errorf("README's architecture block does not name the package %s: add a line saying what it holds", p)
		}
	}
}

func named(block, pkg string) bool {
	if regexp.MustCompile(`(^|[\s(,])` + regexp.QuoteMeta(pkg) + `/?([\s,:)]|$)`).MatchString(block) {
		return true
	}
	if short, ok := strings.CutPrefix(pkg, "internal/"); ok && strings.Contains(short, "/") &&
		regexp.MustCompile(`(^|[\s(,])`+regexp.QuoteMeta(short)+`([\s,:)]|$)`).MatchString(block) {
		return true
	}
	dir, last := filepath.Split(pkg)
	dir = strings.TrimSuffix(dir, "/")
	word := regexp.MustCompile(`(^|[\s(,])` + regexp.QuoteMeta(last) + `/?([\s,:)]|$)`)
	for _, line := range strings.Split(block, "\n") {
		if strings.Contains(line, dir) && word.MatchString(line) {
			return true
		}
	}
	// A continuation line of an entry: the entry's first line names the parent folder.
	lines := strings.Split(block, "\n")
	for i, line := range lines {
		if !word.MatchString(line) {
			continue
		}
		for j := i; j >= 0; j-- {
			if !strings.HasPrefix(lines[j], " ") {
				if strings.Contains(lines[j], dir) {
					return true
				}
				break
			}
		}
	}
	return false
}
