package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Reads for the staff pages: a pupil's record in full words (accepted rows only), the lists each
// role starts from, and who may sign in to the dev identity provider.

// StaffPerson is someone who signs in to the staff pages, with what they do, in words.
type StaffPerson struct {
	ID, Email, Name, Roles string
}

// StaffPeople lists everyone who holds a staff, agency, council or administrator role (not
// parents), by name: the dev identity provider's accounts.
func (s *Store) StaffPeople(ctx context.Context) ([]StaffPerson, error) {
	rows, err := s.DB.Query(ctx, `SELECT u.id::text, u.email, u.name, concat_ws(', ',
			(SELECT string_agg(replace(m.role, '_', ' ') || ', ' || sc.name, '; ' ORDER BY sc.name) FROM memberships m
				JOIN schools sc ON sc.id = m.school_id WHERE m.user_id = u.id AND m.role <> 'parent'),
			(SELECT 'agency practitioner, ' || string_agg(sv.name, ', ') FROM agency_practitioners ap
				JOIN agency_services sv ON sv.code = ap.service WHERE ap.user_id = u.id),
			(SELECT 'LA officer, ' || string_agg(la.name, ', ') FROM la_officers o
				JOIN local_authorities la ON la.code = o.la_code WHERE o.user_id = u.id),
			(SELECT 'trust admin' WHERE EXISTS (SELECT 1 FROM trust_admins WHERE user_id = u.id)),
			(SELECT 'system admin' WHERE u.system_admin))
		FROM users u
		WHERE u.system_admin OR EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id AND m.role <> 'parent')
			OR EXISTS (SELECT 1 FROM agency_practitioners WHERE user_id = u.id)
			OR EXISTS (SELECT 1 FROM la_officers WHERE user_id = u.id)
			OR EXISTS (SELECT 1 FROM trust_admins WHERE user_id = u.id)
		ORDER BY u.name, u.email`)
	if err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[StaffPerson])
}

// Class is a class and its school.
type Class struct {
	ID, SchoolID, Name string
}

// ClassesOf lists the classes a member of staff teaches or supports.
func (s *Store) ClassesOf(ctx context.Context, userID string) ([]Class, error) {
	rows, err := s.DB.Query(ctx, `SELECT c.id::text, c.school_id::text, c.name FROM class_teachers ct
		JOIN classes c ON c.id = ct.class_id WHERE ct.user_id = $1 ORDER BY c.name`, userID)
	if err != nil {
		return nil, fmt.Errorf("list classes: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Class])
}

// SchoolClasses lists a school's classes by name.
func (s *Store) SchoolClasses(ctx context.Context, schoolID string) ([]Class, error) {
	rows, err := s.DB.Query(ctx, `SELECT id::text, school_id::text, name FROM classes WHERE school_id = $1 ORDER BY name`, schoolID)
	if err != nil {
		return nil, fmt.Errorf("list classes of %s: %w", schoolID, err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Class])
}

// SetPupilClass puts a pupil in a class of the school they are at now; false when the class is
// not one of that school's (nothing changes).
func (s *Store) SetPupilClass(ctx context.Context, pupilID, classID string) (bool, error) {
	tag, err := s.DB.Exec(ctx, `UPDATE pupils p SET class_id = c.id FROM classes c
		WHERE p.id = $1 AND c.id = $2 AND c.school_id = p.school_id`, pupilID, classID)
	if err != nil {
		return false, fmt.Errorf("set class of pupil %s: %w", pupilID, err)
	}
	return tag.RowsAffected() == 1, nil
}

// ConcernDetail is a concern as the teacher recorded it, with the impacts recorded since.
type ConcernDetail struct {
	ID         string
	RaisedAt   time.Time
	RaisedByID string
	RaisedBy   string
	Areas      []string
	Observed   string
	Indicators []string
	Strategies json.RawMessage // [{strategyId, startedOn, frequency, notes}]
	Impacts    json.RawMessage // latest first: [{impacts: [{strategyId, impact, notes}], at, by}]
}

// ConcernsOf lists a pupil's accepted concerns, newest first.
func (s *Store) ConcernsOf(ctx context.Context, pupilID string) ([]ConcernDetail, error) {
	rows, err := s.DB.Query(
		ctx,
		`SELECT c.id::text, c.created_at, u.id::text, u.name, c.areas, c.observed, c.indicators,
			CASE jsonb_typeof(c.strategies) WHEN 'array' THEN c.strategies ELSE '[]' END,
			coalesce((SELECT jsonb_agg(jsonb_build_object('impacts', ci.impacts, 'at', ci.created_at, 'by', iu.name) ORDER BY ci.created_at DESC)
				FROM concern_impacts ci JOIN users iu ON iu.id = ci.recorded_by
				WHERE ci.concern_id = c.id AND ci.accepted_at IS NOT NULL), '[]')
		FROM concerns c JOIN users u ON u.id = c.raised_by
		WHERE c.pupil_id = $1 AND c.accepted_at IS NOT NULL ORDER BY c.created_at DESC`,
		pupilID,
	)
	if err != nil {
		return nil, fmt.Errorf("list concerns: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[ConcernDetail])
}

// PlanDetail is a support plan as agreed.
type PlanDetail struct {
	ID          string
	CreatedAt   time.Time
	By          string
	ReviewDate  time.Time
	Outcomes    json.RawMessage // [{id, text}]
	Provision   json.RawMessage // [{text, frequency}]
	ParentViews string
	PupilViews  string
}

// PlansOf lists a pupil's accepted support plans, oldest first.
func (s *Store) PlansOf(ctx context.Context, pupilID string) ([]PlanDetail, error) {
	rows, err := s.DB.Query(
		ctx,
		`SELECT p.id::text, p.created_at, u.name, p.review_date, p.outcomes, p.provision, p.parent_views, p.pupil_views
		FROM cycle_plans p JOIN users u ON u.id = p.created_by WHERE p.pupil_id = $1 AND p.accepted_at IS NOT NULL ORDER BY p.created_at`,
		pupilID,
	)
	if err != nil {
		return nil, fmt.Errorf("list plans: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[PlanDetail])
}

// ReviewDetail is the review of a support plan.
type ReviewDetail struct {
	Cycle       int
	CreatedAt   time.Time
	By          string
	Ratings     json.RawMessage // [{outcomeId, rating}]
	ParentViews string
	PupilViews  string
	NextStep    string
	Notes       string
}

// ReviewsOf lists a pupil's accepted reviews, by cycle.
func (s *Store) ReviewsOf(ctx context.Context, pupilID string) ([]ReviewDetail, error) {
	rows, err := s.DB.Query(
		ctx,
		`SELECT DISTINCT ON (r.cycle_number) r.cycle_number, r.created_at, u.name, r.ratings, r.parent_views,
			r.pupil_views, r.next_step, r.notes
		FROM cycle_reviews r JOIN users u ON u.id = r.recorded_by WHERE r.pupil_id = $1 AND r.accepted_at IS NOT NULL
		ORDER BY r.cycle_number, r.created_at`,
		pupilID,
	)
	if err != nil {
		return nil, fmt.Errorf("list reviews: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[ReviewDetail])
}

// ProvisionGiven is support logged under a plan.
type ProvisionGiven struct {
	Cycle       int
	GivenOn     time.Time
	Description string
	By          string
}

// ProvisionOf lists the support logged for a pupil, newest first.
func (s *Store) ProvisionOf(ctx context.Context, pupilID string) ([]ProvisionGiven, error) {
	rows, err := s.DB.Query(ctx, `SELECT l.cycle_number, l.given_on, l.description, u.name FROM provision_log l
		JOIN users u ON u.id = l.logged_by WHERE l.pupil_id = $1 AND l.accepted_at IS NOT NULL ORDER BY l.given_on DESC, l.created_at DESC`, pupilID)
	if err != nil {
		return nil, fmt.Errorf("list provision: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[ProvisionGiven])
}

// ReferralDetail is a referral's words: why the school asked, the parents' answers and the
// agency's replies.
type ReferralDetail struct {
	ID          string
	Service     string
	ServiceName string
	Reason      string
	CreatedAt   time.Time
	By          string
	Consents    json.RawMessage // oldest first: [{action, wording, at, by}]
	Responses   json.RawMessage // oldest first: [{kind, summary, at, by}]
}

// ReferralsOf lists a pupil's accepted referrals, newest first.
func (s *Store) ReferralsOf(ctx context.Context, pupilID string) ([]ReferralDetail, error) {
	rows, err := s.DB.Query(ctx, `SELECT r.id::text, r.service, sv.name, r.reason, r.created_at, u.name,
			coalesce((SELECT jsonb_agg(jsonb_build_object('action', c.action, 'wording', c.wording_id, 'at', c.created_at, 'by', cu.name) ORDER BY c.created_at)
				FROM consent_records c JOIN users cu ON cu.id = c.parent_id WHERE c.referral_id = r.id AND c.accepted_at IS NOT NULL), '[]'),
			coalesce((SELECT jsonb_agg(jsonb_build_object('kind', a.kind, 'summary', a.summary, 'at', a.created_at, 'by', au.name) ORDER BY a.created_at)
				FROM agency_responses a JOIN users au ON au.id = a.recorded_by WHERE a.referral_id = r.id AND a.accepted_at IS NOT NULL), '[]')
		FROM referrals r JOIN agency_services sv ON sv.code = r.service JOIN users u ON u.id = r.created_by
		WHERE r.pupil_id = $1 AND r.accepted_at IS NOT NULL ORDER BY r.created_at DESC`, pupilID)
	if err != nil {
		return nil, fmt.Errorf("list referrals: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[ReferralDetail])
}

// ServiceChoice is an agency service a school can refer to.
type ServiceChoice struct{ Code, Name string }

// Services lists the agency services, by name.
func (s *Store) Services(ctx context.Context) ([]ServiceChoice, error) {
	rows, err := s.DB.Query(ctx, `SELECT code, name FROM agency_services ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list services: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[ServiceChoice])
}

// MeetingDetail is a meeting with the family and the parents' latest answers.
type MeetingDetail struct {
	Meeting
	Answers json.RawMessage // [{by, response, at}] the latest answer of each parent
}

// MeetingsOf lists a pupil's accepted meetings, soonest first (cancelled ones too).
func (s *Store) MeetingsOf(ctx context.Context, pupilID string) ([]MeetingDetail, error) {
	rows, err := s.DB.Query(ctx, `SELECT `+meetingColumns+`,
			coalesce((SELECT jsonb_agg(jsonb_build_object('by', x.name, 'response', x.response, 'at', x.created_at) ORDER BY x.name)
				FROM (SELECT DISTINCT ON (r.parent_id) u.name, r.response, r.created_at FROM meeting_responses r JOIN users u ON u.id = r.parent_id
					WHERE r.meeting_id = meetings.id AND r.accepted_at IS NOT NULL ORDER BY r.parent_id, r.created_at DESC) x), '[]')
		FROM meetings WHERE pupil_id = $1 AND accepted_at IS NOT NULL ORDER BY starts_at`, pupilID)
	if err != nil {
		return nil, fmt.Errorf("list meetings: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[MeetingDetail]) // Meeting's columns, then Answers
}

// FamilyViewsOf lists every view parents gave before reviews, with who gave them, oldest first.
func (s *Store) FamilyViewsOf(ctx context.Context, pupilID string) ([]ParentViewsBy, error) {
	rows, err := s.DB.Query(
		ctx,
		`SELECT v.cycle_number, u.name, v.going_well, v.hard, v.would_help, v.created_at FROM parent_views v
		JOIN users u ON u.id = v.parent_id WHERE v.pupil_id = $1 AND v.accepted_at IS NOT NULL ORDER BY v.created_at`,
		pupilID,
	)
	if err != nil {
		return nil, fmt.Errorf("list parents' views: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[ParentViewsBy])
}

// ParentViewsBy is what a parent wrote before a review, from their emailed link.
type ParentViewsBy struct {
	Cycle     int
	By        string
	GoingWell string
	Hard      string
	WouldHelp string
	At        time.Time
}

// EHCRequestDetail is who asked for an assessment and when.
type EHCRequestDetail struct {
	ID          string
	RequestedBy string
	By          string
	CreatedAt   time.Time
}

// EHCRequestsOf lists a pupil's accepted EHC needs assessment requests, newest first.
func (s *Store) EHCRequestsOf(ctx context.Context, pupilID string) ([]EHCRequestDetail, error) {
	rows, err := s.DB.Query(ctx, `SELECT r.id::text, r.requested_by, u.name, r.created_at FROM ehc_requests r
		JOIN users u ON u.id = r.created_by WHERE r.pupil_id = $1 AND r.accepted_at IS NOT NULL ORDER BY r.created_at DESC`, pupilID)
	if err != nil {
		return nil, fmt.Errorf("list EHC requests: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[EHCRequestDetail])
}

// AgencyCase is a referral to an agency service, as the service's practitioners list them.
type AgencyCase struct {
	PupilID   string
	FirstName string
	LastName  string
	School    string
	ItemID    string
	Status    string
	State     json.RawMessage
	UpdatedAt time.Time
}

// AgencyCases lists the referrals the services' practitioners reach (the same rule as their
// access to a pupil: sent with the parents' consent and still open), newest first.
func (s *Store) AgencyCases(ctx context.Context, services []string) ([]AgencyCase, error) {
	rows, err := s.DB.Query(
		ctx,
		`SELECT p.id::text, p.first_name, p.last_name, sc.name, it.item_id, it.status, it.state, it.updated_at
		FROM pathway_items it JOIN referrals r ON 'referral/' || r.id = it.item_id AND r.pupil_id = it.pupil_id
		JOIN pupils p ON p.id = it.pupil_id JOIN schools sc ON sc.id = it.school_id
		WHERE r.accepted_at IS NOT NULL AND `+agencyOpen+` AND r.service = ANY($1)
		ORDER BY it.updated_at DESC`,
		services,
	)
	if err != nil {
		return nil, fmt.Errorf("list agency cases: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[AgencyCase])
}

// DueItem is an open deadline with its pupil.
type DueItem struct {
	PupilID   string
	FirstName string
	LastName  string
	ItemID    string
	Kind      string
	Due       time.Time
	Label     string
}

// DueOf lists a school's open deadlines of some kinds due before a time, soonest first.
func (s *Store) DueOf(ctx context.Context, schoolID string, kinds []string, before time.Time) ([]DueItem, error) {
	rows, err := s.DB.Query(ctx, `SELECT p.id::text, p.first_name, p.last_name, d.item_id, d.kind, d.due, d.label
		FROM deadlines d JOIN pupils p ON p.id = d.pupil_id
		WHERE d.school_id = $1 AND d.kind = ANY($2) AND d.due < $3 ORDER BY d.due`, schoolID, kinds, before)
	if err != nil {
		return nil, fmt.Errorf("list deadlines: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[DueItem])
}

// PupilDeadlines lists the open deadlines of some pupils, soonest first.
func (s *Store) PupilDeadlines(ctx context.Context, pupilIDs []string) ([]DueItem, error) {
	rows, err := s.DB.Query(ctx, `SELECT p.id::text, p.first_name, p.last_name, d.item_id, d.kind, d.due, d.label
		FROM deadlines d JOIN pupils p ON p.id = d.pupil_id WHERE d.pupil_id::text = ANY($1) ORDER BY d.due`, pupilIDs)
	if err != nil {
		return nil, fmt.Errorf("list deadlines: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[DueItem])
}

// SchoolPathways lists the pathway states of a school's pupils at some stages, with names.
func (s *Store) SchoolPathways(ctx context.Context, schoolID string, stages []string) ([]PathwayOfPupil, error) {
	rows, err := s.DB.Query(ctx, `SELECT p.id::text, p.first_name, p.last_name, pw.stage, pw.state FROM pathways pw
		JOIN pupils p ON p.id = pw.pupil_id WHERE pw.school_id = $1 AND pw.stage = ANY($2) ORDER BY p.last_name, p.first_name`, schoolID, stages)
	if err != nil {
		return nil, fmt.Errorf("list pathways: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[PathwayOfPupil])
}

// PathwayOfPupil is a pupil's pathway state, with their name.
type PathwayOfPupil struct {
	PupilID   string
	FirstName string
	LastName  string
	Stage     string
	State     json.RawMessage
}

// OverdueReferral is a referral the agency has not acknowledged within its time.
type OverdueReferral struct {
	PupilID     string
	FirstName   string
	LastName    string
	ReferralID  string
	Service     string
	SubmittedAt time.Time
}

// OverdueReferrals lists a school's referrals sent to an agency that were not acknowledged in
// time (the referral escalated to the SENDCo), oldest first.
func (s *Store) OverdueReferrals(ctx context.Context, schoolID string) ([]OverdueReferral, error) {
	rows, err := s.DB.Query(ctx, `SELECT p.id::text, p.first_name, p.last_name, i.state ->> 'ReferralID', sv.name,
			(i.state ->> 'SubmittedAt')::timestamptz
		FROM pathway_items i JOIN pupils p ON p.id = i.pupil_id JOIN agency_services sv ON sv.code = i.state ->> 'Service'
		WHERE i.school_id = $1 AND i.kind = 'referral' AND i.status = 'submitted' AND (i.state ->> 'Escalated')::boolean
		ORDER BY (i.state ->> 'SubmittedAt')::timestamptz`, schoolID)
	if err != nil {
		return nil, fmt.Errorf("list overdue referrals: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[OverdueReferral])
}

// ClassName is the name of a pupil's class; ErrNotFound if they have none.
func (s *Store) ClassName(ctx context.Context, pupilID string) (string, error) {
	var n *string
	if err := s.DB.QueryRow(ctx, `SELECT c.name FROM pupils p LEFT JOIN classes c ON c.id = p.class_id WHERE p.id = $1`, pupilID).Scan(&n); err != nil {
		return "", fmt.Errorf("load class of pupil %s: %w", pupilID, err)
	}
	if n == nil {
		return "", ErrNotFound
	}
	return *n, nil
}

// OfficersFor lists the EHC officers of the local authority of a pupil's school.
func (s *Store) OfficersFor(ctx context.Context, pupilID string) ([]StaffPerson, error) {
	rows, err := s.DB.Query(
		ctx,
		`SELECT u.id::text, u.email, u.name, 'LA officer' FROM pupils p JOIN schools sc ON sc.id = p.school_id
		JOIN la_officers o ON o.la_code = sc.la_code JOIN users u ON u.id = o.user_id WHERE p.id = $1 ORDER BY u.name`,
		pupilID,
	)
	if err != nil {
		return nil, fmt.Errorf("list EHC officers: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[StaffPerson])
}
