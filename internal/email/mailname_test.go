package email

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// mailnames reads the constants of package mailname: name → value.
func mailnames(t *testing.T) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(
		token.NewFileSet(),
		filepath.Join("mailname", "mailname.go"),
		nil,
		parser.SkipObjectResolution,
	)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			v := s.(*ast.ValueSpec)
			for i, n := range v.Names {
				lit, ok := v.Values[i].(*ast.BasicLit)
				if !ok {
					t.Fatalf("mailname.%s is not a string literal", n.Name)
				}
				out[n.Name], _ = strconv.Unquote(lit.Value)
			}
		}
	}
	return out
}

// sent lists the mailname constants (and the catalogue's exported templates, which share their
// names) that code outside this package refers to: the emails something sends.
func sent(t *testing.T) map[string]bool {
	t.Helper()
	root := filepath.Join("..", "..")
	out := map[string]bool{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); strings.HasPrefix(name, ".") && path != root ||
				path == filepath.Join(root, "internal", "email") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if x, ok := sel.X.(*ast.Ident); ok && (x.Name == "mailname" || x.Name == "email") {
					out[sel.Sel.Name] = true
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Every email is named by a constant in mailname that some code sends, and every constant names
// an email: a template renamed in the catalogue but not where it is sent would be queued under a
// name the dispatcher cannot render, and a template nothing sends is wording no one receives.
func TestEveryTemplateNameIsUsed(t *testing.T) {
	consts := mailnames(t)
	byValue := map[string]string{}
	for name, v := range consts {
		byValue[v] = name
		if _, ok := Lookup(v); !ok {
			t.Errorf("mailname.%s = %q names no template in the catalogue", name, v)
		}
	}
	for _, n := range Names() {
		if _, ok := byValue[n]; !ok {
			t.Errorf("template %q has no constant in mailname", n)
		}
	}
	used := sent(t)
	var never []string
	for name := range consts {
		if !used[name] {
			never = append(never, name)
		}
	}
	sort.Strings(never)
	if len(never) > 0 {
		t.Errorf(
			"no code outside internal/email sends these templates: mailname.%s",
			strings.Join(never, ", mailname."),
		)
	}
	// The scan sees the code that sends mail (a broken walk would find nothing and pass).
	for _, want := range []string{"ConcernRaised", "MeetingInvitation", "SignInLink", "EHCDeadlineMissed"} {
		if !used[want] {
			t.Errorf("the scan did not find %s where it is sent", want)
		}
	}
	if !slices.Contains(Names(), consts["ReviewInvitation"]) {
		t.Errorf("review_invitation is missing")
	}
}
