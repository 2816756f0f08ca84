package workflows

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

const referralService = "educational_psychology"

func newReferralHarness(t *testing.T, readiness Readiness) *childHarness {
	h := newChildHarness(t, realTime, func(env *testsuite.TestWorkflowEnvironment) {
		env.RegisterWorkflowWithOptions(Referral, workflow.RegisterOptions{Name: ReferralWorkflowName})
	})
	h.rec.readiness = readiness
	return h
}

func runReferral(h *childHarness, open OpenReferral) {
	h.env.ExecuteWorkflow(ReferralWorkflowName, ReferralInput{OpenReferral: open,
		PupilID: "pupil-1", SchoolID: "school-1", ParentIDs: []string{"parent-1"}, Clock: realTime, Timings: DefaultTimings()})
}

var emailRoute = OpenReferral{ReferralID: "r1", Service: referralService, By: "sendco-1"}

// referralStatuses lists the statuses the referral signalled to the pathway, checking each
// signal is about this referral only.
func referralStatuses(t *testing.T, h *childHarness) []ReferralStatus {
	t.Helper()
	var out []ReferralStatus
	for _, s := range h.pathwaySignals() {
		if s.Referral == nil || s.Cycle != nil || s.EHC != nil || s.AnnualReview != nil ||
			s.Referral.ReferralID != "r1" {
			t.Errorf("signal %+v is not about referral r1", s)
			continue
		}
		out = append(out, s.Referral.Status)
	}
	return out
}

// The SENDCo is asked to decide and the parents for consent as soon as the referral opens, so
// the evidence and the consent can be ready together.
var referralOpened = []wantNotice{
	{childStart, "referral_decision_needed", []string{ToSENDCo}, nil},
	{childStart, "consent_request", []string{ToParents}, nil},
}

func referralSent(at time.Time) wantNotice {
	return wantNotice{
		at,
		"referral_submitted",
		[]string{ToAgency(referralService)},
		map[string]string{"Reference": "r1"},
	}
}

func TestReferralOverrideAndConsentExpiry(t *testing.T) {
	unmet := Readiness{
		Missing: []string{"No support has been tried for 6 weeks.", "The parents' views are not recorded."},
	}
	h := newReferralHarness(t, unmet)
	noReason := send[ReferralState](
		h,
		childStart.Add(time.Hour),
		UpdateReferralDecision,
		ReferralDecision{Approve: true, By: "sendco-1", Readiness: unmet},
	)
	approvedAt := childStart.Add(2 * time.Hour)
	approved := send[ReferralState](
		h,
		approvedAt,
		UpdateReferralDecision,
		ReferralDecision{
			Approve:        true,
			OverrideReason: "The family asked for it urgently.",
			By:             "sendco-1",
			Readiness:      unmet,
		},
	)
	stranger := send[ReferralState](
		h,
		childStart.Add(3*time.Hour),
		UpdateConsent,
		Consent{Action: ConsentGive, WordingID: "ep-v1", By: "someone-else"},
	)
	runReferral(h, emailRoute)
	h.finished(false) // consent expired: nothing more can happen

	checkRefused(
		t,
		"approval of an unmet check without a reason",
		noReason,
		"the readiness check is not met: No support has been tried for 6 weeks. The parents' views are not recorded. Give a reason to approve the referral anyway",
	)
	checkAccepted(t, "approval with a reason", approved)
	if r := approved.result; r.Status != ReferralAwaitingConsent ||
		r.OverrideReason != "The family asked for it urgently." ||
		!r.ConsentRequestedAt.Equal(childStart) {
		t.Errorf("after approval: %+v", r)
	}
	checkRefused(t, "consent from someone without parental responsibility", stranger,
		"only a parent or carer with parental responsibility for this pupil can answer for them")
	checkNotices(t, h.notices(), append(
		slices.Clone(referralOpened),
		wantNotice{
			days(childStart, 7),
			"consent_reminder",
			[]string{ToParents},
			map[string]string{"ExpiresOn": "5 October 2026"},
		},
		wantNotice{days(childStart, 28), "consent_expired", []string{ToSENDCo}, nil},
	))
	// The reminder re-sends the unchanged status; the pathway just mirrors it.
	want := []ReferralStatus{ReferralAwaitingConsent, ReferralAwaitingConsent, ReferralConsentExpired}
	if got := referralStatuses(t, h); !slices.Equal(got, want) {
		t.Errorf("statuses signalled %v, want %v", got, want)
	}
	events := h.events()
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, e.Kind)
	}
	if want := []string{"readiness_checked", "referral_approved", "consent_reminder_sent", "consent_expired"}; !slices.Equal(
		kinds,
		want,
	) {
		t.Fatalf("events %v, want %v", kinds, want)
	}
	if s := events[0].Summary; s != "The readiness check found evidence missing: No support has been tried for 6 weeks. The parents' views are not recorded." {
		t.Errorf("readiness event: %q", s)
	}
	if s := events[1].Summary; s != "The SENDCo approved the referral although the readiness check was not met, and recorded why. It will be sent when the parents give consent." {
		t.Errorf("approval event: %q", s)
	}
	// From the start the read model shows both consent dates, soonest first.
	h.rec.mu.Lock()
	opened, afterApproval := h.rec.projections[0], h.rec.projections[1]
	h.rec.mu.Unlock()
	wantDeadlines := []Deadline{
		{Kind: ReferralConsentReminder, Due: days(childStart, 7), Label: "Remind parents about consent"},
		{Kind: ReferralConsentExpiry, Due: days(childStart, 28), Label: "Parents' consent needed by"},
	}
	if opened.Status != string(ReferralAwaitingDecision) || !reflect.DeepEqual(opened.Deadlines, wantDeadlines) ||
		afterApproval.Status != string(
			ReferralAwaitingConsent,
		) || !reflect.DeepEqual(afterApproval.Deadlines, wantDeadlines) {
		t.Errorf(
			"projections: %s %+v, then %s %+v",
			opened.Status,
			opened.Deadlines,
			afterApproval.Status,
			afterApproval.Deadlines,
		)
	}
	if last := h.lastProjection(); last.Status != string(ReferralConsentExpired) || last.Deadlines != nil ||
		last.ItemID != "referral/r1" {
		t.Errorf("last projection: %s %s %+v", last.ItemID, last.Status, last.Deadlines)
	}
}

func TestReferralSubmittedToAdvice(t *testing.T) {
	ready := Readiness{Met: true}
	h := newReferralHarness(t, ready)
	approvedAt := childStart.Add(time.Hour)
	send[ReferralState](
		h,
		approvedAt,
		UpdateReferralDecision,
		ReferralDecision{Approve: true, By: "sendco-1", Readiness: ready},
	)
	early := send[ReferralState](
		h,
		approvedAt.Add(time.Minute),
		UpdateAgencyResponse,
		AgencyResponse{Kind: AgencyAcknowledged, By: "agency-1"},
	)
	noWording := send[ReferralState](
		h,
		days(approvedAt, 2),
		UpdateConsent,
		Consent{Action: ConsentGive, By: "parent-1"},
	)
	submittedAt := days(approvedAt, 2).Add(time.Hour) // Wednesday 9 September 2026, 11am
	given := send[ReferralState](
		h,
		submittedAt,
		UpdateConsent,
		Consent{Action: ConsentGive, WordingID: "ep-v1", By: "parent-1"},
	)
	ackAt := days(submittedAt, 13*7) // well past the 6-week escalation: it must not repeat
	send[ReferralState](h, ackAt, UpdateAgencyResponse, AgencyResponse{Kind: AgencyAcknowledged, By: "agency-1"})
	noID := send[ReferralState](
		h,
		days(ackAt, 7),
		UpdateAgencyResponse,
		AgencyResponse{Kind: AgencyAdvice, By: "agency-1"},
	)
	adviceAt := days(ackAt, 7).Add(time.Hour)
	advice := send[ReferralState](
		h,
		adviceAt,
		UpdateAgencyResponse,
		AgencyResponse{Kind: AgencyAdvice, AdviceID: "adv-1", By: "agency-1"},
	)
	runReferral(h, emailRoute)
	h.finished(false)

	checkRefused(
		t,
		"acknowledgement before submission",
		early,
		"the service can acknowledge a referral once it has been sent; it is awaiting_consent",
	)
	checkRefused(t, "consent without its wording", noWording, "consent must record the wording the parent was shown")
	checkAccepted(t, "consent", given)
	if r := given.result; r.Status != ReferralSubmitted || !r.SubmittedAt.Equal(submittedAt) ||
		r.ConsentWordingID != "ep-v1" ||
		!r.ConsentGiven {
		t.Errorf("after consent: %+v", r)
	}
	checkRefused(t, "advice without its record", noID, "advice needs the id of the record that holds it")
	checkAccepted(t, "advice", advice)
	checkNotices(t, h.notices(), append(
		slices.Clone(referralOpened),
		referralSent(submittedAt),
		wantNotice{
			days(submittedAt, 42),
			"agency_no_reply",
			[]string{ToSENDCo},
			map[string]string{"SubmittedOn": "9 September 2026"},
		},
		wantNotice{adviceAt, "advice_received_staff", []string{ToSENDCo}, nil},
		wantNotice{adviceAt, "advice_received_parent", []string{ToParents}, nil},
	))
	// The escalation re-sends "submitted"; the advice carries its record's id.
	want := []ReferralStatus{
		ReferralAwaitingConsent,
		ReferralSubmitted,
		ReferralSubmitted,
		ReferralAcknowledged,
		ReferralAdviceReceived,
	}
	if got := referralStatuses(t, h); !slices.Equal(got, want) {
		t.Errorf("statuses signalled %v, want %v", got, want)
	}
	if s := h.pathwaySignals(); len(s) > 0 && s[len(s)-1].Referral.AdviceID != "adv-1" {
		t.Errorf("advice signalled without its id: %+v", s[len(s)-1].Referral)
	}
}

// Parents may consent before the SENDCo decides; approval then sends the referral at once, by the
// service's own route, and the service's acknowledgement time replaces the default.
func TestReferralConsentBeforeApproval(t *testing.T) {
	cases := []struct {
		name string
		open OpenReferral
		sent func(at time.Time) wantNotice
	}{
		{"by email", emailRoute, referralSent},
		{
			"through the service's portal",
			OpenReferral{
				ReferralID: "r1",
				Service:    referralService,
				By:         "sendco-1",
				PortalURL:  "https://ep.example.org/refer",
			},
			func(at time.Time) wantNotice {
				return wantNotice{
					at,
					"referral_portal_upload",
					[]string{ToSENDCo},
					map[string]string{"Link": "https://ep.example.org/refer"},
				}
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newReferralHarness(t, Readiness{Met: true})
			open := c.open
			open.SLADays = 10
			consented := send[ReferralState](
				h,
				days(childStart, 1),
				UpdateConsent,
				Consent{Action: ConsentGive, WordingID: "ep-v1", By: "parent-1"},
			)
			again := send[ReferralState](
				h,
				days(childStart, 2),
				UpdateConsent,
				Consent{Action: ConsentRefuse, By: "parent-1"},
			)
			approvedAt := days(childStart, 3)
			approved := send[ReferralState](
				h,
				approvedAt,
				UpdateReferralDecision,
				ReferralDecision{Approve: true, By: "sendco-1", Readiness: Readiness{Met: true}},
			)
			send[ReferralState](
				h,
				days(approvedAt, 12),
				UpdateAgencyResponse,
				AgencyResponse{Kind: AgencyRejected, By: "agency-1"},
			)
			runReferral(h, open)
			h.finished(false)

			checkAccepted(t, "consent before the decision", consented)
			if r := consented.result; r.Status != ReferralAwaitingDecision || !r.ConsentGiven || r.SubmittedAt != nil {
				t.Errorf("after consent: %s given %v submitted %v", r.Status, r.ConsentGiven, r.SubmittedAt)
			}
			checkRefused(t, "answering again", again, "consent has already been given; it can be withdrawn")
			checkAccepted(t, "approval", approved)
			if r := approved.result; r.Status != ReferralSubmitted || !r.SubmittedAt.Equal(approvedAt) {
				t.Errorf("after approval: %s submitted %v", r.Status, r.SubmittedAt)
			}
			// No consent reminder: the parents answered. The service's 10 days, not 6 weeks, bring the chase.
			checkNotices(t, h.notices(), append(
				slices.Clone(referralOpened),
				c.sent(approvedAt),
				wantNotice{
					days(approvedAt, 10),
					"agency_no_reply",
					[]string{ToSENDCo},
					map[string]string{"SubmittedOn": "10 September 2026"},
				},
			))
			want := []ReferralStatus{ReferralAwaitingDecision, ReferralSubmitted, ReferralSubmitted, ReferralRejected}
			if got := referralStatuses(t, h); !slices.Equal(got, want) {
				t.Errorf("statuses signalled %v, want %v", got, want)
			}
			var kinds []string
			for _, e := range h.events() {
				kinds = append(kinds, e.Kind)
			}
			if want := []string{"readiness_checked", "consent_given", "referral_submitted", "agency_sla_breached", "referral_rejected"}; !slices.Equal(
				kinds,
				want,
			) {
				t.Errorf("events %v, want %v", kinds, want)
			}
		})
	}
}

// Each way a referral can stop short of advice ends the workflow and tells the pathway.
func TestReferralEndings(t *testing.T) {
	type step struct {
		after  time.Duration
		update string
		arg    any
	}
	approve := step{
		time.Hour,
		UpdateReferralDecision,
		ReferralDecision{Approve: true, By: "sendco-1", Readiness: Readiness{Met: true}},
	}
	give := step{24 * time.Hour, UpdateConsent, Consent{Action: ConsentGive, WordingID: "ep-v1", By: "parent-1"}}
	cases := []struct {
		name    string
		steps   []step
		notices []wantNotice
		want    []ReferralStatus
	}{
		{"declined by the SENDCo",
			[]step{
				{time.Hour, UpdateReferralDecision, ReferralDecision{By: "sendco-1", Readiness: Readiness{Met: true}}},
			},
			nil,
			[]ReferralStatus{ReferralDeclined}},
		{"consent refused",
			[]step{approve, {48 * time.Hour, UpdateConsent, Consent{Action: ConsentRefuse, By: "parent-1"}}},
			[]wantNotice{{childStart.Add(48 * time.Hour), "consent_refused", []string{ToSENDCo}, nil}},
			[]ReferralStatus{ReferralAwaitingConsent, ReferralConsentRefused}},
		{"consent withdrawn after submission",
			[]step{
				approve,
				give,
				{
					10 * 24 * time.Hour,
					UpdateConsent,
					Consent{Action: ConsentWithdraw, WithdrawnNote: "We changed our minds.", By: "parent-1"},
				},
			},
			[]wantNotice{
				referralSent(childStart.Add(24 * time.Hour)),
				{childStart.Add(10 * 24 * time.Hour), "consent_withdrawn", []string{ToSENDCo}, nil},
			},
			[]ReferralStatus{ReferralAwaitingConsent, ReferralSubmitted, ReferralWithdrawn}},
		{"consent withdrawn before the decision",
			[]step{give, {3 * 24 * time.Hour, UpdateConsent, Consent{Action: ConsentWithdraw, By: "parent-1"}}},
			[]wantNotice{{childStart.Add(3 * 24 * time.Hour), "consent_withdrawn", []string{ToSENDCo}, nil}},
			[]ReferralStatus{ReferralAwaitingDecision, ReferralWithdrawn}},
		{"rejected by the agency",
			[]step{
				approve,
				give,
				{20 * 24 * time.Hour, UpdateAgencyResponse, AgencyResponse{Kind: AgencyRejected, By: "agency-1"}},
			},
			[]wantNotice{referralSent(childStart.Add(24 * time.Hour))},
			[]ReferralStatus{ReferralAwaitingConsent, ReferralSubmitted, ReferralRejected}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newReferralHarness(t, Readiness{Met: true})
			var sent []*update[ReferralState]
			for _, s := range c.steps {
				sent = append(sent, send[ReferralState](h, childStart.Add(s.after), s.update, s.arg))
			}
			runReferral(h, emailRoute)
			h.finished(false)
			for i, u := range sent {
				checkAccepted(t, fmt.Sprintf("step %d", i+1), u)
			}
			checkNotices(t, h.notices(), append(slices.Clone(referralOpened), c.notices...))
			if got := referralStatuses(t, h); !slices.Equal(got, c.want) {
				t.Errorf("statuses signalled %v, want %v", got, c.want)
			}
			if last := h.lastProjection(); last.Status != string(c.want[len(c.want)-1]) || last.Deadlines != nil {
				t.Errorf("last projection %s %+v", last.Status, last.Deadlines)
			}
		})
	}
}

// TestDecisionDuringTheReadinessCheckIsKept: the SENDCo decides while the referral's first
// readiness check is still running and the database is slow to save. The decision is kept, and
// the referral's story has both the check and the decision.
func TestDecisionDuringTheReadinessCheckIsKept(t *testing.T) {
	met := Readiness{Met: true}
	h := newReferralHarness(t, met)
	// The check takes ten minutes and each save five, so the decision arrives mid-check and its
	// save is still running when the check's own save begins.
	h.env.OnActivity(ActivityCheckReadiness, mock.Anything, mock.Anything).After(10*time.Minute).Return(met, nil)
	h.env.OnActivity(ActivityCommit, mock.Anything, mock.Anything).After(5 * time.Minute).Return(
		func(ctx context.Context, c Commit) error {
			if c.Projection != nil {
				return h.rec.project(ctx, *c.Projection)
			}
			return nil
		})
	decided := send[ReferralState](
		h,
		childStart.Add(8*time.Minute),
		UpdateReferralDecision,
		ReferralDecision{ID: "d1", Approve: true, By: "sendco-1", Readiness: met},
	)
	query := &ReferralState{}
	h.at(childStart.Add(2*time.Hour), func() {
		v, err := h.env.QueryWorkflow(QueryState)
		if err == nil {
			err = v.Get(query)
		}
		if err != nil {
			t.Error(err)
		}
		h.env.CancelWorkflow()
	})
	runReferral(h, emailRoute)
	checkAccepted(t, "a decision during the check", decided)
	if query.Status != ReferralAwaitingConsent {
		t.Errorf("after the decision the referral is %s, want %s", query.Status, ReferralAwaitingConsent)
	}
	var kinds []string
	for _, e := range h.events() {
		kinds = append(kinds, e.Kind)
	}
	if !slices.Contains(kinds, "readiness_checked") || !slices.Contains(kinds, "referral_approved") {
		t.Errorf("the referral's story is %v; want the check and the decision", kinds)
	}
}
