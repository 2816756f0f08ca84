package provision

import (
	"fmt"
	"io"
	"strings"

	"github.com/sendflow/sendflow/internal/export"
	"github.com/sendflow/sendflow/internal/oag"
)

// CSVHeader is the provision map's CSV columns.
var CSVHeader = []string{
	"pupil_id",
	"pupil",
	"class",
	"cycle",
	"provision",
	"catalogue_item",
	"kind",
	"delivery",
	"staff_role",
	"frequency",
	"areas_of_need",
	"cost_per_week",
	"cost_per_term",
	"cost_per_year",
	"delivery_behind",
	"delivery_note",
}

// WriteCSV writes the map's lines, one per pupil's piece of provision, every cell safe to open in
// a spreadsheet (export.Cell).
func WriteCSV(w io.Writer, m Map) error {
	c, err := export.NewCSV(w, CSVHeader...)
	if err != nil {
		return err
	}
	for _, l := range m.Lines {
		cost := func(p Pence) string {
			if !l.Costed {
				return ""
			}
			return p.Pounds()
		}
		behind := "no"
		if l.Shortfall.Behind {
			behind = "yes"
		}
		if err := c.Row(l.PupilID, l.Pupil, l.Class, fmt.Sprint(l.Cycle), l.Name, l.ItemID, l.Kind, l.Delivery, l.StaffRole,
			l.Frequency, AreaNames(l.Areas), cost(l.Cost.Week), cost(l.Cost.Term), cost(l.Cost.Year), behind, l.Shortfall.Reason); err != nil {
			return err
		}
	}
	return c.Close()
}

// AreaNames says areas of need in words, joined by "; ".
func AreaNames(codes []string) string {
	var out []string
	for _, c := range codes {
		out = append(out, oag.AreaName(c))
	}
	return strings.Join(out, "; ")
}

// Delivered says a line's delivery in words: "behind: …", "on track", or "not counted".
func (l Line) Delivered() string {
	switch {
	case l.Shortfall.Behind:
		return "Behind: " + l.Shortfall.Reason
	case len(l.Weeks) >= 2:
		return "On track"
	case l.Costed && len(l.Weeks) < 2 && l.Weeks != nil:
		return "Too early to judge"
	}
	return "Not counted"
}
