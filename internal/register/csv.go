package register

import (
	"io"
	"strconv"

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
var Header = []string{
	"UPN",
	"Surname",
	"Forename",
	"SENprovision",
	"SENtype (SENtypeRank 1)",
	"SENtype (SENtypeRank 2)",
	"Pathway says",
	"Differs from pathway",
	"Note",
}

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

// FiguresHeader is the figures CSV's header.
var FiguresHeader = []string{
	"School",
	"Requests",
	"Awaiting decision",
	"Being assessed",
	"Refused to assess",
	"Not issued",
	"Withdrawn",
	"Plans issued",
	"Within 20 weeks",
	"Within 20 weeks %",
	"Plans issued excluding exceptions",
	"Within 20 weeks excluding exceptions",
	"Within 20 weeks excluding exceptions %",
	"Average weeks to the decision whether to assess",
	"Average weeks from the request to the final plan",
	"Annual reviews overdue",
	"Reviews held",
	"Reviews with parents' views",
	"Meetings with parents per pupil per year",
}

// WriteFiguresCSV writes each school's figures and then all of them together, safe to open in a
// spreadsheet (export.Cell: a school's name is never run as a formula).
func WriteFiguresCSV(w io.Writer, schools []SchoolFigures, all SchoolFigures) error {
	c, err := export.NewCSV(w, FiguresHeader...)
	if err != nil {
		return err
	}
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	weeks := func(f SchoolFigures, name string) string {
		for _, s := range f.Stages {
			if s.Name == name && s.Counted > 0 {
				return num(s.Weeks())
			}
		}
		return ""
	}
	pc := func(s Share) string {
		if s.D == 0 {
			return ""
		}
		return num(s.Percent())
	}
	for _, f := range append(append([]SchoolFigures{}, schools...), all) {
		err := c.Row(
			f.SchoolName,
			strconv.Itoa(f.Requests),
			strconv.Itoa(f.AwaitingDecision),
			strconv.Itoa(f.Assessing),
			strconv.Itoa(f.Refused),
			strconv.Itoa(
				f.NotIssuing,
			),
			strconv.Itoa(f.Withdrawn),
			strconv.Itoa(f.PlansIssued),
			strconv.Itoa(f.Within20Weeks.N),
			pc(f.Within20Weeks),
			strconv.Itoa(f.Within20WeeksExcl.D),
			strconv.Itoa(f.Within20WeeksExcl.N),
			pc(f.Within20WeeksExcl),
			weeks(
				f,
				StageToDecision,
			),
			weeks(f, StageWhole),
			strconv.Itoa(f.ReviewsOverdue),
			strconv.Itoa(f.Reviews.D),
			strconv.Itoa(f.Reviews.N),
			num(f.MeetingsPerPupilYear()),
		)
		if err != nil {
			return err
		}
	}
	return c.Close()
}
