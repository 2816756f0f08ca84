-- +goose Up
-- Reference data: schools, the people who use sendflow and the pupils they support.
CREATE TABLE schools (
    id          uuid PRIMARY KEY,
    name        text NOT NULL,
    la_code     text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id          uuid PRIMARY KEY,
    email       text NOT NULL,
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
-- Emails are matched case-insensitively: Entra and Google may send either case.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- A person's role in a school (a trust admin or LA officer gets rows later issues define).
CREATE TABLE memberships (
    user_id     uuid NOT NULL REFERENCES users(id),
    school_id   uuid NOT NULL REFERENCES schools(id),
    role        text NOT NULL CHECK (role IN ('teacher','teaching_assistant','sendco','head','parent')),
    PRIMARY KEY (user_id, school_id, role)
);

CREATE TABLE classes (
    id          uuid PRIMARY KEY,
    school_id   uuid NOT NULL REFERENCES schools(id),
    name        text NOT NULL,
    UNIQUE (school_id, name)
);

CREATE TABLE class_teachers (
    class_id    uuid NOT NULL REFERENCES classes(id),
    user_id     uuid NOT NULL REFERENCES users(id),
    PRIMARY KEY (class_id, user_id)
);

CREATE TABLE pupils (
    id             uuid PRIMARY KEY,
    school_id      uuid NOT NULL REFERENCES schools(id),
    class_id       uuid REFERENCES classes(id),
    upn            text NOT NULL UNIQUE CHECK (length(upn) = 13),
    first_name     text NOT NULL,
    last_name      text NOT NULL,
    date_of_birth  date NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pupils_school ON pupils (school_id, id);
CREATE INDEX pupils_class ON pupils (class_id);

CREATE TABLE pupil_parents (
    pupil_id                 uuid NOT NULL REFERENCES pupils(id),
    user_id                  uuid NOT NULL REFERENCES users(id),
    relationship             text NOT NULL DEFAULT 'parent',
    parental_responsibility  boolean NOT NULL DEFAULT true,
    preferred_language       text NOT NULL DEFAULT 'en',
    PRIMARY KEY (pupil_id, user_id)
);

-- What a teacher saw. The workflow carries only the concern's id; the words stay here.
CREATE TABLE concerns (
    id            uuid PRIMARY KEY,
    pupil_id      uuid NOT NULL REFERENCES pupils(id),
    raised_by     uuid NOT NULL REFERENCES users(id),
    areas         text[] NOT NULL,
    observed      text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX concerns_pupil ON concerns (pupil_id, created_at);

-- Read model projected from each pupil's workflow; lists and dashboards read this, never Temporal.
CREATE TABLE pathways (
    pupil_id      uuid PRIMARY KEY REFERENCES pupils(id),
    school_id     uuid NOT NULL REFERENCES schools(id),
    workflow_id   text NOT NULL,
    stage         text NOT NULL,
    -- version only grows: a late, older projection never overwrites a newer one.
    version       bigint NOT NULL,
    state         jsonb NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX pathways_school_stage ON pathways (school_id, stage);

-- The pathway's story in plain words, one row per event, written by the workflow's projection.
CREATE TABLE pathway_events (
    pupil_id      uuid NOT NULL REFERENCES pupils(id),
    seq           bigint NOT NULL,
    at            timestamptz NOT NULL,
    kind          text NOT NULL,
    summary       text NOT NULL,
    PRIMARY KEY (pupil_id, seq)
);

-- Outbox: every email is written here first, then delivered; the key makes each intent unique.
CREATE TABLE email_outbox (
    id                uuid PRIMARY KEY,
    idempotency_key   text NOT NULL UNIQUE,
    to_address        text NOT NULL,
    to_user_id        uuid REFERENCES users(id),
    subject           text NOT NULL,
    text_body         text NOT NULL,
    html_body         text NOT NULL,
    template          text NOT NULL,
    template_version  text NOT NULL,
    status            text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','sent','failed')),
    attempts          int NOT NULL DEFAULT 0,
    last_error        text NOT NULL DEFAULT '',
    next_attempt_at   timestamptz NOT NULL DEFAULT now(),
    created_at        timestamptz NOT NULL DEFAULT now(),
    sent_at           timestamptz
);
CREATE INDEX email_outbox_due ON email_outbox (next_attempt_at) WHERE status = 'queued';

-- A retried POST with the same Idempotency-Key gets the first answer back.
CREATE TABLE idempotency_keys (
    user_id        uuid NOT NULL REFERENCES users(id),
    key            text NOT NULL,
    operation      text NOT NULL,
    request_hash   text NOT NULL,
    status         int NOT NULL,
    response       jsonb NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);

-- Append-only audit trail of every read and write of a pupil's data.
CREATE TABLE audit_log (
    id           bigserial PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    actor_id     uuid,
    actor_role   text NOT NULL,
    action       text NOT NULL,
    pupil_id     uuid,
    school_id    uuid,
    request_id   text NOT NULL DEFAULT '',
    outcome      text NOT NULL DEFAULT 'ok'
);
CREATE INDEX audit_log_pupil ON audit_log (pupil_id, at);

-- +goose StatementBegin
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- +goose Down
DROP TABLE audit_log, idempotency_keys, email_outbox, pathway_events, pathways, concerns,
    pupil_parents, pupils, class_teachers, classes, memberships, users, schools;
DROP FUNCTION audit_log_append_only();
