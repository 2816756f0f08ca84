package workflows

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

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

func runReferral(h *childHarness) {
	h.env.ExecuteWorkflow(ReferralWorkflowName, ReferralInput{
		OpenReferral: OpenReferral{ReferralID: "r1", Service: referralService, By: "sendco-1"},
		PupilID:      "pupil-1", SchoolID: "school-1", ParentIDs: []string{"parent-1"}, Clock: realTime, Timings: DefaultTimings()})
}

// referralStatuses lists the statuses the referral signalled to the pathway, checking each
// signal is about this referral only.
func referralStatuses(t *testing.T, h *childHarness) []ReferralStatus {
	t.Helper()
	var out []ReferralStatus
	for _, s := range h.pathwaySignals() {
		if s.Referral == nil || s.Cycle != nil || s.EHC != nil || s.AnnualReview != nil || s.Referral.ReferralID != "r1" {
			t.Errorf("signal %+v is not about referral r1", s)
			continue
		}
		out = append(out, s.Referral.Status)
	}
	return out
}

var decisionNeeded = wantNotice{childStart, "referral_decision_needed", []string{ToSENDCo}, nil}

func TestReferralOverrideAndConsentExpiry(t *testing.T) {
	unmet := Readiness{Missing: []string{"No support has been tried for 6 weeks.", "The parents' views are not recorded."}}
	h := newReferralHarness(t, unmet)
	noReason := send[ReferralState](h, childStart.Add(time.Hour), UpdateReferralDecision, ReferralDecision{Approve: true, By: "sendco-1", Readiness: unmet})
	approvedAt := childStart.Add(2 * time.Hour)
	approved := send[ReferralState](h, approvedAt, UpdateReferralDecision,
		ReferralDecision{Approve: true, OverrideReason: "The family asked for it urgently.", By: "sendco-1", Readiness: unmet})
	stranger := send[ReferralState](h, childStart.Add(3*time.Hour), UpdateConsent, Consent{Action: ConsentGive, WordingID: "ep-v1", By: "someone-else"})
	runReferral(h)
	h.finished(false) // consent expired: nothing more can happen

	checkRefused(t, "approval of an unmet check without a reason", noReason,
		"the readiness check is not met: No support has been tried for 6 weeks. The parents' views are not recorded. Give a reason to approve the referral anyway")
	checkAccepted(t, "approval with a reason", approved)
	if r := approved.result; r.Status != ReferralAwaitingConsent || r.OverrideReason != "The family asked for it urgently." || !r.ConsentRequestedAt.Equal(approvedAt) {
		t.Errorf("after approval: %+v", r)
	}
	checkRefused(t, "consent from someone without parental responsibility", stranger,
		"only a parent or carer with parental responsibility for this pupil can answer for them")
	checkNotices(t, h.notices(), []wantNotice{
		decisionNeeded,
		{approvedAt, "consent_request", []string{ToParents}, nil},
		{days(approvedAt, 7), "consent_reminder", []string{ToParents}, map[string]string{"ExpiresOn": "5 October 2026"}},
		{days(approvedAt, 28), "consent_expired", []string{ToSENDCo}, nil},
	})
	// The reminder re-sends the unchanged status; the pathway just mirrors it.
	want := []ReferralStatus{ReferralAwaitingConsent, ReferralAwaitingConsent, ReferralConsentExpired}
	if got := referralStatuses(t, h); !slices.Equal(got, want) {
		t.Errorf("statuses signalled %v, want %v", got, want)
	}
	var kinds []string
	for _, e := range h.events() {
		kinds = append(kinds, e.Kind)
	}
	if want := []string{"readiness_checked", "referral_approved", "consent_reminder_sent", "consent_expired"}; !slices.Equal(kinds, want) {
		t.Errorf("events %v, want %v", kinds, want)
	}
	if ev := h.events()[0]; ev.Summary != "The readiness check found evidence missing: No support has been tried for 6 weeks. The parents' views are not recorded." {
		t.Errorf("readiness event: %q", ev.Summary)
	}
	// After approval the read model shows both consent dates, soonest first.
	h.rec.mu.Lock()
	afterApproval := h.rec.projections[1]
	h.rec.mu.Unlock()
	wantDeadlines := []Deadline{
		{Kind: ReferralConsentReminder, Due: days(approvedAt, 7), Label: "Remind parents about consent"},
		{Kind: ReferralConsentExpiry, Due: days(approvedAt, 28), Label: "Parents' consent needed by"},
	}
	if afterApproval.Status != string(ReferralAwaitingConsent) || !reflect.DeepEqual(afterApproval.Deadlines, wantDeadlines) {
		t.Errorf("projection after approval: %s %+v", afterApproval.Status, afterApproval.Deadlines)
	}
	if last := h.lastProjection(); last.Status != string(ReferralConsentExpired) || last.Deadlines != nil || last.ItemID != "referral/r1" {
		t.Errorf("last projection: %s %s %+v", last.ItemID, last.Status, last.Deadlines)
	}
}

func TestReferralSubmittedToAdvice(t *testing.T) {
	ready := Readiness{Met: true}
	h := newReferralHarness(t, ready)
	approvedAt := childStart.Add(time.Hour)
	send[ReferralState](h, approvedAt, UpdateReferralDecision, ReferralDecision{Approve: true, By: "sendco-1", Readiness: ready})
	early := send[ReferralState](h, approvedAt.Add(time.Minute), UpdateAgencyResponse, AgencyResponse{Kind: AgencyAcknowledged, By: "agency-1"})
	noWording := send[ReferralState](h, days(approvedAt, 2), UpdateConsent, Consent{Action: ConsentGive, By: "parent-1"})
	submittedAt := days(approvedAt, 2).Add(time.Hour) // Wednesday 9 September 2026, 11am
	given := send[ReferralState](h, submittedAt, UpdateConsent, Consent{Action: ConsentGive, WordingID: "ep-v1", By: "parent-1"})
	ackAt := days(submittedAt, 13*7) // well past the 6-week escalation: it must not repeat
	send[ReferralState](h, ackAt, UpdateAgencyResponse, AgencyResponse{Kind: AgencyAcknowledged, By: "agency-1"})
	noID := send[ReferralState](h, days(ackAt, 7), UpdateAgencyResponse, AgencyResponse{Kind: AgencyAdvice, By: "agency-1"})
	adviceAt := days(ackAt, 7).Add(time.Hour)
	advice := send[ReferralState](h, adviceAt, UpdateAgencyResponse, AgencyResponse{Kind: AgencyAdvice, AdviceID: "adv-1", By: "agency-1"})
	runReferral(h)
	h.finished(false)

	checkRefused(t, "acknowledgement before submission", early, "the service can acknowledge a referral once it has been sent; it is awaiting_consent")
	checkRefused(t, "consent without its wording", noWording, "consent must record the wording the parent was shown")
	checkAccepted(t, "consent", given)
	if r := given.result; r.Status != ReferralSubmitted || !r.SubmittedAt.Equal(submittedAt) || r.ConsentWordingID != "ep-v1" {
		t.Errorf("after consent: %+v", r)
	}
	checkRefused(t, "advice without its record", noID, "advice needs the id of the record that holds it")
	checkAccepted(t, "advice", advice)
	checkNotices(t, h.notices(), []wantNotice{
		decisionNeeded,
		{approvedAt, "consent_request", []string{ToParents}, nil},
		{submittedAt, "referral_submitted", []string{ToAgency(referralService)}, map[string]string{"Reference": "r1"}},
		{days(submittedAt, 42), "agency_no_reply", []string{ToSENDCo}, map[string]string{"SubmittedOn": "9 September 2026"}},
		{adviceAt, "advice_received_staff", []string{ToSENDCo}, nil},
		{adviceAt, "advice_received_parent", []string{ToParents}, nil},
	})
	// The escalation re-sends "submitted"; the advice carries its record's id.
	want := []ReferralStatus{ReferralAwaitingConsent, ReferralSubmitted, ReferralSubmitted, ReferralAcknowledged, ReferralAdviceReceived}
	if got := referralStatuses(t, h); !slices.Equal(got, want) {
		t.Errorf("statuses signalled %v, want %v", got, want)
	}
	if s := h.pathwaySignals(); len(s) > 0 && s[len(s)-1].Referral.AdviceID != "adv-1" {
		t.Errorf("advice signalled without its id: %+v", s[len(s)-1].Referral)
	}
}

// Each way a referral can stop short of advice ends the workflow and tells the pathway.
func TestReferralEndings(t *testing.T) {
	type step struct {
		after  time.Duration
		update string
		arg    any
	}
	approve := step{time.Hour, UpdateReferralDecision, ReferralDecision{Approve: true, By: "sendco-1", Readiness: Readiness{Met: true}}}
	cases := []struct {
		name    string
		steps   []step
		notices []wantNotice
		want    []ReferralStatus
	}{
		{"declined by the SENDCo",
			[]step{{time.Hour, UpdateReferralDecision, ReferralDecision{By: "sendco-1", Readiness: Readiness{Met: true}}}},
			[]wantNotice{decisionNeeded},
			[]ReferralStatus{ReferralDeclined}},
		{"consent refused",
			[]step{approve, {48 * time.Hour, UpdateConsent, Consent{Action: ConsentRefuse, By: "parent-1"}}},
			[]wantNotice{decisionNeeded,
				{childStart.Add(time.Hour), "consent_request", []string{ToParents}, nil},
				{childStart.Add(48 * time.Hour), "consent_refused", []string{ToSENDCo}, nil}},
			[]ReferralStatus{ReferralAwaitingConsent, ReferralConsentRefused}},
		{"consent withdrawn after submission",
			[]step{approve,
				{24 * time.Hour, UpdateConsent, Consent{Action: ConsentGive, WordingID: "ep-v1", By: "parent-1"}},
				{10 * 24 * time.Hour, UpdateConsent, Consent{Action: ConsentWithdraw, WithdrawnNote: "We changed our minds.", By: "parent-1"}}},
			[]wantNotice{decisionNeeded,
				{childStart.Add(time.Hour), "consent_request", []string{ToParents}, nil},
				{childStart.Add(24 * time.Hour), "referral_submitted", []string{ToAgency(referralService)}, map[string]string{"Reference": "r1"}},
				{childStart.Add(10 * 24 * time.Hour), "consent_withdrawn", []string{ToSENDCo}, nil}},
			[]ReferralStatus{ReferralAwaitingConsent, ReferralSubmitted, ReferralWithdrawn}},
		{"rejected by the agency",
			[]step{approve,
				{24 * time.Hour, UpdateConsent, Consent{Action: ConsentGive, WordingID: "ep-v1", By: "parent-1"}},
				{20 * 24 * time.Hour, UpdateAgencyResponse, AgencyResponse{Kind: AgencyRejected, By: "agency-1"}}},
			[]wantNotice{decisionNeeded,
				{childStart.Add(time.Hour), "consent_request", []string{ToParents}, nil},
				{childStart.Add(24 * time.Hour), "referral_submitted", []string{ToAgency(referralService)}, map[string]string{"Reference": "r1"}}},
			[]ReferralStatus{ReferralAwaitingConsent, ReferralSubmitted, ReferralRejected}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newReferralHarness(t, Readiness{Met: true})
			var sent []*update[ReferralState]
			for _, s := range c.steps {
				sent = append(sent, send[ReferralState](h, childStart.Add(s.after), s.update, s.arg))
			}
			runReferral(h)
			h.finished(false)
			for i, u := range sent {
				checkAccepted(t, fmt.Sprintf("step %d", i+1), u)
			}
			checkNotices(t, h.notices(), c.notices)
			if got := referralStatuses(t, h); !slices.Equal(got, c.want) {
				t.Errorf("statuses signalled %v, want %v", got, c.want)
			}
			if last := h.lastProjection(); last.Status != string(c.want[len(c.want)-1]) || last.Deadlines != nil {
				t.Errorf("last projection %s %+v", last.Status, last.Deadlines)
			}
		})
	}
}
