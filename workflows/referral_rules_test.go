package workflows

// Table tests of the rules in referral_rules.go.

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestRulesReferralStatusFinished(t *testing.T) {
	finished := map[ReferralStatus]bool{
		ReferralAwaitingDecision: false, ReferralAwaitingConsent: false, ReferralSubmitted: false, ReferralAcknowledged: false,
		ReferralDeclined: true, ReferralConsentRefused: true, ReferralConsentExpired: true, ReferralWithdrawn: true,
		ReferralAdviceReceived: true, ReferralRejected: true,
	}
	for s, want := range finished {
		if s.Finished() != want {
			t.Errorf("%s finished = %v", s, !want)
		}
	}
}

func TestRulesOpenReferral(t *testing.T) {
	open := OpenReferral{ReferralID: "r2", Service: "speech_and_language", By: "sendco-1"}
	cases := []struct {
		name  string
		stage Stage
		have  []ReferralRef
		edit  func(*OpenReferral)
		want  string
	}{
		{"on SEN support", StageSENSupport, nil, nil, ""},
		{"with an EHC plan", StageEHCPlan, nil, nil, ""},
		{
			"while monitoring",
			StageMonitoring,
			nil,
			nil,
			"a referral to a specialist needs the pupil to be on SEN support; the pupil is at stage monitoring",
		},
		{
			"no service",
			StageSENSupport,
			nil,
			func(o *OpenReferral) { o.Service = "" },
			"a referral needs its id, the service and the person asking",
		},
		{
			"same id",
			StageSENSupport,
			[]ReferralRef{{ReferralID: "r2", Service: "other", Status: ReferralDeclined}},
			nil,
			"referral r2 already exists",
		},
		{
			"same service still open",
			StageSENSupport,
			[]ReferralRef{{ReferralID: "r1", Service: "speech_and_language", Status: ReferralSubmitted}},
			nil,
			"a referral to this service is already open (submitted)",
		},
		{
			"same service finished",
			StageSENSupport,
			[]ReferralRef{{ReferralID: "r1", Service: "speech_and_language", Status: ReferralAdviceReceived}},
			nil,
			"",
		},
	}
	for _, c := range cases {
		s := pathwayAt(c.stage)
		s.Referrals = c.have
		o := open
		if c.edit != nil {
			c.edit(&o)
		}
		checkRule(t, c.name, s.ValidateOpenReferral(o), c.want)
	}

	s := pathwayAt(StageSENSupport)
	s.ApplyOpenReferral(open, rulesNow)
	if !reflect.DeepEqual(
		s.Referrals,
		[]ReferralRef{{ReferralID: "r2", Service: "speech_and_language", Status: ReferralAwaitingDecision}},
	) {
		t.Errorf("referrals %+v", s.Referrals)
	}
	// The pathway mirrors each status; advice is kept once, to feed the next plan.
	s.ApplyReferralChanged(ReferralChanged{ReferralID: "r2", Status: ReferralAdviceReceived, AdviceID: "adv-1"})
	s.ApplyReferralChanged(ReferralChanged{ReferralID: "r2", Status: ReferralAdviceReceived, AdviceID: "adv-1"})
	v := s.Version
	s.ApplyReferralChanged(ReferralChanged{ReferralID: "unknown", Status: ReferralDeclined, AdviceID: "adv-9"})
	if s.Referrals[0].Status != ReferralAdviceReceived || !slices.Equal(s.Advice, []string{"adv-1"}) || s.Version != v {
		t.Errorf("after changes: referrals %+v advice %v version %d (was %d)", s.Referrals, s.Advice, s.Version, v)
	}
}

// newReferral is a referral opened at rulesNow (consent asked for at once), moved to status;
// consent is given for the statuses that follow it.
func newReferral(status ReferralStatus) *ReferralState {
	r := NewReferralState(
		ReferralInput{OpenReferral: OpenReferral{ReferralID: "r1", Service: "educational_psychology", By: "sendco-1"},
			PupilID: "pupil-1", SchoolID: "school-1", ParentIDs: []string{"parent-1", "parent-2"}, Timings: DefaultTimings()},
		rulesNow,
	)
	r.Status = status
	switch status {
	case ReferralSubmitted, ReferralAcknowledged, ReferralAdviceReceived:
		r.ConsentGiven, r.ConsentWordingID, r.SubmittedAt = true, "ep-v1", ptr(rulesNow)
	}
	return r
}

func TestRulesReferralDecision(t *testing.T) {
	unmet := Readiness{Missing: []string{"No support plan has been reviewed."}}
	cases := []struct {
		name   string
		status ReferralStatus
		d      ReferralDecision
		want   string
	}{
		{
			"approve a met check",
			ReferralAwaitingDecision,
			ReferralDecision{Approve: true, By: "s", Readiness: Readiness{Met: true}},
			"",
		},
		{
			"approve an unmet check with a reason",
			ReferralAwaitingDecision,
			ReferralDecision{Approve: true, OverrideReason: "Urgent.", By: "s", Readiness: unmet},
			"",
		},
		{
			"approve an unmet check without a reason",
			ReferralAwaitingDecision,
			ReferralDecision{Approve: true, OverrideReason: "  ", By: "s", Readiness: unmet},
			"the readiness check is not met: No support plan has been reviewed. Give a reason to approve the referral anyway",
		},
		{"decline an unmet check", ReferralAwaitingDecision, ReferralDecision{By: "s", Readiness: unmet}, ""},
		{
			"nobody deciding",
			ReferralAwaitingDecision,
			ReferralDecision{Approve: true, Readiness: Readiness{Met: true}},
			"a decision needs the person making it",
		},
		{
			"decided already",
			ReferralAwaitingConsent,
			ReferralDecision{Approve: true, By: "s", Readiness: Readiness{Met: true}},
			"this referral is not waiting for a decision: it is awaiting_consent",
		},
		{
			"after consent expired",
			ReferralConsentExpired,
			ReferralDecision{Approve: true, By: "s", Readiness: Readiness{Met: true}},
			"this referral is not waiting for a decision: it is consent_expired",
		},
	}
	for _, c := range cases {
		checkRule(t, c.name, newReferral(c.status).ValidateDecision(c.d), c.want)
	}

	later := days(rulesNow, 3)
	applied := []struct {
		name      string
		consented bool
		d         ReferralDecision
		status    ReferralStatus
		kind      string
		summary   string
	}{
		{
			"approved over the check, waiting for consent",
			false,
			ReferralDecision{Approve: true, OverrideReason: "Urgent.", By: "s", Readiness: unmet},
			ReferralAwaitingConsent,
			"referral_approved",
			"The SENDCo approved the referral although the readiness check was not met, and recorded why. It will be sent when the parents give consent.",
		},
		{"approved after consent", true, ReferralDecision{Approve: true, By: "s", Readiness: Readiness{Met: true}},
			ReferralSubmitted, "referral_submitted",
			"The SENDCo approved the referral. Parents had given consent, so the referral was sent to the service."},
		{"declined after consent", true, ReferralDecision{By: "s", Readiness: Readiness{Met: true}},
			ReferralDeclined, "referral_declined", "The SENDCo decided not to make this referral."},
	}
	for _, a := range applied {
		r := newReferral(ReferralAwaitingDecision)
		if a.consented {
			r.ApplyConsent(Consent{Action: ConsentGive, WordingID: "ep-v1", By: "parent-1"}, days(rulesNow, 1))
		}
		ev := r.ApplyDecision(a.d, later)
		if r.Status != a.status || ev.Kind != a.kind || ev.Summary != a.summary ||
			!reflect.DeepEqual(r.Readiness, a.d.Readiness) ||
			r.OverrideReason != a.d.OverrideReason {
			t.Errorf("%s: status %s, event %s %q", a.name, r.Status, ev.Kind, ev.Summary)
		}
		if sent := r.SubmittedAt != nil && r.SubmittedAt.Equal(later); sent != (a.status == ReferralSubmitted) {
			t.Errorf("%s: submitted at %v", a.name, r.SubmittedAt)
		}
		if !r.ConsentRequestedAt.Equal(rulesNow) {
			t.Errorf("%s: consent asked for at %v, want when the referral opened", a.name, r.ConsentRequestedAt)
		}
	}
}

func TestRulesReferralConsent(t *testing.T) {
	give := Consent{Action: ConsentGive, WordingID: "ep-v1", By: "parent-2"}
	withdraw := Consent{Action: ConsentWithdraw, By: "parent-1"}
	consented := func(r *ReferralState) { r.ApplyConsent(give, rulesNow) }
	cases := []struct {
		name   string
		status ReferralStatus
		setup  func(*ReferralState)
		c      Consent
		want   string
	}{
		{"give after approval", ReferralAwaitingConsent, nil, give, ""},
		{"give before the decision", ReferralAwaitingDecision, nil, give, ""},
		{"refuse", ReferralAwaitingConsent, nil, Consent{Action: ConsentRefuse, By: "parent-1"}, ""},
		{
			"refuse before the decision",
			ReferralAwaitingDecision,
			nil,
			Consent{Action: ConsentRefuse, By: "parent-1"},
			"",
		},
		{
			"give twice before the decision",
			ReferralAwaitingDecision,
			consented,
			give,
			"consent has already been given; it can be withdrawn",
		},
		{
			"refuse after giving",
			ReferralAwaitingDecision,
			consented,
			Consent{Action: ConsentRefuse, By: "parent-1"},
			"consent has already been given; it can be withdrawn",
		},
		{
			"give after submission",
			ReferralSubmitted,
			nil,
			give,
			"consent is not being asked for: the referral is submitted",
		},
		{
			"refuse after expiry",
			ReferralConsentExpired,
			nil,
			Consent{Action: ConsentRefuse, By: "parent-1"},
			"consent is not being asked for: the referral is consent_expired",
		},
		{
			"give without the wording",
			ReferralAwaitingConsent,
			nil,
			Consent{Action: ConsentGive, By: "parent-1"},
			"consent must record the wording the parent was shown",
		},
		{"withdraw instead of answering", ReferralAwaitingConsent, nil, withdraw, ""},
		{"withdraw before the decision", ReferralAwaitingDecision, consented, withdraw, ""},
		{"withdraw after submission", ReferralSubmitted, nil, withdraw, ""},
		{"withdraw after acknowledgement", ReferralAcknowledged, nil, withdraw, ""},
		{
			"withdraw what was never given",
			ReferralAwaitingDecision,
			nil,
			withdraw,
			"there is no consent to withdraw: the referral is awaiting_decision",
		},
		{
			"withdraw after advice",
			ReferralAdviceReceived,
			nil,
			withdraw,
			"there is no consent to withdraw: the referral is advice_received",
		},
		{
			"someone else",
			ReferralAwaitingConsent,
			nil,
			Consent{Action: ConsentGive, WordingID: "ep-v1", By: "teacher-1"},
			"only a parent or carer with parental responsibility for this pupil can answer for them",
		},
		{
			"not an answer",
			ReferralAwaitingConsent,
			nil,
			Consent{Action: "maybe", By: "parent-1"},
			`"maybe" is not a consent answer; use give, refuse or withdraw`,
		},
	}
	for _, c := range cases {
		r := newReferral(c.status)
		if c.setup != nil {
			c.setup(r)
		}
		checkRule(t, c.name, r.ValidateConsent(c.c), c.want)
	}

	applied := []struct {
		from   ReferralStatus
		action ConsentAction
		want   ReferralStatus
		kind   string
		sent   bool
	}{
		{ReferralAwaitingConsent, ConsentGive, ReferralSubmitted, "referral_submitted", true},
		{ReferralAwaitingDecision, ConsentGive, ReferralAwaitingDecision, "consent_given", false},
		{ReferralAwaitingConsent, ConsentRefuse, ReferralConsentRefused, "consent_refused", false},
		{ReferralAwaitingConsent, ConsentWithdraw, ReferralWithdrawn, "consent_withdrawn", false},
	}
	for _, a := range applied {
		r := newReferral(a.from)
		at := days(rulesNow, 2)
		ev := r.ApplyConsent(Consent{Action: a.action, WordingID: "ep-v1", By: "parent-1"}, at)
		if r.Status != a.want || ev.Kind != a.kind {
			t.Errorf("%s while %s: status %s event %s", a.action, a.from, r.Status, ev.Kind)
		}
		if given := r.ConsentGiven && r.ConsentWordingID == "ep-v1"; given != (a.action == ConsentGive) {
			t.Errorf(
				"%s while %s: consent given %v with wording %q",
				a.action,
				a.from,
				r.ConsentGiven,
				r.ConsentWordingID,
			)
		}
		if sent := r.SubmittedAt != nil && r.SubmittedAt.Equal(at); sent != a.sent {
			t.Errorf("%s while %s: submitted at %v", a.action, a.from, r.SubmittedAt)
		}
	}
}

func TestRulesAgencyResponse(t *testing.T) {
	cases := []struct {
		name   string
		status ReferralStatus
		a      AgencyResponse
		want   string
	}{
		{"acknowledge", ReferralSubmitted, AgencyResponse{Kind: AgencyAcknowledged, By: "a"}, ""},
		{
			"advice without acknowledgement",
			ReferralSubmitted,
			AgencyResponse{Kind: AgencyAdvice, AdviceID: "adv-1", By: "a"},
			"",
		},
		{
			"advice after acknowledgement",
			ReferralAcknowledged,
			AgencyResponse{Kind: AgencyAdvice, AdviceID: "adv-1", By: "a"},
			"",
		},
		{"rejected", ReferralAcknowledged, AgencyResponse{Kind: AgencyRejected, By: "a"}, ""},
		{"acknowledge twice", ReferralAcknowledged, AgencyResponse{Kind: AgencyAcknowledged, By: "a"},
			"the service can acknowledge a referral once it has been sent; it is acknowledged"},
		{
			"advice before consent",
			ReferralAwaitingConsent,
			AgencyResponse{Kind: AgencyAdvice, AdviceID: "adv-1", By: "a"},
			"the service can reply once the referral has been sent; it is awaiting_consent",
		},
		{"advice after withdrawal", ReferralWithdrawn, AgencyResponse{Kind: AgencyAdvice, AdviceID: "adv-1", By: "a"},
			"the service can reply once the referral has been sent; it is consent_withdrawn"},
		{
			"advice without its record",
			ReferralSubmitted,
			AgencyResponse{Kind: AgencyAdvice, By: "a"},
			"advice needs the id of the record that holds it",
		},
		{
			"nobody recording it",
			ReferralSubmitted,
			AgencyResponse{Kind: AgencyAcknowledged},
			"a response needs the person recording it",
		},
		{
			"not a response",
			ReferralSubmitted,
			AgencyResponse{Kind: "thanks", By: "a"},
			`"thanks" is not a response; use acknowledged, advice or rejected`,
		},
	}
	for _, c := range cases {
		checkRule(t, c.name, newReferral(c.status).ValidateResponse(c.a), c.want)
	}
	applied := []struct {
		kind   AgencyResponseKind
		want   ReferralStatus
		advice string
	}{
		{AgencyAcknowledged, ReferralAcknowledged, ""},
		{AgencyAdvice, ReferralAdviceReceived, "adv-1"},
		{AgencyRejected, ReferralRejected, ""},
	}
	for _, a := range applied {
		r := newReferral(ReferralSubmitted)
		r.ApplyResponse(AgencyResponse{Kind: a.kind, AdviceID: a.advice, By: "a"}, rulesNow)
		if r.Status != a.want || r.AdviceID != a.advice {
			t.Errorf("%s: status %s advice %q", a.kind, r.Status, r.AdviceID)
		}
	}
}

// Consent is chased from the moment the referral opens until a parent answers; a sent referral
// is chased once, after the service's own acknowledgement time or the default 6 weeks.
func TestRulesReferralTimers(t *testing.T) {
	reminder, expiry, sla := days(rulesNow, 7), days(rulesNow, 28), days(rulesNow, 42)
	type check struct {
		now    time.Time
		fired  []string
		status ReferralStatus
		next   time.Time // zero: nothing to wake for
	}
	consented := func(r *ReferralState) {
		r.ApplyConsent(Consent{Action: ConsentGive, WordingID: "ep-v1", By: "parent-1"}, days(rulesNow, 1))
	}
	cases := []struct {
		name   string
		status ReferralStatus
		setup  func(*ReferralState)
		checks []check
	}{
		{"no answer while the SENDCo decides", ReferralAwaitingDecision, nil, []check{
			{rulesNow, nil, ReferralAwaitingDecision, reminder},
			{reminder.Add(-time.Second), nil, ReferralAwaitingDecision, reminder},
			{reminder, []string{ReferralConsentReminder}, ReferralAwaitingDecision, expiry},
			{days(reminder, 1), nil, ReferralAwaitingDecision, expiry},
			{expiry, []string{ReferralConsentExpiry}, ReferralConsentExpired, time.Time{}},
		}},
		{"no answer after approval, caught up after a gap", ReferralAwaitingConsent, nil, []check{
			{
				days(expiry, 1),
				[]string{ReferralConsentReminder, ReferralConsentExpiry},
				ReferralConsentExpired,
				time.Time{},
			},
		}},
		{"consent given before the decision", ReferralAwaitingDecision, consented, []check{
			{days(expiry, 1), nil, ReferralAwaitingDecision, time.Time{}},
		}},
		{"submitted, no acknowledgement", ReferralSubmitted, nil, []check{
			{rulesNow, nil, ReferralSubmitted, sla},
			{sla, []string{ReferralSLA}, ReferralSubmitted, time.Time{}}, // escalated once
			{days(sla, 42), nil, ReferralSubmitted, time.Time{}},
		}},
		{
			"submitted to a service that answers in 10 days",
			ReferralSubmitted,
			func(r *ReferralState) { r.SLADays = 10 },
			[]check{
				{days(rulesNow, 9), nil, ReferralSubmitted, days(rulesNow, 10)},
				{days(rulesNow, 10), []string{ReferralSLA}, ReferralSubmitted, time.Time{}},
			},
		},
		{"acknowledged", ReferralAcknowledged, nil, []check{{days(sla, 1), nil, ReferralAcknowledged, time.Time{}}}},
	}
	for _, c := range cases {
		r := newReferral(c.status)
		if c.setup != nil {
			c.setup(r)
		}
		for _, k := range c.checks {
			fired, events := r.DueTimers(k.now)
			next, has := r.NextWake()
			if !slices.Equal(fired, k.fired) || len(events) != len(k.fired) || r.Status != k.status ||
				has == k.next.IsZero() ||
				!next.Equal(k.next) {
				t.Errorf("%s at %s: fired %v (%d events) status %s next %v/%v; want %v %s %v", c.name, dateStr(k.now),
					fired, len(events), r.Status, next, has, k.fired, k.status, k.next)
			}
		}
	}
	r := newReferral(ReferralAwaitingConsent)
	if _, events := r.DueTimers(reminder); len(events) != 1 ||
		events[0].Summary != "Parents were reminded about consent. The request ends on 5 October 2026." {
		t.Errorf("reminder event %+v", events)
	}
	r = newReferral(ReferralSubmitted)
	r.SLADays = 10
	if _, events := r.DueTimers(days(rulesNow, 10)); len(events) != 1 ||
		events[0].Summary != "The service has not acknowledged the referral within 10 days. The SENDCo has been asked to chase it." {
		t.Errorf("escalation event %+v", events)
	}
}
