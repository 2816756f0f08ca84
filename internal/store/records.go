package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// The words behind each action live in these tables. An action's row is written as proposed
// (accepted_at NULL) under the action's id before the pupil's workflow is asked; the workflow's
// projection marks it accepted (Project), and only accepted rows are read. A row the workflow
// refused is withdrawn. Proposing again with the same id (a retry) writes nothing.

// recordTables maps the kinds of record workflows name (workflows.RecordKind) to their tables.
var recordTables = map[string]string{
	"concern":             "concerns",
	"impact":              "concern_impacts",
	"plan":                "cycle_plans",
	"review":              "cycle_reviews",
	"provision":           "provision_log",
	"referral":            "referrals",
	"consent":             "consent_records",
	"agency_response":     "agency_responses",
	"ehc_request":         "ehc_requests",
	"parent_views":        "parent_views",
	"meeting_change":      "meeting_changes",
	"meeting_response":    "meeting_responses",
	"transfer_correction": "transfer_corrections",
	"school_move":         "school_moves",
}

// RecordTable is the table of a kind of record, and whether the kind is known.
func RecordTable(kind string) (string, bool) {
	t, ok := recordTables[kind]
	return t, ok
}

// ErrRecordMissing means a projection was asked to accept a record that was never proposed: a
// programming error, never a passing fault.
var ErrRecordMissing = errors.New("the record to accept was never proposed")

// Accepted reports whether a proposed record has been accepted (and whether it exists at all).
func (s *Store) Accepted(ctx context.Context, kind, id string) (accepted, exists bool, err error) {
	table, ok := RecordTable(kind)
	if !ok {
		return false, false, fmt.Errorf("no record kind %q", kind)
	}
	var at *time.Time
	err = s.DB.QueryRow(ctx, `SELECT accepted_at FROM `+table+` WHERE id = $1`, id).Scan(&at)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, false, nil
	}
	if err != nil {
		return false, false, fmt.Errorf("check %s %s: %w", kind, id, err)
	}
	return at != nil, true, nil
}

// pagedItems are the kinds of record with a page of their own, and the prefix of the pathway
// item their own workflow writes.
var pagedItems = map[string]string{"referral": "referral/", "ehc_request": "ehc/"}

// Shown reports whether an accepted referral or EHC request can be shown on its own page: the
// pathway accepts it and starts its workflow, and its page reads the state that workflow writes
// a moment later.
func (s *Store) Shown(ctx context.Context, kind, id string) (bool, error) {
	table, ok := RecordTable(kind)
	prefix, paged := pagedItems[kind]
	if !ok || !paged {
		return false, fmt.Errorf("no page for a record of kind %q", kind)
	}
	var shown bool
	err := s.DB.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+table+` r JOIN pathway_items it
		ON it.pupil_id = r.pupil_id AND it.item_id = $2 || r.id WHERE r.id = $1 AND r.accepted_at IS NOT NULL)`,
		id, prefix).Scan(&shown)
	if err != nil {
		return false, fmt.Errorf("check %s %s is shown: %w", kind, id, err)
	}
	return shown, nil
}

// Withdraw deletes a proposed record the workflow refused. An accepted record is never touched.
// A meeting is proposed with its first change, and goes with it.
func (s *Store) Withdraw(ctx context.Context, kind, id string) error {
	table, ok := RecordTable(kind)
	if !ok {
		return fmt.Errorf("no record kind %q", kind)
	}
	if kind != "meeting_change" {
		if _, err := s.DB.Exec(ctx, `DELETE FROM `+table+` WHERE id = $1 AND accepted_at IS NULL`, id); err != nil {
			return fmt.Errorf("withdraw %s %s: %w", kind, id, err)
		}
		return nil
	}
	tx, err := s.DB.Begin(ctx)
	if err != nil {
		return fmt.Errorf("withdraw meeting change %s: %w", id, err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // no-op after commit
	var meetingID string
	err = tx.QueryRow(ctx, `DELETE FROM meeting_changes WHERE id = $1 AND accepted_at IS NULL RETURNING meeting_id::text`, id).
		Scan(&meetingID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("withdraw meeting change %s: %w", id, err)
	}
	_, err = tx.Exec(ctx, `DELETE FROM meetings m WHERE m.id = $1 AND m.accepted_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM meeting_changes c WHERE c.meeting_id = m.id)`, meetingID)
	if err != nil {
		return fmt.Errorf("withdraw meeting %s: %w", meetingID, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("withdraw meeting change %s: %w", id, err)
	}
	return nil
}

// accept marks a proposed record accepted inside a projection's transaction; accepting twice
// changes nothing. A meeting change also gets its calendar SEQUENCE and is applied to the meeting.
func accept(ctx context.Context, tx pgx.Tx, kind, id string, at time.Time) error {
	table, ok := RecordTable(kind)
	if !ok {
		return fmt.Errorf("%w: no record kind %q", ErrRecordMissing, kind)
	}
	switch kind {
	case "meeting_change":
		return acceptMeetingChange(ctx, tx, id, at)
	case "school_move":
		return acceptSchoolMove(ctx, tx, id, at)
	}
	tag, err := tx.Exec(ctx, `UPDATE `+table+` SET accepted_at = coalesce(accepted_at, $2) WHERE id = $1`, id, at)
	if err != nil {
		return fmt.Errorf("accept %s %s: %w", kind, id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%w: %s %s", ErrRecordMissing, kind, id)
	}
	return nil
}

// acceptMeetingChange applies a change to its meeting: a new meeting is accepted with SEQUENCE
// 0; a move or a cancellation takes the next SEQUENCE. The pathway accepts one change at a time.
func acceptMeetingChange(ctx context.Context, tx pgx.Tx, id string, at time.Time) error {
	var meetingID, kind string
	var startsAt time.Time
	var accepted *time.Time
	err := tx.QueryRow(ctx, `SELECT meeting_id::text, kind, starts_at, accepted_at FROM meeting_changes WHERE id = $1`, id).
		Scan(&meetingID, &kind, &startsAt, &accepted)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: meeting change %s", ErrRecordMissing, id)
	}
	if err != nil {
		return fmt.Errorf("accept meeting change %s: %w", id, err)
	}
	if accepted != nil {
		return nil
	}
	var seq int
	if kind != MeetingCreate {
		if err := tx.QueryRow(ctx, `SELECT sequence + 1 FROM meetings WHERE id = $1 FOR UPDATE`, meetingID).Scan(&seq); err != nil {
			return fmt.Errorf("accept meeting change %s: %w", id, err)
		}
	}
	_, err = tx.Exec(
		ctx,
		`UPDATE meetings SET sequence = $2, accepted_at = coalesce(accepted_at, $3), updated_at = now(),
			starts_at = CASE WHEN $4 = 'cancel' THEN starts_at ELSE $5 END,
			status = CASE WHEN $4 = 'cancel' THEN 'cancelled' ELSE status END
		WHERE id = $1`,
		meetingID,
		seq,
		at,
		kind,
		startsAt,
	)
	if err != nil {
		return fmt.Errorf("apply meeting change %s: %w", id, err)
	}
	if _, err := tx.Exec(ctx, `UPDATE meeting_changes SET sequence = $2, accepted_at = $3 WHERE id = $1`, id, seq, at); err != nil {
		return fmt.Errorf("accept meeting change %s: %w", id, err)
	}
	return nil
}

func (s *Store) propose(ctx context.Context, what, sql string, args ...any) error {
	if _, err := s.DB.Exec(ctx, sql, args...); err != nil {
		return fmt.Errorf("store %s: %w", what, err)
	}
	return nil
}

// ProposePlan stores a support plan's outcomes, provision and the family's views.
func (s *Store) ProposePlan(
	ctx context.Context,
	id, pupilID, userID string,
	outcomes, provision []byte,
	review time.Time,
	parentViews, pupilViews string,
) error {
	return s.propose(
		ctx,
		"plan",
		`INSERT INTO cycle_plans (id, pupil_id, created_by, outcomes, provision, review_date, parent_views, pupil_views)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING`,
		id,
		pupilID,
		userID,
		outcomes,
		provision,
		review,
		parentViews,
		pupilViews,
	)
}

// ProposeReview stores a review's ratings, views and next step.
func (s *Store) ProposeReview(
	ctx context.Context,
	id, pupilID string,
	cycle int,
	ratings []byte,
	parentViews, pupilViews, nextStep, notes, userID string,
) error {
	return s.propose(
		ctx,
		"review",
		`INSERT INTO cycle_reviews (id, pupil_id, cycle_number, ratings, parent_views, pupil_views, next_step, notes, recorded_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
		id,
		pupilID,
		cycle,
		ratings,
		parentViews,
		pupilViews,
		nextStep,
		notes,
		userID,
	)
}

// ProposeProvision stores one entry of the provision log.
// planItem names the plan's provision entry the session delivered (nil for free text).
func (s *Store) ProposeProvision(
	ctx context.Context,
	id, pupilID string,
	cycle int,
	description string,
	givenOn time.Time,
	userID string,
	planItem *int,
) error {
	return s.propose(
		ctx,
		"provision",
		`INSERT INTO provision_log (id, pupil_id, cycle_number, description, given_on, logged_by, plan_item)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
		id,
		pupilID,
		cycle,
		description,
		givenOn,
		userID,
		planItem,
	)
}

// ProposeReferral stores why a referral is made.
func (s *Store) ProposeReferral(ctx context.Context, id, pupilID, service, reason, userID string) error {
	return s.propose(ctx, "referral", `INSERT INTO referrals (id, pupil_id, service, reason, created_by)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`, id, pupilID, service, reason, userID)
}

// ProposeConsent keeps a parent's consent answer as given: the service's consent version
// (wordingID, which the referral's workflow holds) and the words shown, by language and version.
func (s *Store) ProposeConsent(
	ctx context.Context,
	id, referralID, parentID, action, wordingID string,
	shown ConsentWording,
) error {
	return s.propose(
		ctx,
		"consent",
		`INSERT INTO consent_records (id, referral_id, parent_id, action, wording_id, wording_language, wording_version)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
		id,
		referralID,
		parentID,
		action,
		wordingID,
		shown.Language,
		shown.Version,
	)
}

// ProposeAgencyResponse keeps an agency's reply.
func (s *Store) ProposeAgencyResponse(ctx context.Context, id, referralID, kind, summary, userID string) error {
	return s.propose(ctx, "agency response", `INSERT INTO agency_responses (id, referral_id, kind, summary, recorded_by)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`, id, referralID, kind, summary, userID)
}

// ProposeEHCRequest records who asked for an assessment.
func (s *Store) ProposeEHCRequest(ctx context.Context, id, pupilID, requestedBy, userID string) error {
	// The request goes to the local authority of the pupil's school when it is made.
	return s.propose(ctx, "EHC request", `INSERT INTO ehc_requests (id, pupil_id, requested_by, created_by, la_code)
		SELECT $1, p.id, $3, $4, s.la_code FROM pupils p JOIN schools s ON s.id = p.school_id WHERE p.id = $2
		ON CONFLICT (id) DO NOTHING`, id, pupilID, requestedBy, userID)
}

// ProposeMeetingResponse keeps a parent's answer to an invitation (sequence: the one answered).
func (s *Store) ProposeMeetingResponse(
	ctx context.Context,
	id, meetingID, parentID, response string,
	sequence int,
) error {
	return s.propose(
		ctx,
		"meeting answer",
		`INSERT INTO meeting_responses (id, meeting_id, parent_id, response, sequence)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`,
		id,
		meetingID,
		parentID,
		response,
		sequence,
	)
}

// ProposeParentViews keeps a parent's views before a review.
func (s *Store) ProposeParentViews(ctx context.Context, v ParentViews) error {
	return s.propose(
		ctx,
		"views",
		`INSERT INTO parent_views (id, pupil_id, cycle_number, parent_id, going_well, hard, would_help)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
		v.ID,
		v.PupilID,
		v.Cycle,
		v.ParentID,
		v.GoingWell,
		v.Hard,
		v.WouldHelp,
	)
}

// Service is an agency service a school can refer to.
type Service struct {
	Code, Name, ConsentWording, ConsentVersion string
	SLA, PortalURL                             string
	// ConsentTranslations are the consent wording in other languages, each translating
	// ConsentVersion (the directory refuses any other).
	ConsentTranslations []ConsentWording
}

// ConsentWording is consent wording in one language, with its own version.
type ConsentWording struct {
	Language string `json:"language"`
	Version  string `json:"version"`
	Wording  string `json:"wording"`
}

// WordingIn returns the consent wording in a language ("en" is the service's own), and whether
// the authority has approved wording in it.
func (sv *Service) WordingIn(lang string) (ConsentWording, bool) {
	if lang == "" || lang == "en" {
		return ConsentWording{Language: "en", Version: sv.ConsentVersion, Wording: sv.ConsentWording}, true
	}
	for _, w := range sv.ConsentTranslations {
		if w.Language == lang {
			return w, true
		}
	}
	return ConsentWording{}, false
}

const serviceColumns = `code, name, consent_wording, consent_version, sla, portal_url, consent_translations`

func scanService(row pgx.Row, sv *Service) error {
	var translations []byte
	if err := row.Scan(&sv.Code, &sv.Name, &sv.ConsentWording, &sv.ConsentVersion, &sv.SLA, &sv.PortalURL, &translations); err != nil {
		return err
	}
	if err := json.Unmarshal(translations, &sv.ConsentTranslations); err != nil {
		return fmt.Errorf("read the consent translations of %s: %w", sv.Code, err)
	}
	return nil
}

// ServiceByCode finds a service; ErrNotFound if unknown.
func (s *Store) ServiceByCode(ctx context.Context, code string) (*Service, error) {
	var sv Service
	err := scanService(s.DB.QueryRow(ctx, `SELECT `+serviceColumns+` FROM agency_services WHERE code = $1`, code), &sv)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load service %s: %w", code, err)
	}
	return &sv, nil
}

// ReferralPupil finds the pupil and service of an accepted referral; ErrNotFound if unknown.
func (s *Store) ReferralPupil(ctx context.Context, referralID string) (pupilID, service string, err error) {
	err = s.DB.QueryRow(ctx, `SELECT pupil_id, service FROM referrals WHERE id = $1 AND accepted_at IS NOT NULL`, referralID).
		Scan(&pupilID, &service)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", "", ErrNotFound
	}
	if err != nil {
		return "", "", fmt.Errorf("load referral %s: %w", referralID, err)
	}
	return pupilID, service, nil
}

// EHCRequestPupil finds the pupil of an accepted EHC request; ErrNotFound if unknown.
func (s *Store) EHCRequestPupil(ctx context.Context, requestID string) (string, error) {
	var pupilID string
	err := s.DB.QueryRow(ctx, `SELECT pupil_id FROM ehc_requests WHERE id = $1 AND accepted_at IS NOT NULL`, requestID).
		Scan(&pupilID)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("load EHC request %s: %w", requestID, err)
	}
	return pupilID, nil
}

// SweepProposed deletes proposed records older than age that no workflow accepted: left by a
// request whose process died before it heard the workflow's answer, and not sent again. They were
// never shown to anyone; keeping a child's data without a purpose is not allowed either. It
// returns how many rows went.
func (s *Store) SweepProposed(ctx context.Context, age time.Duration) (int64, error) {
	var total int64
	tables := []string{
		"concern_impacts",
		"concerns",
		"cycle_plans",
		"cycle_reviews",
		"provision_log",
		"consent_records",
		"agency_responses",
		"referrals",
		"ehc_requests",
		"parent_views",
		"meeting_responses",
		"meeting_changes",
	}
	for _, t := range tables {
		tag, err := s.DB.Exec(
			ctx,
			`DELETE FROM `+t+` WHERE accepted_at IS NULL AND created_at < now() - $1 * interval '1 second'`,
			age.Seconds(),
		)
		if err != nil {
			return total, fmt.Errorf("sweep proposed %s: %w", t, err)
		}
		total += tag.RowsAffected()
	}
	tag, err := s.DB.Exec(
		ctx,
		`DELETE FROM meetings m WHERE m.accepted_at IS NULL AND m.created_at < now() - $1 * interval '1 second'
		AND NOT EXISTS (SELECT 1 FROM meeting_changes c WHERE c.meeting_id = m.id)`,
		age.Seconds(),
	)
	if err != nil {
		return total, fmt.Errorf("sweep proposed meetings: %w", err)
	}
	return total + tag.RowsAffected(), nil
}
