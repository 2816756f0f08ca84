package staffweb

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// The API reference at /docs: rendered here from the OpenAPI document, in the pages' own style
// sheet, so it works offline and without JavaScript (Huma's renderers load their scripts from a
// CDN). /openapi.json stays the machine-readable reference.

type docsData struct {
	Title, Version, Description string
	Tags                        []docTag
	Schemas                     []docSchema
}

type docTag struct {
	ID, Name, Description string
	Operations            []docOperation
}

type docOperation struct {
	ID, Method, Path, Summary, Description string
	Auth                                   bool
	Params                                 []docField
	Body                                   []docField
	BodyType                               string
	Responses                              []docResponse
}

type docField struct {
	Name, In, Type, Description string
	Required                    bool
	Link                        string // to the schema's section, for a named type
}

type docResponse struct {
	Status, Description, Type, Link string
}

type docSchema struct {
	ID, Name, Description string
	Fields                []docField
}

// DocsFrom builds the API reference from the API's OpenAPI document; call it once every
// operation is registered.
func (h *Handler) DocsFrom(o *huma.OpenAPI) {
	d := docsData{Title: o.Info.Title, Version: o.Info.Version, Description: o.Info.Description}
	tags := map[string]*docTag{}
	var order []string
	paths := make([]string, 0, len(o.Paths))
	for p := range o.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		item := o.Paths[p]
		for _, mo := range []struct {
			method string
			op     *huma.Operation
		}{{"GET", item.Get}, {"POST", item.Post}, {"PUT", item.Put}, {"PATCH", item.Patch}, {"DELETE", item.Delete}} {
			if mo.op == nil || mo.op.Hidden {
				continue
			}
			tag := "Other"
			if len(mo.op.Tags) > 0 {
				tag = mo.op.Tags[0]
			}
			t, ok := tags[tag]
			if !ok {
				t = &docTag{ID: "tag-" + fieldID(strings.ToLower(tag)), Name: tag}
				tags[tag] = t
				order = append(order, tag)
			}
			t.Operations = append(t.Operations, docOperationOf(mo.method, p, mo.op))
		}
	}
	for _, tg := range o.Tags {
		if t, ok := tags[tg.Name]; ok {
			t.Description = tg.Description
		}
	}
	for _, name := range order {
		d.Tags = append(d.Tags, *tags[name])
	}
	if o.Components != nil && o.Components.Schemas != nil {
		schemas := o.Components.Schemas.Map()
		names := make([]string, 0, len(schemas))
		for n := range schemas {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			s := schemas[n]
			d.Schemas = append(
				d.Schemas,
				docSchema{ID: "schema-" + n, Name: n, Description: s.Description, Fields: fieldsOf(s, "body")},
			)
		}
	}
	h.docs = &d
}

func docOperationOf(method, path string, op *huma.Operation) docOperation {
	d := docOperation{
		ID:          "op-" + op.OperationID,
		Method:      method,
		Path:        path,
		Summary:     op.Summary,
		Description: op.Description,
		Auth:        len(op.Security) > 0,
	}
	for _, p := range op.Parameters {
		f := docField{Name: p.Name, In: p.In, Description: p.Description, Required: p.Required}
		if p.Schema != nil {
			f.Type, f.Link = typeOf(p.Schema)
			if f.Description == "" {
				f.Description = p.Schema.Description
			}
		}
		d.Params = append(d.Params, f)
	}
	if op.RequestBody != nil {
		for ct, mt := range op.RequestBody.Content {
			if mt.Schema == nil {
				continue
			}
			d.BodyType, _ = typeOf(mt.Schema)
			d.BodyType = ct + ": " + d.BodyType
			if mt.Schema.Ref != "" {
				_, link := typeOf(mt.Schema)
				d.Body = []docField{
					{
						Name:     "body",
						Type:     strings.TrimPrefix(mt.Schema.Ref, "#/components/schemas/"),
						Link:     link,
						Required: op.RequestBody.Required,
					},
				}
			}
		}
	}
	codes := make([]string, 0, len(op.Responses))
	for c := range op.Responses {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		r := op.Responses[c]
		dr := docResponse{Status: c, Description: r.Description}
		for ct, mt := range r.Content {
			if mt.Schema != nil {
				dr.Type, dr.Link = typeOf(mt.Schema)
				dr.Type = ct + ": " + dr.Type
			} else {
				dr.Type = ct
			}
		}
		d.Responses = append(d.Responses, dr)
	}
	return d
}

// typeOf names a schema's type in words, with a link to a named schema's section.
func typeOf(s *huma.Schema) (string, string) {
	if s.Ref != "" {
		n := strings.TrimPrefix(s.Ref, "#/components/schemas/")
		return n, "#schema-" + n
	}
	t := s.Type
	switch {
	case t == "array" && s.Items != nil:
		it, link := typeOf(s.Items)
		return "list of " + it, link
	case s.Format != "":
		t += " (" + s.Format + ")"
	}
	if len(s.Enum) > 0 {
		var vals []string
		for _, e := range s.Enum {
			vals = append(vals, fmt.Sprint(e))
		}
		t += ": one of " + strings.Join(vals, ", ")
	}
	if t == "" {
		t = "any"
	}
	return t, ""
}

func fieldsOf(s *huma.Schema, in string) []docField {
	names := make([]string, 0, len(s.Properties))
	for n := range s.Properties {
		if n != "$schema" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var out []docField
	for _, n := range names {
		p := s.Properties[n]
		f := docField{Name: n, In: in, Description: p.Description, Required: slices.Contains(s.Required, n)}
		f.Type, f.Link = typeOf(p)
		out = append(out, f)
	}
	return out
}

func (h *Handler) docsPage(w http.ResponseWriter, r *http.Request) {
	if h.docs == nil {
		h.notFound(w, r)
		return
	}
	p := &page{Title: "API reference", Data: h.docs}
	if h.sessionUser(r) != "" {
		p.Nav = []navItem{{Href: "/", Text: "Home"}}
	}
	// The reference holds no one's data: it may be kept.
	w.Header().Set("Cache-Control", "no-cache")
	h.render(w, r, http.StatusOK, "docs", p)
}
