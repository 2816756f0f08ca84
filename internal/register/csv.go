package register

import (
	"io"

	"github.com/sendflow/sendflow/internal/export"
)

// Line is one pupil on a school's register.
type Line struct {
	PupilID, UPN, Surname, Forename string
	Entry
}

// Header is the register CSV's header: the pupil's identifiers as the census names them, then
// SENprovision and the SENtype of each rank, then what sendflow adds (what the pathway says, the
// SENDCo's note).
var Header = []string{"UPN", "Surname", "Forename", "SENprovision", "SENtype (SENtypeRank 1)", "SENtype (SENtypeRank 2)",
	"Pathway says", "Differs from pathway", "Note"}

// WriteCSV writes the register as CSV that is safe to open in a spreadsheet (export.Cell).
func WriteCSV(w io.Writer, lines []Line) error {
	c, err := export.NewCSV(w, Header...)
	if err != nil {
		return err
	}
	for _, l := range lines {
		differs := ""
		if l.Disagreement() != "" {
			differs = "yes"
		}
		note := ""
		if l.Rec != nil {
			note = l.Rec.Note
		}
		if err := c.Row(l.UPN, l.Surname, l.Forename, string(l.Provision()), string(l.Primary()), string(l.Secondary()),
			string(l.Derived), differs, note); err != nil {
			return err
		}
	}
	return c.Close()
}
