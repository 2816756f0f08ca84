package register

import (
	"sort"
	"time"
)

// NationalWithin20Weeks2024 is England's share of new EHC plans issued within 20 weeks in 2024,
// excluding exceptions (DfE, "Education, health and care plans", reporting year 2025: 46.4%),
// shown beside a council's own figure.
const NationalWithin20Weeks2024 = 46.4

// Request is one EHC needs assessment request, as the council's figures read it from the read
// model. Times are nil for what has not happened.
type Request struct {
	School      string // the school's id
	SchoolName  string
	RequestedAt time.Time
	DecidedAt   *time.Time // the decision whether to assess
	DraftAt     *time.Time
	FinishedAt  *time.Time // the final plan, or a decision not to assess or not to issue
	// Outcome is plan_issued, refused_to_assess, not_issuing or withdrawn once finished; "" while
	// the request is open.
	Outcome string
	// Within20Weeks is the workflow's own verdict on the final plan, by the 20-week limit itself
	// (set only for plan_issued).
	Within20Weeks bool
	// Exception says a prescribed exception paused the time limits at some point.
	Exception bool
}

// Outcomes of a request.
const (
	OutcomePlanIssued      = "plan_issued"
	OutcomeRefusedToAssess = "refused_to_assess"
	OutcomeNotIssuing      = "not_issuing"
	OutcomeWithdrawn       = "withdrawn"
)

// Share is n of d, with its percentage to one decimal place ("" when d is 0).
type Share struct{ N, D int }

// Percent is the share as a percentage, 0 when there is nothing to share.
func (s Share) Percent() float64 {
	if s.D == 0 {
		return 0
	}
	return float64(int(float64(s.N)*1000/float64(s.D)+0.5)) / 10
}

// Stage is the average time requests spent at one stage, in days, over the requests that passed
// through it.
type Stage struct {
	Name    string
	Days    float64
	Counted int
}

// Weeks is the average in weeks to one decimal place.
func (s Stage) Weeks() float64 { return float64(int(s.Days/7*10+0.5)) / 10 }

// EHCFigures are a set of requests' figures, as the DfE reports timeliness: including the
// requests where an exception applied (every plan issued), and excluding them.
type EHCFigures struct {
	Requests         int
	AwaitingDecision int // no decision whether to assess yet
	Assessing        int // decided to assess, not finished
	Refused          int // the council decided not to assess
	NotIssuing       int // assessed, and no plan issued
	Withdrawn        int
	PlansIssued      int
	// Within20Weeks counts the plans issued within 20 weeks among all plans issued (including
	// those where an exception applied); Within20WeeksExcl among the plans where none applied.
	Within20Weeks, Within20WeeksExcl Share
	// Stages are the average times at each stage: to the decision whether to assess, from it to
	// the draft plan, from the draft to the final plan, and from the request to the final plan.
	Stages []Stage
}

// Stage names, in order.
const (
	StageToDecision = "Request to the decision whether to assess"
	StageToDraft    = "Decision to assess to the draft plan"
	StageToFinal    = "Draft plan to the final plan"
	StageWhole      = "Request to the final plan"
)

// Figures adds up a set of requests.
func Figures(rs []Request) EHCFigures {
	var f EHCFigures
	sums := map[string]*Stage{}
	names := []string{StageToDecision, StageToDraft, StageToFinal, StageWhole}
	for _, n := range names {
		sums[n] = &Stage{Name: n}
	}
	add := func(name string, from time.Time, to *time.Time) {
		if to == nil || to.Before(from) {
			return
		}
		s := sums[name]
		s.Days += to.Sub(from).Hours() / 24
		s.Counted++
	}
	for _, r := range rs {
		f.Requests++
		switch r.Outcome {
		case "":
			if r.DecidedAt == nil {
				f.AwaitingDecision++
			} else {
				f.Assessing++
			}
		case OutcomeRefusedToAssess:
			f.Refused++
		case OutcomeNotIssuing:
			f.NotIssuing++
		case OutcomeWithdrawn:
			f.Withdrawn++
		case OutcomePlanIssued:
			f.PlansIssued++
			f.Within20Weeks.D++
			if r.Within20Weeks {
				f.Within20Weeks.N++
			}
			if !r.Exception {
				f.Within20WeeksExcl.D++
				if r.Within20Weeks {
					f.Within20WeeksExcl.N++
				}
			}
		}
		if r.Outcome == OutcomeWithdrawn {
			continue // a withdrawn request's stages say nothing about the council's pace
		}
		add(StageToDecision, r.RequestedAt, r.DecidedAt)
		if r.DecidedAt != nil && r.Outcome != OutcomeRefusedToAssess {
			add(StageToDraft, *r.DecidedAt, r.DraftAt)
		}
		if r.DraftAt != nil && r.Outcome == OutcomePlanIssued {
			add(StageToFinal, *r.DraftAt, r.FinishedAt)
		}
		if r.Outcome == OutcomePlanIssued {
			add(StageWhole, r.RequestedAt, r.FinishedAt)
		}
	}
	for _, n := range names {
		s := *sums[n]
		if s.Counted > 0 {
			s.Days /= float64(s.Counted)
		}
		f.Stages = append(f.Stages, s)
	}
	return f
}

// SchoolFigures are one school's figures.
type SchoolFigures struct {
	School, SchoolName string
	EHCFigures
	ReviewsOverdue int
	CoProduction
}

// Review is one review with the family: a SEN support plan's review or an EHC plan's annual
// review, held, and whether the parents' views were part of it.
type Review struct {
	School      string
	ParentViews bool
}

// CoProduction is how far parents took part: the share of reviews held with their views, and the
// meetings with them held per pupil on SEN support or with a plan, per year.
type CoProduction struct {
	Reviews          Share
	Meetings, Pupils int
	Years            float64 // the period the meetings were counted over
}

// MeetingsPerPupilYear is the meetings held per pupil per year, to one decimal place.
func (c CoProduction) MeetingsPerPupilYear() float64 {
	if c.Pupils == 0 || c.Years <= 0 {
		return 0
	}
	v := float64(c.Meetings) / float64(c.Pupils) / c.Years
	return float64(int(v*10+0.5)) / 10
}

// BySchool are the figures of each school and of them all, schools by name. names are every
// school's name by id (a school with no request still has a line); overdue counts annual
// reviews overdue by school; reviews, meetings and supported are the co-production rows:
// meetings held and pupils supported by school, over years.
func BySchool(
	names map[string]string,
	rs []Request,
	overdue map[string]int,
	reviews []Review,
	meetings, supported map[string]int,
	years float64,
) ([]SchoolFigures, SchoolFigures) {
	bySchool := map[string][]Request{}
	for _, r := range rs {
		bySchool[r.School] = append(bySchool[r.School], r)
		if _, ok := names[r.School]; !ok {
			names[r.School] = r.SchoolName
		}
	}
	revs := map[string]*Share{}
	var allRevs Share
	for _, rv := range reviews {
		s := revs[rv.School]
		if s == nil {
			s = &Share{}
			revs[rv.School] = s
		}
		s.D++
		allRevs.D++
		if rv.ParentViews {
			s.N++
			allRevs.N++
		}
	}
	var out []SchoolFigures
	total := SchoolFigures{
		SchoolName:   "All schools",
		EHCFigures:   Figures(rs),
		CoProduction: CoProduction{Reviews: allRevs, Years: years},
	}
	for id, name := range names {
		sf := SchoolFigures{
			School:         id,
			SchoolName:     name,
			EHCFigures:     Figures(bySchool[id]),
			ReviewsOverdue: overdue[id],
			CoProduction:   CoProduction{Meetings: meetings[id], Pupils: supported[id], Years: years},
		}
		if s := revs[id]; s != nil {
			sf.Reviews = *s
		}
		total.ReviewsOverdue += sf.ReviewsOverdue
		total.Meetings += sf.Meetings
		total.Pupils += sf.Pupils
		out = append(out, sf)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].SchoolName != out[j].SchoolName {
			return out[i].SchoolName < out[j].SchoolName
		}
		return out[i].School < out[j].School
	})
	return out, total
}
