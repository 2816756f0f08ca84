-- +goose Up
-- Meetings with the family (review, expectation, annual review). The pathway workflow counts them
-- and tells their story; where, when and who is invited live here. sequence is the iCalendar
-- SEQUENCE of the invitation last sent: 0 when arranged, one more on every move or cancellation.
CREATE TABLE meetings (
    id                uuid PRIMARY KEY,
    pupil_id          uuid NOT NULL REFERENCES pupils(id),
    kind              text NOT NULL CHECK (kind IN ('review','expectation','annual_review')),
    cycle_number      int,              -- the support cycle a review meeting reviews
    starts_at         timestamptz NOT NULL,
    duration_minutes  int NOT NULL CHECK (duration_minutes BETWEEN 5 AND 480),
    location          text NOT NULL,
    invitees          text[] NOT NULL DEFAULT '{}',  -- extra staff email addresses
    sequence          int NOT NULL DEFAULT 0,
    status            text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled','cancelled')),
    created_by        uuid NOT NULL REFERENCES users(id),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX meetings_pupil ON meetings (pupil_id, starts_at);

-- Every change to a meeting, keyed by the request that made it, so a retried request finds the
-- change it already made (and the SEQUENCE it gave) instead of bumping the sequence again.
CREATE TABLE meeting_changes (
    id          uuid PRIMARY KEY,
    meeting_id  uuid NOT NULL REFERENCES meetings(id),
    kind        text NOT NULL CHECK (kind IN ('create','reschedule','cancel')),
    sequence    int NOT NULL,
    starts_at   timestamptz NOT NULL,
    changed_by  uuid NOT NULL REFERENCES users(id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (meeting_id, sequence)
);

-- Parents' answers to invitations, from the one-tap page; sequence is the invitation answered.
CREATE TABLE meeting_responses (
    id          uuid PRIMARY KEY,
    meeting_id  uuid NOT NULL REFERENCES meetings(id),
    parent_id   uuid NOT NULL REFERENCES users(id),
    response    text NOT NULL CHECK (response IN ('accepted','declined','another_time')),
    sequence    int NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX meeting_responses_meeting ON meeting_responses (meeting_id, created_at);

-- A parent's views before a review, in their words. The cycle workflow holds only the id.
CREATE TABLE parent_views (
    id            uuid PRIMARY KEY,
    pupil_id      uuid NOT NULL REFERENCES pupils(id),
    cycle_number  int NOT NULL,
    parent_id     uuid NOT NULL REFERENCES users(id),
    going_well    text NOT NULL DEFAULT '',
    hard          text NOT NULL DEFAULT '',
    would_help    text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX parent_views_cycle ON parent_views (pupil_id, cycle_number);

-- One-tap links that acted: a link's nonce is recorded when it is used, so it acts once.
CREATE TABLE used_links (
    nonce      text PRIMARY KEY,
    action     text NOT NULL,
    parent_id  uuid NOT NULL REFERENCES users(id),
    pupil_id   uuid NOT NULL REFERENCES pupils(id),
    used_at    timestamptz NOT NULL DEFAULT now()
);

-- Attachments go in the outbox row itself, so a message and its calendar file are queued in one
-- statement: [{"filename", "contentType", "content" (base64)}].
ALTER TABLE email_outbox ADD COLUMN attachments jsonb NOT NULL DEFAULT '[]';

-- +goose Down
ALTER TABLE email_outbox DROP COLUMN attachments;
DROP TABLE used_links, parent_views, meeting_responses, meeting_changes, meetings;
