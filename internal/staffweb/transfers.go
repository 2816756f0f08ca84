package staffweb

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/sendflow/sendflow/actions"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/internal/transfer"
)

// Pupils moving school: a receiving school asks for a joining pupil's SEND record (by UPN and
// date of birth; the page says the same whether or not a record was found), and the pupil's
// school releases or refuses it. Releasing moves the pupil's pathway, with its whole history.

func (h *Handler) transferPages(m *http.ServeMux) {
	m.HandleFunc("GET /transfers", h.staff(h.transfersPage))
	m.HandleFunc("POST /transfers", h.staff(h.requestTransfer))
	m.HandleFunc("POST /transfers/{transfer}/{step}", h.staff(h.decideTransfer))
}

type transferRow struct {
	store.Transfer
	Words string
	Open  bool
	// Reason is why a released record has not moved (it waits again).
	Reason string
	// NoClass: a pupil who has moved here is in no class yet.
	NoClass bool
}

type transferSchool struct {
	ID, Name           string
	Incoming, Outgoing []transferRow
	// Imports and Imported: the visitor may import records from schools on other sendflows,
	// and read those imported.
	Imports, Imported bool
}

type transfersData struct {
	Schools []transferSchool
}

func (h *Handler) transfersForm(v *visit) (form, bool, error) {
	var d transfersData
	for _, id := range schoolsWhere(v.p, "transfer", "read", h) {
		in, out, err := h.d.Actions.Transfers(v.ctx(), v.actor, id)
		if err != nil {
			return form{}, false, err
		}
		name, err := h.d.Store.SchoolName(v.ctx(), id)
		if err != nil {
			return form{}, false, err
		}
		s := transferSchool{ID: id, Name: name}
		_, s.Imports, _ = h.d.Authz.SchoolAccess(v.p, id, "pupil_bundle", "import")
		_, s.Imported, _ = h.d.Authz.SchoolAccess(v.p, id, "pupil_bundle", "read")
		for _, t := range in {
			row := transferRow{Transfer: t, Words: transfer.Words(t.Status, true), Open: t.Status == transfer.Requested,
				Reason: held(t)}
			if t.Status == transfer.Completed {
				_, err := h.d.Store.ClassName(v.ctx(), t.PupilID)
				row.NoClass = errors.Is(err, store.ErrNotFound)
			}
			s.Incoming = append(s.Incoming, row)
		}
		for _, t := range out {
			s.Outgoing = append(
				s.Outgoing,
				transferRow{Transfer: t, Words: transfer.Words(t.Status, false), Open: transfer.Open(t.Status), Reason: held(t)},
			)
		}
		d.Schools = append(d.Schools, s)
	}
	return form{name: "transfers", title: "Pupils moving school", data: d}, len(d.Schools) > 0, nil
}

func (h *Handler) transfersPage(w http.ResponseWriter, v *visit) {
	f, ok, err := h.transfersForm(v)
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	if !ok {
		h.notFound(w, v.r)
		return
	}
	h.show(w, v, http.StatusOK, f, nil, nil)
}

func (h *Handler) requestTransfer(w http.ResponseWriter, v *visit) {
	f, ok, err := h.transfersForm(v)
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	if !ok {
		h.notFound(w, v.r)
		return
	}
	vals := v.r.PostForm
	var errs []fieldError
	u := strings.TrimSpace(vals.Get("upn"))
	if u == "" {
		errs = append(errs, fieldError{Field: "upn", Text: "Enter the pupil's UPN, from their common transfer file"})
	}
	dob, derr := time.Parse(time.DateOnly, strings.TrimSpace(vals.Get("dateOfBirth")))
	if derr != nil {
		errs = append(
			errs,
			fieldError{Field: "dateOfBirth", Text: "Enter the pupil's date of birth as a date, for example 2018-03-14"},
		)
	}
	if len(errs) > 0 {
		h.show(w, v, http.StatusUnprocessableEntity, f, vals, errs)
		return
	}
	_, err = h.d.Actions.RequestTransfer(
		v.ctx(),
		v.actor,
		actions.TransferRequest{ID: actionID(v.r), SchoolID: vals.Get("school"), UPN: u, DateOfBirth: dob},
	)
	h.outcome(w, v, err, f, labels{"upn": "The UPN", "dateOfBirth": "The date of birth"}, func() (string, string) {
		return "Your request is recorded. If this pupil's record is on sendflow at another school, that school has been asked to release it; " +
			"once they do, the pupil appears on your roll with their whole SEND history.", "/transfers"
	})
}

func (h *Handler) decideTransfer(w http.ResponseWriter, v *visit) {
	step := v.r.PathValue("step")
	if step != transfer.Release && step != transfer.Refuse && step != transfer.Withdraw {
		h.notFound(w, v.r)
		return
	}
	f, _, err := h.transfersForm(v)
	if err != nil {
		h.unavailable(w, v.r, err)
		return
	}
	t, err := h.d.Actions.DecideTransfer(v.ctx(), v.actor, v.r.PathValue("transfer"), step)
	h.outcome(w, v, err, f, nil, func() (string, string) {
		switch {
		case t.Status == transfer.Completed:
			return t.PupilName + "'s record is now with " + t.ToSchool + ". Their staff can see it and yours no longer can; the parents have been emailed.", "/transfers"
		case t.Status == transfer.Released:
			return "The record is released and is moving. This page shows when it has arrived.", "/transfers"
		case step == transfer.Refuse:
			return "The request is refused. The pupil's record stays with your school.", "/transfers"
		}
		return "Your request is withdrawn.", "/transfers"
	})
}

func held(t store.Transfer) string {
	if t.Held {
		return transfer.UPNOnRoll
	}
	return ""
}
