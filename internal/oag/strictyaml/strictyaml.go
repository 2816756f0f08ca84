// Package strictyaml decodes a YAML data file into a Go struct the strict way, for files that
// people edit by hand (the OAG catalogue, the agency directory): unknown keys, duplicate keys,
// values of the wrong type and extra documents are refused, and every error names the line and
// the field, e.g. `line 12: areas[1].strategies[0].colour: unknown field (allowed: id, text, guidance)`.
//
// Field names come from the `yaml` struct tags, as in gopkg.in/yaml.v3.
package strictyaml

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Error is one problem in a data file.
type Error struct {
	Line int    // 1-based; 0 when unknown
	Path string // e.g. "areas[1].strategies[0].id"; empty for the whole file
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Path is a field path: string keys and int sequence indexes.
type Path []any

// String renders the path as areas[1].strategies[0].id.
func (p Path) String() string {
	var b strings.Builder
	for _, el := range p {
		switch v := el.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", v)
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			fmt.Fprint(&b, v)
		}
	}
	return b.String()
}

// Add returns a new path with more elements appended (never sharing p's backing array).
func (p Path) Add(els ...any) Path {
	out := make(Path, 0, len(p)+len(els))
	return append(append(out, p...), els...)
}

// Line is the line of the field at path under root: the key's line (or the list item's) when the
// path exists, else the line of the deepest ancestor that does (so a missing field points at its
// parent).
func Line(root *yaml.Node, path Path) int {
	n := deref(root)
	if n == nil {
		return 0
	}
	line := n.Line
	for _, el := range path {
		var next *yaml.Node
		at := 0 // the line to report for this element: a key's own line, or a list item's
		switch v := el.(type) {
		case int:
			if n.Kind == yaml.SequenceNode && v >= 0 && v < len(n.Content) {
				next = n.Content[v]
				at = next.Line
			}
		case string:
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == v {
						next, at = n.Content[i+1], n.Content[i].Line
						break
					}
				}
			}
		}
		next = deref(next)
		if next == nil {
			return line
		}
		n, line = next, at
	}
	return line
}

// Errors collects problems found while validating a decoded file.
type Errors struct {
	root *yaml.Node
	list []*Error
}

// NewErrors starts a collection whose lines are looked up in root (the node Decode returned).
func NewErrors(root *yaml.Node) *Errors { return &Errors{root: root} }

// Addf records a problem at path.
func (e *Errors) Addf(path Path, format string, args ...any) {
	e.list = append(e.list, &Error{Line: Line(e.root, path), Path: path.String(), Msg: fmt.Sprintf(format, args...)})
}

// Err returns the problems in line order joined into one error (each still reachable with
// errors.As as *Error), or nil when there are none.
func (e *Errors) Err() error {
	if len(e.list) == 0 {
		return nil
	}
	sort.SliceStable(e.list, func(i, j int) bool { return e.list[i].Line < e.list[j].Line })
	errs := make([]error, len(e.list))
	for i, x := range e.list {
		errs[i] = x
	}
	return errors.Join(errs...)
}

// Decode parses exactly one YAML document from src into v, a pointer to a struct, refusing keys
// the struct does not declare, duplicate keys and values of the wrong shape. It returns the
// document's root node, for looking up lines while validating the decoded values.
func Decode(src []byte, v any) (*yaml.Node, error) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return nil, errors.New("strictyaml: Decode needs a non-nil pointer")
	}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{Msg: "the file is empty"}
		}
		return nil, syntaxError(err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, syntaxError(err)
		}
		return nil, &Error{Line: extra.Line, Msg: "only one YAML document is allowed (remove the extra ---)"}
	}
	root := &doc
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		root = doc.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		return nil, &Error{Line: root.Line, Msg: "the file is empty"}
	}
	c := &checker{errs: NewErrors(root)}
	c.check(root, rv.Type().Elem(), nil)
	if err := c.errs.Err(); err != nil {
		return root, err
	}
	if err := root.Decode(v); err != nil {
		return root, syntaxError(err)
	}
	return root, nil
}

// syntaxError turns yaml.v3's "yaml: line 3: ..." into an *Error with the line.
func syntaxError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, text, ok := strings.Cut(rest, ": "); ok {
			if n, convErr := strconv.Atoi(num); convErr == nil {
				return &Error{Line: n, Msg: text}
			}
		}
	}
	return &Error{Msg: msg}
}

type checker struct{ errs *Errors }

var (
	timeType        = reflect.TypeFor[time.Time]()
	unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()
	textType        = reflect.TypeFor[encoding.TextUnmarshaler]()
)

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		return deref(n.Content[0])
	}
	return n
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

func kindWord(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a set of fields"
	case yaml.SequenceNode:
		return "a list"
	}
	return fmt.Sprintf("%q", n.Value)
}

func (c *checker) bad(n *yaml.Node, path Path, format string, args ...any) {
	c.errs.list = append(c.errs.list, &Error{Line: n.Line, Path: path.String(), Msg: fmt.Sprintf(format, args...)})
}

func (c *checker) check(n *yaml.Node, t reflect.Type, path Path) {
	n = deref(n)
	if n == nil {
		return
	}
	if t.Kind() == reflect.Pointer {
		if isNull(n) {
			return
		}
		t = t.Elem()
	}
	// Types that decode themselves, and times, are scalars we leave to yaml.v3.
	if t == timeType {
		if n.Kind != yaml.ScalarNode {
			c.bad(n, path, "want a date like 2026-09-01, got %s", kindWord(n))
		} else if !isNull(n) && n.ShortTag() != "!!timestamp" {
			if _, err := time.Parse(time.DateOnly, n.Value); err == nil {
				c.bad(n, path, "write the date without quotes: %s", n.Value)
			} else {
				c.bad(n, path, "want a date like 2026-09-01, got %q", n.Value)
			}
		}
		return
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) || reflect.PointerTo(t).Implements(textType) {
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if isNull(n) {
			return
		}
		if n.Kind != yaml.MappingNode {
			c.bad(n, path, "want a set of fields, got %s", kindWord(n))
			return
		}
		fields := structFields(t)
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := deref(n.Content[i]), n.Content[i+1]
			key := k.Value
			if prev, dup := seen[key]; dup {
				c.bad(k, path.Add(key), "appears twice (first on line %d)", prev)
				continue
			}
			seen[key] = k.Line
			f, ok := fields[key]
			if !ok {
				c.bad(k, path.Add(key), "unknown field (allowed: %s)", allowed(t))
				continue
			}
			c.check(val, f, path.Add(key))
		}
	case reflect.Slice, reflect.Array:
		if isNull(n) {
			return
		}
		if n.Kind != yaml.SequenceNode {
			c.bad(n, path, "want a list, got %s", kindWord(n))
			return
		}
		for i, el := range n.Content {
			c.check(el, t.Elem(), path.Add(i))
		}
	case reflect.Map:
		if isNull(n) {
			return
		}
		if n.Kind != yaml.MappingNode {
			c.bad(n, path, "want a set of fields, got %s", kindWord(n))
			return
		}
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := deref(n.Content[i])
			if prev, dup := seen[k.Value]; dup {
				c.bad(k, path.Add(k.Value), "appears twice (first on line %d)", prev)
				continue
			}
			seen[k.Value] = k.Line
			c.check(n.Content[i+1], t.Elem(), path.Add(k.Value))
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			c.bad(n, path, "want text, got %s", kindWord(n))
		}
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
			c.bad(n, path, "want true or false, got %s", kindWord(n))
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
			c.bad(n, path, "want a whole number, got %s", kindWord(n))
		}
	case reflect.Float32, reflect.Float64:
		if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!int" && n.ShortTag() != "!!float") {
			c.bad(n, path, "want a number, got %s", kindWord(n))
		}
	}
}

// structFields maps YAML keys to field types, following yaml.v3's tag rules (including ,inline).
func structFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() && !f.Anonymous {
			continue
		}
		tag := f.Tag.Get("yaml")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(","+opts+",", ",inline,") && f.Type.Kind() == reflect.Struct {
			for k, v := range structFields(f.Type) {
				out[k] = v
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}

func allowed(t reflect.Type) string {
	// Keep declaration order: it is the order the README documents.
	var names []string
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() && !f.Anonymous {
				continue
			}
			tag := f.Tag.Get("yaml")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if strings.Contains(","+opts+",", ",inline,") && f.Type.Kind() == reflect.Struct {
				walk(f.Type)
				continue
			}
			if name == "" {
				name = strings.ToLower(f.Name)
			}
			names = append(names, name)
		}
	}
	walk(t)
	return strings.Join(names, ", ")
}
