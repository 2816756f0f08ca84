package pupilcsv

import (
	"bytes"
	"testing"
	"time"

	"github.com/sendflow/sendflow/internal/input"
	"github.com/sendflow/sendflow/internal/upn"
)

// FuzzParse: no file makes Parse panic, and every pupil it accepts could be stored and written
// into an email or a calendar: a valid UPN, one-line names, plain addresses, a parent with
// parental responsibility, a plausible date of birth — or it returns errors and no pupils.
func FuzzParse(f *testing.F) {
	f.Add([]byte(Example))
	f.Add([]byte(Header + "\n"))
	f.Add([]byte("\ufeff" + Header + "\r\n\r\n,,,,\r\n"))
	f.Add([]byte(Header + "\nD999123400001,\"Am\nara\",Okafor,14/03/2018,,Grace,grace@example.org,,,,,,,,\n"))
	f.Add([]byte("upn,first_name\n\"unterminated"))
	f.Add([]byte(Header + "\nD999123400001,A\x00,B,2018-03-14,,P,p@example.org,,,,,,,,\n"))
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		pupils, err := Parse(bytes.NewReader(data), now)
		if err != nil {
			if len(pupils) != 0 {
				t.Fatalf("an error and %d pupils", len(pupils))
			}
			return
		}
		if len(pupils) > MaxRows {
			t.Fatalf("%d pupils, more than %d", len(pupils), MaxRows)
		}
		for _, p := range pupils {
			if upn.Validate(p.UPN) != nil {
				t.Fatalf("row %d: accepted UPN %q", p.Row, p.UPN)
			}
			for _, name := range []string{p.FirstName, p.LastName, p.Class} {
				if input.Line(name, 100) != nil {
					t.Fatalf("row %d: accepted %q", p.Row, name)
				}
			}
			if err := input.DateOfBirth(p.DateOfBirth, now); err != nil {
				t.Fatalf("row %d: accepted date of birth %s: %v", p.Row, p.DateOfBirth, err)
			}
			responsible := false
			for _, par := range p.Parents {
				if input.Line(par.Name, 100) != nil || par.Name == "" {
					t.Fatalf("row %d: accepted parent name %q", p.Row, par.Name)
				}
				if a, err := input.Email(par.Email); err != nil || a != par.Email {
					t.Fatalf("row %d: accepted address %q", p.Row, par.Email)
				}
				responsible = responsible || par.ParentalResponsibility
			}
			if !responsible {
				t.Fatalf("row %d: nobody holds parental responsibility", p.Row)
			}
		}
	})
}
