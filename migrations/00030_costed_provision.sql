-- +goose Up
-- A school's provision catalogue, one row per version loaded (the document is the parsed YAML as
-- JSON, like oag_catalogues). A plan's provision entries may name an item and the version they
-- were costed from ({"text", "frequency", "itemId", "catalogueVersion"}); old plans have neither.
CREATE TABLE provision_catalogues (
    school_id  uuid NOT NULL REFERENCES schools(id),
    id         text NOT NULL,
    version    text NOT NULL,
    published  date NOT NULL,
    document   jsonb NOT NULL,
    loaded_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (school_id, version)
);

-- Which of the plan's provision entries (its index in cycle_plans.provision) a logged session
-- delivered, so delivery can be counted against what was promised; NULL for free-text logs.
ALTER TABLE provision_log ADD COLUMN plan_item int CHECK (plan_item >= 0);
CREATE INDEX provision_log_cycle ON provision_log (pupil_id, cycle_number) WHERE accepted_at IS NOT NULL;

-- +goose Down
DROP INDEX provision_log_cycle;
ALTER TABLE provision_log DROP COLUMN plan_item;
DROP TABLE provision_catalogues;
