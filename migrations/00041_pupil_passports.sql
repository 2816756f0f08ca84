-- +goose Up
-- The pupil in their own words: a one-page profile (what people like and admire about me, what
-- is important to me, how best to support me), written with the pupil and their parents. Every
-- save is a new version, kept: who saved it, when, at which school. The words live here only,
-- never in a workflow's payload.
CREATE TABLE pupil_passports (
    id           uuid PRIMARY KEY,          -- the save's action id: a repeat writes nothing
    pupil_id     uuid NOT NULL REFERENCES pupils(id),
    version      int NOT NULL CHECK (version > 0),
    liked        text NOT NULL,
    important    text NOT NULL,
    support      text NOT NULL,
    written_with text NOT NULL DEFAULT '',
    saved_by     uuid NOT NULL REFERENCES users(id),
    saved_role   text NOT NULL,
    school_id    uuid NOT NULL REFERENCES schools(id),
    saved_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (pupil_id, version)
);

-- +goose Down
DROP TABLE pupil_passports;
