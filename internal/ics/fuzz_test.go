package ics

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzBuild: whatever words, names and addresses a meeting carries, Build either refuses them or
// writes a calendar with exactly its own structure — no text can end a line early and start a
// property or component of its own — in lines of at most 75 octets.
func FuzzBuild(f *testing.F) {
	f.Add("Amara's review", "The school library", "Bring anything you would like to share.", "Grace Okafor", "parent@example.org")
	f.Add("a\r\nATTENDEE:mailto:evil@example.com", "x\nEND:VEVENT\nBEGIN:VEVENT", "\\;,", "\"Name\"\r\nX-INJECT:1", "a@b.example")
	f.Add(strings.Repeat("é", 100), strings.Repeat("😀", 40), "\x00\x7f\t", "", "p@q.example\r\nBCC:x@y.example")
	f.Add("\xff", "", "", "", "")
	start := time.Date(2027, 3, 4, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, summary, location, description, name, addr string) {
		e := Event{UID: "m1@sendflow", Method: MethodRequest, Start: start, Duration: time.Hour,
			Summary: summary, Location: location, Description: description,
			Organizer: Attendee{Name: "School", Email: "sendco@school.example"},
			Attendees: []Attendee{{Name: name, Email: addr, Required: true}}}
		out, err := Build(e)
		if err != nil {
			return
		}
		s := string(out)
		if !utf8.ValidString(s) || !strings.HasSuffix(s, "\r\n") {
			t.Fatalf("not UTF-8 lines ending in CRLF: %q", s)
		}
		var unfolded []string
		for _, line := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
			if len(line) > 75 {
				t.Fatalf("a line of %d octets: %q", len(line), line)
			}
			if strings.ContainsAny(line, "\r\n") {
				t.Fatalf("a bare line break: %q", line)
			}
			if strings.HasPrefix(line, " ") && len(unfolded) > 0 {
				unfolded[len(unfolded)-1] += line[1:]
			} else {
				unfolded = append(unfolded, line)
			}
		}
		// The same event with plain words has the same properties, as many of each.
		plain := func(v string) string {
			if v == "" {
				return ""
			}
			return "x"
		}
		e.Summary, e.Location, e.Description, e.Attendees[0].Name = "x", plain(location), plain(description), plain(name)
		base, err := Build(e)
		if err != nil {
			t.Fatalf("the plain event is refused: %v", err)
		}
		if got, want := properties(unfolded), properties(unfold(string(base))); got != want {
			t.Fatalf("properties %s, want %s:\n%s", got, want, s)
		}
	})
}

func unfold(s string) []string {
	var out []string
	for _, line := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		if strings.HasPrefix(line, " ") && len(out) > 0 {
			out[len(out)-1] += line[1:]
		} else {
			out = append(out, line)
		}
	}
	return out
}

// properties lists each content line's property name, in order.
func properties(lines []string) string {
	var names []string
	for _, line := range lines {
		n, _, _ := strings.Cut(line, ":")
		n, _, _ = strings.Cut(n, ";")
		names = append(names, n)
	}
	return strings.Join(names, " ")
}
