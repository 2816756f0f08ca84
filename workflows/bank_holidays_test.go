package workflows

import (
	"strings"
	"testing"
	"time"
)

// England's bank holidays, against the published lists for 2026 and 2027 (gov.uk), with the
// substitute days when Christmas and Boxing Day fall at a weekend.
func TestBankHolidaysInEngland(t *testing.T) {
	want := map[int][]string{
		2026: {
			"2026-01-01",
			"2026-04-03",
			"2026-04-06",
			"2026-05-04",
			"2026-05-25",
			"2026-08-31",
			"2026-12-25",
			"2026-12-28",
		},
		2022: {
			"2022-01-03",
			"2022-04-15",
			"2022-04-18",
			"2022-05-02",
			"2022-05-30",
			"2022-08-29",
			"2022-12-26",
			"2022-12-27",
		}, // the regular ones (2022 also moved and added some)
		2027: {
			"2027-01-01",
			"2027-03-26",
			"2027-03-29",
			"2027-05-03",
			"2027-05-31",
			"2027-08-30",
			"2027-12-27",
			"2027-12-28",
		},
	}
	for year, days := range want {
		var got []string
		for _, h := range BankHolidays(year) {
			got = append(got, h.Date.Format(time.DateOnly))
		}
		if strings.Join(got, " ") != strings.Join(days, " ") {
			t.Errorf("%d: %v\nwant %v", year, got, days)
		}
	}
}

// A meeting on a day the school is usually shut is arranged, with a warning to check it.
func TestMeetingDayWarning(t *testing.T) {
	for day, want := range map[string]string{
		"2031-03-04": "",
		"2031-03-08": "Saturday",
		"2031-03-09": "Sunday",
		"2031-05-26": "the spring bank holiday",
		"2031-12-25": "Christmas Day",
		"2027-12-27": "Christmas Day (moved from the weekend)",
	} {
		d, _ := time.Parse(time.DateOnly, day)
		got := MeetingDayWarning(d)
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("%s: %q, want it to mention %q", day, got, want)
		}
	}
}
