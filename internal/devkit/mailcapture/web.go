package mailcapture

import (
	"bytes"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"os"
	"strings"
	"time"
)

// Handler serves the captured mail:
//
//	GET /dev/mail           HTML page listing every message, newest first
//	GET /dev/mail.json      JSON array of Message, newest first
//	GET /dev/mail/{id}.eml  the stored message, raw
func (b *Box) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /dev/mail", b.serveIndex)
	mux.HandleFunc("GET /dev/mail.json", b.serveJSON)
	mux.HandleFunc("GET /dev/mail/{file}", b.serveRaw)
	return mux
}

func (b *Box) serveIndex(w http.ResponseWriter, r *http.Request) {
	msgs, err := b.Messages()
	if err != nil {
		b.serverError(w, r, err)
		return
	}
	smtpAddr := ""
	if a := b.Addr(); a != nil {
		smtpAddr = a.String()
	}
	// Render to a buffer first so a template error becomes a clean 500
	// instead of a half-written page.
	var buf bytes.Buffer
	if err := indexTemplate.Execute(&buf, indexData{Messages: msgs, SMTPAddr: smtpAddr, Dir: b.dir}); err != nil {
		b.serverError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// The page shows mail content: the server's security headers (no scripts, no remote loads,
	// no framing, no caching) cover it.
	w.Write(buf.Bytes())
}

func (b *Box) serveJSON(w http.ResponseWriter, r *http.Request) {
	msgs, err := b.Messages()
	if err != nil {
		b.serverError(w, r, err)
		return
	}
	data, err := json.Marshal(msgs) // msgs is never nil, so this is "[]" when empty
	if err != nil {
		b.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(data)
}

func (b *Box) serveRaw(w http.ResponseWriter, r *http.Request) {
	// The ID is validated against idPattern before touching the disk, which
	// refuses path traversal such as "..%2F..%2Fetc%2Fpasswd.eml".
	id, ok := strings.CutSuffix(r.PathValue("file"), emlExt)
	if !ok || !idPattern.MatchString(id) {
		http.Error(w, "invalid message id", http.StatusBadRequest)
		return
	}
	raw, err := b.rawMessage(id)
	if errors.Is(err, os.ErrNotExist) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		b.serverError(w, r, err)
		return
	}
	// text/plain so the browser shows the source instead of downloading it;
	// nosniff stops it from rendering HTML found in the message.
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Disposition", `inline; filename="`+id+emlExt+`"`)
	w.Write(raw)
}

func (b *Box) serverError(w http.ResponseWriter, r *http.Request, err error) {
	b.logger.Error("serve captured mail", "path", r.URL.Path, "err", err)
	http.Error(w, "internal error, see the dev server log", http.StatusInternalServerError)
}

type indexData struct {
	Messages []Message
	SMTPAddr string
	Dir      string
}

var indexTemplate = template.Must(template.New("index").Funcs(template.FuncMap{
	"fmtTime": func(t time.Time) string { return t.Local().Format("2006-01-02 15:04:05") },
	"isoTime": func(t time.Time) string { return t.Format(time.RFC3339Nano) },
	"join":    strings.Join,
}).Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dev mailbox ({{len .Messages}})</title>
<style>
body { font: 16px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 50rem; padding: 1rem; color: #1a1a1a; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
header p { margin: 0 0 1rem; color: #555; }
ol { list-style: none; margin: 0; padding: 0; }
article { border: 1px solid #ddd; border-radius: 6px; padding: .75rem 1rem; margin: 0 0 1rem; }
h2 { font-size: 1.1rem; margin: 0 0 .5rem; overflow-wrap: anywhere; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .75rem; margin: 0 0 .5rem; font-size: .9rem; }
dt { color: #555; }
dd { margin: 0; overflow-wrap: anywhere; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f6f6f6; padding: .75rem; border-radius: 4px; margin: .5rem 0; font-size: .9rem; }
code { overflow-wrap: anywhere; }
</style>
</head>
<body>
<header>
<h1>Dev mailbox</h1>
<p>Every email the app sends{{with .SMTPAddr}} to SMTP <code>{{.}}</code>{{end}} is captured here, newest first. Stored in <code>{{.Dir}}</code>. <a href="/dev/mail.json">JSON</a></p>
</header>
<main>
{{- if not .Messages}}
<p>No mail yet. Reload this page after the app sends an email.</p>
{{- else}}
<ol>
{{- range .Messages}}
<li><article id="m-{{.ID}}">
<h2>{{if .Subject}}{{.Subject}}{{else}}(no subject){{end}}</h2>
<dl>
<dt>Received</dt><dd><time datetime="{{isoTime .ReceivedAt}}">{{fmtTime .ReceivedAt}}</time></dd>
<dt>From</dt><dd>{{if .From}}{{.From}}{{else}}&lt;&gt;{{end}}</dd>
<dt>To</dt><dd>{{join .To ", "}}</dd>
{{- with .Attachments}}
<dt>Attachments</dt><dd>{{range $i, $a := .}}{{if $i}}, {{end}}{{if $a.Filename}}{{$a.Filename}} {{end}}({{$a.ContentType}}, {{$a.Size}} bytes){{end}}</dd>
{{- end}}
</dl>
<pre>{{.Text}}</pre>
<a href="/dev/mail/{{.ID}}.eml">Raw message (.eml)</a>
</article></li>
{{- end}}
</ol>
{{- end}}
</main>
</body>
</html>
`))
