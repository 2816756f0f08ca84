package evidence

import (
	"bytes"
	"fmt"
	"html/template"
)

// HTML renders the pack as one self-contained, printable HTML document:
// lang="en", a <main> with an h1 and one h2 per section, tables with
// <caption> and <th scope>, print CSS for A4 (contents list hidden, sections
// kept whole where they fit, page numbers in browsers that support @page
// margin boxes). It loads nothing from outside and has no JavaScript; every
// value is escaped by html/template.
func HTML(p Pack) ([]byte, error) {
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, build(p)); err != nil {
		return nil, fmt.Errorf("evidence: render HTML: %w", err)
	}
	return buf.Bytes(), nil
}

var htmlTemplate = template.Must(template.New("pack").Parse(htmlSource))

const htmlSource = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>{{.Title}}</title>
<style>
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; font-size: 1rem; line-height: 1.5; color: #1a1a1a; background: #fff; margin: 0; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.8rem; margin: 0 0 .5rem; }
h2 { font-size: 1.35rem; margin: 2rem 0 .75rem; padding-bottom: .25rem; border-bottom: 2px solid #1a1a1a; }
h3 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
p, td, th, li { white-space: pre-line; }
.meta p { margin: .2rem 0; }
.confidential { font-weight: bold; border: 2px solid #1a1a1a; padding: .4rem .6rem; margin: .6rem 0 !important; }
.none { color: #444; font-style: italic; }
.list-lead { font-weight: bold; margin-bottom: .25rem; }
nav ol { padding-left: 1.5rem; }
nav a { color: #1d4f91; }
a:focus { outline: 3px solid #ffbf47; outline-offset: 0; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
caption { text-align: left; font-weight: bold; padding: .25rem 0; }
th, td { border: 1px solid #6b6b6b; padding: .35rem .5rem; text-align: left; vertical-align: top; }
thead th { background: #e8e8e8; }
tbody th { font-weight: bold; }
table.facts tbody th { width: 35%; background: #f3f3f3; }
@page { size: A4; margin: 20mm 16mm 18mm 16mm;
  @top-center { content: "Confidential: special category data"; font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; font-size: 8pt; color: #444; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; font-size: 8pt; color: #444; } }
@media print {
  nav { display: none; }
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  section, table, tr { page-break-inside: avoid; break-inside: avoid; }
  h2, h3, caption { page-break-after: avoid; break-after: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
  .confidential { border-width: 1.5pt; }
}
</style>
</head>
<body>
<main id="main">
<header class="meta">
<h1>{{.Title}}</h1>
<p>Prepared for: <strong>{{.For}}</strong></p>
<p>School: {{.School}}</p>
<p class="confidential">{{.Confidential}}</p>
<p>{{.Generated}}</p>
</header>
<nav aria-label="Contents">
<ol>
{{- range .Sections}}
<li><a href="#{{.ID}}">{{.Heading}}</a></li>
{{- end}}
</ol>
</nav>
{{- range .Sections}}
<section id="{{.ID}}" aria-labelledby="{{.ID}}-heading">
<h2 id="{{.ID}}-heading">{{.Heading}}</h2>
{{- range .Blocks}}
{{template "block" .}}
{{- end}}
</section>
{{- end}}
</main>
</body>
</html>
{{define "block" -}}
{{- if .IsPara}}<p>{{.Text}}</p>
{{- else if .IsNone}}<p class="none">{{.Text}}</p>
{{- else if .IsH3}}<h3>{{.Text}}</h3>
{{- else if .IsFacts}}<table class="facts">
<caption>{{.Caption}}</caption>
<tbody>
{{- range .Facts}}
<tr><th scope="row">{{.Label}}</th><td>{{.Value}}</td></tr>
{{- end}}
</tbody>
</table>
{{- else if .IsTable}}<table>
<caption>{{.Caption}}</caption>
<thead><tr>{{range .Headers}}<th scope="col">{{.}}</th>{{end}}</tr></thead>
<tbody>
{{- range .Rows}}
<tr>{{range $i, $cell := .}}{{if eq $i 0}}<th scope="row">{{$cell}}</th>{{else}}<td>{{$cell}}</td>{{end}}{{end}}</tr>
{{- end}}
</tbody>
</table>
{{- else if .IsList}}<p class="list-lead">{{.Caption}}</p>
<ul>
{{- range .Items}}
<li>{{.}}</li>
{{- end}}
</ul>
{{- end}}
{{- end}}
`
