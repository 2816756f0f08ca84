package testenv

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// Browser is a browser without JavaScript, for tests of the pages: it keeps cookies (Secure
// ones too, as browsers do on 127.0.0.1), follows redirects, and fills in and sends forms the way
// a person pressing the page's buttons would.
type Browser struct {
	t      testing.TB
	base   string
	client *http.Client
	// Last is the address of the page last shown, for forms with relative actions.
	Last *url.URL
	// Status is the status of the last answer.
	Status int
	// Header is the last answer's header.
	Header http.Header
}

// secureJar keeps Secure cookies over http to 127.0.0.1, as browsers do for loopback addresses;
// Go's jar would drop them.
type secureJar struct{ *cookiejar.Jar }

func asHTTPS(u *url.URL) *url.URL { c := *u; c.Scheme = "https"; return &c }

func (s secureJar) SetCookies(u *url.URL, cs []*http.Cookie) { s.Jar.SetCookies(asHTTPS(u), cs) }
func (s secureJar) Cookies(u *url.URL) []*http.Cookie        { return s.Jar.Cookies(asHTTPS(u)) }

// NewBrowser opens a browser on a site (http://host:port).
func NewBrowser(t testing.TB, base string) *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{t: t, base: base, client: &http.Client{Jar: secureJar{jar}}}
}

// Cookies are the cookies the browser holds for the site.
func (b *Browser) Cookies() []*http.Cookie {
	u, _ := url.Parse(b.base)
	return b.client.Jar.Cookies(u)
}

// SetCookies replaces cookies the browser holds for the site.
func (b *Browser) SetCookies(cs []*http.Cookie) {
	u, _ := url.Parse(b.base)
	b.client.Jar.SetCookies(u, cs)
}

func (b *Browser) abs(path string) *url.URL {
	base, _ := url.Parse(b.base + "/")
	if b.Last != nil {
		base = b.Last
	}
	u, err := base.Parse(path)
	if err != nil {
		b.t.Fatalf("bad address %q: %v", path, err)
	}
	return u
}

func (b *Browser) do(req *http.Request) (int, string) {
	b.t.Helper()
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	req.Header.Set("Sec-Fetch-Mode", "navigate")
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	b.Last, b.Status, b.Header = resp.Request.URL, resp.StatusCode, resp.Header
	return resp.StatusCode, string(body)
}

// Get opens a page.
func (b *Browser) Get(path string) (int, string) {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.abs(path).String(), nil)
	return b.do(req)
}

// Post sends form values to an address as a form on this site would.
func (b *Browser) Post(path string, form url.Values) (int, string) {
	b.t.Helper()
	u := b.abs(path)
	req, _ := http.NewRequest("POST", u.String(), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", u.Scheme+"://"+u.Host)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

// PostFile sends a form with a file, as multipart/form-data, as a form with a file input on
// this site would: the values, and data as the file chosen for field (no file when data is nil).
func (b *Browser) PostFile(path string, form url.Values, field, filename string, data []byte) (int, string) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range form {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	fw, err := mw.CreateFormFile(field, filename)
	if err != nil {
		b.t.Fatal(err)
	}
	_, _ = fw.Write(data)
	_ = mw.Close()
	u := b.abs(path)
	req, _ := http.NewRequest("POST", u.String(), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", u.Scheme+"://"+u.Host)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

// Submit fills in the form on page whose submit button reads button (the values given replace
// what the form holds) and sends it as the browser would.
func (b *Browser) Submit(page, button string, values url.Values) (int, string) {
	b.t.Helper()
	f := findForm(b.t, page, button)
	for k, vs := range values {
		f.values[k] = vs
	}
	if f.method == "get" {
		u := b.abs(f.action)
		u.RawQuery = f.values.Encode()
		return b.Get(u.String())
	}
	return b.Post(f.action, f.values)
}

// SignInFrom signs in from sendflow's sign-in page as who, through the dev identity provider's
// page, and returns the page sendflow opens afterwards.
func (b *Browser) SignInFrom(page, who string) (int, string) {
	b.t.Helper()
	status, body := b.Submit(page, "Sign in", nil)
	if status != 200 {
		b.t.Fatalf("sign-in start = %d\n%s", status, body)
	}
	return b.Submit(body, "Continue", url.Values{"email": {who}})
}

// SignIn signs who in from sendflow's sign-in page.
func (b *Browser) SignIn(who string) (int, string) {
	b.t.Helper()
	_, body := b.Get("/sign-in")
	return b.SignInFrom(body, who)
}

type form struct {
	action, method string
	values         url.Values
}

// FormValues are the values the form with this button would send as the page stands.
func FormValues(t testing.TB, page, button string) url.Values {
	return findForm(t, page, button).values
}

// findForm finds the form holding a submit button with this text and the values it would send.
func findForm(t testing.TB, page, button string) form {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var forms []*html.Node
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "form" {
			forms = append(forms, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	for _, fn := range forms {
		f := form{action: attr(fn, "action"), method: strings.ToLower(attr(fn, "method")), values: url.Values{}}
		found := false
		var fill func(n *html.Node)
		fill = func(n *html.Node) {
			if n.Type == html.ElementNode {
				name := attr(n, "name")
				switch n.Data {
				case "button":
					if strings.TrimSpace(text(n)) == button {
						found = true
						if name != "" {
							f.values.Set(name, attr(n, "value"))
						}
					}
				case "input":
					switch typ := attr(n, "type"); typ {
					case "submit":
						if attr(n, "value") == button {
							found = true
						}
					case "radio", "checkbox":
						if hasAttr(n, "checked") && name != "" {
							f.values.Add(name, valueOr(n, "on"))
						}
					default:
						if name != "" {
							f.values.Add(name, attr(n, "value"))
						}
					}
				case "textarea":
					if name != "" {
						f.values.Add(name, text(n))
					}
				case "select":
					if name != "" {
						var chosen, first *html.Node
						var opts func(*html.Node)
						opts = func(o *html.Node) {
							if o.Type == html.ElementNode && o.Data == "option" {
								if first == nil {
									first = o
								}
								if hasAttr(o, "selected") {
									chosen = o
								}
							}
							for c := o.FirstChild; c != nil; c = c.NextSibling {
								opts(c)
							}
						}
						opts(n)
						if chosen == nil {
							chosen = first
						}
						if chosen != nil {
							f.values.Add(name, valueOr(chosen, text(chosen)))
						}
					}
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				fill(c)
			}
		}
		fill(fn)
		if found {
			if f.method == "" {
				f.method = "get"
			}
			return f
		}
	}
	t.Fatalf("no form with a %q button on the page:\n%s", button, page)
	return form{}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

func valueOr(n *html.Node, def string) string {
	if hasAttr(n, "value") {
		return attr(n, "value")
	}
	return def
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}
