package staffweb

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/sendflow/sendflow/actions"
	"github.com/sendflow/sendflow/internal/evidence"
	evgather "github.com/sendflow/sendflow/internal/evidence/gather"
	"github.com/sendflow/sendflow/internal/readiness"
	"github.com/sendflow/sendflow/internal/readiness/gather"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/policies"
	"github.com/sendflow/sendflow/workflows"
)

// Referrals to agency services: the SENDCo opens one with the readiness check explained
// criterion by criterion, decides it, the parents consent from their email, and the agency's
// practitioner acknowledges it and gives advice — each step a form over the service layer.

func (h *Handler) referralPages(m *http.ServeMux) {
	m.HandleFunc("GET /pupils/{pupil}/referrals/new", h.staff(h.newReferralForm))
	m.HandleFunc("POST /pupils/{pupil}/referrals/new", h.staff(h.newReferral))
	m.HandleFunc("GET /pupils/{pupil}/evidence-pack", h.staff(h.evidencePack))
	m.HandleFunc("GET /referrals/{referral}", h.staff(h.referralPage))
	m.HandleFunc("POST /referrals/{referral}/decision", h.staff(h.decideReferral))
	m.HandleFunc("POST /referrals/{referral}/response", h.staff(h.respondToReferral))
	m.HandleFunc("GET /referrals", h.staff(h.agencyPage))
}

type referralView struct {
	ID, Service, ServiceName, Status, Reason, By string
	OpenedOn, SubmittedOn                        string
	Consent                                      string
	Consents                                     []string
	Responses                                    []responseLine
	ReadinessMet                                 bool
	Missing                                      []string
	OverrideReason                               string
	Href, EvidenceHref                           string
	Open                                         bool
}

type responseLine struct{ What, Summary, By, On string }

var referralStatusWords = map[workflows.ReferralStatus]string{
	workflows.ReferralAwaitingDecision: "Waiting for the SENDCo's decision",
	workflows.ReferralDeclined:         "Declined by the SENDCo",
	workflows.ReferralAwaitingConsent:  "Approved: waiting for the parents' consent",
	workflows.ReferralConsentRefused:   "The parents did not consent",
	workflows.ReferralConsentExpired:   "The parents did not answer in time",
	workflows.ReferralWithdrawn:        "The parents withdrew their consent",
	workflows.ReferralSubmitted:        "Sent to the service: waiting for it to acknowledge",
	workflows.ReferralAcknowledged:     "Acknowledged by the service: advice to come",
	workflows.ReferralAdviceReceived:   "Advice received",
	workflows.ReferralRejected:         "The service did not accept the referral",
}

var responseWords = map[string]string{"acknowledged": "Acknowledged", "advice": "Advice", "rejected": "Not accepted"}

var consentWords = map[string]string{
	"give":     "gave consent",
	"refuse":   "refused consent",
	"withdraw": "withdrew consent",
}

// referralViews lists the referrals the reader sees.
func (h *Handler) referralViews(
	ctx context.Context,
	v *visit,
	p *store.Pupil,
	d *pupilData,
	items []store.ItemRow,
	shown map[string]bool,
	aud audience,
) error {
	details, err := h.d.Store.ReferralsOf(ctx, p.ID)
	if err != nil {
		return err
	}
	for _, it := range items {
		if it.Kind != "referral" || !shown[it.ItemID] {
			continue
		}
		var r workflows.ReferralState
		if json.Unmarshal(it.State, &r) != nil {
			continue
		}
		i := slices.IndexFunc(details, func(x store.ReferralDetail) bool { return x.ID == r.ReferralID })
		if i < 0 {
			continue
		}
		d.Referrals = append(d.Referrals, referralViewOf(p, &r, details[i], aud))
	}
	return nil
}

func referralViewOf(p *store.Pupil, r *workflows.ReferralState, det store.ReferralDetail, aud audience) referralView {
	rv := referralView{
		ID:           r.ReferralID,
		Service:      r.Service,
		ServiceName:  det.ServiceName,
		Status:       referralStatusWords[r.Status],
		Reason:       det.Reason,
		By:           det.By,
		OpenedOn:     dayWords(det.CreatedAt),
		ReadinessMet: r.Readiness.Met,
		Missing:      r.Readiness.Missing,
		Href:         "/referrals/" + r.ReferralID,
		EvidenceHref: "/pupils/" + p.ID + "/evidence-pack?for=" + r.Service,
		Open:         !r.Status.Finished(),
	}
	if rv.Status == "" {
		rv.Status = string(r.Status)
	}
	if r.SubmittedAt != nil {
		rv.SubmittedOn = dayWords(*r.SubmittedAt)
	}
	if aud == leaders {
		rv.OverrideReason = r.OverrideReason
	}
	var consents []struct {
		Action, By string
		At         time.Time
	}
	_ = json.Unmarshal(det.Consents, &consents)
	for _, c := range consents {
		rv.Consents = append(rv.Consents, c.By+" "+consentWords[c.Action]+" on "+dayWords(c.At))
	}
	switch {
	case r.ConsentGiven:
		rv.Consent = "Given"
	case r.Status == workflows.ReferralConsentRefused:
		rv.Consent = "Refused"
	case r.Status == workflows.ReferralWithdrawn:
		rv.Consent = "Withdrawn"
	case r.Status == workflows.ReferralConsentExpired:
		rv.Consent = "Expired without an answer"
	default:
		rv.Consent = "Asked for: waiting for the parents"
	}
	var responses []struct {
		Kind, Summary, By string
		At                time.Time
	}
	_ = json.Unmarshal(det.Responses, &responses)
	for _, x := range responses {
		rv.Responses = append(
			rv.Responses,
			responseLine{What: responseWords[x.Kind], Summary: x.Summary, By: x.By, On: dayWords(x.At)},
		)
	}
	return rv
}

// referralOf finds a referral, its pupil and the reader's role; a referral out of reach (an
// agency practitioner's to another service) is not found.
func (h *Handler) referralOf(
	w http.ResponseWriter,
	v *visit,
) (*store.Pupil, string, *workflows.ReferralState, *store.ReferralDetail, bool) {
	ctx := v.ctx()
	id := v.r.PathValue("referral")
	pupilID, service, err := h.d.Store.ReferralPupil(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		h.d.Actions.Audit(ctx, v.actor, "", "referral:read", "", "", "not_found")
		h.notFound(w, v.r)
		return nil, "", nil, nil, false
	}
	if err != nil {
		h.unavailable(w, v.r, err)
		return nil, "", nil, nil, false
	}
	p, role, err := h.d.Actions.Pupil(ctx, v.actor, pupilID, "pathway", "read")
	var nf *actions.NotFound
	if errors.As(err, &nf) ||
		(err == nil && audienceOf(role) == agency && !slices.Contains(v.p.AgencyServices, service)) ||
		(err == nil && audienceOf(role) == council) {
		h.notFound(w, v.r)
		return nil, "", nil, nil, false
	}
	if err != nil {
		h.unavailable(w, v.r, err)
		return nil, "", nil, nil, false
	}
	rv, err := h.d.Store.Pathway(ctx, p.ID)
	if err != nil {
		h.unavailable(w, v.r, err)
		return nil, "", nil, nil, false
	}
	var st *workflows.ReferralState
	for _, it := range rv.Items {
		if it.ItemID == "referral/"+id {
			st = &workflows.ReferralState{}
			if err := json.Unmarshal(it.State, st); err != nil {
				h.unavailable(w, v.r, err)
				return nil, "", nil, nil, false
			}
		}
	}
	details, err := h.d.Store.ReferralsOf(ctx, p.ID)
	if err != nil {
		h.unavailable(w, v.r, err)
		return nil, "", nil, nil, false
	}
	i := slices.IndexFunc(details, func(x store.ReferralDetail) bool { return x.ID == id })
	if st == nil || i < 0 {
		h.notFound(w, v.r)
		return nil, "", nil, nil, false
	}
	return p, role, st, &details[i], true
}

type referralPageData struct {
	PupilID, Pupil string
	Referral       referralView
	Criteria       []readiness.Criterion
	Decide         bool // the reader may decide it, and it is waiting for a decision
	Respond        bool // the reader may record the agency's reply, and the referral is with the agency
	Evidence       bool
	DecisionOpts   []option
	ResponseOpts   []option
}

var decisionOpts = []option{
	{
		Value: "approve",
		Label: "Approve the referral",
		Hint:  "The parents are asked for consent (if they have not given it yet); with it, the referral and the evidence pack go to the service.",
	},
	{Value: "decline", Label: "Decline the referral", Hint: "Nothing is sent. Support continues in school."},
}

var responseOpts = []option{
	{
		Value: "acknowledged",
		Label: "Acknowledge the referral",
		Hint:  "The service has received it. The school is told.",
	},
	{Value: "advice", Label: "Give advice", Hint: "Write the advice below. It feeds the pupil's next support plan."},
	{Value: "rejected", Label: "Do not accept the referral", Hint: "Say why below, so the school knows what to do."},
}

func (h *Handler) referralForm(
	v *visit,
	p *store.Pupil,
	role string,
	st *workflows.ReferralState,
	det *store.ReferralDetail,
) (form, error) {
	d := referralPageData{PupilID: p.ID, Pupil: name(p), Referral: referralViewOf(p, st, *det, audienceOf(role)),
		DecisionOpts: decisionOpts, ResponseOpts: responseOpts}
	aud := audienceOf(role)
	if aud == leaders || aud == class {
		cs, err := gather.Criteria(v.ctx(), h.d.Store, p.ID, st.Service)
		if err != nil {
			return form{}, err
		}
		d.Criteria = cs
	}
	d.Decide = st.Status == workflows.ReferralAwaitingDecision && h.may(v, p, "referral", "decide")
	d.Respond = (st.Status == workflows.ReferralSubmitted || st.Status == workflows.ReferralAcknowledged) &&
		h.may(v, p, "agency_response", "create")
	d.Evidence = h.may(v, p, "evidence_pack", "read")
	return form{
		name:    "referral",
		title:   "Referral to " + det.ServiceName,
		caption: name(p),
		back:    "/pupils/" + p.ID,
		data:    d,
	}, nil
}

func (h *Handler) referralPage(w http.ResponseWriter, v *visit) {
	p, role, st, det, ok := h.referralOf(w, v)
	if !ok {
		return
	}
	f, err := h.referralForm(v, p, role, st, det)
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	h.d.Actions.Audit(v.ctx(), v.actor, role, "referral:read", p.ID, p.SchoolID, "ok")
	h.show(w, v, http.StatusOK, f, nil, nil)
}

var referralLabels = labels{"overrideReason": "Why you approve it", "summary": "What the service says"}

func (h *Handler) decideReferral(w http.ResponseWriter, v *visit) {
	p, role, st, det, ok := h.referralOf(w, v)
	if !ok {
		return
	}
	f, err := h.referralForm(v, p, role, st, det)
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	var errs []fieldError
	decision := choice(v.r.PostForm, "decision", "whether to approve or decline the referral", decisionOpts, &errs)
	if len(errs) > 0 {
		h.show(w, v, http.StatusUnprocessableEntity, f, v.r.PostForm, errs)
		return
	}
	_, err = h.d.Actions.DecideReferral(v.ctx(), v.actor, actions.Decision{ID: actionID(v.r), ReferralID: st.ReferralID,
		Approve: decision == "approve", OverrideReason: v.r.PostFormValue("overrideReason")})
	h.outcome(w, v, err, f, referralLabels, func() (string, string) {
		if decision == "approve" {
			return "The referral to " + det.ServiceName + " is approved.", "/referrals/" + st.ReferralID
		}
		return "The referral to " + det.ServiceName + " is declined.", "/referrals/" + st.ReferralID
	})
}

func (h *Handler) respondToReferral(w http.ResponseWriter, v *visit) {
	p, role, st, det, ok := h.referralOf(w, v)
	if !ok {
		return
	}
	f, err := h.referralForm(v, p, role, st, det)
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	var errs []fieldError
	kind := choice(v.r.PostForm, "kind", "what the service is doing", responseOpts, &errs)
	summary := v.r.PostFormValue("summary")
	if kind != "" && kind != "acknowledged" && strings.TrimSpace(summary) == "" {
		errs = append(
			errs,
			fieldError{Field: "summary", Text: "Write the advice, or why the service does not accept the referral"},
		)
	}
	if len(errs) > 0 {
		h.show(w, v, http.StatusUnprocessableEntity, f, v.r.PostForm, errs)
		return
	}
	_, err = h.d.Actions.AgencyResponse(
		v.ctx(),
		v.actor,
		actions.AgencyReply{ID: actionID(v.r), ReferralID: st.ReferralID, Kind: kind, Summary: summary},
	)
	h.outcome(w, v, err, f, referralLabels, func() (string, string) {
		return map[string]string{"acknowledged": "The referral is acknowledged. The school has been told.",
				"advice": "The advice is recorded. The school has been told.", "rejected": "The referral is marked as not accepted. The school has been told."}[kind],
			"/referrals/" + st.ReferralID
	})
}

// newReferralForm offers the services, and for the one chosen the readiness check: what the
// service asks for, what the record shows and what is missing.
type newReferralData struct {
	Services []option
	Criteria []readiness.Criterion
	Chosen   string
	Pupil    string
}

func (h *Handler) newReferralData(v *visit, p *store.Pupil, service string) (form, error) {
	services, err := h.d.Store.Services(v.ctx())
	if err != nil {
		return form{}, err
	}
	d := newReferralData{Chosen: service, Pupil: name(p)}
	for _, s := range services {
		d.Services = append(d.Services, option{Value: s.Code, Label: s.Name})
	}
	if service != "" && slices.ContainsFunc(services, func(s store.ServiceChoice) bool { return s.Code == service }) {
		if d.Criteria, err = gather.Criteria(v.ctx(), h.d.Store, p.ID, service); err != nil {
			return form{}, err
		}
	}
	return form{
		name:    "referral-new",
		title:   "Refer to a specialist service",
		caption: name(p),
		back:    "/pupils/" + p.ID,
		data:    d,
	}, nil
}

func (h *Handler) newReferralForm(w http.ResponseWriter, v *visit) {
	p, role, ok := h.pupilFor(w, v, "referral", "create")
	if !ok {
		return
	}
	service := v.r.URL.Query().Get("service")
	f, err := h.newReferralData(v, p, service)
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	h.d.Actions.Audit(v.ctx(), v.actor, role, "readiness:read", p.ID, p.SchoolID, "ok")
	vals := v.r.URL.Query()
	if service == "" {
		vals = nil
	}
	h.show(w, v, http.StatusOK, f, vals, nil)
}

func (h *Handler) newReferral(w http.ResponseWriter, v *visit) {
	p, _, ok := h.pupilFor(w, v, "referral", "create")
	if !ok {
		return
	}
	service := v.r.PostFormValue("service")
	f, err := h.newReferralData(v, p, service)
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	var errs []fieldError
	choice(v.r.PostForm, "service", "the service", f.data.(newReferralData).Services, &errs)
	if len(errs) > 0 {
		h.show(w, v, http.StatusUnprocessableEntity, f, v.r.PostForm, errs)
		return
	}
	id := actionID(v.r)
	_, err = h.d.Actions.OpenReferral(
		v.ctx(),
		v.actor,
		actions.Referral{ID: id, PupilID: p.ID, Service: service, Reason: v.r.PostFormValue("reason")},
	)
	h.outcome(
		w,
		v,
		err,
		f,
		labels{"reason": "What you would like the service's help with", "service": "The service"},
		func() (string, string) {
			const done = "The referral is open. The parents have been asked for consent; decide the referral when the evidence is ready."
			if !h.settled(v, "referral", id) {
				return done + " It shows on this page in a moment.", "/pupils/" + p.ID
			}
			return done, "/referrals/" + id
		},
	)
}

// evidencePack shows the evidence pack for a service as the agency or the council receives it
// (the same pack as the API's, printable).
func (h *Handler) evidencePack(w http.ResponseWriter, v *visit) {
	ctx := v.ctx()
	p, role, ok := h.pupilFor(w, v, "evidence_pack", "read")
	if !ok {
		return
	}
	forCode := v.r.URL.Query().Get("for")
	if !policies.PackReach(v.p, role, forCode) {
		h.notFound(w, v.r)
		return
	}
	lib, err := h.d.Actions.Catalogue(ctx)
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	pack, err := evgather.Pack(ctx, h.d.Store, lib, p, forCode)
	if errors.Is(err, evgather.ErrUnknownFor) {
		h.notFound(w, v.r)
		return
	}
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	b, err := evidence.HTML(*pack)
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	h.d.Actions.Audit(ctx, v.actor, role, "evidence_pack:read", p.ID, p.SchoolID, "ok")
	// The pack is a document of its own, with its own inline print styles.
	w.Header().
		Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(b)
}

// agencyPage lists the referrals to a practitioner's services.
type agencyList struct {
	Services string
	Open     []agencyRow
	Closed   []agencyRow
}

type agencyRow struct {
	Pupil, School, Status, Sent, Href string
}

func (h *Handler) agencyList(ctx context.Context, v *visit) (*agencyList, error) {
	cases, err := h.d.Store.AgencyCases(ctx, v.p.AgencyServices)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, code := range v.p.AgencyServices {
		sv, err := h.d.Store.ServiceByCode(ctx, code)
		if err != nil {
			return nil, err
		}
		names = append(names, sv.Name)
	}
	out := &agencyList{Services: strings.Join(names, " and ")}
	for _, c := range cases {
		var r workflows.ReferralState
		if json.Unmarshal(c.State, &r) != nil {
			continue
		}
		row := agencyRow{
			Pupil:  c.FirstName + " " + c.LastName,
			School: c.School,
			Status: referralStatusWords[r.Status],
			Href:   "/referrals/" + r.ReferralID,
		}
		if r.SubmittedAt != nil {
			row.Sent = dayWords(*r.SubmittedAt)
		}
		if r.Status == workflows.ReferralSubmitted || r.Status == workflows.ReferralAcknowledged {
			out.Open = append(out.Open, row)
			h.d.Actions.Audit(ctx, v.actor, "agency_practitioner", "referral:list", c.PupilID, "", "ok")
		} else {
			// A closed referral is out of reach: listed by reference only, without a name.
			row.Pupil, row.Href = "Referral "+r.ReferralID[:8], ""
			out.Closed = append(out.Closed, row)
		}
	}
	return out, nil
}

func (h *Handler) agencyPage(w http.ResponseWriter, v *visit) {
	if len(v.p.AgencyServices) == 0 {
		h.notFound(w, v.r)
		return
	}
	d, err := h.agencyList(v.ctx(), v)
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	h.render(
		w,
		v.r,
		http.StatusOK,
		"agency",
		h.frame(v, "/referrals", &page{Title: "Referrals to " + d.Services, Data: d}),
	)
}
