package staffweb

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sendflow/sendflow/internal/locale"
	"github.com/sendflow/sendflow/internal/provision"
	"github.com/sendflow/sendflow/workflows"
)

// page is what every template sees; Data holds the page's own.
type page struct {
	Title   string
	Caption string // a line above the heading, such as the pupil's name
	Who     string // the signed-in person
	Nav     []navItem
	Back    string
	Flash   string
	// Errors are the form's problems, in the order of its fields; Err finds one by field.
	Errors []fieldError
	Err    map[string]string
	// Values are what the form holds: what was sent (after a problem), kept (after signing in
	// again) or the defaults.
	Values url.Values
	Kept   bool // the values were kept from a form sent after the session ended
	// Action is the id of the form's action: the same id again is a repeat, recorded once.
	Action string
	Data   any
}

type navItem struct {
	Href, Text string
	Current    bool
}

type fieldError struct {
	Field, Text string
}

func (h *Handler) parseTemplates() error {
	funcs := template.FuncMap{
		"asset": func(name string) string { return "/assets/" + name + "?v=" + assetVersion },
		"val": func(v url.Values, key string) string {
			return v.Get(key)
		},
		"has": func(v url.Values, key, value string) bool { return slices.Contains(v[key], value) },
		"day": func(t any) string {
			switch t := t.(type) {
			case time.Time:
				return dayWords(t)
			case *time.Time:
				if t == nil {
					return ""
				}
				return dayWords(*t)
			case string:
				if d, err := time.Parse(time.DateOnly, t); err == nil {
					return d.Format("2 January 2006")
				}
				return t
			}
			return ""
		},
		"when":   func(t time.Time) string { return t.In(workflows.London).Format("2 January 2006 at 3:04pm") },
		"iso":    func(t time.Time) string { return workflows.CalendarDate(t).Format(time.DateOnly) },
		"words":  func(s string) string { return strings.ReplaceAll(s, "_", " ") },
		"upper1": upperFirst,
		"plural": locale.Count,
		"add":    func(a, b int) int { return a + b },
		"field":  newField,
		"stage":  stageWords,
		"nextstep": func(s string) string {
			if w, ok := nextWords[s]; ok {
				return w
			}
			return s
		},
		"auditwords": auditWords,
		"councilsteps": func(id, title string, rows []councilRow, empty string) councilSteps {
			return councilSteps{ID: id, Title: title, Rows: rows, Empty: empty}
		},
		"append1": func(rows []figuresRow, last figuresRow) []figuresRow {
			return append(append([]figuresRow{}, rows...), last)
		},
		"newid": uuid.NewString, // a form of its own on a page of several
		"id":    fieldID,
		"areas": provision.AreaNames,
		"pct":   func(f float64) int { return int(f*100 + 0.5) },
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
	}
	h.pages = map[string]*template.Template{}
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return err
	}
	for _, f := range names {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "layout" || name == "parts" {
			continue
		}
		t, err := template.New(name).Funcs(funcs).Option("missingkey=error").
			ParseFS(templateFiles, "templates/layout.html", "templates/parts.html", f)
		if err != nil {
			return fmt.Errorf("staff page template %s: %w", name, err)
		}
		h.pages[name] = t
	}
	return nil
}

// dayWords is a date as letters write it, on the London calendar.
func dayWords(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return locale.English.ShortDate(t)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// render writes a page. The flash message of the last action is shown once.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	if p.Flash == "" {
		p.Flash = h.sessions.PopString(r.Context(), keyFlash)
	}
	if p.Values == nil {
		p.Values = url.Values{}
	}
	if p.Err == nil {
		p.Err = map[string]string{}
		for _, e := range p.Errors {
			if _, ok := p.Err[e.Field]; !ok {
				p.Err[e.Field] = e.Text
			}
		}
	}
	t, ok := h.pages[name]
	if !ok {
		h.d.Logger.Error("staff pages: no template", "page", name)
		http.Error(w, "Sorry, this page could not be shown.", http.StatusInternalServerError)
		return
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", p); err != nil {
		h.d.Logger.Error("staff pages: render", "page", name, "error", err)
		http.Error(w, "Sorry, this page could not be shown. Please try again later.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// flash keeps a sentence saying what an action did, for the next page.
func (h *Handler) flash(r *http.Request, msg string) { h.sessions.Put(r.Context(), keyFlash, msg) }

// frame fills in the parts of a page every signed-in page has: who is signed in and the menu.
func (h *Handler) frame(v *visit, current string, p *page) *page {
	p.Who = v.p.Name
	for _, n := range h.menu(v) {
		n.Current = n.Href == current
		p.Nav = append(p.Nav, n)
	}
	return p
}

// menu is what a person's roles give them to start from.
func (h *Handler) menu(v *visit) []navItem {
	items := []navItem{{Href: "/", Text: "Home"}}
	if len(schoolsWhere(v.p, "pupils", "list", h)) > 0 {
		items = append(items, navItem{Href: "/pupils", Text: "Pupils"})
	}
	if len(schoolsWhere(v.p, "transfer", "read", h)) > 0 {
		items = append(items, navItem{Href: "/transfers", Text: "Moving school"})
	}
	if len(schoolsWhere(v.p, "register", "read", h)) > 0 {
		items = append(items, navItem{Href: "/register", Text: "SEN register"})
	}
	if ids := schoolsWhere(v.p, "provision_map", "read", h); len(ids) > 0 {
		items = append(items, navItem{Href: "/schools/" + ids[0] + "/provision", Text: "Provision map"})
	}
	if len(v.p.LACodes) > 0 {
		items = append(items, navItem{Href: "/council", Text: "EHC requests"})
	}
	if len(v.p.TrustSchools) > 0 {
		items = append(items, navItem{Href: "/trust", Text: "Trust"})
	}
	if len(v.p.AgencyServices) > 0 {
		items = append(items, navItem{Href: "/referrals", Text: "Referrals"})
	}
	return items
}

// fieldArgs are what the form parts in parts.html take.
type fieldArgs struct {
	Page                                  *page
	Name, Label, Hint, Type, Width        string
	LabelClass, LegendClass, Autocomplete string
	Rows                                  int
	Small, Heading                        bool
	// ID names the field's elements when one name is used by several fields on a page.
	ID      string
	Options []option
}

// FieldID is the id of the field's input (and the prefix of its hint's and error's).
func (f *fieldArgs) FieldID() string {
	if f.ID != "" {
		return f.ID
	}
	return fieldID(f.Name)
}

func fieldID(name string) string {
	return strings.NewReplacer(".", "-", "[", "-", "]", "", "/", "-", " ", "-").Replace(name)
}

// option is one choice of radios, checkboxes or a select.
type option struct {
	Value, Label, Hint string
}

// newField makes a form part's arguments: the page, the field's name and label, then pairs of
// a setting's name and value (Hint, Type, Width, LabelClass, LegendClass, Autocomplete, Rows,
// Small, Options).
func newField(p *page, name, label string, kv ...any) (*fieldArgs, error) {
	f := &fieldArgs{Page: p, Name: name, Label: label}
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("field %s: settings come in pairs", name)
	}
	for i := 0; i < len(kv); i += 2 {
		k, _ := kv[i].(string)
		var ok bool
		switch k {
		case "Hint":
			f.Hint, ok = kv[i+1].(string)
		case "Type":
			f.Type, ok = kv[i+1].(string)
		case "Width":
			f.Width, ok = kv[i+1].(string)
		case "LabelClass":
			f.LabelClass, ok = kv[i+1].(string)
		case "LegendClass":
			f.LegendClass, ok = kv[i+1].(string)
		case "Autocomplete":
			f.Autocomplete, ok = kv[i+1].(string)
		case "Rows":
			f.Rows, ok = kv[i+1].(int)
		case "Small":
			f.Small, ok = kv[i+1].(bool)
		case "Heading":
			f.Heading, ok = kv[i+1].(bool)
		case "ID":
			f.ID, ok = kv[i+1].(string)
		case "Options":
			f.Options, ok = kv[i+1].([]option)
		}
		if !ok {
			return nil, fmt.Errorf("field %s: setting %v is unknown or of the wrong type", name, kv[i])
		}
	}
	return f, nil
}

type councilSteps struct {
	ID, Title, Empty string
	Rows             []councilRow
}
