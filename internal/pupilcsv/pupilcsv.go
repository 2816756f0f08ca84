// Package pupilcsv reads and checks a file of pupils for import into a school
// (POST /v1/schools/{schoolId}/pupils/import). It is plain Go with no database: Parse either
// returns every pupil in the file or, if anything is wrong, every problem it found (all bad rows
// and columns, not just the first) and no pupils, so the caller can keep none of a bad file.
//
// # The file
//
// A CSV file (comma separated, fields with commas, quotes or line breaks in double quotes),
// saved as UTF-8 ("CSV UTF-8" in Excel). A UTF-8 byte order mark at the start is allowed and
// ignored. Lines may end in CRLF or LF. Blank lines, and rows whose cells are all empty
// (spreadsheets export those as ",,,,"), are skipped wherever they are. At most MaxRows pupil
// rows and MaxFileBytes bytes.
//
// The first row is the heading row. Headings are case-insensitive, may be in any order, and
// spaces or hyphens in them count as underscores ("First Name" is first_name). A column with no
// heading is ignored if it is empty on every row. The columns are:
//
//	upn                     required  Unique Pupil Number: 13 characters, a valid DfE check letter
//	                                  first, unique within the file
//	first_name              required  1-100 characters
//	last_name               required  1-100 characters
//	date_of_birth           required  YYYY-MM-DD or DD/MM/YYYY (as UK spreadsheets export it);
//	                                  the pupil must be between 2 and 25 years old
//	class                   optional  the class name, up to 100 characters
//	parent1_name            required  1-100 characters
//	parent1_email           required  a plain address (jo@example.com, no name or <>)
//	parent1_relationship    optional  e.g. mother, father, carer; default "parent"
//	parent1_language        optional  preferred language as a code (en, pl, ur, pa-Guru);
//	                                  default "en"
//	parent1_responsibility  optional  whether they hold parental responsibility: yes, no, true or
//	                                  false; default yes
//	parent2_name, parent2_email, parent2_relationship, parent2_language, parent2_responsibility
//	                        optional  a second parent; if any parent2 cell on a row is filled in,
//	                                  that row needs parent2_name and parent2_email
//	leaving_date            optional  the day the pupil leaves (or left) the school, in the same
//	                                  formats as date_of_birth; not after today and not before the
//	                                  date of birth. Not in Header: a column for leavers
//
// A row with a leaving date is a leaver, not a new pupil: the importer (POST
// /v1/schools/{schoolId}/pupils/import) does not add them; if another school on sendflow has
// asked for their record (a transfer waiting), the import releases it, as the SENDCo's Release
// does, and the answer counts them ("released"). A leaver must be on the school's roll, or already
// released by an earlier import.
//
// Names and other cells are trimmed of surrounding spaces. On each row the parents' email
// addresses must differ, and at least one parent must hold parental responsibility. Unknown
// columns and missing required columns are refused by name. A row with more or fewer cells than
// the heading row is refused.
//
// Row numbers in errors are the row numbers a spreadsheet shows for the file: the heading row is
// row 1 and blank lines count as rows.
//
// Example holds a small valid file; Header is the heading row of a blank template.
package pupilcsv

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sendflow/sendflow/internal/input"
	"github.com/sendflow/sendflow/internal/upn"
)

// Limits on a file.
const (
	MaxRows      = 2000             // pupil rows, not counting the heading row or blank rows
	MaxFileBytes = 8 << 20          // far more than MaxRows rows need
	MaxNameLen   = input.MaxNameLen // characters, for first_name, last_name, class and parent names
)

// Header is the heading row of a template with every column, in the usual order.
const Header = "upn,first_name,last_name,date_of_birth,class," +
	"parent1_name,parent1_email,parent1_relationship,parent1_language,parent1_responsibility," +
	"parent2_name,parent2_email,parent2_relationship,parent2_language,parent2_responsibility"

// Example is a valid file showing both date formats, an optional class left empty, a second
// parent, a parent without parental responsibility and a quoted name with a comma.
const Example = Header + "\n" +
	"J823200124001,Amara,Okafor,2016-09-03,Year 4 Oak,Ngozi Okafor,ngozi.okafor@example.com,mother,en,yes,Chidi Okafor,chidi.okafor@example.com,father,ig,yes\n" +
	"Y823200124002,Jakub,Nowak,14/02/2018,Year 2 Ash,Anna Nowak,anna.nowak@example.com,mother,pl,yes,,,,,\n" +
	"M823200124003,Zara,Hussain,2019-11-30,,Imran Hussain,imran@example.org,,ur,,\"Hussain, Aisha\",aisha@example.org,aunt,ur,no\n"

// Parent is a parent or carer of a pupil.
type Parent struct {
	Name, Email            string
	Relationship           string // lower case; "parent" if the file leaves it empty
	Language               string // e.g. "en", "pl", "pa-Guru"; "en" if the file leaves it empty
	ParentalResponsibility bool
}

// Pupil is one good row of the file.
type Pupil struct {
	Row                 int    // the row number in the file, as a spreadsheet shows it
	UPN                 string // upper case
	FirstName, LastName string
	DateOfBirth         time.Time // midnight UTC
	Class               string    // may be empty
	Parents             []Parent  // one or two
	// LeavingDate (midnight UTC) is the day a leaver leaves the school; zero for a pupil joining.
	LeavingDate time.Time
}

// RowError is one problem in the file. Row is the row number as a spreadsheet shows it (the
// heading row is 1), or 0 for a problem with the whole file. Column is the column's name
// (first_name, parent2_email; for an unknown column, its heading as written), or empty for a
// problem with the whole row.
type RowError struct {
	Row     int
	Column  string
	Message string
}

func (e RowError) Error() string {
	switch {
	case e.Row > 0 && e.Column != "":
		return fmt.Sprintf("row %d, %s: %s", e.Row, e.Column, e.Message)
	case e.Row > 0:
		return fmt.Sprintf("row %d: %s", e.Row, e.Message)
	case e.Column != "":
		return fmt.Sprintf("%s: %s", e.Column, e.Message)
	default:
		return e.Message
	}
}

// Errors is every problem found in a file, in row order. Parse returns it as its error.
type Errors []RowError

// Error lists the problems one a line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// column names
const (
	colUPN       = "upn"
	colFirstName = "first_name"
	colLastName  = "last_name"
	colDOB       = "date_of_birth"
	colClass     = "class"
	colLeaving   = "leaving_date"
)

var parentFields = []string{"name", "email", "relationship", "language", "responsibility"}

// optionalColumns are known columns that are not in Header (the usual template).
var optionalColumns = []string{colLeaving}

// columns lists every column of Header, in its order; required says which must be present.
var columns, required = func() ([]string, map[string]bool) {
	cols := []string{colUPN, colFirstName, colLastName, colDOB, colClass}
	for _, p := range []string{"parent1_", "parent2_"} {
		for _, f := range parentFields {
			cols = append(cols, p+f)
		}
	}
	return cols, map[string]bool{
		colUPN: true, colFirstName: true, colLastName: true, colDOB: true,
		"parent1_name": true, "parent1_email": true,
	}
}()

var (
	isoDateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	ukDateRE  = regexp.MustCompile(`^\d{1,2}/\d{1,2}/\d{4}$`)
)

// Parse reads a pupil file (see the package documentation for the format) and checks every row.
// now fixes the date that ages are measured from. If anything is wrong it returns nil and an
// Errors listing every problem; a problem with the file as a whole (not UTF-8, too big, too many
// rows, bad headings) is reported on its own, since rows cannot be checked without it. Otherwise
// it returns the pupils in file order. Errors from reading r are returned as they are.
func Parse(r io.Reader, now time.Time) ([]Pupil, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileBytes {
		return nil, Errors{
			{
				Message: fmt.Sprintf(
					"the file is larger than %d MB; split it into files of at most %d pupils",
					MaxFileBytes>>20,
					MaxRows,
				),
			},
		}
	}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if !utf8.Valid(data) {
		bad := len(data)
		for i := 0; i < len(data); {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				bad = i
				break
			}
			i += size
		}
		return nil, Errors{{Row: bytes.Count(data[:bad], []byte("\n")) + 1,
			Message: `the file is not UTF-8 text; save it as "CSV UTF-8" and try again`}}
	}

	rows, errs := readRows(data)
	if len(errs) > 0 {
		return nil, errs
	}
	if len(rows) == 0 {
		return nil, Errors{{Message: "the file is empty; the first row must be the column headings: " + Header}}
	}
	header, body := rows[0], rows[1:]
	if len(body) == 0 {
		return nil, Errors{{Message: "the file has column headings but no pupils"}}
	}
	if len(body) > MaxRows {
		return nil, Errors{
			{Message: fmt.Sprintf("the file has %d rows; split it into files of at most %d", len(body), MaxRows)},
		}
	}
	idx, unnamed, errs := readHeader(header)
	if len(errs) > 0 {
		return nil, errs
	}

	p := parser{now: now, idx: idx, unnamed: unnamed, width: len(header.fields), seen: map[string]int{}}
	pupils := make([]Pupil, 0, len(body))
	for _, row := range body {
		if pupil, ok := p.row(row); ok {
			pupils = append(pupils, pupil)
		}
	}
	if len(p.errs) > 0 {
		return nil, p.errs
	}
	return pupils, nil
}

type row struct {
	n      int // spreadsheet row number
	fields []string
}

// readRows splits the file into non-blank rows, numbered as a spreadsheet numbers them. A CSV
// syntax error stops reading, since what follows it cannot be trusted.
func readRows(data []byte) ([]row, Errors) {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1 // checked against the heading row, so every bad row is reported
	var rows []row
	// A spreadsheet row is a line of the file, except that a quoted cell with line breaks in it
	// spans several lines but is one row: shift counts those extra lines so far.
	shift := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, Errors{{Row: pe.StartLine - shift, Message: quoteMessage(pe)}}
			}
			return nil, Errors{{Message: err.Error()}}
		}
		line, _ := cr.FieldPos(0)
		n := line - shift
		for _, f := range rec {
			shift += strings.Count(f, "\n")
		}
		blank := true
		for _, f := range rec {
			if strings.TrimSpace(f) != "" {
				blank = false
				break
			}
		}
		if !blank {
			rows = append(rows, row{n: n, fields: rec})
		}
	}
}

func quoteMessage(pe *csv.ParseError) string {
	var what string
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		what = `a cell has a " inside it but does not start with one; put the whole cell in double quotes and double the " inside it`
	case errors.Is(pe.Err, csv.ErrQuote):
		what = `a cell starting with " is not closed by a matching "`
	default:
		what = "the row cannot be read as CSV (" + pe.Err.Error() + ")"
	}
	return what + "; the rest of the file was not checked"
}

// normalizeHeading turns " First Name " into "first_name".
func normalizeHeading(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return '_'
		}
		return r
	}, h)
}

// readHeader maps each known column to its index and lists the unnamed columns.
func readHeader(h row) (map[string]int, []int, Errors) {
	known := map[string]bool{}
	all := append(append([]string{}, columns...), optionalColumns...)
	for _, c := range all {
		known[c] = true
	}
	idx := map[string]int{}
	var unnamed []int
	var errs Errors
	for i, raw := range h.fields {
		name := normalizeHeading(raw)
		switch {
		case name == "":
			unnamed = append(unnamed, i)
		case !known[name]:
			errs = append(errs, RowError{Row: h.n, Column: strings.TrimSpace(raw),
				Message: "this column is not one we know; the columns are " + strings.Join(all, ", ")})
		default:
			if j, dup := idx[name]; dup {
				errs = append(errs, RowError{Row: h.n, Column: name,
					Message: fmt.Sprintf("this column appears twice, as columns %d and %d", j+1, i+1)})
				continue
			}
			idx[name] = i
		}
	}
	for _, c := range columns {
		if _, ok := idx[c]; required[c] && !ok {
			errs = append(errs, RowError{Row: h.n, Column: c, Message: "this required column is missing"})
		}
	}
	return idx, unnamed, errs
}

type parser struct {
	now     time.Time
	idx     map[string]int
	unnamed []int
	width   int
	seen    map[string]int // UPN to the first row it is on
	errs    Errors
}

func (p *parser) fail(n int, col, format string, args ...any) {
	p.errs = append(p.errs, RowError{Row: n, Column: col, Message: fmt.Sprintf(format, args...)})
}

// get returns a column's trimmed value, or "" if the file has no such column.
func (p *parser) get(r row, col string) string {
	i, ok := p.idx[col]
	if !ok {
		return ""
	}
	return strings.TrimSpace(r.fields[i])
}

// row checks one row, recording its problems; ok is false if it had any.
func (p *parser) row(r row) (Pupil, bool) {
	before := len(p.errs)
	if len(r.fields) != p.width {
		p.fail(
			r.n,
			"",
			"this row has %d cells but the heading row has %d; check for a missing or extra comma (a cell with a comma in it needs double quotes)",
			len(r.fields),
			p.width,
		)
		return Pupil{}, false
	}
	for _, i := range p.unnamed {
		if strings.TrimSpace(r.fields[i]) != "" {
			p.fail(r.n, "", "column %d has a value but no heading; give it a heading or empty it", i+1)
		}
	}

	pupil := Pupil{Row: r.n}
	pupil.UPN = p.upn(r)
	pupil.FirstName = p.name(r, colFirstName, "the first name", true)
	pupil.LastName = p.name(r, colLastName, "the last name", true)
	pupil.DateOfBirth = p.dateOfBirth(r)
	pupil.Class = p.name(r, colClass, "the class", false)
	if v := p.get(r, colLeaving); v != "" {
		pupil.LeavingDate = p.leavingDate(r, v, pupil.DateOfBirth)
	}

	responsibility := false // some parent has it
	responsibilityKnown := true
	emails := map[string]string{} // lower-case address to the column it is in
	for n := 1; n <= 2; n++ {
		parent, present, respOK := p.parent(r, n, emails)
		if !present {
			continue
		}
		responsibilityKnown = responsibilityKnown && respOK
		responsibility = responsibility || parent.ParentalResponsibility
		pupil.Parents = append(pupil.Parents, parent)
	}
	if !responsibility && responsibilityKnown {
		p.fail(
			r.n,
			"",
			"no parent on this row has parental responsibility; at least one must (set parent1_responsibility or parent2_responsibility to yes)",
		)
	}
	return pupil, len(p.errs) == before
}

func (p *parser) upn(r row) string {
	u := strings.ToUpper(p.get(r, colUPN))
	if u == "" {
		p.fail(r.n, colUPN, "the UPN is missing")
		return ""
	}
	if err := upn.Validate(u); err != nil {
		p.fail(r.n, colUPN, "%s", err.Error())
		return u
	}
	if first, dup := p.seen[u]; dup {
		p.fail(r.n, colUPN, "the same UPN is on row %d", first)
		return u
	}
	p.seen[u] = r.n
	return u
}

// name checks a free-text cell such as a name: at most MaxNameLen characters, no control
// characters, and present if required.
func (p *parser) name(r row, col, what string, req bool) string {
	v := p.get(r, col)
	if v == "" {
		if req {
			p.fail(r.n, col, "%s is missing", what)
		}
		return v
	}
	if err := input.Line(v, MaxNameLen); err != nil {
		p.fail(r.n, col, "%s %s", what, err)
	}
	return v
}

func (p *parser) dateOfBirth(r row) time.Time {
	v := p.get(r, colDOB)
	if v == "" {
		p.fail(r.n, colDOB, "the date of birth is missing")
		return time.Time{}
	}
	d, ok := p.date(r, colDOB, v)
	if !ok {
		return time.Time{}
	}
	if err := input.DateOfBirth(d, p.now); err != nil {
		p.fail(r.n, colDOB, "%s", err)
	}
	return d
}

// leavingDate checks a leaver's leaving date: a real date, not after today (a file is imported
// on or after the day) and not before the date of birth (zero when that was bad).
func (p *parser) leavingDate(r row, v string, born time.Time) time.Time {
	d, ok := p.date(r, colLeaving, v)
	switch {
	case !ok:
		return time.Time{}
	case d.After(p.now):
		p.fail(r.n, colLeaving, "%q is after today; import the leaver on or after the day they leave", v)
	case !born.IsZero() && d.Before(born):
		p.fail(r.n, colLeaving, "%q is before the date of birth", v)
	}
	return d
}

// date reads a date cell written as YYYY-MM-DD or DD/MM/YYYY, recording a problem if it is not one.
func (p *parser) date(r row, col, v string) (time.Time, bool) {
	var layout string
	switch {
	case isoDateRE.MatchString(v):
		layout = "2006-01-02"
	case ukDateRE.MatchString(v):
		layout = "2/1/2006"
	default:
		p.fail(r.n, col, "%q is not a date; write it as YYYY-MM-DD (2016-09-03) or DD/MM/YYYY (03/09/2016)", v)
		return time.Time{}, false
	}
	d, err := time.Parse(layout, v)
	if err != nil {
		msg := fmt.Sprintf("%q is not a real date", v)
		if layout != "2006-01-02" {
			msg += " (dates are day first: DD/MM/YYYY)"
		}
		p.fail(r.n, col, "%s", msg)
		return time.Time{}, false
	}
	return d, true
}

// parent reads parent n (1 or 2). present is false for an absent parent2. respOK is false if
// the responsibility cell could not be read. emails records addresses already used on the row.
func (p *parser) parent(r row, n int, emails map[string]string) (parent Parent, present, respOK bool) {
	pre := fmt.Sprintf("parent%d_", n)
	if n > 1 {
		filled := false
		for _, f := range parentFields {
			filled = filled || p.get(r, pre+f) != ""
		}
		if !filled {
			return Parent{}, false, true
		}
	}
	who := fmt.Sprintf("parent %d", n)
	parent.Name = p.name(r, pre+"name", who+"'s name", true)
	parent.Email = p.email(r, pre+"email", who, emails)

	parent.Relationship = strings.ToLower(p.name(r, pre+"relationship", who+"'s relationship", false))
	if parent.Relationship == "" {
		parent.Relationship = "parent"
	}

	parent.Language = "en"
	if v := p.get(r, pre+"language"); v != "" {
		tag, err := input.Language(v)
		if err != nil {
			p.fail(r.n, pre+"language", "%s", err)
		}
		parent.Language = tag
	}

	parent.ParentalResponsibility, respOK = true, true
	if v := p.get(r, pre+"responsibility"); v != "" {
		switch strings.ToLower(v) {
		case "yes", "true":
		case "no", "false":
			parent.ParentalResponsibility = false
		default:
			p.fail(r.n, pre+"responsibility", "%q should be yes or no", v)
			respOK = false
		}
	}
	return parent, true, respOK
}

// email checks the address of parent who ("parent 1"). used maps the addresses on the row so
// far (lower case) to the parent they belong to.
func (p *parser) email(r row, col, who string, used map[string]string) string {
	v := p.get(r, col)
	if v == "" {
		p.fail(r.n, col, "%s's email address is missing", who)
		return ""
	}
	if _, err := input.Email(v); err != nil {
		p.fail(r.n, col, "%s", err)
		return v
	}
	key := strings.ToLower(v)
	if other, dup := used[key]; dup {
		p.fail(r.n, col, "this is the same email address as %s; each parent needs their own", other)
		return v
	}
	used[key] = who
	return v
}
