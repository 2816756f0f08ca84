-- +goose Up
-- A record becomes part of a pupil's history only when the pupil's workflow accepts it. The words
-- of an action are written first as proposed (accepted_at NULL); the workflow's projection marks
-- them accepted in the same transaction as the state it records. Readers read accepted rows only;
-- the API deletes the proposed row of an action the workflow refuses.
ALTER TABLE concerns ADD COLUMN accepted_at timestamptz;
ALTER TABLE concern_impacts ADD COLUMN accepted_at timestamptz;
ALTER TABLE cycle_plans ADD COLUMN accepted_at timestamptz;
ALTER TABLE cycle_reviews ADD COLUMN accepted_at timestamptz;
ALTER TABLE provision_log ADD COLUMN accepted_at timestamptz;
ALTER TABLE referrals ADD COLUMN accepted_at timestamptz;
ALTER TABLE consent_records ADD COLUMN accepted_at timestamptz;
ALTER TABLE agency_responses ADD COLUMN accepted_at timestamptz;
ALTER TABLE ehc_requests ADD COLUMN accepted_at timestamptz;
ALTER TABLE parent_views ADD COLUMN accepted_at timestamptz;
ALTER TABLE meeting_responses ADD COLUMN accepted_at timestamptz;
ALTER TABLE meetings ADD COLUMN accepted_at timestamptz;
ALTER TABLE meeting_changes ADD COLUMN accepted_at timestamptz;
-- A meeting change gets its calendar SEQUENCE when the pathway accepts it.
ALTER TABLE meeting_changes ALTER COLUMN sequence DROP NOT NULL;

-- Rows written before: keep those the read model shows its workflow took; the rest were refused.
-- Where the read model does not name a row (reviews, consent answers, replies other than advice),
-- it is kept if what it belongs to was taken. Meetings, answers and views were only ever kept
-- when the pathway accepted them.
UPDATE concerns c SET accepted_at = c.created_at FROM pathways pw
	WHERE pw.pupil_id = c.pupil_id AND jsonb_typeof(pw.state -> 'Concerns') = 'array'
	AND EXISTS (SELECT 1 FROM jsonb_array_elements(pw.state -> 'Concerns') x WHERE x ->> 'ConcernID' = c.id::text);
UPDATE concern_impacts i SET accepted_at = i.created_at FROM concerns c WHERE c.id = i.concern_id AND c.accepted_at IS NOT NULL;
UPDATE cycle_plans p SET accepted_at = p.created_at FROM pathway_items it
	WHERE it.pupil_id = p.pupil_id AND it.kind = 'cycle' AND it.state -> 'Plan' ->> 'PlanID' = p.id::text;
UPDATE cycle_reviews r SET accepted_at = r.created_at FROM pathway_items it
	WHERE it.pupil_id = r.pupil_id AND it.item_id = 'cycle/' || r.cycle_number AND it.status = 'reviewed';
UPDATE provision_log l SET accepted_at = l.created_at FROM pathway_items it
	WHERE it.pupil_id = l.pupil_id AND it.item_id = 'cycle/' || l.cycle_number AND jsonb_typeof(it.state -> 'ProvisionLogged') = 'array'
	AND it.state -> 'ProvisionLogged' ? l.id::text;
UPDATE referrals r SET accepted_at = r.created_at FROM pathway_items it WHERE it.pupil_id = r.pupil_id AND it.item_id = 'referral/' || r.id;
UPDATE consent_records c SET accepted_at = c.created_at FROM referrals r WHERE r.id = c.referral_id AND r.accepted_at IS NOT NULL;
UPDATE agency_responses a SET accepted_at = a.created_at FROM referrals r, pathway_items it
	WHERE r.id = a.referral_id AND r.accepted_at IS NOT NULL AND it.pupil_id = r.pupil_id AND it.item_id = 'referral/' || r.id
	AND (a.kind <> 'advice' OR it.state ->> 'AdviceID' = a.id::text);
UPDATE ehc_requests e SET accepted_at = e.created_at FROM pathway_items it WHERE it.pupil_id = e.pupil_id AND it.item_id = 'ehc/' || e.id;
UPDATE parent_views SET accepted_at = created_at;
UPDATE meeting_responses SET accepted_at = created_at;
UPDATE meetings SET accepted_at = created_at;
UPDATE meeting_changes SET accepted_at = created_at;

-- Names stored before the input rules (internal/input) may hold line breaks or other control
-- characters, which no email subject or calendar file can carry: they become spaces.
UPDATE pupils SET first_name = btrim(regexp_replace(first_name, '[[:cntrl:]]+', ' ', 'g')),
	last_name = btrim(regexp_replace(last_name, '[[:cntrl:]]+', ' ', 'g'))
	WHERE first_name ~ '[[:cntrl:]]' OR last_name ~ '[[:cntrl:]]';
UPDATE users SET name = btrim(regexp_replace(name, '[[:cntrl:]]+', ' ', 'g')) WHERE name ~ '[[:cntrl:]]';
UPDATE classes SET name = btrim(regexp_replace(name, '[[:cntrl:]]+', ' ', 'g')) WHERE name ~ '[[:cntrl:]]';
UPDATE schools SET name = btrim(regexp_replace(name, '[[:cntrl:]]+', ' ', 'g')) WHERE name ~ '[[:cntrl:]]';
UPDATE meetings SET location = btrim(regexp_replace(location, '[[:cntrl:]]+', ' ', 'g')) WHERE location ~ '[[:cntrl:]]';

-- Deadlines of one kind are told apart by ref (two concerns' trial windows once shared a key).
ALTER TABLE deadlines ADD COLUMN ref text NOT NULL DEFAULT '';
ALTER TABLE deadlines DROP CONSTRAINT deadlines_pkey;
ALTER TABLE deadlines ADD PRIMARY KEY (pupil_id, item_id, kind, ref);

-- An Idempotency-Key is claimed before its request runs (response NULL while it runs), so of
-- requests sent at once with one key exactly one runs; a claim whose request died is taken over
-- once claimed_until has passed.
ALTER TABLE idempotency_keys ALTER COLUMN status DROP NOT NULL;
ALTER TABLE idempotency_keys ALTER COLUMN response DROP NOT NULL;
ALTER TABLE idempotency_keys ADD COLUMN claimed_until timestamptz;

-- A one-tap link is claimed while its action runs and spent (used) only when the action is
-- accepted; a refused or failed action gives the claim back.
ALTER TABLE used_links ADD COLUMN state text NOT NULL DEFAULT 'used' CHECK (state IN ('claimed', 'used'));
ALTER TABLE used_links ADD COLUMN claimed_until timestamptz;

-- +goose Down
ALTER TABLE used_links DROP COLUMN claimed_until, DROP COLUMN state;
DELETE FROM idempotency_keys WHERE response IS NULL;
ALTER TABLE idempotency_keys DROP COLUMN claimed_until;
ALTER TABLE idempotency_keys ALTER COLUMN response SET NOT NULL;
ALTER TABLE idempotency_keys ALTER COLUMN status SET NOT NULL;
ALTER TABLE deadlines DROP CONSTRAINT deadlines_pkey;
DELETE FROM deadlines WHERE ref <> '';
ALTER TABLE deadlines ADD PRIMARY KEY (pupil_id, item_id, kind);
ALTER TABLE deadlines DROP COLUMN ref;
ALTER TABLE meeting_changes ALTER COLUMN sequence SET NOT NULL;
ALTER TABLE meeting_changes DROP COLUMN accepted_at;
ALTER TABLE meetings DROP COLUMN accepted_at;
ALTER TABLE meeting_responses DROP COLUMN accepted_at;
ALTER TABLE parent_views DROP COLUMN accepted_at;
ALTER TABLE ehc_requests DROP COLUMN accepted_at;
ALTER TABLE agency_responses DROP COLUMN accepted_at;
ALTER TABLE consent_records DROP COLUMN accepted_at;
ALTER TABLE referrals DROP COLUMN accepted_at;
ALTER TABLE provision_log DROP COLUMN accepted_at;
ALTER TABLE cycle_reviews DROP COLUMN accepted_at;
ALTER TABLE cycle_plans DROP COLUMN accepted_at;
ALTER TABLE concern_impacts DROP COLUMN accepted_at;
ALTER TABLE concerns DROP COLUMN accepted_at;
