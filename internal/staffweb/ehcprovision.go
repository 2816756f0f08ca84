package staffweb

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sendflow/sendflow/actions"
	"github.com/sendflow/sendflow/internal/locale"
	"github.com/sendflow/sendflow/internal/provision"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/workflows"
)

// The provision in section F of a pupil's issued EHC plan, on the staff pages: the SENDCo (or
// the head) records its pieces, whoever logs support under a support plan logs the sessions
// given. Both forms call the same actions as the API (actions.RecordEHCProvision and
// actions.LogEHCSession).

func (h *Handler) ehcProvisionForms(m *http.ServeMux) {
	m.HandleFunc("GET /pupils/{pupil}/ehc-provision", h.staff(h.ehcProvisionForm))
	m.HandleFunc("POST /pupils/{pupil}/ehc-provision", h.staff(h.recordEHCProvision))
	m.HandleFunc("GET /pupils/{pupil}/ehc-provision/{item}/session", h.staff(h.ehcSessionForm))
	m.HandleFunc("POST /pupils/{pupil}/ehc-provision/{item}/session", h.staff(h.logEHCSession))
	m.HandleFunc("GET /pupils/{pupil}/ehc-provision/{item}/end", h.staff(h.ehcEndForm))
	m.HandleFunc("POST /pupils/{pupil}/ehc-provision/{item}/end", h.staff(h.endEHCProvision))
}

// ehcPlanView is the "Provision in the EHC plan" section of the pupil's page.
type ehcPlanView struct {
	RecordLink string // for those who may record the plan's provision
	Items      []ehcItemView
}

type ehcItemView struct {
	Name, Frequency, Delivered string
	Sessions                   string // how many were logged, and the last
	Behind                     bool
	LogLink                    string // for those who may log sessions
	EndLink                    string // for those who record the plan's provision
}

// ehcPlanSection is the pupil's EHC plan provision as recorded, with the sessions logged and
// the delivery the provision map judges (m), and the links to the forms the reader may use.
func (h *Handler) ehcPlanSection(ctx context.Context, v *visit, p *store.Pupil, m *provision.Map) (*ehcPlanView, error) {
	plans, err := h.d.Store.EHCPlanProvisions(ctx, p.SchoolID, p.ID)
	if err != nil {
		return nil, fmt.Errorf("EHC plan provision of %s: %w", p.ID, err)
	}
	d := &ehcPlanView{}
	if h.may(v, p, "ehc_provision", "update") {
		d.RecordLink = "/pupils/" + p.ID + "/ehc-provision"
	}
	mayLog := h.may(v, p, "provision", "create")
	lines := map[string]provision.Line{}
	if m != nil {
		for _, l := range m.Lines {
			if l.EHC {
				lines[l.EntryID] = l
			}
		}
	}
	for _, pl := range plans {
		for i, it := range pl.Items {
			var last time.Time
			for _, given := range pl.Logged[i] {
				if given.After(last) {
					last = given
				}
			}
			iv := ehcItemView{Name: it.Text, Frequency: provision.SessionsWords(it.SessionsPerWeek),
				Sessions: sessionsWords(len(pl.Logged[i]), last)}
			if l, ok := lines[it.ID]; ok {
				iv.Delivered, iv.Behind = l.Delivered(), l.Shortfall.Behind
				if iv.Behind {
					iv.Delivered = upperFirst(l.Shortfall.Reason) + sentenceEnd(l.Shortfall.Reason)
				}
			}
			if mayLog {
				iv.LogLink = "/pupils/" + p.ID + "/ehc-provision/" + it.ID + "/session"
			}
			if d.RecordLink != "" {
				iv.EndLink = "/pupils/" + p.ID + "/ehc-provision/" + it.ID + "/end"
			}
			d.Items = append(d.Items, iv)
		}
	}
	return d, nil
}

// ---- Recording the plan's provision ----

type ehcProvisionData struct {
	Pupil, PupilPage string
	// NoPlan is the reason nothing can be recorded yet (no plan in force): the page says it and
	// leads back to the pupil, with no fields to fill in for nothing.
	NoPlan string
	// Items are the school's newest provision catalogue to pick from (none: the plan's words only).
	Items []option
}

func (h *Handler) ehcProvisionData(v *visit, p *store.Pupil) (form, error) {
	d := ehcProvisionData{Pupil: name(p), PupilPage: "/pupils/" + p.ID}
	f := form{name: "ehc-provision", title: "Record provision from the EHC plan", caption: name(p),
		back: d.PupilPage, data: d}
	_, err := h.d.Actions.EHCPlanInForce(v.ctx(), p.ID)
	var refused *actions.Refused
	switch {
	case errors.As(err, &refused):
		d.NoPlan = upperFirst(refused.Reason) + sentenceEnd(refused.Reason)
		f.data = d
		return f, nil
	case err != nil:
		return form{}, err
	}
	_, c, err := h.d.Actions.ProvisionCatalogue(v.ctx(), v.actor, p.SchoolID)
	if err != nil && !errors.As(err, new(*actions.NotFound)) {
		return form{}, err
	}
	if c != nil {
		d.Items = append(d.Items, option{Value: "", Label: "Not in the catalogue"})
		for _, it := range c.Items {
			d.Items = append(d.Items, option{Value: it.ID,
				Label: it.Name + " (" + it.Cost().Year.String() + " a year at the catalogue's frequency)"})
		}
	}
	f.data = d
	return f, nil
}

// ehcProvisionPage loads the record form for the pupil the address names, for the SENDCo and
// the head (anyone else: 404).
func (h *Handler) ehcProvisionPage(w http.ResponseWriter, v *visit) (*store.Pupil, string, form, bool) {
	p, role, ok := h.pupilFor(w, v, "ehc_provision", "update")
	if !ok {
		return nil, "", form{}, false
	}
	f, err := h.ehcProvisionData(v, p)
	if err != nil {
		h.unavailable(w, v.r, err)
		return nil, "", form{}, false
	}
	return p, role, f, true
}

func (h *Handler) ehcProvisionForm(w http.ResponseWriter, v *visit) {
	p, role, f, ok := h.ehcProvisionPage(w, v)
	if !ok {
		return
	}
	h.formRead(v, p, role)
	if reason := f.data.(ehcProvisionData).NoPlan; reason != "" {
		// The action's refusal, before anything is typed.
		h.show(w, v, http.StatusConflict, f, nil, []fieldError{{Text: reason}})
		return
	}
	h.show(w, v, http.StatusOK, f, nil, nil)
}

func (h *Handler) recordEHCProvision(w http.ResponseWriter, v *visit) {
	p, _, f, ok := h.ehcProvisionPage(w, v)
	if !ok {
		return
	}
	vals := v.r.PostForm
	in := actions.EHCProvisionSave{ID: actionID(v.r), PupilID: p.ID,
		ItemID: strings.TrimSpace(vals.Get("itemId")), Text: strings.TrimSpace(vals.Get("text"))}
	var errs []fieldError
	if f.data.(ehcProvisionData).NoPlan == "" {
		switch {
		case in.ItemID == "" && in.Text == "":
			errs = append(errs, fieldError{Field: "itemId", Text: "Choose the provision from the catalogue or write the plan's words"})
		case in.ItemID != "" && in.Text != "":
			errs = append(errs, fieldError{Field: "text", Text: "Choose the provision from the catalogue or write the plan's words, not both"})
		}
		n, err := strconv.ParseFloat(strings.TrimSpace(vals.Get("sessionsPerWeek")), 64)
		if err != nil || provision.CheckSessionsPerWeek(n) != nil {
			errs = append(errs, fieldError{Field: "sessionsPerWeek",
				Text: "Enter the sessions a week the plan promises, as a number more than 0 and at most 50, such as 2 or 0.5"})
		}
		in.SessionsPerWeek = n
	}
	if len(errs) > 0 {
		h.show(w, v, http.StatusUnprocessableEntity, f, vals, errs)
		return
	}
	// With no plan in force the action refuses, and the form says why.
	saved, err := h.d.Actions.RecordEHCProvision(v.ctx(), v.actor, in)
	h.outcome(w, v, err, f,
		labels{"itemId": "The catalogue item", "text": "The plan's words", "sessionsPerWeek": "Sessions a week"},
		func() (string, string) {
			return fmt.Sprintf("%s, %s, is recorded as provision in %s's EHC plan. Log its sessions from here.",
				saved.Text, provision.SessionsWords(saved.SessionsPerWeek), p.FirstName), "/pupils/" + p.ID + "#ehc-provision"
		})
}

// ---- Logging a session ----

type ehcSessionData struct {
	Pupil, Provision, Frequency string
}

// ehcSessionData is the form to log a session of the plan's provision item the address names.
func (h *Handler) ehcSessionData(v *visit, p *store.Pupil) (form, bool, error) {
	it, err := h.d.Store.EHCProvisionItemOf(v.ctx(), p.ID, v.r.PathValue("item"))
	if errors.Is(err, store.ErrNotFound) {
		return form{}, false, nil
	}
	if err != nil {
		return form{}, false, fmt.Errorf("EHC plan provision item of %s: %w", p.ID, err)
	}
	d := ehcSessionData{Pupil: name(p), Provision: it.Text, Frequency: provision.SessionsWords(it.SessionsPerWeek)}
	return form{name: "ehc-session", title: "Log a session", caption: name(p), back: "/pupils/" + p.ID, data: d}, true, nil
}

func (h *Handler) ehcSessionForm(w http.ResponseWriter, v *visit) {
	h.showForm(w, v, "provision", h.ehcSessionData,
		url.Values{"givenOn": {workflows.CalendarDate(h.now()).Format(time.DateOnly)}})
}

func (h *Handler) logEHCSession(w http.ResponseWriter, v *visit) {
	p, _, f, ok := h.formOf(w, v, "provision", h.ehcSessionData)
	if !ok {
		return
	}
	var errs []fieldError
	given := dateField(v.r.PostForm, "givenOn", "the date the session was given", true, &errs)
	if len(errs) > 0 {
		h.show(w, v, http.StatusUnprocessableEntity, f, v.r.PostForm, errs)
		return
	}
	_, err := h.d.Actions.LogEHCSession(v.ctx(), v.actor, actions.EHCSessionLog{ID: actionID(v.r), PupilID: p.ID,
		ItemID: v.r.PathValue("item"), GivenOn: given, Description: v.r.PostFormValue("description")})
	h.outcome(w, v, err, f, labels{"givenOn": "The date", "description": "What was given"}, func() (string, string) {
		return fmt.Sprintf("Session logged: %s on %s.", f.data.(ehcSessionData).Provision, dayWords(given)),
			"/pupils/" + p.ID + "#ehc-provision"
	})
}

// ---- Ending a piece of the plan's provision (the plan changed at an annual review) ----

// ehcEndData is the form that ends the plan's provision item the address names.
func (h *Handler) ehcEndData(v *visit, p *store.Pupil) (form, bool, error) {
	f, found, err := h.ehcSessionData(v, p)
	f.name, f.title = "ehc-end", "End this provision"
	return f, found, err
}

func (h *Handler) ehcEndForm(w http.ResponseWriter, v *visit) {
	h.showFormFor(w, v, "ehc_provision", "update", h.ehcEndData,
		url.Values{"endedOn": {workflows.CalendarDate(h.now()).Format(time.DateOnly)}})
}

func (h *Handler) endEHCProvision(w http.ResponseWriter, v *visit) {
	p, _, f, ok := h.formFor(w, v, "ehc_provision", "update", h.ehcEndData)
	if !ok {
		return
	}
	var errs []fieldError
	on := dateField(v.r.PostForm, "endedOn", "the day the plan stopped promising it", true, &errs)
	if len(errs) > 0 {
		h.show(w, v, http.StatusUnprocessableEntity, f, v.r.PostForm, errs)
		return
	}
	_, err := h.d.Actions.EndEHCProvision(v.ctx(), v.actor, p.ID, v.r.PathValue("item"), on)
	h.outcome(w, v, err, f, labels{"endedOn": "The day it ended"}, func() (string, string) {
		return fmt.Sprintf("%s has ended in %s's EHC plan from %s: it stays on record and is no longer checked for delivery.",
			f.data.(ehcSessionData).Provision, p.FirstName, dayWords(on)), "/pupils/" + p.ID + "#ehc-provision"
	})
}

// sessionsWords says how many sessions were logged, and the last one's date.
func sessionsWords(n int, last time.Time) string {
	if n == 0 {
		return "No sessions logged yet"
	}
	return locale.Count(n, "session logged", "sessions logged") + ", the last on " + dayWords(last)
}
