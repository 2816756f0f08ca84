-- +goose Up
-- The SEN register (issue 16): what the SENDCo records of a pupil for the school census where the
-- pathway cannot say it. The provision (N, K, E) is derived from the pathway; the SENDCo may set
-- it (NULL: follow the pathway), and always chooses the need types ranked 1 and 2.
CREATE TABLE sen_register (
    pupil_id        uuid PRIMARY KEY REFERENCES pupils(id),
    provision       text CHECK (provision IN ('N', 'K', 'E')),
    primary_need    text NOT NULL DEFAULT '',
    secondary_need  text NOT NULL DEFAULT '',
    note            text NOT NULL DEFAULT '',
    recorded_by     uuid NOT NULL REFERENCES users(id),
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    -- The change that wrote this row (sen_register_changes.id).
    change_id       uuid NOT NULL
);

-- Every change, as made: named by the form's or request's action id, so the same action sent
-- twice is one change. Never updated.
CREATE TABLE sen_register_changes (
    id              uuid PRIMARY KEY,
    pupil_id        uuid NOT NULL REFERENCES pupils(id),
    provision       text CHECK (provision IN ('N', 'K', 'E')),
    primary_need    text NOT NULL DEFAULT '',
    secondary_need  text NOT NULL DEFAULT '',
    note            text NOT NULL DEFAULT '',
    recorded_by     uuid NOT NULL REFERENCES users(id),
    recorded_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sen_register_changes_pupil ON sen_register_changes (pupil_id, recorded_at);

-- +goose Down
DROP TABLE sen_register_changes, sen_register;
