package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/sendflow/sendflow/internal/cursor"
	"github.com/sendflow/sendflow/internal/input"
	"github.com/sendflow/sendflow/internal/pupilcsv"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/internal/transfer"
	"github.com/sendflow/sendflow/internal/upn"
)

// ParentInput is a parent or carer of a new pupil.
type ParentInput struct {
	Name                   Line   `json:"name" minLength:"1" maxLength:"200"`
	Email                  Email  `json:"email" format:"email" maxLength:"254"`
	Relationship           Line   `json:"relationship,omitempty" maxLength:"50" doc:"e.g. mother, father, carer; default parent"`
	PreferredLanguage      string `json:"preferredLanguage,omitempty" pattern:"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$" doc:"BCP 47 language tag for emails; default en"`
	ParentalResponsibility *bool  `json:"parentalResponsibility,omitempty" doc:"Default true; only people with parental responsibility can see the child's record or consent"`
}

// CreatePupilInput adds a pupil to a school, with their parents.
type CreatePupilInput struct {
	SchoolPath
	IdempotencyHeader
	Body struct {
		UPN         string        `json:"upn" minLength:"13" maxLength:"13" doc:"Unique Pupil Number: 13 characters, a check letter first"`
		FirstName   Line          `json:"firstName" minLength:"1" maxLength:"100"`
		LastName    Line          `json:"lastName" minLength:"1" maxLength:"100"`
		DateOfBirth Date          `json:"dateOfBirth" format:"date"`
		Class       Line          `json:"class,omitempty" maxLength:"100" doc:"The class's name"`
		Parents     []ParentInput `json:"parents" minItems:"1" maxItems:"4"`
	}
}

// PupilView is a pupil's record.
type PupilView struct {
	ID        string  `json:"id" format:"uuid"`
	SchoolID  string  `json:"schoolId" format:"uuid"`
	UPN       string  `json:"upn"`
	FirstName string  `json:"firstName"`
	LastName  string  `json:"lastName"`
	ClassID   *string `json:"classId,omitempty" format:"uuid"`
}

// PupilOutput answers with a pupil's record.
type PupilOutput struct {
	Status int
	Body   PupilView
}

// ImportInput is a CSV file of pupils to add to a school.
type ImportInput struct {
	SchoolPath
	IdempotencyHeader
	ContentType string `header:"Content-Type" doc:"text/csv (or application/csv)"`
	RawBody     []byte `contentType:"text/csv" doc:"A CSV file; see the pupilcsv format in the README"`
}

// importMaxBytes is the import's limit: a file pupilcsv accepts is never refused for its size.
const importMaxBytes = pupilcsv.MaxFileBytes + 1

// ImportOutput says how many pupils the file added, and their ids.
type ImportOutput struct {
	Status int
	Body   struct {
		Imported int      `json:"imported"`
		PupilIDs []string `json:"pupilIds"`
		Released int      `json:"released" doc:"Leavers (a leaving date) whose record another school had asked for, released to it by this import"`
	}
}

// ListPupilsInput asks for a page of a school's pupils.
type ListPupilsInput struct {
	SchoolPath
	Cursor string `query:"cursor" maxLength:"500" doc:"From the previous page's next"`
	Limit  int    `query:"limit" minimum:"0" maximum:"200" doc:"Page size, default 50, at most 200"`
}

// PupilLine is one pupil in a school's list.
type PupilLine struct {
	ID        string  `json:"id" format:"uuid"`
	UPN       string  `json:"upn"`
	FirstName string  `json:"firstName"`
	LastName  string  `json:"lastName"`
	Class     *string `json:"class,omitempty"`
	Stage     string  `json:"stage"`
}

// ListPupilsOutput is a page of a school's pupils, by name; Next asks for the page after.
type ListPupilsOutput struct {
	Body struct {
		Pupils []PupilLine `json:"pupils"`
		Next   string      `json:"next,omitempty" doc:"Pass as cursor for the next page; absent on the last page"`
	}
}

// PupilPath names a pupil.
type PupilPath struct {
	PupilID string `path:"pupilId" format:"uuid" doc:"The pupil's id"`
}

func (s *Server) registerPupils(v1 *huma.Group) {
	register(v1, huma.Operation{
		Metadata:    needs("pupils", "create", inSchool),
		OperationID: "create-pupil", Method: http.MethodPost, Path: "/schools/{schoolId}/pupils", Summary: "Add a pupil with their parents",
		Tags: []string{"Pupils"}, DefaultStatus: http.StatusCreated, Errors: actionErrors,
	}, s.createPupil)
	register(v1, huma.Operation{
		Metadata:    needs("pupils", "create", inSchool),
		OperationID: "import-pupils", Method: http.MethodPost, Path: "/schools/{schoolId}/pupils/import",
		Summary:     "Import pupils from a CSV file",
		Description: "Every bad row is reported with its row number and column; a file with any bad row imports nothing.",
		Tags:        []string{"Pupils"}, DefaultStatus: http.StatusCreated, MaxBodyBytes: importMaxBytes,
		Errors: append([]int{http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType}, actionErrors...),
	}, s.importPupils)
	register(v1, huma.Operation{
		Metadata:    needs("pupils", "list", inSchool),
		OperationID: "list-pupils", Method: http.MethodGet, Path: "/schools/{schoolId}/pupils",
		Summary: "A school's pupils, by name, a page at a time (teachers see their classes)", Tags: []string{"Pupils"}, Errors: actionErrors,
	}, s.listPupils)
	register(v1, huma.Operation{
		Metadata:    needs("pupil", "read", readsPupil),
		OperationID: "get-pupil", Method: http.MethodGet, Path: "/pupils/{pupilId}", Summary: "A pupil",
		Tags: []string{"Pupils"}, Errors: actionErrors,
	}, func(ctx context.Context, in *PupilPath) (*PupilOutput, error) {
		return read(ctx, s, in.PupilID, func(p *store.Pupil, _ string) (*PupilOutput, error) {
			return &PupilOutput{
				Status: http.StatusOK,
				Body: PupilView{
					ID:        p.ID,
					SchoolID:  p.SchoolID,
					UPN:       p.UPN,
					FirstName: p.FirstName,
					LastName:  p.LastName,
					ClassID:   p.ClassID,
				},
			}, nil
		})
	})
}

func (s *Server) createPupil(ctx context.Context, in *CreatePupilInput) (*PupilOutput, error) {
	sc, role, err := s.schoolFor(ctx, in.SchoolID)
	if err != nil {
		return nil, err
	}
	if err := upn.Validate(in.Body.UPN); err != nil {
		return nil, huma.Error422UnprocessableEntity(
			"The UPN is not valid: "+err.Error(),
			&huma.ErrorDetail{Location: "body.upn", Message: err.Error(), Value: in.Body.UPN},
		)
	}
	dob := in.Body.DateOfBirth.Time()
	if err := input.DateOfBirth(dob, time.Now()); err != nil {
		return nil, huma.Error422UnprocessableEntity("The date of birth cannot be right.",
			&huma.ErrorDetail{Location: "body.dateOfBirth", Message: err.Error(), Value: in.Body.DateOfBirth.String()})
	}
	if !anyOf(
		in.Body.Parents,
		func(p ParentInput) bool { return p.ParentalResponsibility == nil || *p.ParentalResponsibility },
	) {
		return nil, huma.Error422UnprocessableEntity(
			"At least one parent or carer must have parental responsibility.",
			&huma.ErrorDetail{Location: "body.parents", Message: "none has parental responsibility"},
		)
	}
	return idempotent(ctx, s, "create-pupil", in.IdempotencyKey, in, func(id string) (*PupilOutput, error) {
		np := store.NewPupil{
			ID:          id,
			SchoolID:    sc.ID,
			UPN:         in.Body.UPN,
			FirstName:   string(in.Body.FirstName),
			LastName:    string(in.Body.LastName),
			DateOfBirth: dob,
		}
		if in.Body.Class != "" {
			classID, err := s.Store.ClassID(ctx, sc.ID, string(in.Body.Class))
			if err != nil {
				return nil, huma.Error422UnprocessableEntity(
					"The school has no class with this name.",
					&huma.ErrorDetail{Location: "body.class", Message: "unknown class", Value: in.Body.Class},
				)
			}
			np.ClassID = &classID
		}
		for i, p := range in.Body.Parents {
			np.Parents = append(
				np.Parents,
				newParent(
					id,
					i,
					string(p.Name),
					string(p.Email),
					string(p.Relationship),
					p.PreferredLanguage,
					p.ParentalResponsibility == nil || *p.ParentalResponsibility,
				),
			)
		}
		if err := s.Store.CreatePupils(ctx, []store.NewPupil{np}); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return nil, huma.Error409Conflict("A pupil with this UPN is already on your school's roll.")
			}
			return nil, s.unavailable(err)
		}
		s.audit(ctx, role, "pupil:create", id, sc.ID, "ok")
		return &PupilOutput{
			Status: http.StatusCreated,
			Body: PupilView{
				ID:        id,
				SchoolID:  sc.ID,
				UPN:       np.UPN,
				FirstName: np.FirstName,
				LastName:  np.LastName,
				ClassID:   np.ClassID,
			},
		}, nil
	})
}

// newParent gives a parent a stable new-user id derived from the pupil, so a retry is a no-op.
func newParent(pupilID string, i int, name, email, relationship, lang string, pr bool) store.NewParent {
	if relationship == "" {
		relationship = "parent"
	}
	if lang == "" {
		lang = "en"
	}
	return store.NewParent{ID: uuid.NewSHA1(uuid.MustParse(pupilID), []byte(fmt.Sprint("parent", i))).String(),
		Name: name, Email: email, Relationship: relationship, Language: lang, ParentalResponsibility: pr}
}

func anyOf[T any](xs []T, f func(T) bool) bool {
	for _, x := range xs {
		if f(x) {
			return true
		}
	}
	return false
}

func (s *Server) importPupils(ctx context.Context, in *ImportInput) (*ImportOutput, error) {
	sc, role, err := s.schoolFor(ctx, in.SchoolID)
	if err != nil {
		return nil, err
	}
	// A file is read as what it says it is: JSON sent here is not a file of pupils.
	if mt, _, err := mime.ParseMediaType(in.ContentType); err != nil || (mt != "text/csv" && mt != "application/csv") {
		return nil, huma.NewError(
			http.StatusUnsupportedMediaType,
			"Send the file as CSV, with the header Content-Type: text/csv. Nothing was imported.",
			&huma.ErrorDetail{Location: "header.Content-Type", Message: "not text/csv", Value: in.ContentType},
		)
	}
	rows, err := pupilcsv.Parse(bytes.NewReader(in.RawBody), time.Now())
	var bad pupilcsv.Errors
	if errors.As(err, &bad) {
		return nil, rowErrors(
			"The file has problems, so nothing was imported. Correct these rows and send the whole file again.",
			bad,
		)
	}
	if err != nil {
		return nil, huma.Error422UnprocessableEntity("The file could not be read as CSV: " + err.Error())
	}
	// Rows that clash with the school's records are reported the same way, before anything is written.
	var problems pupilcsv.Errors
	upns := make([]string, len(rows))
	for i, r := range rows {
		upns[i] = r.UPN
	}
	taken, err := s.Store.UPNsTaken(ctx, sc.ID, upns)
	if err != nil {
		return nil, s.unavailable(err)
	}
	// Leavers (a leaving date) are not added: a transfer another school asked for is released
	// below, as the SENDCo's Release does. A leaver already released by an earlier import is left.
	release, leaving, err := s.leavers(ctx, sc.ID, rows, taken)
	if err != nil {
		return nil, err
	}
	problems = append(problems, leaving...)
	classes := map[string]*string{}
	for _, r := range rows {
		if !r.LeavingDate.IsZero() {
			continue
		}
		if taken[r.UPN] {
			problems = append(
				problems,
				pupilcsv.RowError{
					Row:     r.Row,
					Column:  "upn",
					Message: "a pupil with this UPN is already on the school's roll",
				},
			)
		}
		if r.Class != "" {
			if _, seen := classes[strings.ToLower(r.Class)]; !seen {
				id, err := s.Store.ClassID(ctx, sc.ID, r.Class)
				if err == nil {
					classes[strings.ToLower(r.Class)] = &id
				} else {
					classes[strings.ToLower(r.Class)] = nil
				}
			}
			if classes[strings.ToLower(r.Class)] == nil {
				problems = append(
					problems,
					pupilcsv.RowError{
						Row:     r.Row,
						Column:  "class",
						Message: fmt.Sprintf("the school has no class called %q", r.Class),
					},
				)
			}
		}
	}
	if len(problems) > 0 {
		return nil, rowErrors("Some rows clash with the school's records, so nothing was imported.", problems)
	}
	return idempotent(
		ctx,
		s,
		"import-pupils",
		in.IdempotencyKey,
		in.RawBody,
		func(batch string) (*ImportOutput, error) {
			out := &ImportOutput{Status: http.StatusCreated}
			for _, id := range release {
				// The transfer's id names the release: a re-import, or a release the SENDCo made
				// meanwhile, is the same release.
				if _, err := s.Actions.DecideTransfer(ctx, actor(ctx), id, transfer.Release); err != nil {
					return nil, s.problem(err)
				}
				out.Body.Released++
			}
			var pupils []store.NewPupil
			for _, r := range rows {
				if !r.LeavingDate.IsZero() {
					continue
				}
				id := uuid.NewSHA1(uuid.MustParse(batch), []byte(r.UPN)).String()
				np := store.NewPupil{
					ID:          id,
					SchoolID:    sc.ID,
					UPN:         r.UPN,
					FirstName:   r.FirstName,
					LastName:    r.LastName,
					DateOfBirth: r.DateOfBirth,
				}
				if r.Class != "" {
					np.ClassID = classes[strings.ToLower(r.Class)]
				}
				for i, p := range r.Parents {
					np.Parents = append(
						np.Parents,
						newParent(id, i, p.Name, p.Email, p.Relationship, p.Language, p.ParentalResponsibility),
					)
				}
				pupils = append(pupils, np)
				out.Body.PupilIDs = append(out.Body.PupilIDs, id)
			}
			if len(pupils) == 0 {
				out.Body.PupilIDs = []string{}
				return out, nil
			}
			if err := s.Store.CreatePupils(ctx, pupils); err != nil {
				if errors.Is(err, store.ErrConflict) {
					return nil, huma.Error409Conflict(
						"Another import added some of these pupils at the same time; nothing from this file was imported. Send it again.",
					)
				}
				return nil, s.unavailable(err)
			}
			for _, id := range out.Body.PupilIDs {
				s.audit(ctx, role, "pupil:create", id, sc.ID, "ok")
			}
			out.Body.Imported = len(pupils)
			return out, nil
		},
	)
}

// leavers finds, for the rows with a leaving date, the transfers waiting for the school's
// release (ids in file order). A leaver must be on the roll or already released from it.
func (s *Server) leavers(
	ctx context.Context,
	schoolID string,
	rows []pupilcsv.Pupil,
	onRoll map[string]bool,
) ([]string, pupilcsv.Errors, error) {
	var release []string
	var problems pupilcsv.Errors
	var outgoing []store.Transfer
	for _, r := range rows {
		if r.LeavingDate.IsZero() {
			continue
		}
		if outgoing == nil {
			var err error
			if _, outgoing, err = s.Store.Transfers(ctx, schoolID); err != nil {
				return nil, nil, s.unavailable(err)
			}
			outgoing = append(outgoing, store.Transfer{}) // read once, even when there are none
		}
		waiting, released := "", false // the newest request waiting; any release
		for _, t := range outgoing {
			switch {
			case t.UPN != r.UPN:
			case t.Status == transfer.Requested && waiting == "":
				waiting = t.ID
			case t.Status == transfer.Released || t.Status == transfer.Completed:
				released = true
				if waiting == "" && t.Status == transfer.Released {
					waiting = t.ID // a release an outage cut short: finished by this one
				}
			}
		}
		switch {
		case onRoll[r.UPN] && waiting != "":
			// The release is the SENDCo's or head's: whoever else imports is told before anything is done.
			_, may, err := s.Authz.SchoolAccess(currentUser(ctx), schoolID, "transfer", "release")
			if err != nil {
				return nil, nil, s.unavailable(err)
			}
			if !may {
				problems = append(problems, pupilcsv.RowError{Row: r.Row, Column: "leaving_date",
					Message: "another school has asked for this leaver's record; only the school's SENDCo or head " +
						"can release it, so ask them to import this file"})
				continue
			}
			release = append(release, waiting)
		case !onRoll[r.UPN] && !released:
			problems = append(problems, pupilcsv.RowError{Row: r.Row, Column: "leaving_date",
				Message: "this row is a leaver, but no pupil with this UPN is on the school's roll"})
		}
	}
	return release, problems, nil
}

// rowErrors turns row problems into one problem-details answer with a detail per row.
func rowErrors(msg string, errs pupilcsv.Errors) error {
	details := make([]error, len(errs))
	for i, e := range errs {
		details[i] = &huma.ErrorDetail{Location: fmt.Sprintf("row %d, %s", e.Row, e.Column), Message: e.Message}
	}
	return huma.Error422UnprocessableEntity(msg, details...)
}

func (s *Server) listPupils(ctx context.Context, in *ListPupilsInput) (*ListPupilsOutput, error) {
	sc, role, err := s.schoolFor(ctx, in.SchoolID)
	if err != nil {
		return nil, err
	}
	limit, err := cursor.Limit(in.Limit, 50, 200)
	if err != nil {
		return nil, huma.Error422UnprocessableEntity(
			err.Error(),
			&huma.ErrorDetail{Location: "query.limit", Message: err.Error()},
		)
	}
	teacher := ""
	if role == "teacher" || role == "teaching_assistant" {
		teacher = currentUser(ctx).ID
	}
	filter := sc.ID + "/" + teacher
	after := ""
	if in.Cursor != "" {
		c, err := cursor.Decode(in.Cursor, s.SigningKey)
		if err != nil || c.Filter != filter {
			return nil, huma.Error422UnprocessableEntity(
				"This cursor is not valid for this list; start again without one.",
				&huma.ErrorDetail{Location: "query.cursor", Message: "invalid cursor"},
			)
		}
		after = c.After
	}
	page, err := s.Store.ListPupils(ctx, sc.ID, teacher, after, limit+1)
	if err != nil {
		return nil, s.unavailable(err)
	}
	out := &ListPupilsOutput{}
	out.Body.Pupils = []PupilLine{}
	if len(page) > limit {
		page = page[:limit]
		out.Body.Next = cursor.Encode(
			cursor.Cursor{After: store.PupilKey(page[len(page)-1]), Filter: filter},
			s.SigningKey,
		)
	}
	for _, p := range page {
		out.Body.Pupils = append(
			out.Body.Pupils,
			PupilLine{
				ID:        p.ID,
				UPN:       p.UPN,
				FirstName: p.FirstName,
				LastName:  p.LastName,
				Class:     p.ClassName,
				Stage:     p.Stage,
			},
		)
		s.audit(ctx, role, "pupil:list", p.ID, sc.ID, "ok")
	}
	return out, nil
}
