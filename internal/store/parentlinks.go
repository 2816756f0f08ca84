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

// What the parents' one-tap pages read and write. A link that acts is claimed while its action
// runs, spent when the pupil's workflow accepts the action, and given back when the action is
// refused or fails: it acts at most once, and a refused or failed tap leaves it usable. No
// transaction is held while the workflow is asked.

// ErrLinkUsed means a one-tap link has acted already.
var ErrLinkUsed = errors.New("this link has been used")

// ErrLinkBusy means another tap of the same link is being carried out now.
var ErrLinkBusy = errors.New("this link is being used now")

// UsedLink is a one-tap link that acts.
type UsedLink struct {
	Nonce    string
	Action   string
	ParentID string
	PupilID  string
}

// LinkUsed reports whether a link has been spent.
func (s *Store) LinkUsed(ctx context.Context, nonce string) (bool, error) {
	var used bool
	if err := s.DB.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM used_links WHERE nonce = $1 AND state = 'used')`, nonce).Scan(&used); err != nil {
		return false, fmt.Errorf("check link: %w", err)
	}
	return used, nil
}

// ClaimLink claims a link for one attempt at its action, for at most lease (a claim whose tap
// died is taken over after it). ErrLinkUsed if it is spent; ErrLinkBusy if another tap holds it.
func (s *Store) ClaimLink(ctx context.Context, l UsedLink, lease time.Duration) error {
	var state string
	err := s.DB.QueryRow(ctx, `INSERT INTO used_links (nonce, action, parent_id, pupil_id, state, claimed_until)
		VALUES ($1, $2, $3, $4, 'claimed', now() + $5 * interval '1 second')
		ON CONFLICT (nonce) DO UPDATE SET claimed_until = EXCLUDED.claimed_until
			WHERE used_links.state = 'claimed' AND used_links.claimed_until < now()
		RETURNING state`, l.Nonce, l.Action, l.ParentID, l.PupilID, lease.Seconds()).Scan(&state)
	if err == nil {
		return nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("claim link: %w", err)
	}
	if err := s.DB.QueryRow(ctx, `SELECT state FROM used_links WHERE nonce = $1`, l.Nonce).Scan(&state); err != nil {
		return fmt.Errorf("claim link: %w", err)
	}
	if state == "used" {
		return ErrLinkUsed
	}
	return ErrLinkBusy
}

// SpendLink marks a claimed link used: its action was accepted.
func (s *Store) SpendLink(ctx context.Context, nonce string) error {
	if _, err := s.DB.Exec(ctx, `UPDATE used_links SET state = 'used', used_at = now(), claimed_until = NULL WHERE nonce = $1`, nonce); err != nil {
		return fmt.Errorf("spend link: %w", err)
	}
	return nil
}

// ReleaseLink gives back a claim whose action was refused or failed, so the link can be used again.
func (s *Store) ReleaseLink(ctx context.Context, nonce string) error {
	if _, err := s.DB.Exec(ctx, `DELETE FROM used_links WHERE nonce = $1 AND state = 'claimed'`, nonce); err != nil {
		return fmt.Errorf("release link: %w", err)
	}
	return nil
}

// ParentViews are a parent's words before a review.
type ParentViews struct {
	ID         string
	PupilID    string
	Cycle      int
	ParentID   string
	GoingWell  string
	Hard       string
	WouldHelp  string
	CreatedAt  time.Time
	ParentName string // when read
}

// ParentViewsOf lists the views parents gave from their phones for a pupil's reviews, newest
// first; cycle > 0 keeps one support cycle's. Only views the cycle took count.
func (s *Store) ParentViewsOf(ctx context.Context, pupilID string, cycle int) ([]ParentViews, error) {
	rows, err := s.DB.Query(
		ctx,
		`SELECT v.id::text, v.pupil_id::text, v.cycle_number, v.parent_id::text, v.going_well, v.hard, v.would_help,
			v.accepted_at, u.name
		FROM parent_views v JOIN users u ON u.id = v.parent_id
		WHERE v.pupil_id = $1 AND ($2 = 0 OR v.cycle_number = $2) AND v.accepted_at IS NOT NULL
		ORDER BY v.accepted_at DESC, v.id`,
		pupilID,
		cycle,
	)
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

// ReferralConsent is what a parent is asked to consent to: the service with its wording in each
// language it has, and the school's reason for the referral.
type ReferralConsent struct {
	ReferralID string
	PupilID    string
	Reason     string
	Service    Service
}

// ReferralConsentFor loads an accepted referral with its service; ErrNotFound if unknown.
func (s *Store) ReferralConsentFor(ctx context.Context, referralID string) (*ReferralConsent, error) {
	r := ReferralConsent{}
	var code string
	err := s.DB.QueryRow(ctx, `SELECT r.id::text, r.pupil_id::text, r.reason, r.service FROM referrals r
		WHERE r.id = $1 AND r.accepted_at IS NOT NULL`, referralID).Scan(&r.ReferralID, &r.PupilID, &r.Reason, &code)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load referral %s: %w", referralID, err)
	}
	sv, err := s.ServiceByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	r.Service = *sv
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
	err := s.DB.QueryRow(ctx, `SELECT outcomes, provision, review_date FROM cycle_plans WHERE id = $1`, planID).
		Scan(&outcomes, &provision, &p.review)
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
