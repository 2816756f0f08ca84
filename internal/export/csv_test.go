package export

import (
	"bytes"
	"encoding/csv"
	"testing"
)

func TestCellNeverAFormula(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Reading Recovery", "Reading Recovery"},
		{"", ""},
		{"=HYPERLINK(\"http://x\",\"click\")", "'=HYPERLINK(\"http://x\",\"click\")"},
		{"+44 1632 960000", "'+44 1632 960000"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tcmd", "'\tcmd"},
		{"\rcmd", "'\rcmd"},
		{"-3", "-3"},
		{"-12.50", "-12.50"},
		{"+1", "+1"},
		{"-", "'-"},
		{"1=1", "1=1"},
	} {
		if got := Cell(tc.in); got != tc.want {
			t.Errorf("Cell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCSVRoundTripsSafely(t *testing.T) {
	var b bytes.Buffer
	c, err := NewCSV(&b, "upn", "note")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Row("A123", "=cmd|' /C calc'!A0"); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0][0] != "upn" || rows[1][1] != "'=cmd|' /C calc'!A0" {
		t.Fatalf("rows = %q", rows)
	}
}
