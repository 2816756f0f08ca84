package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// What the parents' one-tap pages read and write. A link's nonce is recorded in used_links in the
// same transaction as what the link does, so a link acts at most once and a refused action
// leaves the link unused and nothing changed.

// ErrLinkUsed means a one-tap link has acted already.
var ErrLinkUsed = errors.New("this link has been used")

// UsedLink is a one-tap link that acts.
type UsedLink struct {
	Nonce    string
	Action   string
	ParentID string
	PupilID  string
}

// LinkUsed reports whether a link's nonce has been recorded.
func (s *Store) LinkUsed(ctx context.Context, nonce string) (bool, error) {
	var used bool
	if err := s.DB.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM used_links WHERE nonce = $1)`, nonce).Scan(&used); err != nil {
		return false, fmt.Errorf("check link: %w", err)
	}
	return used, nil
}

// LinkTx writes what a link does, inside UseLink's transaction.
type LinkTx struct{ tx pgx.Tx }

// UseLink records the link's nonce and runs do in the same transaction. A nonce already recorded
// (or being recorded by a request running at the same moment) is ErrLinkUsed and do is not run;
// if do fails, nothing is kept and the link stays unused.
func (s *Store) UseLink(ctx context.Context, l UsedLink, do func(LinkTx) error) error {
	tx, err := s.DB.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // no-op after commit
	tag, err := tx.Exec(ctx, `INSERT INTO used_links (nonce, action, parent_id, pupil_id) VALUES ($1, $2, $3, $4)
		ON CONFLICT (nonce) DO NOTHING`, l.Nonce, l.Action, l.ParentID, l.PupilID)
	if err != nil {
		return fmt.Errorf("record link use: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrLinkUsed
	}
	if err := do(LinkTx{tx}); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit link use: %w", err)
	}
	return nil
}

// InsertMeetingResponse keeps a parent's answer to an invitation (sequence: the one answered).
func (t LinkTx) InsertMeetingResponse(ctx context.Context, id, meetingID, parentID, response string, sequence int) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO meeting_responses (id, meeting_id, parent_id, response, sequence) VALUES ($1, $2, $3, $4, $5)`,
		id, meetingID, parentID, response, sequence)
	if err != nil {
		return fmt.Errorf("save meeting answer: %w", err)
	}
	return nil
}

// ParentViews are a parent's words before a review.
type ParentViews struct {
	ID        string
	PupilID   string
	Cycle     int
	ParentID  string
	GoingWell string
	Hard      string
	WouldHelp string
	CreatedAt time.Time
}

// InsertParentViews keeps a parent's views.
func (t LinkTx) InsertParentViews(ctx context.Context, v ParentViews) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO parent_views (id, pupil_id, cycle_number, parent_id, going_well, hard, would_help)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, v.ID, v.PupilID, v.Cycle, v.ParentID, v.GoingWell, v.Hard, v.WouldHelp)
	if err != nil {
		return fmt.Errorf("save views: %w", err)
	}
	return nil
}

// InsertConsent keeps a parent's consent answer as given, with the wording version shown.
func (t LinkTx) InsertConsent(ctx context.Context, id, referralID, parentID, action, wordingID string) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO consent_records (id, referral_id, parent_id, action, wording_id) VALUES ($1, $2, $3, $4, $5)`,
		id, referralID, parentID, action, wordingID)
	if err != nil {
		return fmt.Errorf("save consent: %w", err)
	}
	return nil
}

// ParentViewsFor lists the views parents gave for a cycle's review, oldest first.
func (s *Store) ParentViewsFor(ctx context.Context, pupilID string, cycle int) ([]ParentViews, error) {
	rows, err := s.DB.Query(ctx, `SELECT id::text, pupil_id::text, cycle_number, parent_id::text, going_well, hard, would_help, created_at
		FROM parent_views WHERE pupil_id = $1 AND cycle_number = $2 ORDER BY created_at`, pupilID, cycle)
	if err != nil {
		return nil, fmt.Errorf("list views: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[ParentViews])
}

// ParentOfPupil is a parent as one of a pupil's parents.
type ParentOfPupil struct {
	UserID   string
	Name     string
	Email    string
	Language string
}

// ParentOf finds a person with parental responsibility for a pupil; ErrNotFound if they do not
// hold it (any more).
func (s *Store) ParentOf(ctx context.Context, parentID, pupilID string) (*ParentOfPupil, error) {
	var p ParentOfPupil
	err := s.DB.QueryRow(ctx, `SELECT u.id::text, u.name, u.email, pp.preferred_language FROM pupil_parents pp
		JOIN users u ON u.id = pp.user_id WHERE pp.pupil_id = $1 AND pp.user_id = $2 AND pp.parental_responsibility`,
		pupilID, parentID).Scan(&p.UserID, &p.Name, &p.Email, &p.Language)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load parent: %w", err)
	}
	return &p, nil
}

// ReferralConsent is what a parent is asked to consent to.
type ReferralConsent struct {
	ReferralID  string
	PupilID     string
	ServiceCode string
	ServiceName string
	Wording     string
	Version     string
}

// ReferralConsentFor loads a referral with its service's consent wording; ErrNotFound if unknown.
func (s *Store) ReferralConsentFor(ctx context.Context, referralID string) (*ReferralConsent, error) {
	var r ReferralConsent
	err := s.DB.QueryRow(ctx, `SELECT r.id::text, r.pupil_id::text, sv.code, sv.name, sv.consent_wording, sv.consent_version
		FROM referrals r JOIN agency_services sv ON sv.code = r.service WHERE r.id = $1`, referralID).
		Scan(&r.ReferralID, &r.PupilID, &r.ServiceCode, &r.ServiceName, &r.Wording, &r.Version)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load referral %s: %w", referralID, err)
	}
	return &r, nil
}

// PlanItem is one line of a plan: an outcome, or a piece of provision with how often.
type PlanItem struct {
	Text      string
	Frequency string
	Rating    string // for an outcome of a reviewed plan: achieved, partly_achieved or not_achieved
}

// PlanSummary is what a parent sees of a pupil's support: the newest plan and the last review.
type PlanSummary struct {
	Cycle      int // 0: no plan yet
	ReviewDate time.Time
	Reviewed   bool
	Outcomes   []PlanItem
	Provision  []PlanItem
	// LastReview is the newest reviewed cycle, nil when none has been reviewed.
	LastReview *ReviewSummary
}

// ReviewSummary is the result of a review.
type ReviewSummary struct {
	Cycle      int
	ReviewedOn time.Time
	NextStep   string // continue, step_down, refer or request_ehcna
	Outcomes   []PlanItem
}

// cycleItem is the part of a cycle workflow's projected state a plan summary needs.
type cycleItem struct {
	Number int
	Plan   struct {
		PlanID     string
		ReviewDate time.Time
	}
	Review *struct {
		Ratings  map[string]string
		NextStep string
	}
	ReviewedAt *time.Time
}

type planRow struct {
	outcomes  []struct{ ID, Text string }
	provision []struct{ Text, Frequency string }
	review    time.Time
}

// PlanSummaryFor reads the pupil's plans as the cycle workflows projected them (only plans and
// reviews the workflow accepted count) with their words from cycle_plans.
func (s *Store) PlanSummaryFor(ctx context.Context, pupilID string) (*PlanSummary, error) {
	rows, err := s.DB.Query(ctx, `SELECT state FROM pathway_items WHERE pupil_id = $1 AND kind = 'cycle'`, pupilID)
	if err != nil {
		return nil, fmt.Errorf("load cycles: %w", err)
	}
	states, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, fmt.Errorf("load cycles: %w", err)
	}
	var cycles []cycleItem
	for _, b := range states {
		var c cycleItem
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("read cycle state: %w", err)
		}
		cycles = append(cycles, c)
	}
	slices.SortFunc(cycles, func(a, b cycleItem) int { return b.Number - a.Number })
	out := &PlanSummary{}
	if len(cycles) == 0 {
		return out, nil
	}
	cur := cycles[0]
	plan, err := s.planRow(ctx, cur.Plan.PlanID)
	if err != nil {
		return nil, err
	}
	out.Cycle, out.ReviewDate, out.Reviewed = cur.Number, plan.review, cur.Review != nil
	for _, o := range plan.outcomes {
		out.Outcomes = append(out.Outcomes, PlanItem{Text: o.Text})
	}
	for _, p := range plan.provision {
		out.Provision = append(out.Provision, PlanItem{Text: p.Text, Frequency: p.Frequency})
	}
	for _, c := range cycles {
		if c.Review == nil {
			continue
		}
		reviewed, err := s.planRow(ctx, c.Plan.PlanID)
		if err != nil {
			return nil, err
		}
		r := &ReviewSummary{Cycle: c.Number, NextStep: c.Review.NextStep}
		if c.ReviewedAt != nil {
			r.ReviewedOn = *c.ReviewedAt
		}
		for _, o := range reviewed.outcomes {
			r.Outcomes = append(r.Outcomes, PlanItem{Text: o.Text, Rating: c.Review.Ratings[o.ID]})
		}
		out.LastReview = r
		break
	}
	return out, nil
}

func (s *Store) planRow(ctx context.Context, planID string) (*planRow, error) {
	var outcomes, provision []byte
	var p planRow
	err := s.DB.QueryRow(ctx, `SELECT outcomes, provision, review_date FROM cycle_plans WHERE id = $1`, planID).Scan(&outcomes, &provision, &p.review)
	if err != nil {
		return nil, fmt.Errorf("load plan %s: %w", planID, err)
	}
	if err := json.Unmarshal(outcomes, &p.outcomes); err != nil {
		return nil, fmt.Errorf("read plan outcomes: %w", err)
	}
	if err := json.Unmarshal(provision, &p.provision); err != nil {
		return nil, fmt.Errorf("read plan provision: %w", err)
	}
	return &p, nil
}
