-- +goose Up
-- The provision in section F of a pupil's EHC plan, as the school records it to deliver and
-- track it (#16's costed provision, for pupils with a plan). The council writes the plan; the
-- school holds its copy of what section F says and logs what it delivers. It is school-held
-- reference data, not a step of the statutory process: no timer or decision of the pupil's
-- workflow depends on it, so it lives here, written through the service layer with audit,
-- never in a workflow payload. Items belong to one plan (the EHC request that issued it), so a
-- plan ceased and later issued again starts with its own provision.
CREATE TABLE ehc_provision_items (
    id                 uuid PRIMARY KEY,          -- the save's action id: a repeat writes nothing
    pupil_id           uuid NOT NULL REFERENCES pupils(id),
    plan_request_id    text NOT NULL,             -- the EHC request whose assessment issued the plan
    item_key           text NOT NULL,             -- the catalogue item's id, or "text:" and the words folded
    text               text NOT NULL,
    catalogue_item     text NOT NULL DEFAULT '',
    catalogue_version  text NOT NULL DEFAULT '',  -- the version it was costed from (or in force, for words)
    sessions_per_week  numeric NOT NULL CHECK (sessions_per_week > 0 AND sessions_per_week <= 50),
    recorded_by        uuid NOT NULL REFERENCES users(id),
    recorded_role      text NOT NULL,
    school_id          uuid NOT NULL REFERENCES schools(id),
    recorded_at        timestamptz NOT NULL DEFAULT now(),
    -- one line per piece of provision in a plan: the same item saved twice is one item
    UNIQUE (pupil_id, plan_request_id, item_key)
);

-- Sessions delivered against an item of the plan's provision.
CREATE TABLE ehc_provision_sessions (
    id          uuid PRIMARY KEY,                 -- the log's action id: a repeat writes nothing
    item_id     uuid NOT NULL REFERENCES ehc_provision_items(id),
    pupil_id    uuid NOT NULL REFERENCES pupils(id),
    given_on    date NOT NULL,
    description text NOT NULL DEFAULT '',
    logged_by   uuid NOT NULL REFERENCES users(id),
    logged_role text NOT NULL,
    logged_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ehc_provision_sessions_item ON ehc_provision_sessions (item_id, given_on);

-- +goose Down
DROP TABLE ehc_provision_sessions;
DROP TABLE ehc_provision_items;
