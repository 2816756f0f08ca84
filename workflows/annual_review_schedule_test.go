package workflows

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestAnnualReviewDue(t *testing.T) {
	cases := []struct{ previous, want time.Time }{
		{day(2026, 3, 15), day(2027, 3, 15)},
		{day(2028, 2, 29), day(2029, 2, 28)}, // leap day: the review is due by 28 February
		{day(2026, 12, 31), day(2027, 12, 31)},
	}
	for _, c := range cases {
		if got := NextAnnualReviewDue(c.previous, DefaultTimings()); !got.Equal(c.want) {
			t.Errorf("NextAnnualReviewDue(%s) = %s, want %s", dateStr(c.previous), dateStr(got), dateStr(c.want))
		}
	}
}

func TestAnnualReviewSchedule(t *testing.T) {
	cases := []struct {
		name      string
		meetingAt time.Time
		want      AnnualReviewDates
	}{
		{"planned meeting", day(2027, 2, 10), AnnualReviewDates{
			Due: day(2027, 3, 15), InvitationsBy: day(2027, 1, 27), ReportBy: day(2027, 2, 24), LADecisionBy: day(2027, 3, 10)}},
		{"no meeting yet: work from the due date", time.Time{}, AnnualReviewDates{
			Due: day(2027, 3, 15), InvitationsBy: day(2027, 3, 1), ReportBy: day(2027, 3, 29), LADecisionBy: day(2027, 4, 12)}},
	}
	for _, c := range cases {
		got := AnnualReviewSchedule(day(2026, 3, 15), c.meetingAt, DefaultTimings())
		if got != c.want {
			t.Errorf("%s:\n got %v\nwant %v", c.name, got, c.want)
		}
	}
}

func TestAnnualReviewMeetingValidation(t *testing.T) {
	previous := day(2026, 3, 15) // due 15 March 2027
	cases := []struct {
		name      string
		meetingAt time.Time
		now       time.Time
		rule      error // nil: accepted; errAny: refused, no rule
		mention   string
	}{
		{"on the due date", day(2027, 3, 15), day(2027, 1, 10), nil, ""},
		{"exactly 2 weeks' notice", day(2027, 1, 24), day(2027, 1, 10), nil, ""},
		{"a day after due", day(2027, 3, 16), day(2027, 1, 10), ErrReviewAfterDue, "15 March 2027"},
		{"13 days' notice", day(2027, 1, 23), day(2027, 1, 10), ErrReviewNoticeTooLow, "Choose a date from 24 January 2027 to 15 March 2027"},
		{"in the past", day(2027, 1, 5), day(2027, 1, 10), ErrReviewNoticeTooLow, "22 December 2026"},
		{"too late to give notice before due", day(2027, 3, 15), day(2027, 3, 5), ErrReviewNoticeTooLow, "tell the local authority"},
		{"no date", time.Time{}, day(2027, 1, 10), errAny, "Choose a date"},
		{"before the previous review", day(2026, 3, 1), day(2026, 1, 1), errAny, "15 March 2026"},
	}
	for _, c := range cases {
		err := ValidateReviewMeeting(previous, c.meetingAt, c.now, DefaultTimings())
		switch {
		case c.rule == nil && err != nil:
			t.Errorf("%s: refused: %v", c.name, err)
		case c.rule == nil:
		case err == nil:
			t.Errorf("%s: accepted", c.name)
		default:
			if c.rule != errAny && !errors.Is(err, c.rule) {
				t.Errorf("%s: error %v is not %v", c.name, err, c.rule)
			}
			if !strings.Contains(err.Error(), c.mention) || !strings.HasSuffix(err.Error(), ".") {
				t.Errorf("%s: error %q does not mention %q as a sentence", c.name, err, c.mention)
			}
		}
	}
}

var errAny = errors.New("any refusal")

func TestAnnualReviewAmendedPlanDeadline(t *testing.T) {
	cases := []struct {
		name     string
		decision time.Time
		transfer PhaseTransfer
		year     int
		want     time.Time
	}{
		{"no transfer: 8 weeks", day(2027, 2, 20), PhaseTransferNone, 0, day(2027, 4, 17)},
		{"transfer, 8 weeks falls before 15 Feb", day(2026, 12, 10), PhaseTransferPrimaryToSecondary, 2027, day(2027, 2, 4)},
		{"primary to secondary clamps to 15 Feb", day(2027, 1, 5), PhaseTransferPrimaryToSecondary, 2027, day(2027, 2, 15)},
		{"other phase moves clamp to 15 Feb", day(2027, 1, 5), PhaseTransferEarlyYearsToSchool, 2027, day(2027, 2, 15)},
		{"secondary to post-16 keeps 8 weeks before 31 Mar", day(2027, 1, 5), PhaseTransferSecondaryToPost16, 2027, day(2027, 3, 2)},
		{"secondary to post-16 clamps to 31 Mar", day(2027, 2, 20), PhaseTransferSecondaryToPost16, 2027, day(2027, 3, 31)},
		{"transfer year from the decision's academic year", day(2027, 1, 5), PhaseTransferPrimaryToSecondary, 0, day(2027, 2, 15)},
		{"autumn decision, year from academic year", day(2026, 12, 20), PhaseTransferPrimaryToSecondary, 0, day(2027, 2, 14)},
		{"transfer in a later year does not clamp", day(2027, 1, 5), PhaseTransferPrimaryToSecondary, 2028, day(2027, 3, 2)},
		{"decision after the date: the passed date", day(2027, 3, 1), PhaseTransferPrimaryToSecondary, 2027, day(2027, 2, 15)},
	}
	for _, c := range cases {
		if got := AmendedPlanDeadline(c.decision, c.transfer, c.year, DefaultTimings()); !got.Equal(c.want) {
			t.Errorf("%s: = %s, want %s", c.name, dateStr(got), dateStr(c.want))
		}
	}
	// A local authority's earlier date is honoured.
	la := DefaultTimings()
	la.AnnualReview.PhaseTransferDeadline = MonthDay{time.February, 1}
	if got := AmendedPlanDeadline(day(2027, 1, 5), PhaseTransferPrimaryToSecondary, 2027, la); !got.Equal(day(2027, 2, 1)) {
		t.Errorf("LA deadline: = %s, want 2027-02-01", dateStr(got))
	}
}

func TestAnnualReviewPhaseTransferValid(t *testing.T) {
	for _, p := range []PhaseTransfer{PhaseTransferNone, PhaseTransferEarlyYearsToSchool, PhaseTransferInfantToJunior,
		PhaseTransferPrimaryToMiddle, PhaseTransferPrimaryToSecondary, PhaseTransferMiddleToSecondary, PhaseTransferSecondaryToPost16} {
		if !p.Valid() {
			t.Errorf("%q invalid", p)
		}
	}
	if PhaseTransfer("year6_to_year7").Valid() {
		t.Error("unknown transfer valid")
	}
}
