-- +goose Up
-- The OAG catalogue is versioned data: every version loaded is kept, so evidence recorded against
-- an older version stays readable.
CREATE TABLE oag_catalogues (
    id         text NOT NULL,
    version    text NOT NULL,
    published  date NOT NULL,
    document   jsonb NOT NULL,
    loaded_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (id, version)
);

-- The agency directory comes from each local authority's file.
ALTER TABLE local_authorities ADD COLUMN ehcna_readiness jsonb NOT NULL DEFAULT '{}';
ALTER TABLE agency_services ADD COLUMN la_code text REFERENCES local_authorities(code);
ALTER TABLE agency_services ADD COLUMN portal_url text NOT NULL DEFAULT '';
ALTER TABLE agency_services ADD COLUMN sla text NOT NULL DEFAULT '6w';
ALTER TABLE agency_services ADD COLUMN readiness jsonb NOT NULL DEFAULT '{}';

-- Indicators a teacher ticked ("what you might see"), by catalogue id.
ALTER TABLE concerns ADD COLUMN indicators text[] NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE concerns DROP COLUMN indicators;
ALTER TABLE agency_services DROP COLUMN readiness, DROP COLUMN sla, DROP COLUMN portal_url, DROP COLUMN la_code;
ALTER TABLE local_authorities DROP COLUMN ehcna_readiness;
DROP TABLE oag_catalogues;
