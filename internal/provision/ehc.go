package provision

import (
	"fmt"
	"strings"
)

// EHCShortfall is said on every flag of EHC plan provision whose delivery is behind: unlike SEN
// support, provision in section F of an EHC plan is a legal duty (Children and Families Act 2014,
// s.42), and councils are found at fault when it is not delivered.
const EHCShortfall = "This is provision in the pupil's EHC plan (section F), which the council must " +
	"secure by law: a shortfall is a statutory matter; tell the council's EHC team and the parents"

// EHCItemKey is what makes two pieces of an EHC plan's provision the same: the catalogue item, or
// the words folded (case and spacing ignored). A plan records each once.
func EHCItemKey(itemID, text string) string {
	if itemID != "" {
		return "item:" + itemID
	}
	return "text:" + strings.ToLower(strings.Join(strings.Fields(text), " "))
}

// CheckSessionsPerWeek says what is wrong with a number of sessions a week promised by a plan
// (a catalogue may say 0 for an adjustment; a plan promising provision promises some).
func CheckSessionsPerWeek(n float64) error {
	if n <= 0 || n > 50 {
		return fmt.Errorf("%v is not a number of sessions a week (more than 0, at most 50)", n)
	}
	return nil
}

// SessionsWords says a number of sessions a week: "1 session a week", "2.5 sessions a week".
func SessionsWords(n float64) string {
	if n == 1 {
		return "1 session a week"
	}
	return trim(n) + " sessions a week"
}
