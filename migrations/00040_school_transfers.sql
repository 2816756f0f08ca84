-- +goose Up
-- A pupil's SEND record following them to another school on the same sendflow. The receiving
-- school asks by UPN and date of birth (the answer is the same whether a pupil matched or not:
-- pupil_id stays NULL when nothing did); the sending school releases or refuses; the receiving
-- school may withdraw its request. The words of the move itself are school_moves: a proposed
-- record that the pupil's pathway accepts, in the same transaction that moves the pupil.
CREATE TABLE school_transfers (
    id              uuid PRIMARY KEY,
    to_school_id    uuid NOT NULL REFERENCES schools(id),
    requested_by    uuid NOT NULL REFERENCES users(id),
    requested_at    timestamptz NOT NULL DEFAULT now(),
    upn             text NOT NULL,
    pupil_id        uuid REFERENCES pupils(id),
    from_school_id  uuid REFERENCES schools(id),
    status          text NOT NULL DEFAULT 'requested'
                    CHECK (status IN ('requested','released','completed','refused','withdrawn')),
    decided_by      uuid REFERENCES users(id),
    decided_at      timestamptz,
    completed_at    timestamptz
);
CREATE INDEX school_transfers_to ON school_transfers (to_school_id, requested_at);
CREATE INDEX school_transfers_from ON school_transfers (from_school_id, requested_at) WHERE pupil_id IS NOT NULL;
-- One open request for a pupil at a time.
CREATE UNIQUE INDEX school_transfers_open ON school_transfers (pupil_id)
    WHERE pupil_id IS NOT NULL AND status IN ('requested','released');

-- The move a transfer makes, proposed before the pupil's pathway is told (id = the transfer's).
CREATE TABLE school_moves (
    id              uuid PRIMARY KEY REFERENCES school_transfers(id),
    pupil_id        uuid NOT NULL REFERENCES pupils(id),
    from_school_id  uuid NOT NULL REFERENCES schools(id),
    to_school_id    uuid NOT NULL REFERENCES schools(id),
    proposed_by     uuid NOT NULL REFERENCES users(id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    accepted_at     timestamptz
);

-- Which school wrote each line of a pupil's story: a pupil's history moves with them, and says
-- which school did what.
ALTER TABLE pathway_events ADD COLUMN school_id uuid REFERENCES schools(id);
UPDATE pathway_events e SET school_id = p.school_id FROM pupils p WHERE p.id = e.pupil_id AND e.school_id IS NULL;

-- +goose Down
ALTER TABLE pathway_events DROP COLUMN school_id;
DROP TABLE school_moves;
DROP TABLE school_transfers;
