package evidence

import "time"

// Table is a captioned table for TablesPDF; Widths are relative column widths.
type Table struct {
	Heading string
	Intro   string
	Headers []string
	Widths  []float64
	Rows    [][]string
}

// TablesPDF renders other reports (the provision map) with the evidence pack's PDF machinery:
// the same header with title, audience and confidentiality line, footer and ruled tables.
func TablesPDF(title, audience, school, confidential string, generated time.Time, tables []Table) ([]byte, error) {
	if _, err := fontCoverage(); err != nil {
		return nil, err
	}
	d := document{Title: title, For: audience, School: school, Confidential: confidential,
		Generated: generatedLine(generated)}
	for i, t := range tables {
		s := section{ID: "t" + string(rune('a'+i%26)), Heading: t.Heading}
		if t.Intro != "" {
			s.Blocks = append(s.Blocks, para(t.Intro))
		}
		if len(t.Rows) == 0 {
			s.Blocks = append(s.Blocks, none("None."))
		} else {
			s.Blocks = append(s.Blocks, block{Kind: blockTable, Caption: t.Heading, Headers: t.Headers, Rows: t.Rows, Widths: t.Widths})
		}
		d.Sections = append(d.Sections, s)
	}
	return render(d, generated)
}
