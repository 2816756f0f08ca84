-- +goose Up
-- A pupil's portable SEND record imported from another sendflow (internal/bundle, docs/bundle.md):
-- kept exactly as signed, read-only, beside the pupil's own history (no workflow history is made
-- from it). One import per bundle per school: the same bundle again is the same import.
CREATE TABLE imported_records (
    id            uuid PRIMARY KEY,
    school_id     uuid NOT NULL REFERENCES schools(id),
    pupil_id      uuid NOT NULL REFERENCES pupils(id),
    bundle_sha256 text NOT NULL,
    source_key_id text NOT NULL,
    source_school text NOT NULL,
    bundle_json   text NOT NULL,
    pdf           bytea NOT NULL,
    imported_by   uuid NOT NULL REFERENCES users(id),
    imported_role text NOT NULL,
    imported_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (school_id, bundle_sha256)
);
CREATE INDEX imported_records_pupil ON imported_records (pupil_id);

-- +goose Down
DROP TABLE imported_records;
