package workflows

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// Issue 17, item 4: the phase transfer is worked out from the pupil's national curriculum year
// (date of birth and academic year) and the year groups the school teaches, and the SENDCo may
// correct it with a reason.

func years(low, high int) (*int, *int) { return &low, &high }

func TestNCYear(t *testing.T) {
	cases := []struct {
		born, on time.Time
		want     int
	}{
		{day(2018, 3, 14), day(2026, 12, 1), 4}, // Amara: born in 2017/18, Reception in 2022/23
		{day(2018, 8, 31), day(2022, 9, 5), 0},  // summer-born: Reception at 4
		{day(2018, 9, 1), day(2022, 9, 5), -1},  // a day later: nursery for another year
		{day(2017, 1, 20), day(2027, 11, 1), 6}, // Year 6 in 2027/28
		{day(2011, 6, 1), day(2027, 1, 15), 11}, // Year 11
		{day(2017, 1, 20), day(2027, 8, 31), 5}, // the last day of Year 5
		{day(2017, 1, 20), day(2027, 9, 1), 6},  // the first of Year 6
	}
	for _, c := range cases {
		if got := NCYear(AcademicYearStart(c.born), c.on); got != c.want {
			t.Errorf(
				"born %s, on %s: %s, want %s",
				dateStr(c.born),
				dateStr(c.on),
				YearGroupWords(got),
				YearGroupWords(c.want),
			)
		}
	}
}

func TestDeriveTransfer(t *testing.T) {
	primaryLow, primaryHigh := years(0, 6)
	cases := []struct {
		name      string
		born      int // academic year of birth
		low, high *int
		on        time.Time
		want      PhaseTransfer
		year      int
		check     bool
		because   string
	}{
		{
			"Year 6 at a primary school",
			2016,
			primaryLow,
			primaryHigh,
			day(2028, 1, 10),
			PhaseTransferPrimaryToSecondary,
			2028,
			false,
			"The pupil is in Year 6, the last year group of a school that teaches Reception to Year 6: the pupil moves to secondary school in September 2028.",
		},
		{"Year 4 at a primary school", 2016, primaryLow, primaryHigh, day(2026, 1, 10), PhaseTransferNone, 0, false,
			"The pupil is in Year 4 at a school that teaches Reception to Year 6: there is no move next September."},
		{"Year 11 at a primary school", 2010, primaryLow, primaryHigh, day(2027, 1, 10), PhaseTransferNone, 0, true,
			"The pupil is in Year 11 by date of birth, but the school teaches Reception to Year 6."},
		{
			"Year 2 at an infant school",
			2019,
			ptrInt(0),
			ptrInt(2),
			day(2027, 3, 1),
			PhaseTransferInfantToJunior,
			2027,
			false,
			"",
		},
		{
			"Year 4 at a first school",
			2017,
			ptrInt(0),
			ptrInt(4),
			day(2027, 3, 1),
			PhaseTransferPrimaryToMiddle,
			2027,
			false,
			"",
		},
		{
			"Year 8 at a middle school",
			2013,
			ptrInt(5),
			ptrInt(8),
			day(2027, 3, 1),
			PhaseTransferMiddleToSecondary,
			2027,
			false,
			"",
		},
		{
			"Year 11 at an 11 to 16 school",
			2010,
			ptrInt(7),
			ptrInt(11),
			day(2027, 3, 1),
			PhaseTransferSecondaryToPost16,
			2027,
			false,
			"",
		},
		{
			"Year 11 at a school with a sixth form",
			2010,
			ptrInt(7),
			ptrInt(13),
			day(2027, 3, 1),
			PhaseTransferNone,
			0,
			false,
			"",
		},
		{
			"nursery at a nursery school",
			2022,
			ptrInt(-1),
			ptrInt(-1),
			day(2027, 3, 1),
			PhaseTransferEarlyYearsToSchool,
			2027,
			false,
			"",
		},
		{
			"year groups not recorded: Year 6",
			2016,
			nil,
			nil,
			day(2028, 1, 10),
			PhaseTransferPrimaryToSecondary,
			2028,
			false,
			"The pupil is in Year 6. The school's year groups are not recorded; in the usual phases the pupil moves to secondary school in September 2028.",
		},
		{"year groups not recorded: Year 3", 2019, nil, nil, day(2028, 1, 10), PhaseTransferNone, 0, false, ""},
	}
	for _, c := range cases {
		d := DeriveTransfer(Placement{BirthYear: c.born, LowestYear: c.low, HighestYear: c.high}, c.on)
		if d.Transfer != c.want || d.Year != c.year || (d.Check != "") != c.check {
			t.Errorf("%s: %q in %d (check %q), want %q in %d", c.name, d.Transfer, d.Year, d.Check, c.want, c.year)
		}
		if c.because != "" && d.Because != c.because {
			t.Errorf("%s: because\n %q\nwant\n %q", c.name, d.Because, c.because)
		}
	}
}

func ptrInt(n int) *int { return &n }

func TestTransferCorrections(t *testing.T) {
	primary := &Placement{BirthYear: 2011, LowestYear: ptrInt(0), HighestYear: ptrInt(6)}
	if err := ValidateTransferCorrection(primary, PhaseTransferSecondaryToPost16); err == nil ||
		!strings.Contains(err.Error(), "the school teaches Reception to Year 6") {
		t.Errorf("secondary to post-16 at a primary school: %v", err)
	}
	for _, ok := range []PhaseTransfer{PhaseTransferNone, PhaseTransferPrimaryToSecondary} {
		if err := ValidateTransferCorrection(primary, ok); err != nil {
			t.Errorf("%q at a primary school refused: %v", ok, err)
		}
	}
	if err := ValidateTransferCorrection(&Placement{BirthYear: 2011}, PhaseTransferSecondaryToPost16); err != nil {
		t.Errorf("with no year groups recorded any move may be recorded: %v", err)
	}
	if err := ValidateTransferCorrection(primary, "to_the_moon"); err == nil {
		t.Error("an unknown move accepted")
	}
}

// A Year 6 pupil at a primary school gets the 15 February deadline without anyone ticking a
// box; a booking naming another move is refused; the SENDCo corrects it with a reason.
func TestAnnualReviewDerivesTheTransfer(t *testing.T) {
	h := newAnnualReviewHarness(t)
	// Due 2 November 2026, in 2026/27: the pupil, born in 2015/16, is in Year 6.
	h.rec.placement = &Placement{BirthYear: 2015, LowestYear: ptrInt(0), HighestYear: ptrInt(6)}
	var opened []string
	h.at(childStart.Add(time.Minute), func() { opened = deadlineKinds(h) })
	meeting := time.Date(2026, 10, 30, 10, 0, 0, 0, time.UTC)
	wrong := arStep(
		h,
		childStart.Add(time.Hour),
		AnnualReviewEvent{Type: ARMeetingScheduled, MeetingAt: meeting, Transfer: PhaseTransferSecondaryToPost16},
	)
	booked := arStep(h, childStart.Add(2*time.Hour), AnnualReviewEvent{Type: ARMeetingScheduled, MeetingAt: meeting})
	impossible := arStep(
		h,
		childStart.Add(3*time.Hour),
		AnnualReviewEvent{Type: ARTransferCorrected, Transfer: PhaseTransferSecondaryToPost16, CorrectionID: "c1"},
	)
	noReason := arStep(h, childStart.Add(3*time.Hour), AnnualReviewEvent{Type: ARTransferCorrected})
	corrected := arStep(
		h,
		childStart.Add(4*time.Hour),
		AnnualReviewEvent{Type: ARTransferCorrected, CorrectionID: "c2"},
	)
	var after []string
	h.at(childStart.Add(5*time.Hour), func() { after = deadlineKinds(h) })
	h.cancelAt(days(childStart, 1))
	runAnnualReview(h, arPrevious)
	h.finished(true)

	if !slices.Contains(opened, ARTransferDue) {
		t.Errorf("no phase-transfer deadline for a Year 6 pupil: %v", opened)
	}
	var first Event
	for _, e := range h.events() {
		if e.Kind == "annual_review_opened" {
			first = e
		}
	}
	if !strings.Contains(first.Summary, "Year 6") || !strings.Contains(first.Summary, "15 February 2027") {
		t.Errorf("the opening line does not explain the transfer: %q", first.Summary)
	}
	checkRefused(
		t,
		"a booking naming another move",
		wrong,
		"this review prepares for the move to secondary school in September 2027, worked out from the pupil's date of birth and the school's year groups; "+
			"to record a different move, correct it with a reason (transfer_corrected)",
	)
	checkAccepted(t, "booking", booked)
	checkRefused(t, "a move the school cannot make", impossible,
		`the school teaches Reception to Year 6, so a pupil there does not make the move "secondary_to_post16"`)
	checkRefused(t, "a correction with no reason", noReason, "a correction of the phase transfer needs its reason")
	checkAccepted(t, "correction to no move", corrected)
	if slices.Contains(after, ARTransferDue) {
		t.Errorf("after the correction the transfer deadline is still open: %v", after)
	}
	accepted := false
	h.rec.mu.Lock()
	for _, p := range h.rec.projections {
		for _, r := range p.Accept {
			accepted = accepted || r == (Record{Kind: RecordTransferCorrection, ID: "c2"})
		}
	}
	h.rec.mu.Unlock()
	if !accepted {
		t.Error("the correction's reason was not accepted into the record")
	}
}
