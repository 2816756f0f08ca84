package staffweb

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sendflow/sendflow/internal/provision"
)

// The school's term dates, as the days it is closed: the SENDCo or head keeps them so that the
// delivery rule does not judge holidays as shortfalls.

func (h *Handler) termPages(m *http.ServeMux) {
	m.HandleFunc("GET /schools/{school}/term-dates", h.staff(h.termDatesForm))
	m.HandleFunc("POST /schools/{school}/term-dates", h.staff(h.saveTermDates))
}

// termBlankRows is how many empty rows the form offers for new closures.
const termBlankRows = 3

type termData struct {
	SchoolID string
	Rows     []int
}

func termForm(schoolID, schoolName string, rows int) form {
	d := termData{SchoolID: schoolID}
	for i := range rows {
		d.Rows = append(d.Rows, i)
	}
	return form{name: "term-dates", title: "Term dates", caption: schoolName, back: "/schools/" + schoolID + "/provision", data: d}
}

func (h *Handler) termDatesForm(w http.ResponseWriter, v *visit) {
	sc, cal, err := h.d.Actions.TermDates(v.ctx(), v.actor, v.r.PathValue("school"))
	if err != nil {
		h.actionFailed(w, v, err)
		return
	}
	// Only those who may change them get the form; others are sent to the map.
	if _, ok, err := h.d.Authz.SchoolAccess(v.p, sc.ID, "term_dates", "update"); err != nil || !ok {
		h.notFound(w, v.r)
		return
	}
	vals := url.Values{}
	for i, c := range cal {
		vals.Set(fmt.Sprintf("closures[%d].first", i), c.First.Format(time.DateOnly))
		vals.Set(fmt.Sprintf("closures[%d].last", i), c.Last.Format(time.DateOnly))
		vals.Set(fmt.Sprintf("closures[%d].name", i), c.Name)
	}
	h.show(w, v, http.StatusOK, termForm(sc.ID, sc.Name, len(cal)+termBlankRows), vals, nil)
}

func (h *Handler) saveTermDates(w http.ResponseWriter, v *visit) {
	sc, _, err := h.d.Actions.TermDates(v.ctx(), v.actor, v.r.PathValue("school"))
	if err != nil {
		h.actionFailed(w, v, err)
		return
	}
	vals := v.r.PostForm
	rows := 0
	for vals.Has(fmt.Sprintf("closures[%d].name", rows)) && rows < 200 {
		rows++
	}
	f := termForm(sc.ID, sc.Name, rows)
	var (
		errs  []fieldError
		cal   provision.Calendar
		rowOf []int // the form's row of each closure sent
	)
	for i := range rows {
		p := fmt.Sprintf("closures[%d].", i)
		if strings.TrimSpace(vals.Get(p+"first")+vals.Get(p+"last")+vals.Get(p+"name")) == "" {
			continue // an empty row; emptying a row removes its closure
		}
		first := dateField(vals, p+"first", fmt.Sprintf("the first day of closure %d", i+1), true, &errs)
		last := dateField(vals, p+"last", fmt.Sprintf("the last day of closure %d", i+1), false, &errs)
		if last.IsZero() {
			last = first // one day
		}
		cal = append(cal, provision.Closure{First: first, Last: last, Name: strings.TrimSpace(vals.Get(p + "name"))})
		rowOf = append(rowOf, i)
	}
	if len(errs) > 0 {
		h.show(w, v, http.StatusUnprocessableEntity, f, vals, errs)
		return
	}
	_, err = h.d.Actions.SetTermDates(v.ctx(), v.actor, sc.ID, cal)
	lb := labels{}
	h.outcomeMapped(w, v, err, f, lb, func(field string) string {
		for k, row := range rowOf {
			for _, part := range []string{"first", "last", "name"} {
				if field == fmt.Sprintf("closures[%d].%s", k, part) {
					lb[field] = fmt.Sprintf("Closure %d: the %s", row+1, map[string]string{
						"first": "first day", "last": "last day", "name": "name"}[part])
					return fmt.Sprintf("closures[%d].%s", row, part)
				}
			}
		}
		return field
	}, func() (string, string) {
		return fmt.Sprintf("The term dates are saved: %d closures. Delivery is judged on the weeks the school is open.", len(cal)),
			"/schools/" + sc.ID + "/provision"
	})
}
