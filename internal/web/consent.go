package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/sendflow/sendflow/actions"
	"github.com/sendflow/sendflow/internal/onetap"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/workflows"
)

func (h *Handler) consentVisit(
	w http.ResponseWriter,
	r *http.Request,
	token string,
) (*visit, *store.ReferralConsent, bool) {
	v, ok := h.open(w, r, token, onetap.ActionConsent, once)
	if !ok {
		return nil, nil, false
	}
	ref, err := h.d.Store.ReferralConsentFor(r.Context(), v.claim.Ref)
	if errors.Is(err, store.ErrNotFound) || (err == nil && ref.PupilID != v.claim.Pupil) {
		h.audit(r.Context(), v.claim.Parent, "consent:read", v.claim.Pupil, v.pupil.SchoolID, "not_found")
		h.problem(w, r, http.StatusNotFound, v.l, v.sc, "invalid", nil)
		return nil, nil, false
	}
	if err != nil {
		h.unavailable(w, r, v.l, v.sc, err)
		return nil, nil, false
	}
	return v, ref, true
}

// consentPageData shows the service, the school's reason and the exact wording, with its version,
// that the answer will record: in the parent's language when the local authority has approved
// wording in it; otherwise the English, marked as English, with a plain note in the parent's
// language and the school's contact to ask for help.
func (h *Handler) consentPageData(v *visit, ref *store.ReferralConsent, token string) *page {
	w, ok := ref.Service.WordingIn(v.l.Tag)
	p := newPage(v.l, v.sc, page{Token: token, Title: v.l.T("consent_title", v.pupil.FirstName),
		Pupil: v.pupil.FirstName, Service: ref.Service.Name, Reason: ref.Reason})
	if !ok {
		w, _ = ref.Service.WordingIn("en")
		p.NoTranslation = true
	}
	p.Wording, p.Version, p.WordingLang = w.Wording, w.Version, w.Language
	return p
}

func (h *Handler) consentPage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("t")
	v, ref, ok := h.consentVisit(w, r, token)
	if !ok {
		return
	}
	h.audit(r.Context(), v.claim.Parent, "consent:read", v.claim.Pupil, v.pupil.SchoolID, "ok")
	h.render(w, http.StatusOK, "consent", h.consentPageData(v, ref, token))
}

func (h *Handler) consentAnswer(w http.ResponseWriter, r *http.Request) {
	token := formValue(r, "t")
	v, ref, ok := h.consentVisit(w, r, token)
	if !ok {
		return
	}
	action := workflows.ConsentAction(formValue(r, "action"))
	if action != workflows.ConsentGive && action != workflows.ConsentRefuse {
		h.problem(w, r, http.StatusBadRequest, v.l, v.sc, "bad_form", nil)
		return
	}
	// The answer is to the wording the parent read: if it changed since the page was shown, show
	// the new wording and ask again.
	shown := h.consentPageData(v, ref, token)
	lang := formValue(r, "language")
	if lang == "" {
		lang = "en" // a form shown before wording had languages
	}
	if formValue(r, "version") != shown.Version || lang != shown.WordingLang {
		shown.Error = v.l.T("consent_changed")
		h.render(w, http.StatusConflict, "consent", shown)
		return
	}
	done := h.act(w, r, v, func(ctx context.Context, a actions.Actor, id string) error {
		_, err := h.d.Actions.Consent(
			ctx,
			a,
			actions.ConsentAnswer{ID: id, ReferralID: ref.ReferralID, Action: string(action),
				Language: shown.WordingLang, Version: shown.Version},
		)
		return err
	})
	if !done {
		return
	}
	p := h.consentPageData(v, ref, "")
	p.Done = v.l.T("done_consent_" + string(action))
	h.render(w, http.StatusOK, "consent", p)
}
