package actions

import (
	"bytes"
	"io/fs"
	"strings"
	"testing"

	"github.com/sendflow/sendflow/catalogue"
	"github.com/sendflow/sendflow/internal/oag"
	"github.com/sendflow/sendflow/internal/provision"
)

// A catalogue file's problems reach the person who uploaded it one by one, each naming its line
// and field, as the seed's checks (provision.Parse) find them.
func TestFileProblemsNameTheirLines(t *testing.T) {
	src, err := fs.ReadFile(catalogue.Files, provision.DemoFile)
	if err != nil {
		t.Fatal(err)
	}
	o, err := oag.Example()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		file []byte
		want []string
	}{
		{"two bad fields", bytes.Replace(bytes.Replace(src, []byte("delivery: group of 4"), []byte("delivery: a few"), 1),
			[]byte("kind: intervention"), []byte("kind: lesson"), 1),
			[]string{"line 15, items[0].kind", "line 16, items[0].delivery"}},
		{"an unknown key", bytes.Replace(src, []byte("    staff_role: Teaching assistant\n"), []byte("    staff: Teaching assistant\n"), 1),
			[]string{"line 17"}},
		{"an unknown strategy", bytes.Replace(src, []byte("ci.s.sentence-starters"), []byte("ci.s.nothing"), 1),
			[]string{"line 22, items[0].strategies[1]"}},
		{"not YAML", []byte("id: [unclosed"), []string{"line 1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := provision.Parse(tc.file, &o)
			if err == nil {
				t.Fatal("the file was accepted")
			}
			ps := fileProblems(err)
			var got []string
			for _, p := range ps {
				got = append(got, p.Field+": "+p.Message)
			}
			if len(ps) != len(tc.want) {
				t.Errorf("problems %q, want %d", got, len(tc.want))
			}
			for _, w := range tc.want {
				if !strings.Contains(strings.Join(got, "\n"), w) {
					t.Errorf("problems %q do not name %q", got, w)
				}
			}
		})
	}
}
