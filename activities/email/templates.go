package email

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	texttemplate "text/template"
)

//go:embed templates/*.tmpl
var templateFiles embed.FS

// Template is one kind of email. Version is recorded with each message sent, so the outbox keeps
// a record of exactly which wording a person received.
type Template struct {
	Name    string
	Version string
	Subject string // a text/template over the same data
}

// ConcernRaised tells a SENDCo a concern is waiting for triage.
var ConcernRaised = Template{Name: "concern_raised", Version: "1", Subject: "A new concern to look at: {{.PupilFirstName}}"}

// Render fills a template's subject, text and HTML bodies. A missing value is an error, never a
// blank in a letter; html/template escapes the values in the HTML body.
func Render(t Template, data map[string]string) (subject, text, html string, err error) {
	var sb, tb, hb bytes.Buffer
	st, err := texttemplate.New("subject").Option("missingkey=error").Parse(t.Subject)
	if err != nil {
		return "", "", "", fmt.Errorf("parse %s subject: %w", t.Name, err)
	}
	tt, err := texttemplate.New(t.Name+".txt.tmpl").Option("missingkey=error").ParseFS(templateFiles, "templates/"+t.Name+".txt.tmpl")
	if err != nil {
		return "", "", "", fmt.Errorf("parse %s text: %w", t.Name, err)
	}
	ht, err := htmltemplate.New(t.Name+".html.tmpl").Option("missingkey=error").ParseFS(templateFiles, "templates/"+t.Name+".html.tmpl")
	if err != nil {
		return "", "", "", fmt.Errorf("parse %s html: %w", t.Name, err)
	}
	if err := st.Execute(&sb, data); err != nil {
		return "", "", "", fmt.Errorf("render %s subject: %w", t.Name, err)
	}
	if err := tt.Execute(&tb, data); err != nil {
		return "", "", "", fmt.Errorf("render %s text: %w", t.Name, err)
	}
	withSubject := map[string]string{"Subject": sb.String()}
	for k, v := range data {
		withSubject[k] = v
	}
	if err := ht.Execute(&hb, withSubject); err != nil {
		return "", "", "", fmt.Errorf("render %s html: %w", t.Name, err)
	}
	return sb.String(), tb.String(), hb.String(), nil
}
