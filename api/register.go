package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/actions"
	senregister "github.com/sendflow/sendflow/internal/register"
	"github.com/sendflow/sendflow/internal/statutory"
	"github.com/sendflow/sendflow/internal/store"
)

// RegisterLineView is one pupil on the SEN register, in the school census's terms.
type RegisterLineView struct {
	PupilID       string     `json:"pupilId" format:"uuid"`
	UPN           string     `json:"upn"`
	Surname       string     `json:"surname"`
	Forename      string     `json:"forename"`
	SENprovision  string     `json:"senProvision" enum:"N,K,E" doc:"Census SENprovision: the SENDCo's where they recorded one, else what the pathway says"`
	PrimaryNeed   string     `json:"primaryNeed,omitempty" doc:"Census SENtype with SENtypeRank 1"`
	SecondaryNeed string     `json:"secondaryNeed,omitempty" doc:"Census SENtype with SENtypeRank 2"`
	PathwaySays   string     `json:"pathwaySays" enum:"N,K,E" doc:"The provision the pathway gives: K while a support plan is open, E once an EHC plan is issued"`
	Why           string     `json:"why" doc:"Why the pathway says so"`
	Differs       string     `json:"differs,omitempty" doc:"Where the SENDCo's provision differs from the pathway's, both in words"`
	Note          string     `json:"note,omitempty"`
	RecordedBy    string     `json:"recordedBy,omitempty"`
	RecordedAt    *time.Time `json:"recordedAt,omitempty"`
	Problems      []string   `json:"problems,omitempty" doc:"What the census would refuse in the line as it stands"`
}

func registerLineView(l senregister.Line) RegisterLineView {
	v := RegisterLineView{
		PupilID:      l.PupilID,
		UPN:          l.UPN,
		Surname:      l.Surname,
		Forename:     l.Forename,
		SENprovision: string(l.Provision()),
		PrimaryNeed: string(
			l.Primary(),
		),
		SecondaryNeed: string(l.Secondary()),
		PathwaySays:   string(l.Derived),
		Why:           l.Why,
		Differs:       l.Disagreement(),
	}
	if l.Rec != nil {
		v.Note, v.RecordedBy = l.Rec.Note, l.Rec.By
		at := l.Rec.At
		v.RecordedAt = &at
	}
	for _, p := range l.Problems() {
		v.Problems = append(v.Problems, p.Field+" "+p.Message)
	}
	return v
}

type RegisterOutput struct {
	Body struct {
		Lines []RegisterLineView `json:"lines"`
	}
}

type RecordRegisterInput struct {
	PupilPath
	IdempotencyHeader
	Body struct {
		Provision     string `json:"provision,omitempty" enum:"N,K,E," doc:"Only where the pathway cannot say it (a plan from before sendflow); leave it out to follow the pathway"`
		PrimaryNeed   string `json:"primaryNeed,omitempty" maxLength:"4" doc:"Census SENtype, rank 1: SPLD, MLD, SLD, PMLD, SEMH, SLCN, HI, VI, MSI, PD, ASD, DS, OTH, or NSA (SEN support only)"`
		SecondaryNeed string `json:"secondaryNeed,omitempty" maxLength:"4" doc:"Census SENtype, rank 2"`
		Note          string `json:"note,omitempty" maxLength:"500"`
	}
}

type RegisterLineOutput struct {
	Body RegisterLineView
}

type FiguresView struct {
	School                   string             `json:"school"`
	SchoolID                 string             `json:"schoolId,omitempty" format:"uuid"`
	Requests                 int                `json:"requests"`
	AwaitingDecision         int                `json:"awaitingDecision"`
	Assessing                int                `json:"assessing"`
	RefusedToAssess          int                `json:"refusedToAssess"`
	NotIssuing               int                `json:"notIssuing"`
	Withdrawn                int                `json:"withdrawn"`
	PlansIssued              int                `json:"plansIssued"`
	Within20Weeks            int                `json:"within20Weeks" doc:"Plans issued within 20 weeks of the request, including those where an exception applied"`
	Within20WeeksPercent     float64            `json:"within20WeeksPercent"`
	PlansExcludingExceptions int                `json:"plansExcludingExceptions" doc:"Plans issued where no exception applied"`
	Within20WeeksExcl        int                `json:"within20WeeksExcludingExceptions"`
	Within20WeeksExclPercent float64            `json:"within20WeeksExcludingExceptionsPercent"`
	StageWeeks               map[string]float64 `json:"stageWeeks" doc:"Average weeks at each stage, over the requests that reached it"`
	AnnualReviewsOverdue     int                `json:"annualReviewsOverdue"`
	ReviewsHeld              int                `json:"reviewsHeld" doc:"Support plans reviewed in the last year"`
	ReviewsWithParentsViews  int                `json:"reviewsWithParentsViews"`
	MeetingsPerPupilPerYear  float64            `json:"meetingsPerPupilPerYear"`
}

type FiguresOutput struct {
	Body struct {
		Area                      string        `json:"area"`
		NationalWithin20Weeks2024 float64       `json:"nationalWithin20Weeks2024" doc:"England, 2024, excluding exceptions (DfE)"`
		All                       FiguresView   `json:"all"`
		Schools                   []FiguresView `json:"schools"`
	}
}

type TrustPath struct {
	TrustID string `path:"trustId" format:"uuid"`
}

func figuresView(f senregister.SchoolFigures) FiguresView {
	v := FiguresView{
		School:                   f.SchoolName,
		SchoolID:                 f.School,
		Requests:                 f.Requests,
		AwaitingDecision:         f.AwaitingDecision,
		Assessing:                f.Assessing,
		RefusedToAssess:          f.Refused,
		NotIssuing:               f.NotIssuing,
		Withdrawn:                f.Withdrawn,
		PlansIssued:              f.PlansIssued,
		Within20Weeks:            f.Within20Weeks.N,
		Within20WeeksPercent:     f.Within20Weeks.Percent(),
		PlansExcludingExceptions: f.Within20WeeksExcl.D,
		Within20WeeksExcl:        f.Within20WeeksExcl.N,
		Within20WeeksExclPercent: f.Within20WeeksExcl.Percent(),
		StageWeeks:               map[string]float64{},
		AnnualReviewsOverdue:     f.ReviewsOverdue,
		ReviewsHeld:              f.Reviews.D,
		ReviewsWithParentsViews:  f.Reviews.N,
		MeetingsPerPupilPerYear:  f.MeetingsPerPupilYear(),
	}
	for _, s := range f.Stages {
		if s.Counted > 0 {
			v.StageWeeks[s.Name] = s.Weeks()
		}
	}
	return v
}

func (s *Server) registerRegister(v1 *huma.Group) {
	register(v1, huma.Operation{
		Metadata:    needs("register", "read", inSchool),
		OperationID: "get-sen-register", Method: http.MethodGet, Path: "/schools/{schoolId}/register",
		Summary:     "The school's SEN register: each pupil's census SENprovision and SENtype ranked 1 and 2",
		Description: "The provision comes from the pathway where it can (K while a support plan is open, E once an EHC plan is issued) and from the SENDCo where it cannot; a line where they differ says so. The staff pages give it as CSV for the census.",
		Tags:        []string{"Schools"}, Errors: []int{http.StatusNotFound},
	}, s.senRegister)
	register(v1, huma.Operation{
		Metadata:    needs("register", "update", byAction),
		OperationID: "record-sen-register", Method: http.MethodPut, Path: "/pupils/{pupilId}/register",
		Summary: "Record a pupil's census need types (and the provision where the pathway cannot say it)",
		Tags:    []string{"Pupils"}, Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}, s.recordRegister)
	register(v1, huma.Operation{
		Metadata:    needs("figures", "read", ownRule),
		OperationID: "get-council-figures", Method: http.MethodGet, Path: "/local-authorities/{laCode}/figures",
		Summary: "The council's figures by school: EHC plans within 20 weeks with and without exceptions, time at each stage, annual reviews overdue, co-production",
		Tags:    []string{"EHC needs assessment"}, Errors: []int{http.StatusNotFound},
	}, s.councilFigures)
	register(v1, huma.Operation{
		Metadata:    needs("figures", "read", ownRule),
		OperationID: "get-trust-figures", Method: http.MethodGet, Path: "/trusts/{trustId}/figures",
		Summary: "A trust's figures across its schools", Tags: []string{"Schools"}, Errors: []int{http.StatusNotFound},
	}, s.trustFigures)
}

func (s *Server) senRegister(ctx context.Context, in *SchoolPath) (*RegisterOutput, error) {
	sc, role, err := s.schoolFor(ctx, in.SchoolID)
	if err != nil {
		return nil, err
	}
	lines, err := s.Store.SchoolRegister(ctx, sc.ID)
	if err != nil {
		return nil, s.unavailable(err)
	}
	out := &RegisterOutput{}
	out.Body.Lines = []RegisterLineView{}
	ids := make([]string, 0, len(lines))
	for _, l := range lines {
		out.Body.Lines = append(out.Body.Lines, registerLineView(l))
		ids = append(ids, l.PupilID)
	}
	s.Actions.AuditPupils(ctx, actor(ctx), role, "register:read", sc.ID, ids, "ok")
	return out, nil
}

func (s *Server) recordRegister(ctx context.Context, in *RecordRegisterInput) (*RegisterLineOutput, error) {
	return idempotent(
		ctx,
		s,
		"record-sen-register",
		in.IdempotencyKey,
		in,
		func(id string) (*RegisterLineOutput, error) {
			b := in.Body
			_, line, err := s.Actions.RecordRegister(
				ctx,
				actor(ctx),
				actions.RegisterEntry{ID: id, PupilID: in.PupilID, Provision: b.Provision,
					Primary: b.PrimaryNeed, Secondary: b.SecondaryNeed, Note: b.Note},
			)
			if err != nil {
				return nil, s.problem(err)
			}
			return &RegisterLineOutput{Body: registerLineView(line)}, nil
		},
	)
}

func (s *Server) figuresOf(ctx context.Context, a store.Area, area, role string) (*FiguresOutput, error) {
	schools, all, err := statutory.AreaFigures(ctx, s.Store, a, time.Now())
	if err != nil {
		return nil, s.unavailable(err)
	}
	out := &FiguresOutput{}
	out.Body.Area, out.Body.NationalWithin20Weeks2024, out.Body.All = area, senregister.NationalWithin20Weeks2024, figuresView(
		all,
	)
	out.Body.Schools = []FiguresView{}
	for _, sc := range schools {
		out.Body.Schools = append(out.Body.Schools, figuresView(sc))
		s.audit(ctx, role, "figures:read", "", sc.School, "ok")
	}
	return out, nil
}

func (s *Server) councilFigures(ctx context.Context, in *CouncilPath) (*FiguresOutput, error) {
	notFound := huma.Error404NotFound("No local authority with this code is available to you.")
	if !slices.Contains(currentUser(ctx).LACodes, in.LACode) {
		s.audit(ctx, "", "figures:read", "", "", "denied")
		return nil, notFound
	}
	name, err := s.Store.LAByCode(ctx, in.LACode)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound
	}
	if err != nil {
		return nil, s.unavailable(err)
	}
	return s.figuresOf(ctx, store.Area{LACode: in.LACode}, name, "la_officer")
}

func (s *Server) trustFigures(ctx context.Context, in *TrustPath) (*FiguresOutput, error) {
	trusts, err := s.Store.TrustsOf(ctx, currentUser(ctx).ID)
	if err != nil {
		return nil, s.unavailable(err)
	}
	i := slices.IndexFunc(trusts, func(t store.Trust) bool { return t.ID == in.TrustID })
	if i < 0 {
		s.audit(ctx, "", "figures:read", "", "", "denied")
		return nil, huma.Error404NotFound("No trust with this id is available to you.")
	}
	return s.figuresOf(ctx, store.Area{TrustID: in.TrustID}, trusts[i].Name, "trust_admin")
}
