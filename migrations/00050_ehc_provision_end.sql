-- +goose Up
-- An EHC plan changes at its annual review: a piece of section F provision can end (and, when
-- the plan changes how much of it is given, be recorded again with the new sessions a week).
-- An ended item stays as the record of what was promised and delivered; it is no longer judged
-- for delivery, so a plan's changed provision does not show as a statutory shortfall.
ALTER TABLE ehc_provision_items
    ADD COLUMN ended_on date,
    ADD COLUMN ended_by uuid REFERENCES users(id);
ALTER TABLE ehc_provision_items DROP CONSTRAINT ehc_provision_items_pupil_id_plan_request_id_item_key_key;
-- one open line per piece of provision in a plan: the same item saved twice is still one item
CREATE UNIQUE INDEX ehc_provision_items_open ON ehc_provision_items (pupil_id, plan_request_id, item_key)
    WHERE ended_on IS NULL;

-- +goose Down
DROP INDEX ehc_provision_items_open;
ALTER TABLE ehc_provision_items ADD CONSTRAINT ehc_provision_items_pupil_id_plan_request_id_item_key_key
    UNIQUE (pupil_id, plan_request_id, item_key);
ALTER TABLE ehc_provision_items DROP COLUMN ended_by, DROP COLUMN ended_on;
