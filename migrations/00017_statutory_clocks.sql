-- +goose Up
-- Statutory clocks a council and a tribunal can rely on (issue 17).

-- The school's statutory age range, as Get Information about Schools records it (4 to 11 for a
-- primary school, 11 to 16 or 18 for a secondary): with the pupil's date of birth it tells which
-- annual review prepares for a move to a new phase. NULL until the school records it.
ALTER TABLE schools ADD COLUMN statutory_low_age int CHECK (statutory_low_age BETWEEN 2 AND 19);
ALTER TABLE schools ADD COLUMN statutory_high_age int CHECK (statutory_high_age BETWEEN 2 AND 25);
ALTER TABLE schools ADD CONSTRAINT schools_age_range CHECK (statutory_low_age <= statutory_high_age);

-- The council's EHC team address, from its directory file: told of the steps the council owns.
ALTER TABLE local_authorities ADD COLUMN ehc_team_email text NOT NULL DEFAULT '';

-- The council's EHC officer for a pupil (one at a time), told with the team.
CREATE TABLE ehc_officers (
    pupil_id     uuid PRIMARY KEY REFERENCES pupils(id),
    user_id      uuid NOT NULL REFERENCES users(id),
    assigned_by  uuid NOT NULL REFERENCES users(id),
    assigned_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ehc_officers_user ON ehc_officers (user_id);

-- The SENDCo's reason for correcting the phase transfer worked out for an annual review. A record
-- like the others: proposed, then accepted by the review's workflow.
CREATE TABLE transfer_corrections (
    id           uuid PRIMARY KEY,
    pupil_id     uuid NOT NULL REFERENCES pupils(id),
    review       int NOT NULL,
    transfer     text NOT NULL,
    reason       text NOT NULL,
    created_by   uuid NOT NULL REFERENCES users(id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    accepted_at  timestamptz
);
CREATE INDEX transfer_corrections_pupil ON transfer_corrections (pupil_id, review);

-- +goose Down
DROP TABLE transfer_corrections, ehc_officers;
ALTER TABLE local_authorities DROP COLUMN ehc_team_email;
ALTER TABLE schools DROP CONSTRAINT schools_age_range;
ALTER TABLE schools DROP COLUMN statutory_high_age, DROP COLUMN statutory_low_age;
