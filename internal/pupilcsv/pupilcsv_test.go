package pupilcsv

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sendflow/sendflow/internal/upn"
)

// now is the day every test file is checked on.
var now = time.Date(2026, 3, 15, 14, 30, 0, 0, time.UTC)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// Valid UPNs (see internal/upn's worked example).
const (
	upnA = "J823200124001"
	upnB = "Y823200124002"
	upnC = "M823200124003"
	upnD = "B823200124004"
)

// short is a heading row with only the required columns.
const short = "upn,first_name,last_name,date_of_birth,parent1_name,parent1_email\n"

const allColumnsList = "upn, first_name, last_name, date_of_birth, class, " +
	"parent1_name, parent1_email, parent1_relationship, parent1_language, parent1_responsibility, " +
	"parent2_name, parent2_email, parent2_relationship, parent2_language, parent2_responsibility, leaving_date"

// good returns a valid row for the short heading row.
func good(u string) string {
	return u + ",Amara,Okafor,2016-09-03,Ngozi Okafor,ngozi@example.com\n"
}

func TestHappyPath(t *testing.T) {
	file := "\xEF\xBB\xBF" + // BOM, as Excel's "CSV UTF-8" writes it
		"UPN,First Name,last_name,Date-Of-Birth,class,parent1_name,parent1_email,parent1_language," +
		"parent2_name,parent2_email,parent2_relationship,parent2_responsibility,parent1_responsibility\r\n" +
		"j823200124001 , Amara ,Okafor,2016-09-03,Year 4 Oak,Ngozi Okafor,ngozi@example.com,,Chidi Okafor,Chidi@Example.com,Father,no,\r\n" +
		"Y823200124002,Jakub,Nowak,14/02/2018,,Anna Nowak,anna@example.com,PL,,,,,yes\r\n" +
		"M823200124003,\"Zara, Jane\",Hussain,3/9/2019,R,Imran Hussain,imran@example.org,pa-Guru,Aisha Hussain,aisha@example.org,,,no\r\n" +
		"\r\n,,,,,,,,,,,,\r\n\r\n" // trailing empty lines and a spreadsheet's empty row
	got, err := Parse(strings.NewReader(file), now)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := []Pupil{
		{Row: 2, UPN: upnA, FirstName: "Amara", LastName: "Okafor", DateOfBirth: date(2016, 9, 3), Class: "Year 4 Oak",
			Parents: []Parent{
				{
					Name:                   "Ngozi Okafor",
					Email:                  "ngozi@example.com",
					Relationship:           "parent",
					Language:               "en",
					ParentalResponsibility: true,
				},
				{
					Name:                   "Chidi Okafor",
					Email:                  "Chidi@Example.com",
					Relationship:           "father",
					Language:               "en",
					ParentalResponsibility: false,
				},
			}},
		{Row: 3, UPN: upnB, FirstName: "Jakub", LastName: "Nowak", DateOfBirth: date(2018, 2, 14),
			Parents: []Parent{
				{
					Name:                   "Anna Nowak",
					Email:                  "anna@example.com",
					Relationship:           "parent",
					Language:               "pl",
					ParentalResponsibility: true,
				},
			}},
		{Row: 4, UPN: upnC, FirstName: "Zara, Jane", LastName: "Hussain", DateOfBirth: date(2019, 9, 3), Class: "R",
			Parents: []Parent{
				{
					Name:                   "Imran Hussain",
					Email:                  "imran@example.org",
					Relationship:           "parent",
					Language:               "pa-Guru",
					ParentalResponsibility: false,
				},
				{
					Name:                   "Aisha Hussain",
					Email:                  "aisha@example.org",
					Relationship:           "parent",
					Language:               "en",
					ParentalResponsibility: true,
				},
			}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse:\n got %+v\nwant %+v", got, want)
	}
}

func TestExampleAndHeader(t *testing.T) {
	got, err := Parse(strings.NewReader(Example), now)
	if err != nil {
		t.Fatalf("Example does not parse: %v", err)
	}
	if len(got) != 3 {
		t.Fatalf("Example has %d pupils, want 3", len(got))
	}
	if got[1].DateOfBirth != date(2018, 2, 14) || got[2].Parents[1].Name != "Hussain, Aisha" ||
		got[2].Parents[1].ParentalResponsibility {
		t.Errorf("Example parsed as %+v", got)
	}
	if strings.Join(columns, ",") != Header {
		t.Errorf("Header %q does not list the columns %q", Header, columns)
	}
	if strings.Join(append(columns, optionalColumns...), ", ") != allColumnsList {
		t.Errorf("columns = %q", columns)
	}
	for _, u := range []string{upnA, upnB, upnC, upnD} {
		if err := upn.Validate(u); err != nil {
			t.Errorf("test UPN %s: %v", u, err)
		}
	}
}

func TestRules(t *testing.T) {
	// Each case is a whole file and exactly the errors it must give.
	cases := []struct {
		name string
		file string
		want Errors
	}{
		// The file as a whole.
		{
			"empty file",
			"",
			Errors{{Message: "the file is empty; the first row must be the column headings: " + Header}},
		},
		{
			"only blank lines",
			"\r\n\n",
			Errors{{Message: "the file is empty; the first row must be the column headings: " + Header}},
		},
		{"headings only", short, Errors{{Message: "the file has column headings but no pupils"}}},
		{"not UTF-8", short + good(upnA) + "B823200124004,Ren\xe9e,Okafor,2016-09-03,Ngozi Okafor,ngozi@example.com\n",
			Errors{{Row: 3, Message: `the file is not UTF-8 text; save it as "CSV UTF-8" and try again`}}},
		{
			"UTF-16",
			"\xFF\xFEu\x00p\x00n\x00",
			Errors{{Row: 1, Message: `the file is not UTF-8 text; save it as "CSV UTF-8" and try again`}},
		},
		{"unclosed quote", short + good(upnA) + upnB + ",\"Jakub,Nowak,2018-02-14,Anna,anna@example.com\n",
			Errors{
				{
					Row:     3,
					Message: `a cell starting with " is not closed by a matching "; the rest of the file was not checked`,
				},
			}},
		{"bare quote", short + good(upnA) + "\n" + upnB + ",Ja\"kub,Nowak,2018-02-14,Anna,anna@example.com\n",
			Errors{
				{
					Row:     4,
					Message: `a cell has a " inside it but does not start with one; put the whole cell in double quotes and double the " inside it; the rest of the file was not checked`,
				},
			}},

		// Headings.
		{
			"unknown columns",
			"upn,first_name,last_name,date_of_birth,parent1_name,parent1_email, Shoe Size ,parent3_name\n" + good(upnA),
			Errors{
				{
					Row:     1,
					Column:  "Shoe Size",
					Message: "this column is not one we know; the columns are " + allColumnsList,
				},
				{
					Row:     1,
					Column:  "parent3_name",
					Message: "this column is not one we know; the columns are " + allColumnsList,
				},
			},
		},
		{"missing columns", "upn,first_name,date_of_birth,parent1_name\nJ823200124001,Amara,2016-09-03,Ngozi\n",
			Errors{
				{Row: 1, Column: "last_name", Message: "this required column is missing"},
				{Row: 1, Column: "parent1_email", Message: "this required column is missing"},
			}},
		{
			"column twice",
			"upn,first_name,last_name,date_of_birth,parent1_name,parent1_email,UPN\n" + upnA + ",Amara,Okafor,2016-09-03,Ngozi,ngozi@example.com," + upnA + "\n",
			Errors{{Row: 1, Column: "upn", Message: "this column appears twice, as columns 1 and 7"}},
		},
		{
			"heading row after blank lines",
			"\n\n" + short + "B823200124001,Amara,Okafor,2016-09-03,Ngozi Okafor,ngozi@example.com\n",
			Errors{
				{
					Row:     4,
					Column:  "upn",
					Message: "the check letter should be J, not B: check the number was copied correctly",
				},
			},
		},
		{
			"value in a column with no heading",
			strings.TrimSuffix(short, "\n") + ",\n" + strings.TrimSuffix(good(upnA), "\n") + ",\n" +
				strings.TrimSuffix(good(upnB), "\n") + ",note\n",
			Errors{{Row: 3, Message: "column 7 has a value but no heading; give it a heading or empty it"}},
		},

		// Shape of a row.
		{"too few cells", short + good(upnA) + upnB + ",Jakub,Nowak,2018-02-14,Anna Nowak\n",
			Errors{
				{
					Row:     3,
					Message: "this row has 5 cells but the heading row has 6; check for a missing or extra comma (a cell with a comma in it needs double quotes)",
				},
			}},
		{"too many cells", short + upnA + ",Amara,Okafor,Jr,2016-09-03,Ngozi Okafor,ngozi@example.com\n",
			Errors{
				{
					Row:     2,
					Message: "this row has 7 cells but the heading row has 6; check for a missing or extra comma (a cell with a comma in it needs double quotes)",
				},
			}},
		{
			"blank lines count as rows",
			short + good(upnA) + "\n\r\n,,,,,\n" + "X823200124002,Jakub,Nowak,2018-02-14,Anna,anna@example.com\n",
			Errors{
				{
					Row:     6,
					Column:  "upn",
					Message: "the check letter should be Y, not X: check the number was copied correctly",
				},
			},
		},
		{
			"a cell over two lines is one row",
			"upn,first_name,last_name,date_of_birth,class,parent1_name,parent1_email\n" +
				upnA + ",Amara,Okafor,2016-09-03,\"Year 4\r\nOak\",Ngozi,ngozi@example.com\n" +
				"X823200124002,Jakub,Nowak,2018-02-14,,Anna,anna@example.com\n",
			Errors{
				{Row: 2, Column: "class", Message: "the class has a line break in it; write it on one line"},
				{
					Row:     3,
					Column:  "upn",
					Message: "the check letter should be Y, not X: check the number was copied correctly",
				},
			},
		},

		// UPN.
		{"UPN check letter", short + "B823200124001,Amara,Okafor,2016-09-03,Ngozi Okafor,ngozi@example.com\n",
			Errors{
				{
					Row:     2,
					Column:  "upn",
					Message: "the check letter should be J, not B: check the number was copied correctly",
				},
			}},
		{"UPN length", short + "J82320012400,Amara,Okafor,2016-09-03,Ngozi Okafor,ngozi@example.com\n",
			Errors{{Row: 2, Column: "upn", Message: "a UPN is 13 characters; this has 12"}}},
		{"UPN missing", short + " ,Amara,Okafor,2016-09-03,Ngozi Okafor,ngozi@example.com\n",
			Errors{{Row: 2, Column: "upn", Message: "the UPN is missing"}}},
		{"UPN twice", short + good(upnA) + good(upnB) + good(upnC) + good(strings.ToLower(upnA)) + good(upnB),
			Errors{
				{Row: 5, Column: "upn", Message: "the same UPN is on row 2"},
				{Row: 6, Column: "upn", Message: "the same UPN is on row 3"},
			}},

		// Names.
		{"names missing", short + upnA + ",  ,,2016-09-03,,ngozi@example.com\n",
			Errors{
				{Row: 2, Column: "first_name", Message: "the first name is missing"},
				{Row: 2, Column: "last_name", Message: "the last name is missing"},
				{Row: 2, Column: "parent1_name", Message: "parent 1's name is missing"},
			}},
		{
			"names too long",
			short + upnA + "," + strings.Repeat(
				"é",
				101,
			) + "," + strings.Repeat(
				"a",
				100,
			) + ",2016-09-03,Ngozi," + "ngozi@example.com\n",
			Errors{
				{Row: 2, Column: "first_name", Message: "the first name is 101 characters long; it can be at most 100"},
			},
		},
		{"control character in a name", short + upnA + ",\"Am\tara\",Okafor,2016-09-03,Ngozi,ngozi@example.com\n",
			Errors{
				{
					Row:     2,
					Column:  "first_name",
					Message: "the first name has a tab or another invisible control character in it",
				},
			}},

		// Date of birth.
		{"date missing", short + upnA + ",Amara,Okafor,,Ngozi,ngozi@example.com\n",
			Errors{{Row: 2, Column: "date_of_birth", Message: "the date of birth is missing"}}},
		{
			"date format",
			short + upnA + ",Amara,Okafor,3 Sept 2016,Ngozi,ngozi@example.com\n" + upnB + ",Jakub,Nowak,03/09/16,Anna,anna@example.com\n",
			Errors{
				{
					Row:     2,
					Column:  "date_of_birth",
					Message: `"3 Sept 2016" is not a date; write it as YYYY-MM-DD (2016-09-03) or DD/MM/YYYY (03/09/2016)`,
				},
				{
					Row:     3,
					Column:  "date_of_birth",
					Message: `"03/09/16" is not a date; write it as YYYY-MM-DD (2016-09-03) or DD/MM/YYYY (03/09/2016)`,
				},
			},
		},
		{
			"not a real date",
			short + upnA + ",Amara,Okafor,2016-02-30,Ngozi,ngozi@example.com\n" + upnB + ",Jakub,Nowak,09/23/2018,Anna,anna@example.com\n",
			Errors{
				{Row: 2, Column: "date_of_birth", Message: `"2016-02-30" is not a real date`},
				{
					Row:     3,
					Column:  "date_of_birth",
					Message: `"09/23/2018" is not a real date (dates are day first: DD/MM/YYYY)`,
				},
			},
		},
		{"date out of range", short +
			upnA + ",Amara,Okafor,2026-03-16,Ngozi,ngozi@example.com\n" +
			upnB + ",Jakub,Nowak,2024-03-16,Anna,anna@example.com\n" +
			upnC + ",Zara,Hussain,14/03/2001,Imran,imran@example.com\n" +
			upnD + ",Ola,Nowak,2024-03-15,Anna,anna@example.com\n", // exactly 2 today: allowed
			Errors{
				{Row: 2, Column: "date_of_birth", Message: "the date of birth 2026-03-16 is in the future"},
				{
					Row:     3,
					Column:  "date_of_birth",
					Message: "the date of birth 2024-03-16 makes the pupil younger than 2; check the year",
				},
				{
					Row:     4,
					Column:  "date_of_birth",
					Message: "the date of birth 2001-03-14 makes the pupil more than 25 years old; check the year",
				},
			}},

		// Parents.
		{"email missing", short + upnA + ",Amara,Okafor,2016-09-03,Ngozi,\n",
			Errors{{Row: 2, Column: "parent1_email", Message: "parent 1's email address is missing"}}},
		{"emails not valid", short +
			upnA + ",Amara,Okafor,2016-09-03,Ngozi,ngozi.example.com\n" +
			upnB + ",Jakub,Nowak,2018-02-14,Anna,Anna Nowak <anna@example.com>\n" +
			upnC + ",Zara,Hussain,2019-11-30,Imran,<imran@example.com>\n" +
			upnD + ",Ola,Nowak,2018-02-14,Anna,anna@gmail\n",
			Errors{
				{Row: 2, Column: "parent1_email", Message: `"ngozi.example.com" is not an email address`},
				{
					Row:     3,
					Column:  "parent1_email",
					Message: "write only the address (anna@example.com), without a name or <>",
				},
				{
					Row:     4,
					Column:  "parent1_email",
					Message: "write only the address (imran@example.com), without a name or <>",
				},
				{
					Row:     5,
					Column:  "parent1_email",
					Message: `"anna@gmail" is not a complete email address; it needs a domain such as example.com after the @`,
				},
			}},
		{
			"parents share an email",
			"upn,first_name,last_name,date_of_birth,parent1_name,parent1_email,parent2_name,parent2_email\n" +
				upnA + ",Amara,Okafor,2016-09-03,Ngozi,ngozi@example.com,Chidi,Ngozi@Example.com\n",
			Errors{
				{
					Row:     2,
					Column:  "parent2_email",
					Message: "this is the same email address as parent 1; each parent needs their own",
				},
			},
		},
		{
			"half a second parent",
			"upn,first_name,last_name,date_of_birth,parent1_name,parent1_email,parent2_name,parent2_email,parent2_relationship\n" +
				upnA + ",Amara,Okafor,2016-09-03,Ngozi,ngozi@example.com,,,father\n" +
				upnB + ",Jakub,Nowak,2018-02-14,Anna,anna@example.com,Piotr,,\n",
			Errors{
				{Row: 2, Column: "parent2_name", Message: "parent 2's name is missing"},
				{Row: 2, Column: "parent2_email", Message: "parent 2's email address is missing"},
				{Row: 3, Column: "parent2_email", Message: "parent 2's email address is missing"},
			},
		},
		{"language", "upn,first_name,last_name,date_of_birth,parent1_name,parent1_email,parent1_language\n" +
			upnA + ",Amara,Okafor,2016-09-03,Ngozi,ngozi@example.com,Igbo\n" +
			upnB + ",Jakub,Nowak,2018-02-14,Anna,anna@example.com,pl_PL\n" +
			upnC + ",Zara,Hussain,2019-11-30,Imran,imran@example.com,pa-Gurmukhi-extralong\n",
			Errors{
				{
					Row:     2,
					Column:  "parent1_language",
					Message: `"Igbo" is not a language code; use a code such as en, pl, ur or pa-Guru`,
				},
				{
					Row:     3,
					Column:  "parent1_language",
					Message: `"pl_PL" is not a language code; use a code such as en, pl, ur or pa-Guru`,
				},
				{
					Row:     4,
					Column:  "parent1_language",
					Message: `"pa-Gurmukhi-extralong" is not a language code; use a code such as en, pl, ur or pa-Guru`,
				},
			}},
		{
			"relationship too long",
			"upn,first_name,last_name,date_of_birth,parent1_name,parent1_email,parent1_relationship\n" +
				upnA + ",Amara,Okafor,2016-09-03,Ngozi,ngozi@example.com," + strings.Repeat("x", 101) + "\n",
			Errors{
				{
					Row:     2,
					Column:  "parent1_relationship",
					Message: "parent 1's relationship is 101 characters long; it can be at most 100",
				},
			},
		},
		{
			"responsibility",
			"upn,first_name,last_name,date_of_birth,parent1_name,parent1_email,parent1_responsibility,parent2_name,parent2_email,parent2_responsibility\n" +
				upnA + ",Amara,Okafor,2016-09-03,Ngozi,ngozi@example.com,maybe,,,\n" +
				upnB + ",Jakub,Nowak,2018-02-14,Anna,anna@example.com,No,Piotr,piotr@example.com,FALSE\n" +
				upnC + ",Zara,Hussain,2019-11-30,Imran,imran@example.com,no,,,\n" +
				upnD + ",Ola,Nowak,2018-02-14,Anna,anna@example.com,false,Piotr,piotr@example.com,True\n", // fine
			Errors{
				{Row: 2, Column: "parent1_responsibility", Message: `"maybe" should be yes or no`},
				{
					Row:     3,
					Message: "no parent on this row has parental responsibility; at least one must (set parent1_responsibility or parent2_responsibility to yes)",
				},
				{
					Row:     4,
					Message: "no parent on this row has parental responsibility; at least one must (set parent1_responsibility or parent2_responsibility to yes)",
				},
			},
		},

		// Every problem is reported, in row order, not just the first.
		{"many problems", short +
			good(upnA) +
			"B823200124002,,Nowak,2018-02-31,Anna,anna@\n" +
			"\n" +
			good(upnA) +
			upnD + ",Ola\n",
			Errors{
				{
					Row:     3,
					Column:  "upn",
					Message: "the check letter should be Y, not B: check the number was copied correctly",
				},
				{Row: 3, Column: "first_name", Message: "the first name is missing"},
				{Row: 3, Column: "date_of_birth", Message: `"2018-02-31" is not a real date`},
				{Row: 3, Column: "parent1_email", Message: `"anna@" is not an email address`},
				{Row: 5, Column: "upn", Message: "the same UPN is on row 2"},
				{
					Row:     6,
					Message: "this row has 2 cells but the heading row has 6; check for a missing or extra comma (a cell with a comma in it needs double quotes)",
				},
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(strings.NewReader(tc.file), now)
			if got != nil {
				t.Errorf("Parse returned %d pupils from a bad file", len(got))
			}
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("Parse error = %v (%T), want Errors", err, err)
			}
			if !reflect.DeepEqual(errs, tc.want) {
				t.Errorf("errors:\n%s\nwant:\n%s", errs, tc.want)
			}
		})
	}
}

func TestBoundaries(t *testing.T) {
	// Exactly 25 years old today and exactly 2 today are both allowed; EN is read as en.
	file := "upn,first_name,last_name,date_of_birth,parent1_name,parent1_email,parent1_language\n" +
		upnA + ",Amara,Okafor,15/03/2001,Ngozi,ngozi@example.com,EN\n" +
		upnB + ",Jakub,Nowak,2024-03-15,Anna,anna@example.com,\n" +
		upnC + "," + strings.Repeat("é", 100) + ",Hussain,2019-11-30,Imran,imran@example.com,en-GB\n"
	got, err := Parse(strings.NewReader(file), now)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got[0].DateOfBirth != date(2001, 3, 15) || got[1].DateOfBirth != date(2024, 3, 15) {
		t.Errorf("dates: %v, %v", got[0].DateOfBirth, got[1].DateOfBirth)
	}
	if l := []string{got[0].Parents[0].Language, got[1].Parents[0].Language, got[2].Parents[0].Language}; !reflect.DeepEqual(
		l,
		[]string{"en", "en", "en-GB"},
	) {
		t.Errorf("languages: %q", l)
	}
}

func TestRowLimit(t *testing.T) {
	file := func(n int) string {
		var b strings.Builder
		b.WriteString(short)
		for i := 0; i < n; i++ {
			u, err := upn.Make(fmt.Sprintf("%012d", i))
			if err != nil {
				t.Fatal(err)
			}
			b.WriteString(good(u))
			if i%500 == 0 {
				b.WriteString(",,,,,\n") // empty rows do not count
			}
		}
		return b.String()
	}
	got, err := Parse(strings.NewReader(file(MaxRows)), now)
	if err != nil || len(got) != MaxRows {
		t.Fatalf("%d rows: %d pupils, %v", MaxRows, len(got), err)
	}
	if got[MaxRows-1].Row != MaxRows+1+4 { // heading row + 4 empty rows before it
		t.Errorf("last row is numbered %d", got[MaxRows-1].Row)
	}
	_, err = Parse(strings.NewReader(file(MaxRows+1)), now)
	want := Errors{{Message: "the file has 2001 rows; split it into files of at most 2000"}}
	var errs Errors
	if !errors.As(err, &errs) || !reflect.DeepEqual(errs, want) {
		t.Errorf("2001 rows: %v, want %v", err, want)
	}
}

func TestFileSizeLimit(t *testing.T) {
	big := short + good(upnA) + strings.Repeat("\n", MaxFileBytes)
	_, err := Parse(strings.NewReader(big), now)
	want := Errors{{Message: "the file is larger than 8 MB; split it into files of at most 2000 pupils"}}
	var errs Errors
	if !errors.As(err, &errs) || !reflect.DeepEqual(errs, want) {
		t.Errorf("big file: %v, want %v", err, want)
	}
}

func TestReadError(t *testing.T) {
	boom := errors.New("connection reset")
	_, err := Parse(failingReader{boom}, now)
	if !errors.Is(err, boom) {
		t.Errorf("Parse = %v, want the read error", err)
	}
}

type failingReader struct{ err error }

func (f failingReader) Read([]byte) (int, error) { return 0, f.err }

func TestErrorText(t *testing.T) {
	errs := Errors{
		{Row: 3, Column: "upn", Message: "the check letter should be J, not B: check the number was copied correctly"},
		{Row: 4, Message: "no parent on this row has parental responsibility"},
		{Message: "the file has 2001 rows; split it into files of at most 2000"},
	}
	want := "row 3, upn: the check letter should be J, not B: check the number was copied correctly\n" +
		"row 4: no parent on this row has parental responsibility\n" +
		"the file has 2001 rows; split it into files of at most 2000"
	if errs.Error() != want {
		t.Errorf("Error() =\n%s\nwant\n%s", errs.Error(), want)
	}
}

// A leaver's row carries a leaving date (issue 16): read in either date format, on or before
// today and not before the date of birth; a bad one is a row-numbered error and no pupils.
func TestLeavingDate(t *testing.T) {
	head := strings.TrimSuffix(short, "\n") + ",leaving_date\n"
	file := head + strings.TrimSuffix(good(upnA), "\n") + ",2020-07-22\n" +
		strings.TrimSuffix(good(upnB), "\n") + ",\n" +
		strings.TrimSuffix(good(upnC), "\n") + ",22/07/2020\n"
	got, err := Parse(strings.NewReader(file), now)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got[0].LeavingDate != date(2020, 7, 22) || !got[1].LeavingDate.IsZero() || got[2].LeavingDate != date(2020, 7, 22) {
		t.Errorf("leaving dates = %v, %v, %v", got[0].LeavingDate, got[1].LeavingDate, got[2].LeavingDate)
	}
	for cell, want := range map[string]string{
		"22 July":    `row 2, leaving_date: "22 July" is not a date; write it as YYYY-MM-DD`,
		"31/02/2020": `row 2, leaving_date: "31/02/2020" is not a real date (dates are day first: DD/MM/YYYY)`,
		"2999-01-01": `row 2, leaving_date: "2999-01-01" is after today; import the leaver on or after the day`,
		"2016-09-02": `row 2, leaving_date: "2016-09-02" is before the date of birth`,
	} {
		pupils, err := Parse(strings.NewReader(head+strings.TrimSuffix(good(upnA), "\n")+","+cell+"\n"), now)
		if pupils != nil || err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("leaving date %q: %v, %v; want %q", cell, pupils, err, want)
		}
	}
}
