package strictyaml

import (
	"strings"
	"testing"
	"time"
)

type inner struct {
	N  int     `yaml:"n"`
	OK bool    `yaml:"ok"`
	F  float64 `yaml:"f"`
}

type common struct {
	Shared string `yaml:"shared"`
}

type outer struct {
	common  `yaml:",inline"`
	Name    string            `yaml:"name"`
	When    time.Time         `yaml:"when"`
	In      inner             `yaml:"in"`
	Ptr     *inner            `yaml:"ptr"`
	List    []inner           `yaml:"list"`
	Labels  map[string]string `yaml:"labels"`
	Skipped string            `yaml:"-"`
	Plain   string
}

func TestDecode(t *testing.T) {
	src := `shared: s
name: 2026.10
when: 2026-09-01
in: &base {n: 3, ok: true, f: 1.5}
ptr: *base
list:
  - {n: 1}
  - n: 2
labels: {a: b}
plain: p
`
	var v outer
	root, err := Decode([]byte(src), &v)
	if err != nil {
		t.Fatal(err)
	}
	if v.Shared != "s" || v.Name != "2026.10" || v.When.Year() != 2026 || v.In.N != 3 || v.Ptr == nil || v.Ptr.N != 3 ||
		len(v.List) != 2 || v.Labels["a"] != "b" || v.Plain != "p" {
		t.Errorf("decoded %+v", v)
	}
	for _, tc := range []struct {
		path Path
		line int
	}{
		{Path{"list", 1, "n"}, 8},
		{Path{"list", 1, "missing"}, 8},
		{Path{"list", 5}, 6},
		{Path{"labels", "a"}, 9},
		{nil, 1},
	} {
		if got := Line(root, tc.path); got != tc.line {
			t.Errorf("Line(%s) = %d, want %d", tc.path, got, tc.line)
		}
	}
}

func TestDecodeRefuses(t *testing.T) {
	cases := []struct{ src, want string }{
		{
			"name: x\nnmae: y\n",
			"line 2: nmae: unknown field (allowed: shared, name, when, in, ptr, list, labels, plain)",
		},
		{"skipped: x\n", "line 1: skipped: unknown field (allowed: shared, name, when, in, ptr, list, labels, plain)"},
		{"in: {n: six}\n", `line 1: in.n: want a whole number, got "six"`},
		{"in: {n: 1.5}\n", `line 1: in.n: want a whole number, got "1.5"`},
		{"in: {ok: yes}\n", `line 1: in.ok: want true or false, got "yes"`},
		{"in: {f: x}\n", `line 1: in.f: want a number, got "x"`},
		{"in: [1]\n", `line 1: in: want a set of fields, got a list`},
		{"list: {n: 1}\n", `line 1: list: want a list, got a set of fields`},
		{"name: [a]\n", `line 1: name: want text, got a list`},
		{"when: soon\n", `line 1: when: want a date like 2026-09-01, got "soon"`},
		{"labels: {a: b, a: c}\n", `line 1: labels.a: appears twice (first on line 1)`},
		{"labels: [a]\n", `line 1: labels: want a set of fields, got a list`},
		{"list:\n  - n: 1\n    x: 2\n", `line 3: list[0].x: unknown field (allowed: n, ok, f)`},
		{"- a\n", `line 1: want a set of fields, got a list`},
		{"", `the file is empty`},
		{"~\n", `line 1: the file is empty`},
	}
	for _, tc := range cases {
		var v outer
		_, err := Decode([]byte(tc.src), &v)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q: error %v\nwant %s", tc.src, err, tc.want)
		}
	}
	if _, err := Decode([]byte("a: 1"), outer{}); err == nil || !strings.Contains(err.Error(), "pointer") {
		t.Errorf("non-pointer: %v", err)
	}
}

func TestErrorsSortedAndJoined(t *testing.T) {
	var v outer
	root, err := Decode([]byte("name: x\nin:\n  n: 1\n"), &v)
	if err != nil {
		t.Fatal(err)
	}
	errs := NewErrors(root)
	errs.Addf(Path{"in", "n"}, "too small: %d", 1)
	errs.Addf(Path{"name"}, "bad")
	errs.Addf(Path{}, "whole file")
	want := "line 1: name: bad\nline 1: whole file\nline 3: in.n: too small: 1" // by line, then as added
	if got := errs.Err(); got == nil || got.Error() != want {
		t.Errorf("Err() = %v\nwant %s", got, want)
	}
	if NewErrors(root).Err() != nil {
		t.Error("no problems gave an error")
	}
}
