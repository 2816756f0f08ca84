// Package export writes the files staff take out of sendflow (registers, provision maps) so they
// are safe to open in a spreadsheet: no cell is ever read as a formula.
package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
)

// CSV writes rows under a header; every cell is neutralised by Cell.
type CSV struct {
	w *csv.Writer
}

// NewCSV starts a CSV file with its header row.
func NewCSV(w io.Writer, header ...string) (*CSV, error) {
	c := &CSV{w: csv.NewWriter(w)}
	if err := c.Row(header...); err != nil {
		return nil, fmt.Errorf("write csv header: %w", err)
	}
	return c, nil
}

// Row writes one row.
func (c *CSV) Row(cells ...string) error {
	safe := make([]string, len(cells))
	for i, v := range cells {
		safe[i] = Cell(v)
	}
	if err := c.w.Write(safe); err != nil {
		return fmt.Errorf("write csv row: %w", err)
	}
	return nil
}

// Close flushes what is buffered and reports any write error.
func (c *CSV) Close() error {
	c.w.Flush()
	if err := c.w.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// Cell makes a value safe to open in a spreadsheet. A cell that starts with =, +, -, @, a tab or
// a carriage return is a formula to Excel, LibreOffice and Google Sheets (CSV injection, OWASP):
// it is prefixed with an apostrophe, which they show as text. Numbers written by sendflow itself
// ("-3" for a shortfall) pass through when the whole cell is a plain number.
func Cell(v string) string {
	if v == "" || !strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return v
	}
	if plainNumber(v) {
		return v
	}
	return "'" + v
}

func plainNumber(v string) bool {
	s := strings.TrimPrefix(strings.TrimPrefix(v, "-"), "+")
	if s == "" {
		return false
	}
	dot := false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
		case r == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return true
}
