package staffweb

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sendflow/sendflow/actions"
	"github.com/sendflow/sendflow/internal/store"
)

// A form page is shown three ways: fresh (GET), with what a person sent and its problems (after
// a POST that could not be recorded), or with what they sent before their session ended. Each
// form carries its action's id, so sending it twice records it once.

// form is a form page being shown.
type form struct {
	name    string // template
	title   string
	caption string
	back    string
	data    any
}

// show renders a form page: vals are the values to show (nil: none), errs its problems.
func (h *Handler) show(w http.ResponseWriter, v *visit, status int, f form, vals url.Values, errs []fieldError) {
	p := h.frame(v, "", &page{Title: f.title, Caption: f.caption, Back: f.back, Data: f.data, Errors: errs})
	if v.r.Method == http.MethodGet {
		// What was typed before the session ended wins over the form's defaults.
		if kept := h.takeDraft(v.ctx(), v.r.URL.Path); kept != nil {
			vals, p.Kept = kept, true
		}
	}
	if vals == nil {
		vals = url.Values{}
	}
	p.Action = vals.Get("action")
	if _, err := uuid.Parse(p.Action); err != nil {
		p.Action = uuid.NewString()
	}
	p.Values = vals
	h.render(w, v.r, status, f.name, p)
}

// actionID is the id a form's action carries, made when the form was shown.
func actionID(r *http.Request) string {
	id := r.PostFormValue("action")
	if _, err := uuid.Parse(id); err != nil {
		return uuid.NewString()
	}
	return id
}

// labels name a form's fields in the error messages ("What you have seen is missing").
type labels map[string]string

// outcome is how a form's action ended, shown to the person who sent it: done (a sentence for
// the next page and where to go), or the form again with what stopped it.
func (h *Handler) outcome(
	w http.ResponseWriter,
	v *visit,
	err error,
	f form,
	lb labels,
	done func() (flash, to string),
) {
	vals := v.r.PostForm
	var (
		bad      *actions.Invalid
		refused  *actions.Refused
		notFound *actions.NotFound
		unavail  *actions.Unavailable
	)
	switch {
	case err == nil:
		flash, to := done()
		if flash != "" {
			h.flash(v.r, flash)
		}
		http.Redirect(w, v.r, to, http.StatusSeeOther)
	case errors.As(err, &bad):
		var errs []fieldError
		for _, pr := range bad.Problems {
			field := strings.TrimPrefix(pr.Field, "body.")
			label, ok := lb[field]
			if !ok {
				label = upperFirst(strings.ReplaceAll(field, ".", " "))
			}
			errs = append(errs, fieldError{Field: field, Text: label + " " + pr.Message})
		}
		if len(errs) == 0 {
			errs = []fieldError{{Text: bad.Summary}}
		}
		h.show(w, v, http.StatusUnprocessableEntity, f, vals, errs)
	case errors.As(err, &refused):
		// The pathway's reason, in place: the form stays as it was sent.
		h.show(
			w,
			v,
			http.StatusConflict,
			f,
			vals,
			[]fieldError{{Text: "This was not recorded: " + upperFirst(refused.Reason) + sentenceEnd(refused.Reason)}},
		)
	case errors.As(err, &notFound):
		h.notFound(w, v.r)
	case errors.As(err, &unavail) && unavail.Stopped:
		h.show(
			w,
			v,
			http.StatusServiceUnavailable,
			f,
			vals,
			[]fieldError{{Text: "This pupil's record has stopped because of a fault, so nothing was recorded. " +
				"An administrator has been alerted and can restart it; keep this page and send the form again later."}},
		)
	case errors.As(err, &unavail) && unavail.Pending:
		w.Header().Set("Retry-After", fmt.Sprint(int(actions.RetryAfter.Seconds())))
		h.show(
			w,
			v,
			http.StatusServiceUnavailable,
			f,
			vals,
			[]fieldError{{Text: "This is taking longer than usual and has not finished yet. " +
				"Nothing is lost: send the form again in a few seconds to finish it. It will not be recorded twice."}},
		)
	default:
		h.d.Logger.Error("staff pages: action failed", "path", v.r.URL.Path, "error", err)
		w.Header().Set("Retry-After", fmt.Sprint(int(actions.RetryAfter.Seconds())))
		h.show(
			w,
			v,
			http.StatusServiceUnavailable,
			f,
			vals,
			[]fieldError{{Text: "sendflow cannot record this just now. " +
				"Nothing is lost: send the form again in a minute. It will not be recorded twice."}},
		)
	}
}

func sentenceEnd(s string) string {
	if strings.HasSuffix(s, ".") {
		return ""
	}
	return "."
}

// dateField reads a date from a form (YYYY-MM-DD, as date inputs send it). Missing or not a
// date adds a problem for the field.
func dateField(vals url.Values, name, label string, required bool, errs *[]fieldError) time.Time {
	s := strings.TrimSpace(vals.Get(name))
	if s == "" {
		if required {
			*errs = append(*errs, fieldError{Field: name, Text: "Enter " + label})
		}
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		*errs = append(
			*errs,
			fieldError{Field: name, Text: upperFirst(label) + " must be a real date, such as 2027-03-15"},
		)
		return time.Time{}
	}
	return t
}

// choice reads a radio or select answer that must be one of the options.
func choice(vals url.Values, name, label string, opts []option, errs *[]fieldError) string {
	s := vals.Get(name)
	for _, o := range opts {
		if o.Value == s {
			return s
		}
	}
	*errs = append(*errs, fieldError{Field: name, Text: "Choose " + label})
	return ""
}

// pupilFor loads a pupil the visitor may act on with obj:verb, or writes the answer (404, 503).
func (h *Handler) pupilFor(w http.ResponseWriter, v *visit, obj, verb string) (*store.Pupil, string, bool) {
	p, role, err := h.d.Actions.Pupil(v.ctx(), v.actor, v.r.PathValue("pupil"), obj, verb)
	if err != nil {
		h.actionFailed(w, v, err)
		return nil, "", false
	}
	return p, role, true
}

// may says whether the visitor may do obj:verb for the pupil (to offer the action's link).
func (h *Handler) may(v *visit, p *store.Pupil, obj, verb string) bool {
	_, ok, err := h.d.Authz.PupilAccess(v.ctx(), v.p, p, obj, verb)
	return err == nil && ok
}

func name(p *store.Pupil) string { return p.FirstName + " " + p.LastName }

func asInvalid(err error, target **actions.Invalid) bool   { return errors.As(err, target) }
func asNotFound(err error, target **actions.NotFound) bool { return errors.As(err, target) }

// ignoreNotFound is nil for a record that is not there (the page answers 404), else err.
func ignoreNotFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// settled waits, as long as an action waits for the workflow, for a new referral or EHC request
// the pathway has taken to have its own state in the read model (its workflow writes it just
// after), so its page can be opened at once; false if it has not arrived by then. Accepted is not
// enough: the page of an accepted record without its state is "Page not found".
func (h *Handler) settled(v *visit, kind, id string) bool {
	wait := h.d.Actions.Wait
	if wait <= 0 {
		wait = actions.DefaultWait
	}
	ctx, cancel := context.WithTimeout(v.ctx(), wait)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, err := h.d.Store.Shown(ctx, kind, id)
		if err == nil && ok {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-tick.C:
		}
	}
}
