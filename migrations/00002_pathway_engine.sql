-- +goose Up
-- The parts of a pathway each workflow projects: cycles, referrals, assessments, annual reviews.
CREATE TABLE pathway_items (
    pupil_id    uuid NOT NULL REFERENCES pupils(id),
    item_id     text NOT NULL,              -- e.g. cycle/2, referral/<id>, ehc/<id>, annual-review/1
    kind        text NOT NULL,
    school_id   uuid NOT NULL REFERENCES schools(id),
    status      text NOT NULL,
    version     bigint NOT NULL,
    state       jsonb NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (pupil_id, item_id)
);
CREATE INDEX pathway_items_school ON pathway_items (school_id, kind, status);

-- Open deadlines, replaced by each projection of the workflow that owns them ('' = the pathway).
CREATE TABLE deadlines (
    pupil_id    uuid NOT NULL REFERENCES pupils(id),
    item_id     text NOT NULL,
    kind        text NOT NULL,
    school_id   uuid NOT NULL REFERENCES schools(id),
    due         timestamptz NOT NULL,
    label       text NOT NULL,
    PRIMARY KEY (pupil_id, item_id, kind)
);
CREATE INDEX deadlines_school_due ON deadlines (school_id, due);

-- Timeline events now come from several workflows, each numbering its own.
ALTER TABLE pathway_events ADD COLUMN source text NOT NULL DEFAULT '';
ALTER TABLE pathway_events DROP CONSTRAINT pathway_events_pkey;
ALTER TABLE pathway_events ADD PRIMARY KEY (pupil_id, source, seq);
CREATE INDEX pathway_events_at ON pathway_events (pupil_id, at);

-- What the words of each step are. Workflows carry these rows' ids, never their text.
ALTER TABLE concerns ADD COLUMN strategies jsonb NOT NULL DEFAULT '[]';

CREATE TABLE concern_impacts (
    id           uuid PRIMARY KEY,
    concern_id   uuid NOT NULL REFERENCES concerns(id),
    recorded_by  uuid NOT NULL REFERENCES users(id),
    impacts      jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE cycle_plans (
    id           uuid PRIMARY KEY,
    pupil_id     uuid NOT NULL REFERENCES pupils(id),
    created_by   uuid NOT NULL REFERENCES users(id),
    outcomes     jsonb NOT NULL,   -- [{id, text}]
    provision    jsonb NOT NULL,   -- [{text, frequency}]
    review_date  date NOT NULL,
    parent_views text NOT NULL DEFAULT '',
    pupil_views  text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE cycle_reviews (
    id           uuid PRIMARY KEY,
    pupil_id     uuid NOT NULL REFERENCES pupils(id),
    cycle_number int NOT NULL,
    ratings      jsonb NOT NULL,
    parent_views text NOT NULL DEFAULT '',
    pupil_views  text NOT NULL DEFAULT '',
    next_step    text NOT NULL,
    notes        text NOT NULL DEFAULT '',
    recorded_by  uuid NOT NULL REFERENCES users(id),
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- Local authorities: where parents get independent advice and mediation.
CREATE TABLE local_authorities (
    code              text PRIMARY KEY,
    name              text NOT NULL,
    sendiass_contact  text NOT NULL,
    mediation_contact text NOT NULL
);

-- Agency services a school can refer to (the OAG issue adds routes, SLAs and readiness rules).
CREATE TABLE agency_services (
    code            text PRIMARY KEY,
    name            text NOT NULL,
    referral_email  text NOT NULL,
    consent_wording text NOT NULL,   -- the versioned wording a parent consents to
    consent_version text NOT NULL
);

CREATE TABLE referrals (
    id          uuid PRIMARY KEY,
    pupil_id    uuid NOT NULL REFERENCES pupils(id),
    service     text NOT NULL REFERENCES agency_services(code),
    reason      text NOT NULL,
    created_by  uuid NOT NULL REFERENCES users(id),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Every consent answer, as given: who, which wording version, when. Never updated.
CREATE TABLE consent_records (
    id          uuid PRIMARY KEY,
    referral_id uuid NOT NULL REFERENCES referrals(id),
    parent_id   uuid NOT NULL REFERENCES users(id),
    action      text NOT NULL CHECK (action IN ('give','refuse','withdraw')),
    wording_id  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE agency_responses (
    id          uuid PRIMARY KEY,
    referral_id uuid NOT NULL REFERENCES referrals(id),
    kind        text NOT NULL,
    summary     text NOT NULL DEFAULT '',
    recorded_by uuid NOT NULL REFERENCES users(id),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ehc_requests (
    id           uuid PRIMARY KEY,
    pupil_id     uuid NOT NULL REFERENCES pupils(id),
    requested_by text NOT NULL,
    created_by   uuid NOT NULL REFERENCES users(id),
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE provision_log (
    id           uuid PRIMARY KEY,
    pupil_id     uuid NOT NULL REFERENCES pupils(id),
    cycle_number int NOT NULL,
    description  text NOT NULL,
    given_on     date NOT NULL,
    logged_by    uuid NOT NULL REFERENCES users(id),
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE provision_log, ehc_requests, agency_responses, consent_records, referrals, agency_services,
    local_authorities, cycle_reviews, cycle_plans, concern_impacts, deadlines, pathway_items;
ALTER TABLE concerns DROP COLUMN strategies;
ALTER TABLE pathway_events DROP CONSTRAINT pathway_events_pkey;
ALTER TABLE pathway_events DROP COLUMN source;
ALTER TABLE pathway_events ADD PRIMARY KEY (pupil_id, seq);
